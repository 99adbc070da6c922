// The public endpoints' client: no token, no cookie (the page's key or the link is all it holds).
import createClient from 'openapi-fetch';
import type { paths } from '../../api/schema';

export const publicApi = createClient<paths>({
  baseUrl: typeof window !== 'undefined' ? window.location.origin : 'http://localhost',
  fetch: (request: Request) => fetch(request),
  credentials: 'omit',
});
