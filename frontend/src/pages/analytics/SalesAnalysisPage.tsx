// Analytics > Sales: the funnel of the deals created in the period, win rate / deal size / cycle /
// velocity per dimension, revenue won per period and the time deals spend in each stage. Every
// bar, segment and count opens the deals list filtered to exactly the deals behind it.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, DatePicker, Row, Select, Space, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import type { EChartsOption } from 'echarts';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Chart } from '../../components/Chart';
import { useUrlFilters } from '../../components/lists';
import { ErrorState, Loading } from '../../components/states';
import { usePipelines } from '../salesBits';
import { formatMoney } from '../salesLogic';
import { amountIn, drillUrl, mainCurrency, percent, type Drill, type Money } from './salesDrill';

type Figure = components['schemas']['SalesFigure'];
type PerformanceRow = components['schemas']['SalesPerformanceRow'];
type StageTime = components['schemas']['SalesStageTime'];
const PERFORMANCE_BY = ['owner', 'department', 'region', 'pipeline', 'source', 'campaign', 'product_line'] as const;
const REVENUE_BY = ['owner', 'department', 'region', 'customer_level', 'customer_type'] as const;
const GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
const FILTERS = ['from', 'to', 'pipeline', 'by', 'rby', 'grain'] as const;

function pick<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
}

/** A count that opens the deals behind it. */
function Count({ figure, testId }: { figure: Figure | null | undefined; testId?: string }) {
  if (!figure) return <>—</>;
  if (!figure.count || !figure.drill) return <>0</>;
  return (
    <Link to={drillUrl(figure.drill)} data-testid={testId}>
      {figure.count}
    </Link>
  );
}

