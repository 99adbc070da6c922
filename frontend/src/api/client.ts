import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, NetworkError, retryAfterSeconds, toProblem } from './errors';
import { getAccessToken, refreshSession } from './session';

// Called when a request stays 401 after one silent refresh: the session is over.
let sessionExpiredHandler: () => void = () => {};
export function onSessionExpired(handler: () => void): void {
  sessionExpiredHandler = handler;
}

// Requests that must not trigger a refresh when they answer 401.
const NO_RETRY = ['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/password'];

/**
 * fetch with the access token; a 401 triggers one silent refresh (the cookie) and one retry.
 * Exported for tests.
 */
export function createAuthFetch(baseFetch: typeof fetch = (...args) => fetch(...args)) {
  return async function authFetch(request: Request): Promise<Response> {
    const retryCopy = request.clone();
    const send = (req: Request): Promise<Response> => {
      const token = getAccessToken();
      if (token) req.headers.set('Authorization', `Bearer ${token}`);
      return baseFetch(req);
    };
    let response: Response;
    try {
      response = await send(request);
    } catch (error) {
      throw new NetworkError(error);
    }
    const path = new URL(request.url, 'http://x').pathname;
    if (response.status !== 401 || NO_RETRY.includes(path)) return response;
    if (!(await refreshSession(baseFetch))) {
      sessionExpiredHandler();
      return response;
    }
    try {
      response = await send(retryCopy);
    } catch (error) {
      throw new NetworkError(error);
    }
    if (response.status === 401) sessionExpiredHandler();
    return response;
  };
}

export const api = createClient<paths>({
  baseUrl: typeof window !== 'undefined' ? window.location.origin : 'http://localhost',
  fetch: createAuthFetch(),
  credentials: 'same-origin',
});

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a 2xx answer, or an ApiError carrying the problem (status, field errors, retry). */
export async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) {
    throw new ApiError(response.status, toProblem(error), retryAfterSeconds(response));
  }
  return data as T;
}

/** For writes guarded by If-Match: the version an ETag names ("W/\"3\"" -> 3). */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
