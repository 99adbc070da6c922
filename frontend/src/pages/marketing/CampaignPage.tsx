// /campaigns/:id: a campaign's details (edit, lifecycle moves), its sessions, its members and their
// funnel, in tabs; other panels come in through campaignTabs.tsx.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Descriptions, Popconfirm, Space, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { ErrorState, Loading } from '../../components/states';
import { useAction } from '../../components/useAction';
import { useUserName } from '../../directory';
import { can } from '../../permissions';
import { formatDate } from '../customerBits';
import { CampaignStatusTag, CampaignTypeLabel, formatMoney } from './campaignBits';
import { CampaignFormDialog } from './CampaignForm';
import { nextStatuses, SESSION_TYPES, type Campaign, type CampaignStatus } from './campaignLogic';
import { EXTRA_CAMPAIGN_TABS } from './campaignTabs';
import { FunnelPanel } from './FunnelPanel';
import { MembersPanel } from './MembersPanel';
import { SessionsPanel } from './SessionsPanel';

export default function CampaignPage() {
  const { id } = useParams() as { id: string };
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [tab, setTab] = useState('details');
  const { busy, run } = useAction(['campaigns']);
  const campaign = useQuery({
    queryKey: ['campaigns', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/{campaign_id}', { params: { path: { campaign_id: id } } })),
  });
  if (campaign.isLoading) return <Loading />;
  if (campaign.isError) return <ErrorState error={campaign.error} onRetry={() => void campaign.refetch()} />;
  const c = campaign.data!;
  const mayUpdate = can(me, 'campaigns:update');

  const move = (status: CampaignStatus) =>
    run(
      () =>
        unwrap(
          api.PATCH('/api/v1/campaigns/{campaign_id}', {
            params: { path: { campaign_id: c.id }, header: { 'if-match': `W/"${c.version}"` } },
            body: { status },
          }),
        ),
      t('campaigns.move.done', { status: t(`campaigns.status.${status}`) }),
    );

  const tabs = [
    { key: 'details', label: t('campaigns.tabs.details'), children: <Details campaign={c} /> },
    ...(SESSION_TYPES.includes(c.campaign_type)
      ? [{ key: 'sessions', label: t('campaigns.tabs.sessions'), children: <SessionsPanel campaign={c} mayUpdate={mayUpdate} /> }]
      : []),
    { key: 'members', label: t('campaigns.tabs.members'), children: <MembersPanel campaign={c} mayUpdate={mayUpdate} /> },
    { key: 'funnel', label: t('campaigns.tabs.funnel'), children: <FunnelPanel campaign={c} /> },
    ...EXTRA_CAMPAIGN_TABS.filter((extra) => !extra.visible || extra.visible(me, c)).map((extra) => ({
      key: extra.key,
      label: t(extra.label as never) as string,
      children: extra.render(c, me),
    })),
  ];

  return (
    <section aria-labelledby="campaign-title">
      <div className="page-header">
        <Space align="center" wrap>
          <Typography.Title level={2} id="campaign-title" style={{ margin: 0 }}>
            {c.name}
          </Typography.Title>
          <CampaignStatusTag status={c.status} />
          <Tag>
            <CampaignTypeLabel type={c.campaign_type} />
          </Tag>
        </Space>
        {mayUpdate && (
          <Space wrap>
            {nextStatuses(c.status).map((status) =>
              status === 'cancelled' ? (
                <Popconfirm key={status} title={t('campaigns.move.confirmCancel')} onConfirm={() => void move(status)}>
                  <Button danger loading={busy} data-testid="campaign-cancel">
                    {t('campaigns.move.cancelled')}
                  </Button>
                </Popconfirm>
              ) : (
                <Button
                  key={status}
                  type="primary"
                  loading={busy}
                  onClick={() => void move(status)}
                  data-testid={`campaign-move-${status}`}
                >
                  {t(`campaigns.move.${status as Exclude<CampaignStatus, 'draft' | 'cancelled'>}`)}
                </Button>
              ),
            )}
            <Button onClick={() => setEditing(true)} data-testid="campaign-edit">
              {t('common.edit')}
            </Button>
          </Space>
        )}
      </div>
      <Tabs activeKey={tab} onChange={setTab} items={tabs} data-testid="campaign-tabs" destroyOnHidden />
      <CampaignFormDialog
        open={editing}
        campaign={c}
        mayAssign={can(me, 'campaigns:assign')}
        onClose={() => setEditing(false)}
        onSaved={(saved) => {
          setEditing(false);
          queryClient.setQueryData(['campaigns', 'one', id], saved);
          void queryClient.invalidateQueries({ queryKey: ['campaigns', 'list'] });
        }}
      />
    </section>
  );
}

function Details({ campaign: c }: { campaign: Campaign }) {
  const { t, i18n } = useTranslation();
  const userName = useUserName();
  const parent = useQuery({
    queryKey: ['campaigns', 'one', c.parent_id],
    enabled: !!c.parent_id,
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/{campaign_id}', { params: { path: { campaign_id: c.parent_id! } } })),
  });
  const money = (v: string | null) => formatMoney(v, c.currency, i18n.language);
  return (
    <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered data-testid="campaign-details">
      <Descriptions.Item label={t('campaigns.fields.campaign_type')}>
        <CampaignTypeLabel type={c.campaign_type} />
      </Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.channel')}>{c.channel ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.starts_on')}>{c.starts_on ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.ends_on')}>{c.ends_on ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.budget')}>{money(c.budget)}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.actual_cost')}>{money(c.actual_cost)}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.expected_revenue')}>{money(c.expected_revenue)}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.owner_id')}>{userName(c.owner_id) ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.parent_id')}>{c.parent_id ? (parent.data?.name ?? '…') : '—'}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.registration_open')}>
        {c.registration_open ? <Tag color="green">{t('campaigns.registrationOpen')}</Tag> : t('campaigns.registrationClosed')}
      </Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.tags')}>
        {c.tags.length ? c.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : '—'}
      </Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.updated_at')}>{formatDate(c.updated_at, i18n.language)}</Descriptions.Item>
      <Descriptions.Item label={t('campaigns.fields.description')} span={2}>
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{c.description ?? '—'}</Typography.Paragraph>
      </Descriptions.Item>
    </Descriptions>
  );
}
