// Where a figure's records are in the web client: the API's drill {path, query} (a list endpoint
// and its filters) turned into the list page showing the same filter.

export interface Drill {
  path: string;
  query: Record<string, string>;
}

const API = '/api/v1/';

function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The SPA route listing the records of a drill; null when no page lists them. */
export function drillRoute(drill: Drill | null | undefined): string | null {
  if (!drill || !drill.path.startsWith(API)) return null;
  const [resource, id, sub] = drill.path.slice(API.length).split('/');
  const q = drill.query;
  switch (resource) {
    case 'opportunities':
      // the deals list names the close window from/to
      return withQuery('/opportunities', {
        pipeline: q.pipeline,
        stage: q.stage,
        owner: q.owner,
        from: q.close_from,
        to: q.close_to,
      });
    case 'leads':
      return withQuery('/leads', { status: q.status, source: q.source, owner: q.owner });
    case 'tickets': {
      const view = q.owner === 'me' ? 'mine' : q.owner === 'none' ? 'unassigned' : q.breaching_before ? 'breaching' : undefined;
      return withQuery('/tickets', { view, status: q.status });
    }
    case 'activities':
      return '/my-day';
    case 'campaigns':
      return id ? `/campaigns/${id}` : withQuery('/campaigns', { status: q.status });
    case 'surveys':
      return id && sub === 'results' ? `/surveys/${id}/results` : null;
    default:
      return null;
  }
}
