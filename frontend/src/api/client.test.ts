import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuthFetch, onSessionExpired, unwrap } from './client';
import { ApiError, NetworkError, retryAfterSeconds } from './errors';
import { getAccessToken, setAccessToken } from './session';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

function requestTo(path: string, init?: RequestInit) {
  return new Request(`http://localhost${path}`, init);
}

describe('authFetch', () => {
  beforeEach(() => {
    setAccessToken(null);
    onSessionExpired(() => {});
  });

  it('sends the in-memory access token', async () => {
    setAccessToken('abc');
    const base = vi.fn(async (_input: RequestInfo | URL) => json(200, { ok: true }));
    const response = await createAuthFetch(base as typeof fetch)(requestTo('/api/v1/customers'));
    expect(response.status).toBe(200);
    const sent = base.mock.calls[0][0] as Request;
    expect(sent.headers.get('Authorization')).toBe('Bearer abc');
  });

  it('on 401 refreshes once with the cookie and retries with the new token', async () => {
    setAccessToken('old');
    const seen: string[] = [];
    const base = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.endsWith('/api/v1/auth/refresh')) {
        expect(init?.method).toBe('POST');
        expect(init?.credentials).toBe('same-origin');
        return json(200, { access_token: 'new', token_type: 'bearer', expires_in: 900, refresh_token: null });
      }
      const request = input as Request;
      seen.push(`${request.headers.get('Authorization')} ${await request.text()}`);
      return request.headers.get('Authorization') === 'Bearer new' ? json(201, { id: 1 }) : json(401, { status: 401 });
    });
    const response = await createAuthFetch(base as typeof fetch)(requestTo('/api/v1/customers', { method: 'POST', body: '{"name":"A"}' }));
    expect(response.status).toBe(201);
    expect(seen).toEqual(['Bearer old {"name":"A"}', 'Bearer new {"name":"A"}']);
    expect(getAccessToken()).toBe('new');
  });

  it('concurrent 401s share one refresh', async () => {
    setAccessToken('old');
    let refreshes = 0;
    const base = vi.fn(async (input: RequestInfo | URL) => {
      if (typeof input === 'string') {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { access_token: 'new' });
      }
      return (input as Request).headers.get('Authorization') === 'Bearer new' ? json(200, {}) : json(401, {});
    });
    const authFetch = createAuthFetch(base as typeof fetch);
    const results = await Promise.all([authFetch(requestTo('/a')), authFetch(requestTo('/b')), authFetch(requestTo('/c'))]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  it('ends the session when the refresh fails', async () => {
    setAccessToken('old');
    const expired = vi.fn();
    onSessionExpired(expired);
    const base = vi.fn(async (input: RequestInfo | URL) => (typeof input === 'string' ? json(401, {}) : json(401, {})));
    const response = await createAuthFetch(base as typeof fetch)(requestTo('/api/v1/customers'));
    expect(response.status).toBe(401);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(getAccessToken()).toBeNull();
  });

  it('does not refresh for a failed login', async () => {
    const base = vi.fn(async () => json(401, { title: 'bad' }));
    const expired = vi.fn();
    onSessionExpired(expired);
    const response = await createAuthFetch(base as typeof fetch)(requestTo('/api/v1/auth/login', { method: 'POST', body: '{}' }));
    expect(response.status).toBe(401);
    expect(base).toHaveBeenCalledTimes(1);
    expect(expired).not.toHaveBeenCalled();
  });

  it('maps a network failure to NetworkError', async () => {
    const base = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(createAuthFetch(base as typeof fetch)(requestTo('/x'))).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('unwrap and ApiError', () => {
  it('returns the data of a 2xx answer', async () => {
    await expect(unwrap(Promise.resolve({ data: { a: 1 }, response: new Response(null, { status: 200 }) }))).resolves.toEqual({ a: 1 });
  });

  it('maps 422 field errors to form paths', async () => {
    const problem = {
      type: 'https://crm.example/problems/validation',
      title: 'Invalid input',
      status: 422,
      detail: 'custom_fields.revenue: must be a finite number',
      errors: [
        { field: 'custom_fields.revenue', message: 'must be a finite number' },
        { field: 'email', message: 'not an email' },
        { field: 'email', message: 'too long' },
        { field: 'phones.1', message: 'bad' },
      ],
    };
    const error = await unwrap(Promise.resolve({ error: problem, response: new Response(null, { status: 422 }) })).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: ApiError) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.kind).toBe('validation');
    expect(error.fieldErrors()).toEqual([
      { name: ['custom_fields', 'revenue'], errors: ['must be a finite number'] },
      { name: ['email'], errors: ['not an email', 'too long'] },
      { name: ['phones', 1], errors: ['bad'] },
    ]);
  });

  it('keeps the 409 duplicate id and the 429 retry time', async () => {
    const dup = await unwrap(
      Promise.resolve({
        error: { status: 409, title: 'Conflict', detail: 'duplicate', existing_id: 'x-1' },
        response: new Response(null, { status: 409 }),
      }),
    ).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: ApiError) => e,
    );
    expect(dup.problem.existing_id).toBe('x-1');
    const throttled = await unwrap(
      Promise.resolve({
        error: { status: 429, title: 'Too many', detail: 'wait' },
        response: new Response(null, { status: 429, headers: { 'Retry-After': '42' } }),
      }),
    ).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: ApiError) => e,
    );
    expect(throttled.retryAfter).toBe(42);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterSeconds(new Response(null, { headers: { 'Retry-After': '7' } }))).toBe(7);
    const soon = new Date(Date.now() + 30_000).toUTCString();
    const seconds = retryAfterSeconds(new Response(null, { headers: { 'Retry-After': soon } }))!;
    expect(seconds).toBeGreaterThan(25);
    expect(seconds).toBeLessThanOrEqual(31);
    expect(retryAfterSeconds(new Response(null))).toBeNull();
  });
});

describe('tokenSubject', () => {
  it('reads the sub of a JWT and tolerates junk', async () => {
    const { tokenSubject } = await import('../auth');
    const payload = btoa(JSON.stringify({ sub: 'user-1', tid: 't' })).replace(/=+$/, '');
    expect(tokenSubject(`eyJhbGciOiJIUzI1NiJ9.${payload}.sig`)).toBe('user-1');
    expect(tokenSubject('not a token')).toBeNull();
  });
});
