// The report builder's pure parts: the definition sent to /api/v1/reports, a result's rows as a
// table and as an ECharts option, and where a row drills to in the web client (the resource's list
// page with the row's `where`).
import type { EChartsOption } from 'echarts';
import type { components } from '../../api/schema';

export type ReportResult = components['schemas']['ReportResult'];
export type ReportRow = components['schemas']['ReportRow'];
export type ReportColumn = components['schemas']['ReportColumn'];
export type Chart = 'table' | 'bar' | 'line' | 'pie';
export const ENTITIES = ['deals', 'customers', 'contacts', 'leads', 'activities', 'tickets', 'campaign_members'] as const;
export type Entity = (typeof ENTITIES)[number];
export const GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
// The system roles a report can be shared with (app/auth/permissions.py SYSTEM_ROLES).
export const SHARE_ROLES = [
  'sales_director',
  'sales_manager',
  'sales_rep',
  'service_manager',
  'service_agent',
  'marketer',
  'analyst',
] as const;

export interface Measure {
  fn: 'count' | 'sum' | 'avg' | 'min' | 'max';
  field?: string;
}
export interface Grouping {
  field: string;
  grain?: (typeof GRAINS)[number];
}
export interface Period {
  field: string;
  from?: string;
  to?: string;
}
export interface Definition {
  entity: Entity;
  measures: Measure[];
  groupings: Grouping[];
  filters?: { op: 'and' | 'or'; conditions: unknown[] };
  period?: Period | null;
  sort?: { by: string; desc: boolean } | null;
  limit?: number;
}

/** The key a column of the result carries for a measure (`count`, `sum:amount`). */
export function measureKey(m: Measure): string {
  return m.fn === 'count' ? 'count' : `${m.fn}:${m.field ?? ''}`;
}

/** Measures with a field chosen (an aggregate without one is not sent). */
export function definitionOf(d: Definition): Definition {
  const measures = d.measures.filter((m) => m.fn === 'count' || !!m.field);
  const groupings = d.groupings.filter((g) => !!g.field);
  const out: Definition = { ...d, measures: measures.length ? measures : [{ fn: 'count' }], groupings };
  if (!out.period?.field) delete out.period;
  if (!out.sort?.by) delete out.sort;
  return out;
}

// API list paths -> the web client's list pages (activities and members have none of their own).
const PAGES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^\/api\/v1\/customers$/, () => '/customers'],
  [/^\/api\/v1\/contacts$/, () => '/contacts'],
  [/^\/api\/v1\/leads$/, () => '/leads'],
  [/^\/api\/v1\/opportunities$/, () => '/opportunities'],
  [/^\/api\/v1\/tickets$/, () => '/tickets'],
];

/** Where a row's records are listed in the web client, with its `where` (null: no list page). */
export function drillRoute(drill: ReportRow['drill']): string | null {
  if (!drill) return null;
  for (const [pattern, page] of PAGES) {
    const match = drill.path.match(pattern);
    if (match) return `${page(match)}?${new URLSearchParams(drill.query).toString()}`;
  }
  return null;
}

/** A group's text: its label (a name), else its value, else the "none" text. */
export function groupText(group: ReportRow['groups'][number], none: string): string {
  if (group.label) return group.label;
  if (group.value === null || group.value === undefined || group.value === '') return none;
  return String(group.value);
}

function numeric(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

/**
 * The chart of a result: the first grouping along the axis (or the slices of a pie), one series per
 * value of the second grouping (a money measure's currency included), the first measure's figures.
 */
export function chartOption(result: ReportResult, chart: Exclude<Chart, 'table'>, none: string, measureLabel: string): EChartsOption {
  const measure = result.columns.find((c) => c.kind === 'measure');
  const key = measure?.key ?? 'count';
  const categories: string[] = [];
  const seriesNames: string[] = [];
  const cells = new Map<string, number>();
  for (const row of result.rows) {
    const first = row.groups[0] ? groupText(row.groups[0], none) : measureLabel;
    const second =
      row.groups.length > 1
        ? row.groups
            .slice(1)
            .map((g) => groupText(g, none))
            .join(' · ')
        : measureLabel;
    if (!categories.includes(first)) categories.push(first);
    if (!seriesNames.includes(second)) seriesNames.push(second);
    cells.set(`${first}\u0000${second}`, numeric(row.values[key]));
  }
  if (chart === 'pie') {
    return {
      tooltip: { trigger: 'item' },
      legend: { type: 'scroll', bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['30%', '65%'],
          data: categories.map((c) => ({
            name: c,
            value: seriesNames.reduce((sum, s) => sum + (cells.get(`${c}\u0000${s}`) ?? 0), 0),
          })),
        },
      ],
    };
  }
  return {
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value' },
    series: seriesNames.map((s) => ({
      name: s,
      type: chart,
      data: categories.map((c) => cells.get(`${c}\u0000${s}`) ?? 0),
    })),
  };
}

/** The row behind a clicked chart item (category index, series name). */
export function rowAt(
  result: ReportResult,
  category: string,
  series: string | undefined,
  none: string,
  measureLabel: string,
): ReportRow | undefined {
  return result.rows.find((row) => {
    const first = row.groups[0] ? groupText(row.groups[0], none) : measureLabel;
    const second =
      row.groups.length > 1
        ? row.groups
            .slice(1)
            .map((g) => groupText(g, none))
            .join(' · ')
        : measureLabel;
    return first === category && (series === undefined || second === series);
  });
}
