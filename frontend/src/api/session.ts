// The browser session: the access token lives only in this module's memory; the refresh token is
// an httpOnly cookie the script never sees, sent by the browser to /api/v1/auth/* only.

type Listener = (token: string | null) => void;

let accessToken: string | null = null;
const listeners = new Set<Listener>();

export function getAccessToken(): string | null {
  return accessToken;
}

export function setAccessToken(token: string | null): void {
  accessToken = token;
  for (const listener of listeners) listener(token);
}

export function onAccessTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let inFlight: Promise<boolean> | null = null;

/**
 * Trade the refresh cookie for a new access token. Concurrent callers share one request, and
 * tabs take turns (Web Locks): a refresh token works once, so two tabs presenting the same one
 * would end the session.
 */
export function refreshSession(fetchImpl: typeof fetch = fetch): Promise<boolean> {
  if (!inFlight) {
    const attempt = async (): Promise<boolean> => {
      try {
        const response = await fetchImpl('/api/v1/auth/refresh', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        });
        if (!response.ok) {
          setAccessToken(null);
          return false;
        }
        const body = (await response.json()) as { access_token: string };
        setAccessToken(body.access_token);
        return true;
      } catch {
        return false;
      }
    };
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    inFlight = (locks ? locks.request('crm-session-refresh', () => attempt()).then((ok) => ok) : attempt()).finally(() => {
      inFlight = null;
    });
  }
  return inFlight;
}
