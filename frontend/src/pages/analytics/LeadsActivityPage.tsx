// /analytics/leads: lead conversion per source, channel, campaign or owner (bars and the rate as a
// line, time to convert, won revenue per currency), activities done per rep (stacked by kind) and
// their weekday x hour heat map, and why deals were won and lost. Every bar, segment, slice and
// cell drills down: leads and deals to their list pages with the same filters, activities to a
// list in a drawer here (they have no list page). Each part shows only when the reader may read
// what it counts; the window, grain and grouping live in the URL.
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, DatePicker, Drawer, Row, Select, Space, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import type { EChartsOption } from 'echarts';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMe } from '../../auth';
import { Chart, type ChartClick } from '../../components/Chart';
import { useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState } from '../../components/states';
import { can } from '../../permissions';
import { formatMoney } from '../salesLogic';
import { amountIn, currenciesOf, drillRoute, heatData, percent, type Drill } from './leadsActivityLogic';

type LeadRow = components['schemas']['LeadRowOut'];
type ActivityRow = components['schemas']['ActivityRowOut'];
type Activity = components['schemas']['ActivityOut'];
const FILTERS = ['from', 'to', 'grain', 'by', 'touch', 'activity_by'] as const;
const GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
const LEAD_BY = ['source', 'channel', 'campaign', 'owner'] as const;
const KINDS = ['call', 'visit', 'meeting', 'task', 'email', 'note', 'appointment'] as const;
type Grain = (typeof GRAINS)[number];
// leads, converted, rate: fixed so a browser test can tell the leads bars apart
export const CONVERSION_COLORS = ['#1677ff', '#52c41a', '#fa8c16'];
type LeadBy = (typeof LEAD_BY)[number];

export default function LeadsActivityPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { filters, set } = useUrlFilters(FILTERS);
  const grain: Grain = (GRAINS as readonly string[]).includes(filters.grain ?? '') ? (filters.grain as Grain) : 'month';
  const window = { from: filters.from || undefined, to: filters.to || undefined, grain };
  const [drawer, setDrawer] = useState<{ title: string; drill: Drill } | null>(null);
  const navigate = useNavigate();

  /** Where a figure's records are: a list page, or the activities drawer. */
  function open(title: string, drill: Drill | null | undefined) {
    if (!drill) return;
    const route = drillRoute(drill);
    if (route) navigate(route);
    else setDrawer({ title, drill });
  }

  return (
    <section aria-labelledby="analytics-leads-title">
      <div className="page-header">
        <Typography.Title level={2} id="analytics-leads-title">
          {t('leadAnalytics.title')}
        </Typography.Title>
      </div>
      <Space wrap style={{ marginBottom: 16 }}>
        <DatePicker.RangePicker
          aria-label={t('leadAnalytics.window')}
          value={filters.from && filters.to ? ([dayjs(filters.from), dayjs(filters.to)] as never) : null}
          onChange={(range) =>
            set(
              range?.[0] && range[1]
                ? { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') }
                : { from: undefined, to: undefined },
            )
          }
        />
        <Select
          aria-label={t('leadAnalytics.grain')}
          value={grain}
          onChange={(v) => set({ grain: v === 'month' ? undefined : v })}
          options={GRAINS.map((g) => ({ value: g, label: `${t('leadAnalytics.grain')}: ${t(`leadAnalytics.grains.${g}`)}` }))}
          style={{ width: 160 }}
          data-testid="analytics-grain"
        />
      </Space>
      {can(me, 'leads:read') && <LeadsPart window={window} filters={filters} set={set} open={open} />}
      {can(me, 'activities:read') && <ActivitiesPart window={window} open={open} />}
      {can(me, 'opportunities:read') && <ReasonsPart window={window} open={open} />}
      <ActivitiesDrawer value={drawer} onClose={() => setDrawer(null)} />
    </section>
  );
}

type Window = { from?: string; to?: string; grain: Grain };
type Open = (title: string, drill: Drill | null | undefined) => void;

