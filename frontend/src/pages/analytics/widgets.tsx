// The built-in widgets (app/domain/analytics/widgets.py) as cards: figures and charts, each item
// a link to the list of its records (the API's drill, mapped by drillRoute). Used by Home and by
// the user dashboards alike.
import { useMemo, type ReactNode } from 'react';
import { Card, Empty, Progress, Space, Statistic, Table, Typography } from 'antd';
import type { EChartsOption } from 'echarts';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { Chart } from '../../components/Chart';
import { formatMoney } from '../salesLogic';
import { drillRoute, type Drill } from './drill';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Data = Record<string, any>;

export const WIDGET_KEYS = [
  'pipeline_by_stage',
  'closing_this_month',
  'attainment',
  'per_rep',
  'leads_to_work',
  'today',
  'overdue',
  'ticket_queue',
  'sla_warnings',
  'csat',
  'campaigns_running',
  'leads_by_source',
] as const;
export type WidgetKey = (typeof WIDGET_KEYS)[number];

/** Widgets that need room: a chart or a table. */
export const WIDE: ReadonlySet<string> = new Set(['pipeline_by_stage', 'per_rep', 'leads_by_source']);

function To({ drill, children, testId }: { drill?: Drill | null; children: ReactNode; testId?: string }) {
  const to = drillRoute(drill);
  return to ? (
    <Link to={to} data-testid={testId}>
      {children}
    </Link>
  ) : (
    <>{children}</>
  );
}

function Figure({
  title,
  value,
  drill,
  testId,
  color,
}: {
  title: string;
  value: ReactNode;
  drill?: Drill | null;
  testId?: string;
  color?: string;
}) {
  return (
    <To drill={drill} testId={testId}>
      <Statistic title={title} value={value as number} valueStyle={color ? { color } : undefined} />
    </To>
  );
}

function Amounts({ amounts, language }: { amounts: { currency: string; amount: string }[]; language: string }) {
  if (!amounts.length) return <>—</>;
  return <>{amounts.map((m) => formatMoney(m.amount, m.currency, language)).join(' + ')}</>;
}

function PipelineByStage({ data }: { data: Data }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const pipelines: Data[] = data.pipelines ?? [];
  if (!pipelines.length) return <Empty description={t('dashboards.noDeals')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {pipelines.map((p) => (
        <PipelineChart
          key={p.id}
          pipeline={p}
          onStage={(stage) => navigate(drillRoute(stage.drill) ?? '/opportunities')}
          language={i18n.language}
        />
      ))}
    </Space>
  );
}

function PipelineChart({ pipeline, onStage, language }: { pipeline: Data; onStage: (stage: Data) => void; language: string }) {
  const { t } = useTranslation();
  const stages: Data[] = pipeline.stages;
  const option = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: stages.map((s) => s.name), axisLabel: { width: 110, overflow: 'truncate' } },
      series: [
        { type: 'bar', name: t('dashboards.deals'), data: stages.map((s) => s.count), itemStyle: { color: '#1668dc' }, cursor: 'pointer' },
      ],
    }),
    [stages, t],
  );
  return (
    <div data-testid="pipeline-widget">
      <Typography.Text strong>{pipeline.name}</Typography.Text>
      <Chart
        option={option}
        height={Math.max(120, stages.length * 36)}
        ariaLabel={t('dashboards.widgets.pipeline_by_stage')}
        onClick={(params) => stages[params.dataIndex] && onStage(stages[params.dataIndex])}
        data-testid="pipeline-chart"
      />
      <ul className="widget-list">
        {stages.map((s) => (
          <li key={s.id}>
            <To drill={s.drill} testId={`stage-${s.name}`}>
              {s.name}: {s.count}
            </To>{' '}
            <Typography.Text type="secondary">
              <Amounts amounts={s.amounts} language={language} />
            </Typography.Text>
          </li>
        ))}
      </ul>
    </div>
  );
}

function PerRep({ data }: { data: Data }) {
  const { t, i18n } = useTranslation();
  const money = (v: string | null) => formatMoney(v, undefined, i18n.language);
  return (
    <Table
      size="small"
      rowKey="owner_id"
      pagination={false}
      scroll={{ x: 480 }}
      dataSource={data.reps ?? []}
      columns={[
        { key: 'name', title: t('dashboards.rep'), render: (_: unknown, r: Data) => <To drill={r.drill}>{r.name ?? '—'}</To> },
        { key: 'won', title: t('dashboards.closedWon'), align: 'right', render: (_: unknown, r: Data) => money(r.closed_won) },
        { key: 'open', title: t('dashboards.openCount'), align: 'right', dataIndex: 'open_count' },
        { key: 'target', title: t('dashboards.target'), align: 'right', render: (_: unknown, r: Data) => money(r.target) },
        { key: 'gap', title: t('dashboards.gap'), align: 'right', render: (_: unknown, r: Data) => money(r.gap) },
      ]}
    />
  );
}

