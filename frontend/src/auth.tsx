import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router-dom';
import { api, onSessionExpired, unwrap } from './api/client';
import { getAccessToken, onAccessTokenChange, refreshSession, setAccessToken } from './api/session';
import type { Me } from './permissions';

type Status = 'starting' | 'anonymous' | 'signed-in';

interface AuthState {
  status: Status;
  me: Me | null;
  /** Set when the session ended by itself (not by logout): the login page says so. */
  expired: boolean;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  reloadMe(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

/** The user an access token speaks for (its `sub`), without verifying it: only to notice a switch. */
export function tokenSubject(token: string): string | null {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return (JSON.parse(atob(payload)) as { sub?: string }).sub ?? null;
  } catch {
    return null;
  }
}

async function fetchMe(): Promise<Me> {
  return unwrap(api.GET('/api/v1/auth/me'));
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>('starting');
  const [me, setMe] = useState<Me | null>(null);
  const [expired, setExpired] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const here = useRef('/');
  here.current = location.pathname + location.search;

  const signedOut = useCallback(() => {
    setAccessToken(null);
    setMe(null);
    setStatus('anonymous');
    queryClient.clear();
  }, [queryClient]);

  // First load (or a reload): the refresh cookie, if any, brings the session back.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const ok = getAccessToken() !== null || (await refreshSession());
      if (!ok) {
        if (!cancelled) setStatus('anonymous');
        return;
      }
      try {
        const profile = await fetchMe();
        if (!cancelled) {
          setMe(profile);
          setStatus('signed-in');
        }
      } catch {
        if (!cancelled) setStatus('anonymous');
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    onSessionExpired(() => {
      const from = here.current;
      signedOut();
      setExpired(true);
      if (!from.startsWith('/login')) navigate('/login', { replace: true, state: { from } });
    });
  }, [navigate, signedOut]);

  // Another tab signed in as someone else: the shared refresh cookie now belongs to them, so a
  // silent refresh here returns their token. Start over rather than mix two users' data.
  useEffect(
    () =>
      onAccessTokenChange((token) => {
        if (token && me && tokenSubject(token) && tokenSubject(token) !== me.user.id) window.location.reload();
      }),
    [me],
  );

  const login = useCallback(
    async (email: string, password: string) => {
      const pair = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password, browser: true } }));
      setAccessToken(pair.access_token);
      const profile = await fetchMe();
      queryClient.clear();
      setMe(profile);
      setExpired(false);
      setStatus('signed-in');
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    try {
      await api.POST('/api/v1/auth/logout');
    } catch {
      // signed out locally whatever the server says
    }
    signedOut();
    setExpired(false);
    navigate('/login', { replace: true });
  }, [navigate, signedOut]);

  const reloadMe = useCallback(async () => {
    setMe(await fetchMe());
  }, []);

  const value = useMemo(() => ({ status, me, expired, login, logout, reloadMe }), [status, me, expired, login, logout, reloadMe]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

/** The signed-in user's profile (only under RequireAuth). */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe without a session');
  return me;
}