function LeadsPart({
  window,
  filters,
  set,
  open,
}: {
  window: Window;
  filters: Partial<Record<(typeof FILTERS)[number], string>>;
  set: (changes: Partial<Record<(typeof FILTERS)[number], string | undefined>>) => void;
  open: Open;
}) {
  const { t, i18n } = useTranslation();
  const by: LeadBy = (LEAD_BY as readonly string[]).includes(filters.by ?? '') ? (filters.by as LeadBy) : 'source';
  const touch = filters.touch === 'first' ? 'first' : 'last';
  const query = { ...window, by, touch } as const;
  const leads = useQuery({
    queryKey: ['analytics', 'leads', query],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/leads', { params: { query } })),
  });
  const rows = leads.data?.rows ?? [];
  const label = (r: LeadRow) => {
    if (r.key === null) return t('leadAnalytics.none');
    if (by === 'source') return t(`leads.source.${r.key}`, { defaultValue: r.key });
    return r.label ?? r.key;
  };
  const names = rows.map(label);
  const currencies = currenciesOf(rows.map((r) => r.won_revenue));

  const conversion = useMemo<EChartsOption>(
    () => ({
      color: CONVERSION_COLORS,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      ],
      series: [
        { name: t('leadAnalytics.leads'), type: 'bar', data: rows.map((r) => r.leads) },
        { name: t('leadAnalytics.converted'), type: 'bar', data: rows.map((r) => r.converted) },
        { name: t('leadAnalytics.rate'), type: 'line', yAxisIndex: 1, data: rows.map((r) => percent(r.conversion_rate)) },
      ],
    }),
    [rows, names.join('|'), t], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const timing = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
      yAxis: { type: 'value', name: t('leadAnalytics.days') },
      series: [
        { name: t('leadAnalytics.avgDays'), type: 'bar', data: rows.map((r) => r.avg_days_to_convert) },
        { name: t('leadAnalytics.medianDays'), type: 'bar', data: rows.map((r) => r.median_days_to_convert) },
      ],
    }),
    [rows, names.join('|'), t], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const revenue = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
      yAxis: { type: 'value' },
      // one series per currency: amounts in different currencies are never added up
      series: currencies.map((c) => ({ name: c, type: 'bar', data: rows.map((r) => amountIn(r.won_revenue, c)) })),
    }),
    [rows, names.join('|'), currencies.join('|')], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const trend = useMemo<EChartsOption>(() => {
    const series = leads.data?.total.series ?? [];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: series.map((p) => p.bucket) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('leadAnalytics.leads'), type: 'line', data: series.map((p) => p.leads) },
        { name: t('leadAnalytics.converted'), type: 'line', data: series.map((p) => p.converted) },
      ],
    };
  }, [leads.data, t]);

  function clickRow(p: ChartClick, converted = false) {
    const row = rows[p.dataIndex];
    if (row) open(label(row), converted ? row.converted_drill : row.drill);
  }

  const empty = !leads.isLoading && rows.length === 0;
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('leadAnalytics.by')}
          value={by}
          onChange={(v) => set({ by: v === 'source' ? undefined : v })}
          options={LEAD_BY.map((b) => ({ value: b, label: `${t('leadAnalytics.by')}: ${t(`leadAnalytics.dimensions.${b}`)}` }))}
          style={{ width: 200 }}
          data-testid="leads-by"
        />
        {(by === 'campaign' || by === 'channel') && (
          <Select
            aria-label={t('leadAnalytics.touch')}
            value={touch}
            onChange={(v) => set({ touch: v === 'last' ? undefined : v })}
            options={(['last', 'first'] as const).map((x) => ({ value: x, label: t(`leadAnalytics.touches.${x}`) }))}
            style={{ width: 160 }}
          />
        )}
      </Space>
      {leads.isError ? (
        <ErrorState error={leads.error} onRetry={() => void leads.refetch()} />
      ) : (
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          <Col xs={24} lg={12}>
            <Card title={t('leadAnalytics.conversionTitle')} size="small">
              {empty ? (
                <EmptyState description={t('leadAnalytics.noLeads')} />
              ) : (
                <Chart
                  option={conversion}
                  height={300}
                  renderer="svg"
                  ariaLabel={t('leadAnalytics.conversionTitle')}
                  data-testid="leads-conversion-chart"
                  onClick={(p) => clickRow(p, p.seriesIndex === 1)}
                />
              )}
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t('leadAnalytics.timeTitle')} size="small">
              {empty ? (
                <EmptyState description={t('leadAnalytics.noLeads')} />
              ) : (
                <Chart option={timing} height={300} ariaLabel={t('leadAnalytics.timeTitle')} onClick={(p) => clickRow(p, true)} />
              )}
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t('leadAnalytics.revenueTitle')} size="small">
              {currencies.length === 0 ? (
                <EmptyState description={t('leadAnalytics.noRevenue')} />
              ) : (
                <Chart option={revenue} height={300} ariaLabel={t('leadAnalytics.revenueTitle')} onClick={(p) => clickRow(p, true)} />
              )}
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t('leadAnalytics.trendTitle')} size="small">
              {empty ? (
                <EmptyState description={t('leadAnalytics.noLeads')} />
              ) : (
                <Chart
                  option={trend}
                  height={300}
                  ariaLabel={t('leadAnalytics.trendTitle')}
                  onClick={() => open(t('leadAnalytics.leads'), leads.data?.total.drill)}
                />
              )}
            </Card>
          </Col>
          <Col span={24}>
            <Table<LeadRow>
              rowKey={(r) => r.key ?? 'none'}
              size="small"
              pagination={false}
              loading={leads.isLoading}
              dataSource={rows}
              scroll={{ x: 'max-content' }}
              data-testid="leads-analysis-table"
              columns={[
                {
                  key: 'key',
                  title: t(`leadAnalytics.dimensions.${by}`),
                  render: (_: unknown, r) =>
                    r.drill ? <Typography.Link onClick={() => open(label(r), r.drill)}>{label(r)}</Typography.Link> : label(r),
                },
                { key: 'leads', title: t('leadAnalytics.leads'), align: 'right', dataIndex: 'leads' },
                { key: 'converted', title: t('leadAnalytics.converted'), align: 'right', dataIndex: 'converted' },
                {
                  key: 'rate',
                  title: t('leadAnalytics.rate'),
                  align: 'right',
                  render: (_: unknown, r) => (r.conversion_rate === null ? '—' : `${percent(r.conversion_rate)}%`),
                },
                {
                  key: 'median',
                  title: t('leadAnalytics.medianDays'),
                  align: 'right',
                  render: (_: unknown, r) => r.median_days_to_convert ?? '—',
                },
                {
                  key: 'won',
                  title: t('leadAnalytics.revenue'),
                  align: 'right',
                  render: (_: unknown, r) => r.won_revenue.map((m) => formatMoney(m.amount, m.currency, i18n.language)).join(' · ') || '—',
                },
              ]}
            />
          </Col>
        </Row>
      )}
    </>
  );
}

