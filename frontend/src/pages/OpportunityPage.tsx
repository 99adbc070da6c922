import type { TFunction } from 'i18next';
import { useState } from 'react';
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Popconfirm, Result, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, newIdempotencyKey, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useMe } from '../auth';
import { describeError, EmptyState, ErrorState, Loading } from '../components/states';
import { useCustomFields, useUserName } from '../directory';
import { can } from '../permissions';
import { formatCustomValue, formatDate } from './customerBits';
import { LineItemsEditor } from './LineItemsEditor';
import { CategoryTag, CustomerName, formatDay, StageTag, usePipelines, type Order, type Quote } from './salesBits';
import { formatMoney } from './salesLogic';
import { useStageMove } from './StageMove';

type Detail = components['schemas']['OpportunityDetailOut'];
type StageChange = Detail['stage_history'][number];

const QUOTE_COLOR = { draft: 'default', sent: 'processing', accepted: 'success', rejected: 'error' } as const;

export default function OpportunityPage() {
  const { id } = useParams() as { id: string };
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const userName = useUserName();
  const pipelines = usePipelines();
  const customFields = useCustomFields('opportunity');
  const [deleted, setDeleted] = useState(false);

  const deal = useQuery({
    queryKey: ['opportunities', 'one', id],
    enabled: !deleted,
    queryFn: () => unwrap(api.GET('/api/v1/opportunities/{opportunity_id}', { params: { path: { opportunity_id: id } } })),
  });
  const { request, dialogs } = useStageMove({
    settled: () => void queryClient.invalidateQueries({ queryKey: ['opportunities', 'one', id] }),
  });

  if (deleted)
    return (
      <Result
        status="warning"
        title={t('opportunities.deleted')}
        extra={<Button onClick={() => navigate('/opportunities')}>{t('common.back')}</Button>}
      />
    );
  if (deal.isLoading) return <Loading />;
  if (deal.isError) return <ErrorState error={deal.error} onRetry={() => void deal.refetch()} />;
  const o = deal.data!;
  const pipeline = pipelines.data?.find((p) => p.id === o.pipeline_id);
  const stage = pipeline?.stages.find((s) => s.id === o.stage_id);
  const stageName = (sid: string | null) => (sid ? (pipeline?.stages.find((s) => s.id === sid)?.name ?? sid.slice(0, 8)) : '—');
  const mayUpdate = can(me, 'opportunities:update');

  return (
    <section aria-labelledby="opportunity-title">
      <div className="page-header">
        <Space wrap align="center">
          <Typography.Title level={2} id="opportunity-title">
            {o.name}
          </Typography.Title>
          {stage && <StageTag name={stage.name} kind={stage.kind} />}
          <CategoryTag category={o.forecast_category} />
        </Space>
        <Space wrap>
          {mayUpdate && pipeline && (
            <Select
              aria-label={t('pipelines.moveTo')}
              placeholder={t('pipelines.moveTo')}
              value={null}
              onChange={(sid: string) => {
                const target = pipeline.stages.find((s) => s.id === sid);
                if (target) void request(o, target);
              }}
              options={pipeline.stages.filter((s) => s.id !== o.stage_id).map((s) => ({ value: s.id, label: s.name }))}
              style={{ minWidth: 180 }}
              data-testid="detail-move-to"
            />
          )}
          {mayUpdate && (
            <Button icon={<EditOutlined />} onClick={() => navigate(`/opportunities/${o.id}/edit`)} data-testid="edit-opportunity">
              {t('common.edit')}
            </Button>
          )}
          {can(me, 'opportunities:delete') && (
            <Popconfirm
              title={t('common.confirmDelete')}
              okText={t('common.delete')}
              cancelText={t('common.cancel')}
              onConfirm={async () => {
                try {
                  await unwrap(api.DELETE('/api/v1/opportunities/{opportunity_id}', { params: { path: { opportunity_id: o.id } } }));
                  setDeleted(true);
                  queryClient.removeQueries({ queryKey: ['opportunities', 'one', id] });
                  void queryClient.invalidateQueries({ queryKey: ['opportunities'] });
                } catch (error) {
                  message.error(describeError(t, error));
                }
              }}
            >
              <Button danger icon={<DeleteOutlined />}>
                {t('common.delete')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={9}>
          <Card title={t('opportunities.details')}>
            <Descriptions column={1} size="small" data-testid="opportunity-details">
              <Descriptions.Item label={t('opportunities.fields.customer_id')}>
                <Link to={`/customers/${o.customer_id}`}>
                  <CustomerName id={o.customer_id} />
                </Link>
              </Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.amount')}>
                <span data-testid="deal-amount">{formatMoney(o.amount, o.currency, i18n.language)}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.probability')}>{o.probability}</Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.pipeline_id')}>{pipeline?.name ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.expected_close_date')}>
                {formatDay(o.expected_close_date, i18n.language)}
              </Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.owner_id')}>{userName(o.owner_id) ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.next_step')}>{o.next_step ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.competitors')}>
                {o.competitors.length ? o.competitors.map((c) => <Tag key={c}>{c}</Tag>) : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.tags')}>
                {o.tags.length ? o.tags.map((c) => <Tag key={c}>{c}</Tag>) : '—'}
              </Descriptions.Item>
              {o.lost_reason && <Descriptions.Item label={t('opportunities.fields.lost_reason')}>{o.lost_reason}</Descriptions.Item>}
              {o.closed_at && (
                <Descriptions.Item label={t('opportunities.fields.closed_at')}>{formatDate(o.closed_at, i18n.language)}</Descriptions.Item>
              )}
              <Descriptions.Item label={t('opportunities.fields.stage_entered_at')}>
                {formatDate(o.stage_entered_at, i18n.language)}
              </Descriptions.Item>
              <Descriptions.Item label={t('opportunities.fields.description')}>{o.description ?? '—'}</Descriptions.Item>
              {(customFields.data ?? []).map((f) => (
                <Descriptions.Item key={f.id} label={f.label}>
                  {formatCustomValue(o.custom_fields[f.key], t)}
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={15}>
          <LineItemsEditor
            key={o.version}
            deal={o}
            editable={mayUpdate}
            onSaved={() => void queryClient.invalidateQueries({ queryKey: ['opportunities'] })}
          />
          <QuotesAndOrders deal={o} />
          <Card title={t('opportunities.history.title')} style={{ marginTop: 16 }}>
            <Table<StageChange>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={o.stage_history}
              locale={{ emptyText: <EmptyState description={t('opportunities.history.empty')} /> }}
              data-testid="stage-history"
              columns={[
                {
                  key: 'from',
                  title: t('opportunities.history.from'),
                  render: (_: unknown, h: StageChange) =>
                    h.from_stage_id ? stageName(h.from_stage_id) : t('opportunities.history.created'),
                },
                { key: 'to', title: t('opportunities.history.to'), render: (_: unknown, h: StageChange) => stageName(h.to_stage_id) },
                {
                  key: 'who',
                  title: t('opportunities.history.who'),
                  render: (_: unknown, h: StageChange) => userName(h.changed_by) ?? '—',
                },
                {
                  key: 'when',
                  title: t('opportunities.history.when'),
                  render: (_: unknown, h: StageChange) => formatDate(h.changed_at, i18n.language),
                },
                {
                  key: 'time',
                  title: t('opportunities.history.timeInStage'),
                  render: (_: unknown, h: StageChange) => (h.seconds_in_from_stage == null ? '—' : duration(h.seconds_in_from_stage, t)),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      {dialogs}
    </section>
  );
}

function duration(seconds: number, t: TFunction): string {
  if (seconds >= 86400) return t('opportunities.duration.days', { count: Math.floor(seconds / 86400) });
  if (seconds >= 3600) return t('opportunities.duration.hours', { count: Math.floor(seconds / 3600) });
  return t('opportunities.duration.minutes', { count: Math.max(0, Math.floor(seconds / 60)) });
}

function QuotesAndOrders({ deal }: { deal: Detail }) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<string | null>(null);
  const quotes = useQuery({
    queryKey: ['quotes', 'of-deal', deal.id],
    enabled: can(me, 'quotes:read'),
    queryFn: () => unwrap(api.GET('/api/v1/quotes', { params: { query: { opportunity: deal.id, limit: 50 } } })),
  });
  const orders = useQuery({
    queryKey: ['orders', 'of-deal', deal.id],
    enabled: can(me, 'orders:read'),
    queryFn: () => unwrap(api.GET('/api/v1/orders', { params: { query: { opportunity: deal.id, limit: 50 } } })),
  });
  const quoteRows = (quotes.data?.items ?? []).filter((q): q is Quote => 'number' in q);
  const orderRows = (orders.data?.items ?? []).filter((o): o is Order => 'number' in o);
  const ordered = new Set(orderRows.map((o) => o.quote_id));

  async function run(key: string, action: () => Promise<string>) {
    setBusy(key);
    try {
      message.success(await action());
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['quotes', 'of-deal', deal.id] }),
        queryClient.invalidateQueries({ queryKey: ['orders', 'of-deal', deal.id] }),
      ]);
    } catch (error) {
      message.error(describeError(t, error));
    } finally {
      setBusy(null);
    }
  }

  const setStatus = (q: Quote, status: Quote['status']) =>
    run(`${q.id}:${status}`, async () => {
      await unwrap(api.PATCH('/api/v1/quotes/{quote_id}', { params: { path: { quote_id: q.id } }, body: { status } }));
      return t('quotes.changed', { number: q.number, status: t(`quotes.status.${status}`) });
    });

  if (!can(me, 'quotes:read')) return null;
  return (
    <>
      <Card
        title={t('quotes.title')}
        style={{ marginTop: 16 }}
        extra={
          can(me, 'quotes:create') && (
            <Button
              size="small"
              loading={busy === 'new-quote'}
              data-testid="create-quote"
              onClick={() =>
                run('new-quote', async () => {
                  const q = await unwrap(
                    api.POST('/api/v1/quotes', {
                      params: { header: { 'idempotency-key': newIdempotencyKey() } },
                      body: { opportunity_id: deal.id },
                    }),
                  );
                  return t('quotes.created', { number: q.number });
                })
              }
            >
              {t('quotes.create')}
            </Button>
          )
        }
      >
        {!deal.line_items.length && (
          <Typography.Paragraph type="secondary" data-testid="quote-hint">
            {t('quotes.needLines')}
          </Typography.Paragraph>
        )}
        {quotes.isError ? (
          <ErrorState error={quotes.error} onRetry={() => void quotes.refetch()} />
        ) : (
          <Table<Quote>
            rowKey="id"
            size="small"
            pagination={false}
            loading={quotes.isLoading}
            dataSource={quoteRows}
            locale={{ emptyText: <EmptyState description={t('quotes.empty')} /> }}
            data-testid="quotes-table"
            columns={[
              { key: 'number', title: t('quotes.number'), dataIndex: 'number' },
              {
                key: 'status',
                title: t('quotes.statusLabel'),
                render: (_: unknown, q: Quote) => (
                  <Tag color={QUOTE_COLOR[q.status]} data-testid="quote-status">
                    {t(`quotes.status.${q.status}`)}
                  </Tag>
                ),
              },
              {
                key: 'total',
                title: t('quotes.total'),
                align: 'right',
                render: (_: unknown, q: Quote) => formatMoney(q.total, q.currency, i18n.language),
              },
              { key: 'valid', title: t('quotes.validUntil'), render: (_: unknown, q: Quote) => formatDay(q.valid_until, i18n.language) },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_: unknown, q: Quote) => (
                  <Space wrap size={4}>
                    {can(me, 'quotes:update') && q.status === 'draft' && (
                      <Button size="small" loading={busy === `${q.id}:sent`} onClick={() => void setStatus(q, 'sent')}>
                        {t('quotes.markSent')}
                      </Button>
                    )}
                    {can(me, 'quotes:update') && q.status === 'sent' && (
                      <Button
                        size="small"
                        type="primary"
                        loading={busy === `${q.id}:accepted`}
                        onClick={() => void setStatus(q, 'accepted')}
                      >
                        {t('quotes.accept')}
                      </Button>
                    )}
                    {can(me, 'quotes:update') && (q.status === 'draft' || q.status === 'sent') && (
                      <Button size="small" danger loading={busy === `${q.id}:rejected`} onClick={() => void setStatus(q, 'rejected')}>
                        {t('quotes.reject')}
                      </Button>
                    )}
                    {can(me, 'orders:create') && q.status === 'accepted' && !ordered.has(q.id) && (
                      <Button
                        size="small"
                        type="primary"
                        loading={busy === `${q.id}:order`}
                        data-testid="create-order"
                        onClick={() =>
                          void run(`${q.id}:order`, async () => {
                            const order = await unwrap(
                              api.POST('/api/v1/orders', {
                                params: { header: { 'idempotency-key': newIdempotencyKey() } },
                                body: { quote_id: q.id },
                              }),
                            );
                            return t('orders.created', { number: order.number });
                          })
                        }
                      >
                        {t('orders.create')}
                      </Button>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>
      {can(me, 'orders:read') && (
        <Card title={t('orders.title')} style={{ marginTop: 16 }}>
          {orders.isError ? (
            <ErrorState error={orders.error} onRetry={() => void orders.refetch()} />
          ) : (
            <Table<Order>
              rowKey="id"
              size="small"
              pagination={false}
              loading={orders.isLoading}
              dataSource={orderRows}
              locale={{ emptyText: <EmptyState description={t('orders.empty')} /> }}
              data-testid="orders-table"
              columns={[
                { key: 'number', title: t('orders.number'), dataIndex: 'number' },
                {
                  key: 'quote',
                  title: t('orders.fromQuote'),
                  render: (_: unknown, o: Order) => quoteRows.find((q) => q.id === o.quote_id)?.number ?? '—',
                },
                {
                  key: 'status',
                  title: t('orders.statusLabel'),
                  render: (_: unknown, o: Order) => (
                    <Space size={4} wrap>
                      <Tag color={o.status === 'cancelled' ? 'error' : o.status === 'fulfilled' ? 'success' : 'processing'}>
                        {t(`orders.status.${o.status}`)}
                      </Tag>
                      <Tag>{t(`orders.delivery.${o.delivery_status}`)}</Tag>
                      <Tag>{t(`orders.payment.${o.payment_status}`)}</Tag>
                    </Space>
                  ),
                },
                {
                  key: 'total',
                  title: t('quotes.total'),
                  align: 'right',
                  render: (_: unknown, o: Order) => formatMoney(o.total, o.currency, i18n.language),
                },
              ]}
            />
          )}
        </Card>
      )}
    </>
  );
}
