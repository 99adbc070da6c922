// Sales analysis figures and their drill-down: each figure names the deal list's query that lists
// the deals behind it; the client opens the deals page with that query.
import type { components } from '../../api/schema';

export type Drill = components['schemas']['SalesDrill'];
export type Money = { currency: string; amount: string };

/** The deals page URL of a figure's drill (its query parameters are the page's filters). */
export function drillUrl(drill: Drill): string {
  const params = new URLSearchParams(drill.query);
  return `/opportunities?${params.toString()}`;
}

/** The deals page's filters that only a drill sets (the page shows them as one "from analysis" tag). */
export const DRILL_FILTERS = [
  'department',
  'status',
  'created_from',
  'created_to',
  'closed_from',
  'closed_to',
  'source',
  'campaign',
  'region',
  'customer_level',
  'customer_type',
  'product',
  'reached_stage',
  'furthest_stage',
  'passed_stage',
] as const;

/** The currency to chart: the one with the largest total (amounts are never summed across currencies). */
export function mainCurrency(lists: Money[][]): string | undefined {
  const totals = new Map<string, number>();
  for (const list of lists) for (const m of list) totals.set(m.currency, (totals.get(m.currency) ?? 0) + Number(m.amount));
  let best: string | undefined;
  for (const [c, v] of totals) if (best === undefined || v > (totals.get(best) ?? 0)) best = c;
  return best;
}

/** The amount in one currency of a per-currency list (0 when absent). */
export function amountIn(list: Money[], currency: string | undefined): number {
  return Number(list.find((m) => m.currency === currency)?.amount ?? 0);
}

export function percent(rate: number | null | undefined, language: string): string {
  if (rate === null || rate === undefined) return '—';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}