function ActivitiesPart({ window, open }: { window: Window; open: Open }) {
  const { t } = useTranslation();
  const { filters, set } = useUrlFilters(FILTERS);
  const by = filters.activity_by === 'type' ? 'type' : 'owner';
  const query = { ...window, by } as const;
  const activities = useQuery({
    queryKey: ['analytics', 'activities', query],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/activities', { params: { query } })),
  });
  const rows = activities.data?.rows ?? [];
  const label = (r: ActivityRow) => (by === 'type' ? t(`activity.kind.${r.key}`, { defaultValue: r.key }) : r.label);
  const kinds = KINDS.filter((k) => rows.some((r) => (by === 'owner' ? r.kinds?.some((x) => x.kind === k) : r.key === k)));
  const stacked = useMemo<EChartsOption>(() => {
    const names = rows.map(label);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series:
        by === 'owner'
          ? kinds.map((k) => ({
              name: t(`activity.kind.${k}`),
              type: 'bar',
              stack: 'done',
              data: rows.map((r) => r.kinds?.find((x) => x.kind === k)?.done ?? 0),
            }))
          : [{ name: t('leadAnalytics.done'), type: 'bar', data: rows.map((r) => r.done) }],
    };
  }, [rows, by, t]); // eslint-disable-line react-hooks/exhaustive-deps
  const heat = useMemo<EChartsOption>(() => {
    const { data, max } = heatData(activities.data?.heat_map ?? []);
    const days: string[] = (['7', '6', '5', '4', '3', '2', '1'] as const).map((d) => t(`leadAnalytics.weekdays.${d}`));
    return {
      tooltip: { position: 'top' },
      grid: { left: 8, right: 8, bottom: 48, top: 8, containLabel: true },
      xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => String(h)), splitArea: { show: true } },
      yAxis: { type: 'category', data: days, splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0 },
      series: [{ name: t('leadAnalytics.done'), type: 'heatmap', data, emphasis: { itemStyle: { borderWidth: 1 } } }],
    };
  }, [activities.data, t]);

  function clickStack(p: ChartClick) {
    const row = rows[p.dataIndex];
    if (!row) return;
    const kind = by === 'owner' ? kinds[p.seriesIndex ?? -1] : undefined;
    // a kind's records: the rep's drill-down with the kind added
    const drill = kind ? { ...row.drill, query: { ...row.drill.query, kind } } : row.drill;
    open(kind ? `${label(row)} · ${t(`activity.kind.${kind}`)}` : label(row), drill);
  }

  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('leadAnalytics.activitiesBy')}
          value={by}
          onChange={(v) => set({ activity_by: v === 'owner' ? undefined : v })}
          options={(['owner', 'type'] as const).map((b) => ({
            value: b,
            label: `${t('leadAnalytics.activitiesBy')}: ${t(`leadAnalytics.activityDimensions.${b}`)}`,
          }))}
          style={{ width: 200 }}
        />
      </Space>
      {activities.isError ? (
        <ErrorState error={activities.error} onRetry={() => void activities.refetch()} />
      ) : (
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          <Col xs={24} lg={12}>
            <Card title={t('leadAnalytics.activitiesTitle')} size="small">
              {!activities.isLoading && rows.length === 0 ? (
                <EmptyState description={t('leadAnalytics.noActivities')} />
              ) : (
                <Chart
                  option={stacked}
                  height={320}
                  ariaLabel={t('leadAnalytics.activitiesTitle')}
                  onClick={clickStack}
                  data-testid="activities-chart"
                />
              )}
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t('leadAnalytics.heatTitle')} size="small">
              <Chart
                option={heat}
                height={320}
                ariaLabel={t('leadAnalytics.heatTitle')}
                onClick={() => open(t('leadAnalytics.heatTitle'), activities.data?.drill)}
                data-testid="activities-heat-map"
              />
            </Card>
          </Col>
        </Row>
      )}
    </>
  );
}

