import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, DatePicker, Row, Segmented, Space, Statistic, Typography } from 'antd';
import type { EChartsOption } from 'echarts';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { Chart } from '../../components/Chart';
import { useUrlFilters } from '../../components/lists';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { useUserName } from '../../directory';
import { formatMinutes, formatRate, PRESETS, statsPeriod, topComplaintCategories, type CountBy } from './dashboardLogic';
import CsatTrend from './CsatTrend';
import { categoryPath, useCategories } from './ticketBits';

function bars(names: string[], values: number[], color?: string): EChartsOption {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { width: 140, overflow: 'truncate' } },
    series: [{ type: 'bar', data: values, itemStyle: color ? { color } : undefined }],
  };
}

export default function ServiceDashboardPage() {
  const { t, i18n } = useTranslation();
  const { filters, set } = useUrlFilters(['period', 'from', 'to', 'group'] as const);
  const period = statsPeriod(filters, Date.now());
  const categories = useCategories();
  const userName = useUserName();

  const stats = useQuery({
    queryKey: ['tickets', 'stats', period],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/stats', { params: { query: period } })),
  });
  const s = stats.data;

  const volume = useMemo<EChartsOption | null>(() => {
    if (!s?.volume) return null;
    const label = (iso: string) =>
      period.group_by === 'month'
        ? new Date(iso).toLocaleDateString(i18n.language, { year: 'numeric', month: 'short', timeZone: 'UTC' })
        : new Date(iso).toLocaleDateString(i18n.language, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
      xAxis: { type: 'category', data: s.volume.map((p) => label(p.period)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('tickets.dashboard.tickets'), type: 'bar', data: s.volume.map((p) => p.count), itemStyle: { color: '#1668dc' } },
        { name: t('tickets.dashboard.complaints'), type: 'line', data: s.volume.map((p) => p.complaints), itemStyle: { color: '#faad14' } },
        { name: t('tickets.dashboard.breached'), type: 'line', data: s.volume.map((p) => p.breached), itemStyle: { color: '#f5222d' } },
      ],
    };
  }, [s, period.group_by, i18n.language, t]);

  const complaintCategories = useMemo(() => {
    const top = topComplaintCategories((s?.by_category ?? []) as CountBy[]);
    const names = top.map((r) => categoryPath(categories.data, r.key) ?? t('tickets.dashboard.uncategorized'));
    return top.length
      ? bars(
          names,
          top.map((r) => r.complaints),
          '#fa541c',
        )
      : null;
  }, [s, categories.data, t]);

  const byChannel = useMemo<EChartsOption | null>(() => {
    const rows = s?.by_channel ?? [];
    if (!rows.length) return null;
    return {
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          data: rows.map((r) => ({ name: t(`tickets.channel.${r.key as 'phone'}`, { defaultValue: r.key ?? '—' }), value: r.count })),
        },
      ],
    };
  }, [s, t]);

  const byPriority = useMemo(() => {
    const order = ['urgent', 'high', 'normal', 'low'];
    const rows = [...(s?.by_priority ?? [])].sort((a, b) => order.indexOf(a.key ?? '') - order.indexOf(b.key ?? ''));
    return rows.length
      ? bars(
          rows.map((r) => t(`tickets.priority.${r.key as 'low'}`, { defaultValue: r.key ?? '—' })),
          rows.map((r) => r.count),
        )
      : null;
  }, [s, t]);

  const byOwner = useMemo(() => {
    const rows = (s?.by_owner ?? []).slice(0, 10);
    return rows.length
      ? bars(
          rows.map((r) => (r.key ? (userName(r.key) ?? r.key.slice(0, 8)) : t('tickets.unassigned'))),
          rows.map((r) => r.count),
        )
      : null;
  }, [s, t, userName]);

  const custom = filters.from && filters.to ? ([dayjs(filters.from), dayjs(filters.to)] as const) : null;
  const chartCard = (title: string, option: EChartsOption | null, testId: string, height = 280) => (
    <Card title={title}>
      {option ? (
        <Chart option={option} height={height} ariaLabel={title} data-testid={testId} />
      ) : (
        <EmptyState description={t('tickets.dashboard.noData')} />
      )}
    </Card>
  );

  return (
    <section aria-labelledby="service-dashboard-title">
      <div className="page-header">
        <Typography.Title level={2} id="service-dashboard-title">
          {t('tickets.dashboard.title')}
        </Typography.Title>
        <Space wrap>
          <Segmented
            aria-label={t('tickets.dashboard.period')}
            value={custom ? 'custom' : (filters.period ?? '30d')}
            onChange={(v) => set({ period: v === 'custom' ? filters.period : String(v), from: undefined, to: undefined })}
            options={[
              ...PRESETS.map((p) => ({ value: p, label: t(`tickets.dashboard.preset.${p}`) })),
              ...(custom ? [{ value: 'custom', label: t('tickets.dashboard.custom') }] : []),
            ]}
            data-testid="period-presets"
          />
          <DatePicker.RangePicker
            aria-label={t('tickets.dashboard.customRange')}
            value={custom as never}
            allowClear
            onChange={(range) =>
              set(
                range?.[0] && range[1]
                  ? { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') }
                  : { from: undefined, to: undefined },
              )
            }
          />
          <Segmented
            aria-label={t('tickets.dashboard.grain')}
            value={period.group_by}
            onChange={(v) => set({ group: String(v) })}
            options={(['day', 'week', 'month'] as const).map((g) => ({ value: g, label: t(`tickets.dashboard.by.${g}`) }))}
          />
        </Space>
      </div>
      {stats.isLoading ? (
        <Loading />
      ) : stats.isError ? (
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      ) : (
        s && (
          <>
            <Row gutter={[16, 16]} data-testid="service-kpis">
              <Col xs={12} md={8} xl={4}>
                <Card data-testid="kpi-total">
                  <Statistic title={t('tickets.dashboard.total')} value={s.total} />
                </Card>
              </Col>
              <Col xs={12} md={8} xl={4}>
                <Card>
                  <Statistic
                    title={t('tickets.dashboard.breachRate')}
                    value={formatRate(s.sla.breach_rate)}
                    valueStyle={{ color: (s.sla.breach_rate ?? 0) > 0.1 ? '#cf1322' : undefined }}
                  />
                  <Typography.Text type="secondary">
                    {t('tickets.dashboard.breachedOf', { breached: s.sla.breached, total: s.sla.with_targets })}
                  </Typography.Text>
                </Card>
              </Col>
              <Col xs={12} md={8} xl={4}>
                <Card>
                  <Statistic title={t('tickets.dashboard.firstResponseMedian')} value={formatMinutes(s.first_response_minutes.median)} />
                  <Typography.Text type="secondary">p90 {formatMinutes(s.first_response_minutes.p90)}</Typography.Text>
                </Card>
              </Col>
              <Col xs={12} md={8} xl={4}>
                <Card>
                  <Statistic title={t('tickets.dashboard.resolutionMedian')} value={formatMinutes(s.resolution_minutes.median)} />
                  <Typography.Text type="secondary">p90 {formatMinutes(s.resolution_minutes.p90)}</Typography.Text>
                </Card>
              </Col>
              <Col xs={12} md={8} xl={4}>
                <Card>
                  <Statistic title={t('tickets.dashboard.reopenRate')} value={formatRate(s.reopen.reopen_rate)} />
                </Card>
              </Col>
              <Col xs={12} md={8} xl={4}>
                <Card>
                  <Statistic title={t('tickets.dashboard.repeatComplainers')} value={s.repeat_complainers.length} />
                </Card>
              </Col>
            </Row>
            <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
              <Col xs={24}>{chartCard(t('tickets.dashboard.volume'), volume, 'volume-chart', 320)}</Col>
              <Col xs={24} lg={12}>
                {chartCard(t('tickets.dashboard.topComplaintCategories'), complaintCategories, 'complaint-categories-chart')}
              </Col>
              <Col xs={24} lg={12}>
                <CsatTrend period={period} />
                {chartCard(t('tickets.dashboard.byChannel'), byChannel, 'channel-chart')}
              </Col>
              <Col xs={24} lg={12}>
                {chartCard(t('tickets.dashboard.byPriority'), byPriority, 'priority-chart')}
              </Col>
              <Col xs={24} lg={12}>
                {chartCard(t('tickets.dashboard.byOwner'), byOwner, 'owner-chart')}
              </Col>
            </Row>
          </>
        )
      )}
    </section>
  );
}
