// /marketing/campaigns/:id/registration: the registration panel on a page of its own (the check-in
// desk at the door, on a tablet); the campaign page shows the same panel as a tab.
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { CampaignRegistrationPanel } from './CampaignRegistrationPanel';

export default function CampaignRegistrationPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  return (
    <>
      <Typography.Title level={3}>{t('registration.panel.title')}</Typography.Title>
      <CampaignRegistrationPanel campaignId={id} />
    </>
  );
}
