// The leads list's filters: URL query <-> API query, and the quick filters as toggles.
// Drill-downs from the lead analysis (/analytics/leads) add a creation window and a campaign or
// channel touch: passed to the API as they are.
export const DRILL_FILTERS = ['created_from', 'created_to', 'campaign', 'last_campaign', 'channel', 'last_channel'] as const;
export const LEAD_FILTERS = ['q', 'owner', 'status', 'source', 'rating', 'smin', 'smax', 'tag', 'sort', 'where', ...DRILL_FILTERS] as const;
export type LeadFilterKey = (typeof LEAD_FILTERS)[number];
export type LeadFilters = Record<LeadFilterKey, string | undefined>;

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'unqualified', 'converted'] as const;
export const LEAD_SOURCES = ['web_form', 'campaign', 'import', 'referral', 'event', 'other'] as const;
export const LEAD_RATINGS = ['hot', 'warm', 'cold'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
export type LeadSource = (typeof LEAD_SOURCES)[number];
export type LeadRating = (typeof LEAD_RATINGS)[number];

function integer(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^-?\d+$/.test(raw.trim())) return undefined;
  return Number(raw);
}

function oneOf<T extends string>(values: readonly T[], raw: string | undefined): T | undefined {
  return values.find((v) => v === raw);
}

/** The API's query for the URL's filters. The score range is inclusive on both ends in the URL
 * (`smin=20&smax=50`); the API's `score_to` is exclusive, hence +1. Values the API would refuse
 * (a status that does not exist, a score that is no number) are left out. */
export function leadApiQuery(f: Partial<LeadFilters>): Record<string, string | number | undefined> {
  const smin = integer(f.smin);
  const smax = integer(f.smax);
  return {
    q: f.q?.trim() || undefined,
    owner: f.owner,
    status: oneOf(LEAD_STATUSES, f.status),
    source: oneOf(LEAD_SOURCES, f.source),
    rating: oneOf(LEAD_RATINGS, f.rating),
    tag: f.tag?.trim() || undefined,
    score_from: smin,
    score_to: smax === undefined ? undefined : smax + 1,
    // a report's drill-down: a condition tree, passed through as it came
    where: f.where || undefined,
    ...Object.fromEntries(DRILL_FILTERS.map((k) => [k, f[k] || undefined])),
    sort: f.sort ?? '-updated_at',
  };
}

export type QuickFilter = 'mine' | 'queue' | 'new' | 'qualified';
export const QUICK_FILTERS: QuickFilter[] = ['mine', 'queue', 'new', 'qualified'];

const QUICK: Record<QuickFilter, { key: 'owner' | 'status'; value: string }> = {
  mine: { key: 'owner', value: 'me' },
  queue: { key: 'owner', value: 'none' },
  new: { key: 'status', value: 'new' },
  qualified: { key: 'status', value: 'qualified' },
};

export function quickActive(f: Partial<LeadFilters>, quick: QuickFilter): boolean {
  return f[QUICK[quick].key] === QUICK[quick].value;
}

/** The URL change that turns a quick filter on (replacing its field's value) or off. */
export function toggleQuick(f: Partial<LeadFilters>, quick: QuickFilter): Partial<LeadFilters> {
  const { key, value } = QUICK[quick];
  return { [key]: quickActive(f, quick) ? undefined : value };
}
