// The service dashboard's period (kept in the URL) and the shapes its charts take from GET /tickets/stats.
export const PRESETS = ['7d', '30d', '90d', '365d'] as const;
export type Preset = (typeof PRESETS)[number];
export type GroupBy = 'day' | 'week' | 'month';
const DAY = 86_400_000;

export interface StatsPeriod {
  from: string;
  to: string;
  group_by: GroupBy;
}

/** The natural grain for a span: days up to a month, weeks up to a quarter and a bit, else months. */
export function grainFor(spanMs: number): GroupBy {
  if (spanMs <= 31 * DAY) return 'day';
  if (spanMs <= 120 * DAY) return 'week';
  return 'month';
}

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** The API period for the URL's `period` (a preset, default 30d) or `from`/`to` days (UTC, `to`
 * inclusive), and `group` (else the natural grain). Ends at the next UTC midnight, so a day's
 * figures are whole and the query stays the same all day. */
export function statsPeriod(f: { period?: string; from?: string; to?: string; group?: string }, now: number): StatsPeriod {
  const tomorrow = Math.floor(now / DAY) * DAY + DAY;
  let start: number;
  let end: number;
  if (f.from && f.to && isoDay.test(f.from) && isoDay.test(f.to) && f.from <= f.to) {
    start = Date.parse(`${f.from}T00:00:00Z`);
    end = Math.min(Date.parse(`${f.to}T00:00:00Z`) + DAY, start + 366 * DAY);
  } else {
    const preset = (PRESETS as readonly string[]).includes(f.period ?? '') ? (f.period as Preset) : '30d';
    end = tomorrow;
    start = end - Number(preset.slice(0, -1)) * DAY;
  }
  const group = (['day', 'week', 'month'] as const).find((g) => g === f.group) ?? grainFor(end - start);
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString(), group_by: group };
}

export interface CountBy {
  key: string | null;
  count: number;
  complaints: number;
}

/** The categories with the most complaints, largest first (none without complaints). */
export function topComplaintCategories(rows: CountBy[], limit = 10): CountBy[] {
  return rows
    .filter((r) => r.complaints > 0)
    .sort((a, b) => b.complaints - a.complaints || String(a.key).localeCompare(String(b.key)))
    .slice(0, limit);
}

/** "1h 30m" / "2d 3h" / "45m" for minutes; "—" for none. */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return '—';
  const m = Math.round(minutes);
  if (m < 60) return `${m}m`;
  if (m < 24 * 60) return `${Math.floor(m / 60)}h ${m % 60}m`;
  return `${Math.floor(m / 1440)}d ${Math.floor((m % 1440) / 60)}h`;
}

export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}