export default function SalesAnalysisPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { filters, set, setFilter } = useUrlFilters(FILTERS);
  const pipelines = usePipelines();
  const by = pick(filters.by, PERFORMANCE_BY, 'owner');
  const rby = pick(filters.rby, REVENUE_BY, 'owner');
  const grain = pick(filters.grain, GRAINS, 'month');
  const window = { from: filters.from, to: filters.to };
  const pipeline = filters.pipeline;
  const open = (drill: Drill | null | undefined) => drill && navigate(drillUrl(drill));
  const money = (list: Money[]) => (list.length ? list.map((m) => formatMoney(m.amount, m.currency, i18n.language)).join(' · ') : '—');
  const dimension = (d: string) => t(`salesAnalysis.by.${d}` as 'salesAnalysis.by.owner');
  const keyLabel = (d: string, key: string, label: string) => {
    if (key === 'none') return t('salesAnalysis.none');
    if (d === 'source' && i18n.exists(`leads.source.${key}`)) return t(`leads.source.${key}` as 'leads.source.other');
    return label;
  };

  const funnel = useQuery({
    queryKey: ['sales-analysis', 'funnel', window, pipeline],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/sales/funnel', { params: { query: { ...window, pipeline } } })),
  });
  const performance = useQuery({
    queryKey: ['sales-analysis', 'performance', window, by],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/sales/performance', { params: { query: { ...window, by } } })),
  });
  const revenue = useQuery({
    queryKey: ['sales-analysis', 'revenue', window, rby, grain],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/sales/revenue', { params: { query: { ...window, by: rby, grain } } })),
  });
  const times = useQuery({
    queryKey: ['sales-analysis', 'time-in-stage', window, pipeline],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/sales/time-in-stage', { params: { query: { ...window, pipeline } } })),
  });

  const stages = funnel.data?.stages ?? [];
  const funnelOption = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'item', formatter: '{b}: {c}' },
      series: [
        {
          type: 'funnel',
          sort: 'none',
          top: 8,
          bottom: 8,
          left: '10%',
          width: '80%',
          minSize: '8%',
          label: { show: true, position: 'inside', formatter: '{b}: {c}' },
          data: stages.map((s) => ({ name: s.name, value: s.reached.count })),
        },
      ],
    }),
    [stages],
  );

  const rows = performance.data?.rows ?? [];
  const performanceOption = useMemo<EChartsOption>(() => {
    const names = rows.map((r) => keyLabel(by, r.key, r.label));
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('salesAnalysis.won'), type: 'bar', stack: 'closed', data: rows.map((r) => r.won.count) },
        { name: t('salesAnalysis.lost'), type: 'bar', stack: 'closed', data: rows.map((r) => r.lost.count) },
        { name: t('salesAnalysis.open'), type: 'bar', data: rows.map((r) => r.open.count) },
      ],
    };
  }, [rows, by, t]); // eslint-disable-line react-hooks/exhaustive-deps

  const series = revenue.data?.series ?? [];
  const totals = revenue.data?.totals ?? [];
  const currency = mainCurrency(totals.map((c) => c.amount));
  const revenueOption = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: totals.map((c) => c.bucket) },
      yAxis: { type: 'value' },
      series: series.map((s) => ({
        name: keyLabel(rby, s.key, s.label),
        type: 'bar',
        stack: 'revenue',
        emphasis: { focus: 'series' },
        data: s.buckets.map((c) => amountIn(c.amount, currency)),
      })),
    }),
    [series, totals, currency, rby], // eslint-disable-line react-hooks/exhaustive-deps
  );

  const stageTimes = times.data?.stages ?? [];
  const timeOption = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: stageTimes.map((s) => s.name) },
      yAxis: { type: 'value', name: t('salesAnalysis.days') },
      series: [
        { name: t('salesAnalysis.averageDays'), type: 'bar', data: stageTimes.map((s) => s.average_days) },
        { name: t('salesAnalysis.medianDays'), type: 'bar', data: stageTimes.map((s) => s.median_days) },
      ],
    }),
    [stageTimes, t],
  );

  const range = filters.from && filters.to ? ([dayjs(filters.from), dayjs(filters.to)] as const) : null;

  return (
    <section aria-labelledby="sales-analysis-title">
      <div className="page-header">
        <Typography.Title level={2} id="sales-analysis-title">
          {t('salesAnalysis.title')}
        </Typography.Title>
        <Space wrap>
          <DatePicker.RangePicker
            aria-label={t('salesAnalysis.period')}
            value={range as never}
            allowClear
            data-testid="sales-period"
            onChange={(r) =>
              set(r?.[0] && r[1] ? { from: r[0].format('YYYY-MM-DD'), to: r[1].format('YYYY-MM-DD') } : { from: undefined, to: undefined })
            }
          />
          <Select
            aria-label={t('salesAnalysis.pipeline')}
            placeholder={t('salesAnalysis.pipeline')}
            value={pipeline}
            allowClear
            onChange={(v) => setFilter('pipeline', v)}
            options={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
            style={{ minWidth: 160 }}
          />
        </Space>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('salesAnalysis.funnel')} data-testid="sales-funnel">
            {funnel.isLoading ? (
              <Loading />
            ) : funnel.isError ? (
              <ErrorState error={funnel.error} onRetry={() => void funnel.refetch()} />
            ) : (
              <>
                <Typography.Paragraph type="secondary">
                  {t('salesAnalysis.cohort', { pipeline: funnel.data?.pipeline.name })}{' '}
                  <Count figure={funnel.data?.deals} testId="funnel-deals" />
                </Typography.Paragraph>
                <Chart
                  option={funnelOption}
                  height={260}
                  ariaLabel={t('salesAnalysis.funnel')}
                  data-testid="funnel-chart"
                  onClick={({ dataIndex: index }) => open(stages[index]?.reached.drill)}
                />
                <Table
                  size="small"
                  rowKey="stage_id"
                  pagination={false}
                  scroll={{ x: true }}
                  dataSource={stages}
                  data-testid="funnel-table"
                  columns={[
                    { key: 'name', title: t('salesAnalysis.stage'), dataIndex: 'name' },
                    {
                      key: 'reached',
                      title: t('salesAnalysis.reached'),
                      align: 'right',
                      render: (_: unknown, s) => <Count figure={s.reached} testId={`reached-${s.name}`} />,
                    },
                    {
                      key: 'conversion',
                      title: t('salesAnalysis.conversion'),
                      align: 'right',
                      render: (_: unknown, s) => percent(s.conversion, i18n.language),
                    },
                    {
                      key: 'drop',
                      title: t('salesAnalysis.dropOff'),
                      align: 'right',
                      render: (_: unknown, s) => <Count figure={s.drop_off} />,
                    },
                    {
                      key: 'lost',
                      title: t('salesAnalysis.lostHere'),
                      align: 'right',
                      render: (_: unknown, s) => <Count figure={s.lost} />,
                    },
                  ]}
                />
              </>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('salesAnalysis.timeInStage')} data-testid="sales-time-in-stage">
            {times.isLoading ? (
              <Loading />
            ) : times.isError ? (
              <ErrorState error={times.error} onRetry={() => void times.refetch()} />
            ) : (
              <>
                <Chart
                  option={timeOption}
                  height={260}
                  ariaLabel={t('salesAnalysis.timeInStage')}
                  onClick={({ dataIndex: index }) => open(stageTimes[index]?.deals.drill)}
                />
                <Table<StageTime>
                  size="small"
                  rowKey="stage_id"
                  pagination={false}
                  dataSource={stageTimes}
                  columns={[
                    { key: 'name', title: t('salesAnalysis.stage'), dataIndex: 'name' },
                    {
                      key: 'deals',
                      title: t('salesAnalysis.deals'),
                      align: 'right',
                      render: (_: unknown, s) => <Count figure={s.deals} />,
                    },
                    { key: 'avg', title: t('salesAnalysis.averageDays'), align: 'right', render: (_: unknown, s) => s.average_days ?? '—' },
                    {
                      key: 'median',
                      title: t('salesAnalysis.medianDays'),
                      align: 'right',
                      render: (_: unknown, s) => s.median_days ?? '—',
                    },
                  ]}
                />
              </>
            )}
          </Card>
        </Col>
        <Col span={24}>
          <Card
            title={t('salesAnalysis.performance')}
            data-testid="sales-performance"
            extra={
              <Select
                aria-label={t('salesAnalysis.dimension')}
                value={by}
                onChange={(v) => setFilter('by', v)}
                options={PERFORMANCE_BY.map((d) => ({ value: d, label: dimension(d) }))}
                style={{ minWidth: 140 }}
                data-testid="performance-by"
              />
            }
          >
            {performance.isLoading ? (
              <Loading />
            ) : performance.isError ? (
              <ErrorState error={performance.error} onRetry={() => void performance.refetch()} />
            ) : (
              <>
                <Chart
                  option={performanceOption}
                  height={260}
                  ariaLabel={t('salesAnalysis.performance')}
                  data-testid="performance-chart"
                  onClick={({ dataIndex: index, seriesIndex }) => {
                    const r = rows[index];
                    open(r && [r.won, r.lost, r.open][seriesIndex ?? 0]?.drill);
                  }}
                />
                <Table<PerformanceRow>
                  size="small"
                  rowKey="key"
                  pagination={false}
                  scroll={{ x: true }}
                  dataSource={rows}
                  data-testid="performance-table"
                  columns={[
                    { key: 'key', title: dimension(by), render: (_: unknown, r) => keyLabel(by, r.key, r.label) },
                    {
                      key: 'closed',
                      title: t('salesAnalysis.closed'),
                      align: 'right',
                      render: (_: unknown, r) => <Count figure={r.closed} />,
                    },
                    {
                      key: 'won',
                      title: t('salesAnalysis.won'),
                      align: 'right',
                      render: (_: unknown, r) => <Count figure={r.won} testId={`won-${r.key}`} />,
                    },
                    { key: 'lost', title: t('salesAnalysis.lost'), align: 'right', render: (_: unknown, r) => <Count figure={r.lost} /> },
                    {
                      key: 'rate',
                      title: t('salesAnalysis.winRate'),
                      align: 'right',
                      render: (_: unknown, r) => percent(r.win_rate, i18n.language),
                    },
                    {
                      key: 'avg',
                      title: t('salesAnalysis.averageWon'),
                      align: 'right',
                      render: (_: unknown, r) => money(r.average_won_amount),
                    },
                    {
                      key: 'cycle',
                      title: t('salesAnalysis.cycle'),
                      align: 'right',
                      render: (_: unknown, r) => `${r.cycle_days.average ?? '—'} / ${r.cycle_days.median ?? '—'}`,
                    },
                    { key: 'open', title: t('salesAnalysis.open'), align: 'right', render: (_: unknown, r) => <Count figure={r.open} /> },
                    {
                      key: 'openAmount',
                      title: t('salesAnalysis.openAmount'),
                      align: 'right',
                      render: (_: unknown, r) => money(r.open_amount),
                    },
                    {
                      key: 'velocity',
                      title: t('salesAnalysis.velocity'),
                      align: 'right',
                      render: (_: unknown, r) => money(r.velocity_per_day),
                    },
                  ]}
                />
              </>
            )}
          </Card>
        </Col>
        <Col span={24}>
          <Card
            title={t('salesAnalysis.revenue')}
            data-testid="sales-revenue"
            extra={
              <Space wrap>
                <Select
                  aria-label={t('salesAnalysis.dimension')}
                  value={rby}
                  onChange={(v) => setFilter('rby', v)}
                  options={REVENUE_BY.map((d) => ({ value: d, label: dimension(d) }))}
                  style={{ minWidth: 140 }}
                />
                <Select
                  aria-label={t('salesAnalysis.grain')}
                  value={grain}
                  onChange={(v) => setFilter('grain', v)}
                  options={GRAINS.map((g) => ({ value: g, label: t(`salesAnalysis.grains.${g}`) }))}
                  data-testid="revenue-grain"
                />
              </Space>
            }
          >
            {revenue.isLoading ? (
              <Loading />
            ) : revenue.isError ? (
              <ErrorState error={revenue.error} onRetry={() => void revenue.refetch()} />
            ) : (
              <>
                {currency && <Typography.Text type="secondary">{t('salesAnalysis.chartedIn', { currency })}</Typography.Text>}
                <Chart
                  option={revenueOption}
                  height={300}
                  ariaLabel={t('salesAnalysis.revenue')}
                  data-testid="revenue-chart"
                  onClick={({ dataIndex: index, seriesIndex }) => open(series[seriesIndex ?? 0]?.buckets[index]?.won.drill)}
                />
                <Table
                  size="small"
                  rowKey="bucket"
                  pagination={false}
                  scroll={{ x: true }}
                  dataSource={totals.filter((c) => c.won.count)}
                  columns={[
                    { key: 'bucket', title: t('salesAnalysis.period'), dataIndex: 'bucket' },
                    { key: 'won', title: t('salesAnalysis.won'), align: 'right', render: (_: unknown, c) => <Count figure={c.won} /> },
                    { key: 'amount', title: t('salesAnalysis.revenueWon'), align: 'right', render: (_: unknown, c) => money(c.amount) },
                  ]}
                />
              </>
            )}
          </Card>
        </Col>
      </Row>
    </section>
  );
}
