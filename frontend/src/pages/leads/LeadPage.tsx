import { useState } from 'react';
import { EditOutlined, PhoneOutlined, SwapOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Input, List, Modal, Row, Select, Space, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { useAction } from '../../components/useAction';
import { useRegions, useUserName, useUsers } from '../../directory';
import { can } from '../../permissions';
import ActivityDialog from '../ActivityDialog';
import { formatDate } from '../customerBits';
import ConsentsPanel from '../marketing/ConsentsPanel';
import ConvertDialog from './ConvertDialog';
import { LeadStatusTag, RatingTag, ScoreBadge } from './leadBits';
import type { LeadStatus } from './leadFilters';

export default function LeadPage() {
  const { id } = useParams() as { id: string };
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const userName = useUserName();
  const users = useUsers();
  const regions = useRegions();
  const { busy, run } = useAction(['leads']);
  const [newOwner, setNewOwner] = useState<string>();
  const [unqualifying, setUnqualifying] = useState(false);
  const [reason, setReason] = useState('');
  const [converting, setConverting] = useState(false);
  const [logging, setLogging] = useState(false);

  const lead = useQuery({
    queryKey: ['leads', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/leads/{lead_id}', { params: { path: { lead_id: id } } })),
  });
  const activities = useQuery({
    queryKey: ['activities', 'of-lead', id],
    enabled: can(me, 'activities:read'),
    queryFn: () => unwrap(api.GET('/api/v1/activities', { params: { query: { lead: id, limit: 50, sort: '-occurred_at' } } })),
  });

  if (lead.isLoading) return <Loading />;
  if (lead.isError) return <ErrorState error={lead.error} onRetry={() => void lead.refetch()} />;
  const l = lead.data!;
  const converted = l.status === 'converted';
  const mayUpdate = can(me, 'leads:update');
  const mayAssign = can(me, 'leads:assign');

  const setStatus = (status: Exclude<LeadStatus, 'converted'>, unqualified_reason?: string) =>
    run(
      () =>
        unwrap(
          api.PATCH('/api/v1/leads/{lead_id}', {
            params: { path: { lead_id: l.id }, header: { 'if-match': etagOf(l.version) } },
            body: { status, ...(unqualified_reason ? { unqualified_reason } : {}) },
          }),
        ),
      t('leads.statusChanged'),
    );

  const region = regions.data?.find((r) => r.id === l.region_id)?.name;
  const items = (activities.data?.items ?? []).filter((a) => 'subject' in a);

  return (
    <section aria-labelledby="lead-title">
      <div className="page-header">
        <Space align="center" wrap>
          <Typography.Title level={2} id="lead-title" style={{ margin: 0 }}>
            {l.name}
          </Typography.Title>
          <LeadStatusTag status={l.status} />
          <RatingTag rating={l.rating} />
        </Space>
        <Space wrap>
          {mayUpdate && !converted && (
            <>
              {l.status !== 'contacted' && (
                <Button loading={busy} onClick={() => void setStatus('contacted')} data-testid="mark-contacted">
                  {t('leads.markContacted')}
                </Button>
              )}
              {l.status !== 'qualified' && (
                <Button loading={busy} onClick={() => void setStatus('qualified')} data-testid="mark-qualified">
                  {t('leads.markQualified')}
                </Button>
              )}
              {l.status !== 'unqualified' ? (
                <Button danger loading={busy} onClick={() => setUnqualifying(true)} data-testid="mark-unqualified">
                  {t('leads.markUnqualified')}
                </Button>
              ) : (
                <Button loading={busy} onClick={() => void setStatus('new')}>
                  {t('leads.reopen')}
                </Button>
              )}
              <Button icon={<EditOutlined />} onClick={() => navigate(`/leads/${l.id}/edit`)}>
                {t('common.edit')}
              </Button>
            </>
          )}
          {mayUpdate && !converted && (
            <Button type="primary" icon={<SwapOutlined />} onClick={() => setConverting(true)} data-testid="convert">
              {t('leads.convert')}
            </Button>
          )}
        </Space>
      </div>
      {converted && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="converted-links"
          title={t('leads.convertedTo')}
          description={
            <Space wrap>
              {l.converted_customer_id && (
                <Link to={`/customers/${l.converted_customer_id}`} data-testid="link-customer">
                  {t('leads.openCustomer')}
                </Link>
              )}
              {l.converted_contact_id && (
                <Link to={`/contacts/${l.converted_contact_id}`} data-testid="link-contact">
                  {t('leads.openContact')}
                </Link>
              )}
              {l.converted_opportunity_id && (
                <Link to={`/opportunities/${l.converted_opportunity_id}`} data-testid="link-opportunity">
                  {t('leads.openOpportunity')}
                </Link>
              )}
              {l.converted_at && <Typography.Text type="secondary">{formatDate(l.converted_at, i18n.language)}</Typography.Text>}
            </Space>
          }
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title={t('leads.details')}>
            <Descriptions column={{ xs: 1, md: 2 }} size="small">
              <Descriptions.Item label={t('leads.fields.company')}>{l.company ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('leads.fields.title')}>{l.title ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('leads.fields.phone')}>{l.phone ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('leads.fields.email')}>{l.email ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('leads.fields.source')}>{t(`leads.source.${l.source}`)}</Descriptions.Item>
              <Descriptions.Item label={t('leads.fields.region_id')}>{region ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('leads.fields.owner_id')}>
                {l.owner_id ? (userName(l.owner_id) ?? l.owner_id.slice(0, 8)) : t('leads.unassigned')}
              </Descriptions.Item>
              <Descriptions.Item label={t('leads.fields.tags')}>
                {l.tags.length ? l.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : '—'}
              </Descriptions.Item>
              {l.status === 'unqualified' && (
                <Descriptions.Item label={t('leads.fields.unqualified_reason')}>{l.unqualified_reason ?? '—'}</Descriptions.Item>
              )}
              <Descriptions.Item label={t('leads.fields.created_at')}>{formatDate(l.created_at, i18n.language)}</Descriptions.Item>
              <Descriptions.Item label={t('leads.fields.description')} span={2}>
                {l.description ?? '—'}
              </Descriptions.Item>
            </Descriptions>
          </Card>
          {mayAssign && !converted && (
            <Card title={t('leads.fields.owner_id')} style={{ marginTop: 16 }}>
              <Space wrap>
                <Select
                  aria-label={t('customer.assignTo')}
                  placeholder={t('customer.assignTo')}
                  value={newOwner}
                  onChange={setNewOwner}
                  showSearch={{ optionFilterProp: 'label' }}
                  style={{ width: 260 }}
                  options={(users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
                />
                <Button
                  disabled={!newOwner}
                  loading={busy}
                  onClick={async () => {
                    const ok = await run(
                      () =>
                        unwrap(
                          api.POST('/api/v1/leads/{lead_id}/assign', {
                            params: { path: { lead_id: l.id } },
                            body: { owner_id: newOwner! },
                          }),
                        ),
                      t('leads.assignedOne'),
                    );
                    if (ok) setNewOwner(undefined);
                  }}
                >
                  {t('leads.assign')}
                </Button>
                <Button
                  loading={busy}
                  onClick={() =>
                    void run(async () => {
                      const routed = await unwrap(api.POST('/api/v1/leads/{lead_id}/route', { params: { path: { lead_id: l.id } } }));
                      if (routed.owner_id === l.owner_id) message.info(t('leads.notRouted'));
                    }, t('leads.routed'))
                  }
                >
                  {t('leads.route')}
                </Button>
              </Space>
            </Card>
          )}
          <div style={{ marginTop: 16 }}>
            <ConsentsPanel kind="lead" id={l.id} canEdit={mayUpdate} />
          </div>
        </Col>
        <Col xs={24} lg={10}>
          <Card
            title={
              <Space>
                {t('leads.scoreExplained')}
                <ScoreBadge score={l.score} />
              </Space>
            }
            data-testid="score-card"
          >
            {l.score_reasons.length ? (
              <List
                size="small"
                dataSource={l.score_reasons}
                renderItem={(r) => (
                  <List.Item
                    key={r.rule_id}
                    extra={<Tag color={r.points >= 0 ? 'green' : 'red'}>{r.points > 0 ? `+${r.points}` : r.points}</Tag>}
                  >
                    {r.label}
                  </List.Item>
                )}
                data-testid="score-reasons"
              />
            ) : (
              <Typography.Text type="secondary">{t('leads.noScoreReasons')}</Typography.Text>
            )}
          </Card>
          {can(me, 'activities:read') && (
            <Card
              title={t('leads.activities')}
              style={{ marginTop: 16 }}
              extra={
                can(me, 'activities:create') && (
                  <Button size="small" icon={<PhoneOutlined />} onClick={() => setLogging(true)}>
                    {t('activity.log')}
                  </Button>
                )
              }
            >
              {activities.isError ? (
                <ErrorState error={activities.error} onRetry={() => void activities.refetch()} />
              ) : items.length ? (
                <Timeline
                  data-testid="lead-activities"
                  items={items.map((a) => ({
                    key: a.id,
                    content: (
                      <div>
                        <Typography.Text strong>{a.subject}</Typography.Text> <Tag>{t(`activity.kind.${a.kind as 'note'}`)}</Tag>
                        <div>
                          <Typography.Text type="secondary">
                            {formatDate(a.occurred_at, i18n.language)} · {userName(a.owner_id) ?? ''}
                          </Typography.Text>
                        </div>
                      </div>
                    ),
                  }))}
                />
              ) : (
                <EmptyState description={t('leads.noActivities')} />
              )}
            </Card>
          )}
        </Col>
      </Row>
      <Modal
        open={unqualifying}
        title={t('leads.markUnqualified')}
        onCancel={() => setUnqualifying(false)}
        okButtonProps={{ disabled: !reason.trim(), loading: busy }}
        onOk={async () => {
          if (await setStatus('unqualified', reason.trim())) {
            setUnqualifying(false);
            setReason('');
          }
        }}
      >
        <Typography.Paragraph>{t('leads.reasonRequired')}</Typography.Paragraph>
        <Input aria-label={t('leads.reason')} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
      </Modal>
      <ConvertDialog
        lead={l}
        open={converting}
        onClose={() => setConverting(false)}
        onConverted={(result) => {
          queryClient.setQueryData(['leads', 'one', id], result.lead);
          void queryClient.invalidateQueries({ queryKey: ['leads', 'list'] });
          void queryClient.invalidateQueries({ queryKey: ['customers'] });
        }}
      />
      <ActivityDialog
        open={logging}
        kind="call"
        leadId={l.id}
        onClose={() => setLogging(false)}
        onLogged={() => void queryClient.invalidateQueries({ queryKey: ['activities'] })}
      />
    </section>
  );
}
