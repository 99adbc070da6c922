// Analytics > Customers: lifecycle per period (stacked bars), the RFM grid as a heat map with the
// segment table, the churn-risk ranking with its reasons, and the value ranking per currency.
// Every bar, cell, segment and row opens the customers behind it (the list reads the filters).
import { useMemo } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, Card, Col, DatePicker, InputNumber, Row, Segmented, Space, Table, Tabs, Tag, Typography } from 'antd';
import type { EChartsOption } from 'echarts';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Chart } from '../../components/Chart';
import { useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { useUserName } from '../../directory';
import { formatMoney } from '../salesLogic';
import { drillTo, shade } from './customerDrill';

type Lifecycle = components['schemas']['CustomerLifecycleOut'];
type Segment = components['schemas']['RfmSegmentRow'];
type Risk = components['schemas']['ChurnRiskItem'];
type Reason = components['schemas']['ChurnReason'];
type Valued = components['schemas']['CustomerValueItem'];

const GRAINS = ['week', 'month', 'quarter'] as const;
const STAGES = ['new', 'active', 'dormant', 'lost'] as const;
const COLORS = { new: '#1677ff', active: '#52c41a', dormant: '#faad14', lost: '#ff4d4f' };

export default function CustomerAnalyticsPage() {
  const { t } = useTranslation();
  const { filters, set } = useUrlFilters(['from', 'to', 'grain', 'dormant'] as const);
  const grain = (GRAINS as readonly string[]).includes(filters.grain ?? '') ? filters.grain! : 'month';
  const from = filters.from ?? dayjs().subtract(11, 'month').startOf('month').format('YYYY-MM-DD');
  const to = filters.to ?? dayjs().format('YYYY-MM-DD');
  const dormant = Number(filters.dormant) || 90;

  return (
    <section aria-labelledby="customer-analytics-title">
      <div className="page-header">
        <Typography.Title level={2} id="customer-analytics-title">
          {t('customerAnalytics.title')}
        </Typography.Title>
        <Space wrap>
          <DatePicker.RangePicker
            aria-label={t('customerAnalytics.period')}
            value={[dayjs(from), dayjs(to)]}
            allowClear={false}
            onChange={(range) => range?.[0] && range[1] && set({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') })}
          />
          <Segmented
            aria-label={t('customerAnalytics.grain')}
            value={grain}
            onChange={(v) => set({ grain: String(v) })}
            options={GRAINS.map((g) => ({ value: g, label: t(`customerAnalytics.grains.${g}`) }))}
          />
          <Space size={4}>
            <Typography.Text type="secondary">{t('customerAnalytics.dormantDays')}</Typography.Text>
            <InputNumber
              aria-label={t('customerAnalytics.dormantDays')}
              min={1}
              max={3650}
              value={dormant}
              onChange={(v) => set({ dormant: v ? String(v) : undefined })}
              style={{ width: 90 }}
            />
          </Space>
        </Space>
      </div>
      <Row gutter={[16, 16]}>
        <Col span={24}>
          <LifecycleCard from={from} to={to} grain={grain} dormant={dormant} />
        </Col>
        <Col xs={24} xl={12}>
          <RfmCard />
        </Col>
        <Col xs={24} xl={12}>
          <ValueCard />
        </Col>
        <Col span={24}>
          <ChurnCard />
        </Col>
      </Row>
    </section>
  );
}

function LifecycleCard({ from, to, grain, dormant }: { from: string; to: string; grain: string; dormant: number }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const query = useQuery({
    queryKey: ['analytics', 'customers', 'lifecycle', from, to, grain, dormant],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/analytics/customers/lifecycle', {
          params: { query: { from, to, grain, dormant_days: dormant } },
        }),
      ) as Promise<Lifecycle>,
  });
  const series = query.data?.series ?? [];
  const option = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: series.map((p) => p.period) },
      yAxis: { type: 'value', minInterval: 1 },
      series: STAGES.map((stage) => ({
        name: t(`customerAnalytics.lifecycle.${stage}`),
        type: 'bar',
        stack: 'customers',
        itemStyle: { color: COLORS[stage] },
        data: series.map((p) => p[stage]),
        cursor: stage === 'dormant' ? 'default' : 'pointer',
      })),
    }),
    [series, t],
  );
  return (
    <Card title={t('customerAnalytics.lifecycle.title')} data-testid="lifecycle-card">
      {query.isLoading ? (
        <Loading />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <Chart
          option={option}
          height={300}
          ariaLabel={t('customerAnalytics.lifecycle.title')}
          data-testid="lifecycle-chart"
          onClick={({ seriesIndex, dataIndex }) => {
            const target = drillTo(series[dataIndex]?.drill[STAGES[seriesIndex]]);
            if (target) navigate(target);
          }}
        />
      )}
    </Card>
  );
}

