// Where an analysis figure's records are, as a page of the web client: the API's drill
// ({path: "/api/v1/customers", query}) becomes "/customers?<query>" (the list reads those filters),
// a record's path its page.
export interface Drill {
  path: string;
  query: Record<string, unknown>;
}

export function drillTo(drill: Drill | null | undefined): string | null {
  if (!drill || !drill.path.startsWith('/api/v1/')) return null;
  const page = drill.path.slice('/api/v1'.length);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(drill.query ?? {})) {
    if (value !== null && value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${page}?${search}` : page;
}

/** The 0-1 shade of a heat-map cell: its count against the largest. */
export function shade(count: number, max: number): number {
  return max > 0 ? Math.round((count / max) * 100) / 100 : 0;
}
