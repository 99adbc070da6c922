// The lead & activity analysis page's pure parts: where a drill-down lands in the web client,
// the heat map's cells, and amounts in one currency for a chart.

export interface Drill {
  path: string;
  query: Record<string, string>;
}

export interface MoneyItem {
  currency: string;
  amount: string;
}

/** The web client's list for an API drill-down (leads and deals have list pages that take the
 * same filters from their URL); null for records without a list page (activities: the page shows
 * them itself). */
export function drillRoute(drill: Drill | null | undefined): string | null {
  if (!drill) return null;
  const pages: Record<string, string> = { '/api/v1/leads': '/leads', '/api/v1/opportunities': '/opportunities' };
  const page = pages[drill.path];
  if (!page) return null;
  const query = new URLSearchParams(drill.query).toString();
  return query ? `${page}?${query}` : page;
}

/** The amount in `currency` of a per-currency figure (0 when it has none). */
export function amountIn(items: MoneyItem[], currency: string): number {
  const found = items.find((m) => m.currency === currency);
  return found ? Number(found.amount) : 0;
}

/** Every currency appearing in the figures, the most common first. */
export function currenciesOf(lists: MoneyItem[][]): string[] {
  const seen = new Map<string, number>();
  for (const list of lists) for (const m of list) seen.set(m.currency, (seen.get(m.currency) ?? 0) + 1);
  return [...seen.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

export interface HeatCell {
  weekday: number;
  hour: number;
  done: number;
}

/** ECharts heat map data: [hour, weekday index (Monday first, drawn top down), count], and the
 * largest count (the colour scale's end). */
export function heatData(cells: HeatCell[]): { data: [number, number, number][]; max: number } {
  const data = cells.map((c) => [c.hour, 7 - c.weekday, c.done] as [number, number, number]);
  return { data, max: Math.max(1, ...cells.map((c) => c.done)) };
}

/** A conversion rate as a percentage for the chart (null stays a gap). */
export function percent(rate: number | null | undefined): number | null {
  return rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10;
}