function RfmCard() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const query = useQuery({
    queryKey: ['analytics', 'customers', 'rfm'],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/customers/rfm')),
  });
  if (query.isLoading)
    return (
      <Card title={t('customerAnalytics.rfm.title')}>
        <Loading />
      </Card>
    );
  if (query.isError)
    return (
      <Card title={t('customerAnalytics.rfm.title')}>
        <ErrorState error={query.error} />
      </Card>
    );
  const data = query.data!;
  const max = Math.max(0, ...data.grid.map((c) => c.customers));
  const money = (list: { currency: string; amount: string }[]) =>
    list.length ? list.map((m) => formatMoney(m.amount, m.currency, i18n.language)).join(' · ') : '—';
  const columns = [
    {
      key: 'segment',
      title: t('customerAnalytics.rfm.segment'),
      render: (_: unknown, s: Segment) => (
        <Link to={drillTo(s.drill) ?? '/customers'} data-testid={`segment-${s.segment}`}>
          {t(`customerAnalytics.segments.${s.segment}`)}
        </Link>
      ),
    },
    { key: 'customers', title: t('customerAnalytics.rfm.customers'), dataIndex: 'customers', align: 'right' as const },
    {
      key: 'share',
      title: t('customerAnalytics.rfm.share'),
      align: 'right' as const,
      render: (_: unknown, s: Segment) => (s.share == null ? '—' : `${(s.share * 100).toFixed(1)}%`),
    },
    { key: 'monetary', title: t('customerAnalytics.rfm.monetary'), render: (_: unknown, s: Segment) => money(s.monetary) },
  ];
  return (
    <Card title={t('customerAnalytics.rfm.title')} data-testid="rfm-card">
      {data.scored === 0 ? (
        <EmptyState description={t('customerAnalytics.rfm.empty')} />
      ) : (
        <>
          <Typography.Paragraph type="secondary">{t('customerAnalytics.rfm.help')}</Typography.Paragraph>
          <div className="rfm-grid" role="table" aria-label={t('customerAnalytics.rfm.grid')} data-testid="rfm-grid">
            <div role="row" style={{ display: 'grid', gridTemplateColumns: '32px repeat(5, 1fr)', gap: 4 }}>
              <span />
              {[1, 2, 3, 4, 5].map((f) => (
                <span key={f} role="columnheader" style={{ textAlign: 'center', fontSize: 12 }}>
                  F{f}
                </span>
              ))}
            </div>
            {[5, 4, 3, 2, 1].map((r) => (
              <div key={r} role="row" style={{ display: 'grid', gridTemplateColumns: '32px repeat(5, 1fr)', gap: 4, marginTop: 4 }}>
                <span role="rowheader" style={{ alignSelf: 'center', fontSize: 12 }}>
                  R{r}
                </span>
                {data.grid
                  .filter((c) => c.recency === r)
                  .map((c) => {
                    const level = shade(c.customers, max);
                    return (
                      <button
                        key={c.frequency}
                        type="button"
                        role="cell"
                        title={`${t(`customerAnalytics.segments.${c.segment}`)}: ${c.customers}`}
                        data-testid={`rfm-cell-${c.recency}-${c.frequency}`}
                        onClick={() => navigate(drillTo(c.drill) ?? '/customers')}
                        style={{
                          border: 'none',
                          borderRadius: 4,
                          minHeight: 40,
                          cursor: 'pointer',
                          background: `rgba(22, 119, 255, ${0.08 + level * 0.82})`,
                          color: level > 0.5 ? '#fff' : '#000',
                          fontSize: 12,
                          lineHeight: 1.2,
                        }}
                      >
                        <strong>{c.customers}</strong>
                        <br />
                        <span style={{ fontSize: 10 }}>{t(`customerAnalytics.segments.${c.segment}`)}</span>
                      </button>
                    );
                  })}
              </div>
            ))}
          </div>
          <Table<Segment>
            style={{ marginTop: 16 }}
            size="small"
            rowKey="segment"
            pagination={false}
            scroll={{ x: true }}
            dataSource={data.segments.filter((s) => s.customers > 0)}
            columns={columns}
            data-testid="segment-table"
          />
        </>
      )}
    </Card>
  );
}

