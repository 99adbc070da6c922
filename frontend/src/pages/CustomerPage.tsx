import { useState } from 'react';
import { DeleteOutlined, EditOutlined, MessageOutlined, PhoneOutlined, TeamOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, List, Popconfirm, Result, Row, Select, Space, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { ApiError } from '../api/errors';
import { useMe } from '../auth';
import { diffRows } from '../components/diff';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { useAction } from '../components/useAction';
import { useCustomFields, useRegions, useUserName, useUsers } from '../directory';
import { can } from '../permissions';
import ActivityDialog, { type ActivityKind } from './ActivityDialog';
import CallBackDialog from './surveys/CallBackDialog';
import { formatCustomValue, formatDate, StatusTag } from './customerBits';

type Entry = components['schemas']['TimelinePage']['items'][number];

function changeLabel(action: string): 'created' | 'updated' | 'assigned' | 'deleted' | 'restored' | 'other' {
  const verb = action.split('.').pop() ?? '';
  return (['created', 'updated', 'assigned', 'deleted', 'restored'] as const).find((v) => v === verb) ?? 'other';
}

export default function CustomerPage() {
  const { id } = useParams() as { id: string };
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const userName = useUserName();
  const users = useUsers();
  const regions = useRegions();
  const customFields = useCustomFields('customer');
  const [activity, setActivity] = useState<ActivityKind | null>(null);
  const [callBack, setCallBack] = useState(false);
  const [newOwner, setNewOwner] = useState<string>();
  const [deleted, setDeleted] = useState(false);
  const { busy, run } = useAction();

  const customer = useQuery({
    queryKey: ['customers', 'one', id],
    enabled: !deleted,
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: id } } })),
  });
  const contacts = useQuery({
    queryKey: ['contacts', 'of-customer', id],
    enabled: can(me, 'contacts:read') && !deleted,
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { customer: id, limit: 50, sort: 'name' } } })),
  });
  const timeline = useInfiniteQuery({
    queryKey: ['customers', 'timeline', id],
    enabled: !deleted,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/customers/{customer_id}/timeline', {
          params: { path: { customer_id: id }, query: { limit: 20, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

  if (deleted) {
    return (
      <Result
        status="warning"
        title={t('customer.deletedTitle')}
        extra={
          <Space wrap>
            {can(me, 'customers:delete') && (
              <Button
                type="primary"
                loading={busy}
                data-testid="restore"
                onClick={async () => {
                  const ok = await run(
                    () => unwrap(api.POST('/api/v1/customers/{customer_id}/restore', { params: { path: { customer_id: id } } })),
                    t('customer.restored'),
                  );
                  if (ok) {
                    setDeleted(false);
                    await queryClient.invalidateQueries({ queryKey: ['customers'] });
                  }
                }}
              >
                {t('common.restore')}
              </Button>
            )}
            <Button onClick={() => navigate('/customers')}>{t('common.back')}</Button>
          </Space>
        }
      />
    );
  }
  if (customer.isLoading) return <Loading />;
  if (customer.isError) return <ErrorState error={customer.error} onRetry={() => void customer.refetch()} />;
  const c = customer.data!;
  const fieldValue = (field: string, value: string): string => {
    if (!value) return '—';
    if (field === 'owner_id') return userName(value) ?? value.slice(0, 8);
    if (field === 'status' && i18n.exists(`customer.status.${value}`)) return t(`customer.status.${value}` as 'customer.status.active');
    return value.length > 60 ? `${value.slice(0, 60)}…` : value;
  };
  const entries: Entry[] = timeline.data?.pages.flatMap((p) => p.items) ?? [];
  const region = regions.data?.find((r) => r.id === c.region_id)?.name;

  return (
    <section aria-labelledby="customer-title">
      <div className="page-header">
        <Space wrap align="center">
          <Typography.Title level={2} id="customer-title">
            {c.name}
          </Typography.Title>
          <StatusTag status={c.status} />
          {c.level && <Tag>{c.level}</Tag>}
        </Space>
        <Space wrap>
          {can(me, 'surveys:create') && (
            <Button icon={<PhoneOutlined />} onClick={() => setCallBack(true)} data-testid="log-call-back">
              {t('surveys.callBack.log')}
            </Button>
          )}
          {can(me, 'customers:update') && (
            <Button icon={<EditOutlined />} onClick={() => navigate(`/customers/${c.id}/edit`)} data-testid="edit-customer">
              {t('common.edit')}
            </Button>
          )}
          {can(me, 'customers:delete') && (
            <Popconfirm
              title={t('common.confirmDelete')}
              okText={t('common.delete')}
              cancelText={t('common.cancel')}
              onConfirm={async () => {
                const ok = await run(
                  () => unwrap(api.DELETE('/api/v1/customers/{customer_id}', { params: { path: { customer_id: c.id } } })),
                  t('customer.deleted'),
                );
                if (ok) {
                  setDeleted(true);
                  queryClient.removeQueries({ queryKey: ['customers', 'one', id] });
                  void queryClient.invalidateQueries({ queryKey: ['customers', 'list'] });
                }
              }}
            >
              <Button danger icon={<DeleteOutlined />} data-testid="delete-customer">
                {t('common.delete')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card title={t('customer.profile')}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('customer.fields.kind')}>{t(`customer.kind.${c.kind}`)}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.customer_type')}>{c.customer_type ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.industry')}>{c.industry ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.phone')}>
                {c.phone ? <a href={`tel:${c.phone}`}>{c.phone}</a> : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.email')}>
                {c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.website')}>{c.website ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.region_id')}>{region ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.address')}>{c.address ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.source')}>{c.source ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.tags')}>
                {c.tags.length ? c.tags.map((x) => <Tag key={x}>{x}</Tag>) : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.description')}>{c.description ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.created_at')}>{formatDate(c.created_at, i18n.language)}</Descriptions.Item>
              <Descriptions.Item label={t('customer.fields.updated_at')}>{formatDate(c.updated_at, i18n.language)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={t('customer.customFields')} style={{ marginTop: 16 }} data-testid="custom-fields-card">
            {customFields.data?.length ? (
              <Descriptions column={1} size="small">
                {customFields.data.map((f) => (
                  <Descriptions.Item key={f.id} label={f.label}>
                    {formatCustomValue(c.custom_fields[f.key], t)}
                  </Descriptions.Item>
                ))}
              </Descriptions>
            ) : (
              <EmptyState description={t('customer.noCustomFields')} />
            )}
          </Card>
          <Card title={t('customer.owner')} style={{ marginTop: 16 }}>
            <Typography.Paragraph data-testid="owner-name">{userName(c.owner_id) ?? t('common.unknownUser')}</Typography.Paragraph>
            {can(me, 'customers:assign') && (
              <Space.Compact style={{ width: '100%' }}>
                <Select
                  aria-label={t('customer.reassign')}
                  placeholder={t('customer.assignTo')}
                  value={newOwner}
                  onChange={setNewOwner}
                  showSearch={{ optionFilterProp: 'label' }}
                  options={(users.data ?? []).filter((u) => u.active && u.id !== c.owner_id).map((u) => ({ value: u.id, label: u.name }))}
                  style={{ flex: 1 }}
                />
                <Button
                  disabled={!newOwner}
                  loading={busy}
                  onClick={async () => {
                    const ok = await run(
                      () =>
                        unwrap(
                          api.POST('/api/v1/customers/{customer_id}/assign', {
                            params: { path: { customer_id: c.id } },
                            body: { owner_id: newOwner! },
                          }),
                        ),
                      t('customer.reassigned'),
                    );
                    if (ok) {
                      setNewOwner(undefined);
                      await queryClient.invalidateQueries({ queryKey: ['customers'] });
                    }
                  }}
                >
                  {t('customer.reassign')}
                </Button>
              </Space.Compact>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          {can(me, 'contacts:read') && (
            <Card
              title={
                <>
                  <TeamOutlined /> {t('customer.contacts')}
                </>
              }
              extra={
                can(me, 'contacts:create') && (
                  <Button size="small" onClick={() => navigate(`/contacts/new?customer=${c.id}`)}>
                    {t('customer.addContact')}
                  </Button>
                )
              }
            >
              {contacts.isLoading ? (
                <Loading />
              ) : contacts.isError ? (
                <ErrorState error={contacts.error} onRetry={() => void contacts.refetch()} />
              ) : (
                <List
                  dataSource={(contacts.data?.items ?? []).filter((x): x is components['schemas']['ContactOut'] => 'name' in x)}
                  locale={{ emptyText: <EmptyState description={t('customer.noContacts')} /> }}
                  renderItem={(ct) => (
                    <List.Item>
                      <List.Item.Meta
                        title={<Link to={`/contacts/${ct.id}`}>{ct.name}</Link>}
                        description={[ct.title, ct.phones[0], ct.emails[0]].filter(Boolean).join(' · ')}
                      />
                      {ct.is_primary && <Tag color="gold">{t('contact.fields.is_primary')}</Tag>}
                    </List.Item>
                  )}
                />
              )}
            </Card>
          )}
          <Card
            title={t('customer.timeline')}
            style={{ marginTop: can(me, 'contacts:read') ? 16 : 0 }}
            extra={
              can(me, 'activities:create') && (
                <Space wrap>
                  <Button size="small" icon={<PhoneOutlined />} onClick={() => setActivity('call')}>
                    {t('activity.logCall')}
                  </Button>
                  <Button size="small" icon={<TeamOutlined />} onClick={() => setActivity('meeting')}>
                    {t('activity.logMeeting')}
                  </Button>
                  <Button size="small" icon={<MessageOutlined />} onClick={() => setActivity('note')} data-testid="log-note">
                    {t('activity.logNote')}
                  </Button>
                </Space>
              )
            }
          >
            {timeline.isLoading ? (
              <Loading />
            ) : timeline.isError ? (
              timeline.error instanceof ApiError && timeline.error.status === 403 ? null : (
                <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} />
              )
            ) : entries.length === 0 ? (
              <EmptyState description={t('activity.empty')} />
            ) : (
              <>
                <Timeline
                  data-testid="timeline"
                  items={entries.map((e) => ({
                    key: `${e.type}-${e.id}`,
                    color: e.type === 'activity' ? 'blue' : 'gray',
                    content:
                      e.type === 'activity' ? (
                        <div>
                          <Typography.Text strong>
                            <Tag>{t(`activity.kind.${e.kind}`)}</Tag>
                            {e.subject}
                          </Typography.Text>
                          <div>
                            <Typography.Text type="secondary">
                              {formatDate(e.at, i18n.language)} · {userName(e.owner_id) ?? ''}
                              {e.duration_minutes ? ` · ${e.duration_minutes} min` : ''}
                            </Typography.Text>
                          </div>
                          {e.body && <Typography.Paragraph style={{ marginBottom: 0 }}>{e.body}</Typography.Paragraph>}
                          {e.outcome && <Typography.Text italic>{e.outcome}</Typography.Text>}
                        </div>
                      ) : (
                        <div>
                          <Typography.Text>{t(`activity.change.${changeLabel(e.action)}`)}</Typography.Text>
                          {changeLabel(e.action) !== 'created' &&
                            diffRows(e.changes)
                              .filter((d) => d.field !== 'version' && d.field !== 'updated_at' && d.field !== 'department_id')
                              .slice(0, 6)
                              .map((d) => (
                                <div key={d.field}>
                                  <Typography.Text type="secondary">
                                    {i18n.exists(`customer.fields.${d.field}`)
                                      ? t(`customer.fields.${d.field}` as 'customer.fields.name')
                                      : d.field}
                                    :{' '}
                                  </Typography.Text>
                                  <Typography.Text delete>{fieldValue(d.field, d.before)}</Typography.Text>
                                  {' → '}
                                  <Typography.Text>{fieldValue(d.field, d.after)}</Typography.Text>
                                </div>
                              ))}
                          <div>
                            <Typography.Text type="secondary">
                              {formatDate(e.at, i18n.language)} · {userName(e.actor_id) ?? ''}
                            </Typography.Text>
                          </div>
                        </div>
                      ),
                  }))}
                />
                {timeline.hasNextPage && (
                  <div className="load-more">
                    <Button onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>
                      {t('common.loadMore')}
                    </Button>
                  </div>
                )}
              </>
            )}
          </Card>
        </Col>
      </Row>
      <ActivityDialog
        open={activity !== null}
        kind={activity ?? 'note'}
        customerId={c.id}
        onClose={() => setActivity(null)}
        onLogged={() => void queryClient.invalidateQueries({ queryKey: ['customers', 'timeline', id] })}
      />
      <CallBackDialog open={callBack} customerId={c.id} onClose={() => setCallBack(false)} />
    </section>
  );
}
