// The create / edit dialog of a campaign. A 422's field errors land on their fields; a stale
// edit (412) says so.
import { useState } from 'react';
import { App, Form, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { applyServerError } from '../../components/recordForm';
import { campaignBody, CampaignFormFields, formValuesOf, type CampaignFormValues } from './campaignBits';
import type { Campaign } from './campaignLogic';

const FIELDS = new Set([
  'name',
  'campaign_type',
  'channel',
  'currency',
  'budget',
  'actual_cost',
  'expected_revenue',
  'tags',
  'description',
  'owner_id',
]);

export function CampaignFormDialog({
  open,
  campaign,
  mayAssign,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The campaign to edit; none: a new one. */
  campaign?: Campaign;
  mayAssign: boolean;
  onClose: () => void;
  onSaved: (campaign: Campaign) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CampaignFormValues>();
  const [saving, setSaving] = useState(false);

  async function submit(values: CampaignFormValues) {
    setSaving(true);
    try {
      const body = campaignBody(values);
      const saved = campaign
        ? await unwrap(
            api.PATCH('/api/v1/campaigns/{campaign_id}', {
              params: { path: { campaign_id: campaign.id }, header: { 'if-match': `W/"${campaign.version}"` } },
              body: body as never,
            }),
          )
        : await unwrap(api.POST('/api/v1/campaigns', { body: body as never }));
      onSaved(saved);
      form.resetFields();
    } catch (error) {
      const outcome = applyServerError(form, error, FIELDS, t);
      if (outcome.kind === 'conflict') message.error(t('common.loadError'));
      else if (outcome.kind === 'other') message.error(outcome.message);
      else if (outcome.kind === 'fields' && outcome.message) message.error(outcome.message);
      if (outcome.kind === 'fields') {
        // the dates' errors (ends_on, starts_on) belong to the range picker
        const dates = (error as { fieldErrors?: () => { name: (string | number)[]; errors: string[] }[] }).fieldErrors?.();
        const onDates = dates?.filter((f) => ['starts_on', 'ends_on'].includes(String(f.name[0]))) ?? [];
        if (onDates.length) form.setFields([{ name: 'dates', errors: onDates.flatMap((f) => f.errors) }]);
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal
      open={open}
      title={campaign ? t('common.edit') : t('campaigns.new')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={campaign ? t('common.save') : t('common.create')}
      okButtonProps={{ loading: saving, 'data-testid': 'campaign-save' } as never}
      destroyOnHidden
      width={720}
    >
      <Form<CampaignFormValues>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={campaign ? formValuesOf(campaign) : { campaign_type: 'event', tags: [] }}
        onFinish={(v) => void submit(v)}
        data-testid="campaign-form"
      >
        <CampaignFormFields mayAssign={mayAssign} />
      </Form>
    </Modal>
  );
}