function reasonText(reason: Reason, t: (key: string, options?: Record<string, unknown>) => string): string {
  switch (reason.code) {
    case 'no_activity':
      return reason.days == null
        ? t('customerAnalytics.reasons.neverTouched')
        : t('customerAnalytics.reasons.noActivity', { days: reason.days });
    case 'open_complaints':
      return t('customerAnalytics.reasons.openComplaints', { count: reason.count ?? 0 });
    case 'low_csat':
      return t('customerAnalytics.reasons.lowCsat', { rating: reason.rating });
    default:
      return t('customerAnalytics.reasons.fallingOrders', { last: reason.last_90_days, previous: reason.previous_90_days });
  }
}

function ChurnCard() {
  const { t } = useTranslation();
  const userName = useUserName();
  const query = useInfiniteQuery({
    queryKey: ['analytics', 'customers', 'churn-risk'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/analytics/customers/churn-risk', { params: { query: { limit: 20, cursor: pageParam } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const band = (score: number) => (score >= 60 ? 'high' : score >= 30 ? 'medium' : 'low');
  const columns = [
    {
      key: 'name',
      title: t('customerAnalytics.churn.customer'),
      render: (_: unknown, r: Risk) => <Link to={drillTo(r.drill) ?? `/customers/${r.customer_id}`}>{r.name}</Link>,
    },
    {
      key: 'score',
      title: t('customerAnalytics.churn.score'),
      render: (_: unknown, r: Risk) => (
        <Link to={`/customers?churn_risk=${band(r.score)}`}>
          <Tag color={{ high: 'red', medium: 'orange', low: 'gold' }[band(r.score)]}>{r.score}</Tag>
        </Link>
      ),
    },
    {
      key: 'reasons',
      title: t('customerAnalytics.churn.reasons'),
      render: (_: unknown, r: Risk) => (
        <Space size={[4, 4]} wrap>
          {r.reasons.map((reason) => (
            <Tag key={reason.code}>{reasonText(reason, t as never)}</Tag>
          ))}
        </Space>
      ),
    },
    { key: 'owner', title: t('customerAnalytics.churn.owner'), render: (_: unknown, r: Risk) => userName(r.owner_id) ?? '—' },
  ];
  return (
    <Card title={t('customerAnalytics.churn.title')} data-testid="churn-card">
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <Table<Risk>
            size="small"
            rowKey="customer_id"
            loading={query.isLoading}
            pagination={false}
            scroll={{ x: true }}
            dataSource={rows}
            columns={columns}
            locale={{ emptyText: t('customerAnalytics.churn.empty') }}
            data-testid="churn-table"
          />
          {query.hasNextPage && (
            <Button style={{ marginTop: 8 }} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {t('customerAnalytics.more')}
            </Button>
          )}
        </>
      )}
    </Card>
  );
}

function ValueCard() {
  const { t, i18n } = useTranslation();
  const query = useQuery({
    queryKey: ['analytics', 'customers', 'value'],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/customers/value', { params: { query: { limit: 10 } } })),
  });
  const columns = [
    { key: 'rank', title: '#', dataIndex: 'rank', width: 48 },
    {
      key: 'name',
      title: t('customerAnalytics.churn.customer'),
      render: (_: unknown, v: Valued) => <Link to={drillTo(v.drill) ?? `/customers/${v.customer_id}`}>{v.name}</Link>,
    },
    {
      key: 'value',
      title: t('customerAnalytics.value.won'),
      align: 'right' as const,
      render: (_: unknown, v: Valued) => formatMoney(v.value.amount, v.value.currency, i18n.language),
    },
    { key: 'purchases', title: t('customerAnalytics.value.purchases'), dataIndex: 'purchases', align: 'right' as const },
  ];
  const blocks = query.data?.currencies ?? [];
  return (
    <Card title={t('customerAnalytics.value.title')} data-testid="value-card">
      {query.isLoading ? (
        <Loading />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : blocks.length === 0 ? (
        <EmptyState description={t('customerAnalytics.value.empty')} />
      ) : (
        <Tabs
          items={blocks.map((b) => ({
            key: b.currency,
            label: b.currency,
            children: (
              <>
                <Table<Valued>
                  size="small"
                  rowKey="customer_id"
                  pagination={false}
                  scroll={{ x: true }}
                  dataSource={b.customers}
                  columns={columns}
                />
                <Link to={drillTo(b.drill) ?? '/customers'}>{t('customerAnalytics.value.all', { currency: b.currency })}</Link>
              </>
            ),
          }))}
        />
      )}
    </Card>
  );
}