function ReasonsPart({ window, open }: { window: Window; open: Open }) {
  const { t } = useTranslation();
  const query = { from: window.from, to: window.to };
  const reasons = useQuery({
    queryKey: ['analytics', 'reasons', query],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/sales/reasons', { params: { query } })),
  });
  const pie = (outcome: 'won' | 'lost'): EChartsOption => ({
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, type: 'scroll' },
    series: [
      {
        name: t(`leadAnalytics.${outcome}`),
        type: 'pie',
        radius: ['35%', '65%'],
        data: (reasons.data?.[outcome].reasons ?? []).map((r) => ({ name: r.reason ?? t('leadAnalytics.noReason'), value: r.deals })),
      },
    ],
  });
  return reasons.isError ? (
    <ErrorState error={reasons.error} onRetry={() => void reasons.refetch()} />
  ) : (
    <Row gutter={[16, 16]}>
      {(['won', 'lost'] as const).map((outcome) => (
        <Col xs={24} lg={12} key={outcome}>
          <Card title={t(`leadAnalytics.${outcome}Reasons`)} size="small">
            {!reasons.isLoading && !reasons.data?.[outcome].deals ? (
              <EmptyState description={t('leadAnalytics.noDeals')} />
            ) : (
              <Chart
                option={pie(outcome)}
                height={300}
                ariaLabel={t(`leadAnalytics.${outcome}Reasons`)}
                data-testid={`${outcome}-reasons-chart`}
                onClick={(p) => {
                  const row = reasons.data?.[outcome].reasons[p.dataIndex];
                  if (row) open(row.reason ?? t('leadAnalytics.noReason'), row.drill);
                }}
              />
            )}
          </Card>
        </Col>
      ))}
    </Row>
  );
}

function ActivitiesDrawer({ value, onClose }: { value: { title: string; drill: Drill } | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const listed = useQuery({
    queryKey: ['analytics', 'drill', value?.drill],
    enabled: !!value,
    queryFn: () => unwrap(api.GET('/api/v1/activities', { params: { query: { ...(value?.drill.query ?? {}), limit: 200 } as never } })),
  });
  return (
    <Drawer open={!!value} onClose={onClose} title={value?.title} width={Math.min(640, globalThis.innerWidth ?? 640)}>
      <Table<Activity>
        rowKey="id"
        size="small"
        loading={listed.isLoading}
        dataSource={(listed.data?.items ?? []).filter((a): a is Activity => 'kind' in a)}
        pagination={false}
        data-testid="activities-drill"
        columns={[
          {
            key: 'at',
            title: t('leadAnalytics.when'),
            render: (_: unknown, a) => new Date(a.occurred_at).toLocaleString(i18n.language),
          },
          {
            key: 'kind',
            title: t('leadAnalytics.kind'),
            render: (_: unknown, a) => t(`activity.kind.${a.kind}`, { defaultValue: a.kind }),
          },
          { key: 'subject', title: t('leadAnalytics.subject'), dataIndex: 'subject' },
        ]}
      />
    </Drawer>
  );
}