function LeadsBySource({ data }: { data: Data }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const items: Data[] = data.items ?? [];
  const option = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['35%', '65%'],
          cursor: 'pointer',
          data: items.map((i) => ({ name: t(`leads.source.${i.source}`, { defaultValue: i.source ?? '—' }), value: i.leads })),
        },
      ],
    }),
    [items, t],
  );
  if (!items.length) return <Empty description={t('dashboards.noLeads')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <>
      <Space wrap size="large">
        <Statistic title={t('dashboards.leadsThisMonth')} value={data.leads} />
        <Statistic title={t('dashboards.conversion')} value={data.rate ?? '—'} suffix={data.rate != null ? '%' : undefined} />
      </Space>
      <Chart
        option={option}
        height={220}
        ariaLabel={t('dashboards.widgets.leads_by_source')}
        onClick={(p) => {
          const to = drillRoute(items[p.dataIndex]?.drill);
          if (to) navigate(to);
        }}
      />
    </>
  );
}

function Body({ widget, data }: { widget: string; data: Data }) {
  const { t, i18n } = useTranslation();
  const money = (v: string | null) => formatMoney(v, undefined, i18n.language);
  switch (widget) {
    case 'pipeline_by_stage':
      return <PipelineByStage data={data} />;
    case 'closing_this_month':
      return (
        <Space wrap size="large">
          <Figure title={t('dashboards.openCount')} value={data.open_count} drill={data.drill} />
          <Figure title={t('dashboards.openAmount')} value={money(data.open_amount)} />
          <Figure title={t('dashboards.wonCount')} value={data.won_count} />
          <Figure title={t('dashboards.closedWon')} value={money(data.closed_won)} />
        </Space>
      );
    case 'attainment':
      return data.target == null ? (
        <Space direction="vertical">
          <Figure title={t('dashboards.closedWon')} value={money(data.closed_won)} drill={data.drill} />
          <Typography.Text type="secondary">{t('dashboards.noTarget')}</Typography.Text>
        </Space>
      ) : (
        <Space wrap size="large" align="center">
          <Progress type="circle" size={88} percent={Math.min(100, data.percent ?? 0)} format={() => `${data.percent ?? 0}%`} />
          <Space direction="vertical" size={0}>
            <Typography.Text>
              {t('dashboards.target')}: {money(data.target)}
            </Typography.Text>
            <To drill={data.drill}>
              {t('dashboards.closedWon')}: {money(data.closed_won)}
            </To>
            <Typography.Text type="secondary">
              {t('dashboards.gap')}: {money(data.gap)}
            </Typography.Text>
          </Space>
        </Space>
      );
    case 'per_rep':
      return <PerRep data={data} />;
    case 'leads_to_work':
      return (
        <Space wrap size="large">
          {(data.items ?? []).map((i: Data) => (
            <Figure
              key={i.status}
              title={t(`leads.status.${i.status}`, { defaultValue: i.status })}
              value={i.count}
              drill={i.drill}
              testId={`leads-${i.status}`}
            />
          ))}
        </Space>
      );
    case 'today':
      return (
        <Space wrap size="large">
          <Figure title={t('dashboards.tasks')} value={data.tasks} drill={data.tasks_drill} />
          <Figure title={t('dashboards.appointments')} value={data.appointments} drill={data.appointments_drill} />
        </Space>
      );
    case 'overdue':
      return (
        <Figure title={t('dashboards.overdueItems')} value={data.count} drill={data.drill} color={data.count ? '#cf1322' : undefined} />
      );
    case 'ticket_queue':
      return (
        <Space wrap size="large">
          <Figure title={t('dashboards.openTickets')} value={data.open} drill={data.drill} />
          <Figure title={t('dashboards.unassigned')} value={data.unassigned} drill={data.unassigned_drill} />
          <Figure title={t('dashboards.mine')} value={data.mine} drill={data.mine_drill} />
        </Space>
      );
    case 'sla_warnings':
      return (
        <Space wrap size="large">
          <Figure
            title={t('dashboards.breached')}
            value={data.breached}
            drill={data.breached_drill}
            color={data.breached ? '#cf1322' : undefined}
          />
          <Figure
            title={t('dashboards.dueSoon', { hours: data.hours })}
            value={data.due_soon}
            drill={data.drill}
            color={data.due_soon ? '#d46b08' : undefined}
          />
        </Space>
      );
    case 'csat':
      return data.survey_id ? (
        <Space wrap size="large">
          <Figure
            title={t('dashboards.csat', { days: data.days })}
            value={data.percent != null ? `${data.percent}%` : '—'}
            drill={data.drill}
          />
          <Figure title={t('dashboards.responses')} value={data.responses} />
        </Space>
      ) : (
        <Typography.Text type="secondary">{t('dashboards.noCsat')}</Typography.Text>
      );
    case 'campaigns_running':
      return (
        <>
          <Figure title={t('dashboards.running')} value={data.count} drill={data.drill} />
          <ul className="widget-list">
            {(data.items ?? []).map((c: Data) => (
              <li key={c.id}>
                <To drill={c.drill}>{c.name}</To>
              </li>
            ))}
          </ul>
        </>
      );
    case 'leads_by_source':
      return <LeadsBySource data={data} />;
    default:
      return null;
  }
}

export interface WidgetValue {
  key: string;
  denied: boolean;
  data?: Data | null;
}

export function WidgetCard({ value, title, style }: { value: WidgetValue; title?: string; style?: React.CSSProperties }) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      title={title || t(`dashboards.widgets.${value.key}`, { defaultValue: value.key })}
      style={{ height: '100%', ...style }}
      data-testid={`widget-${value.key}`}
    >
      {value.denied || !value.data ? (
        <Typography.Text type="secondary">{t('dashboards.denied')}</Typography.Text>
      ) : (
        <Body widget={value.key} data={value.data} />
      )}
    </Card>
  );
}
