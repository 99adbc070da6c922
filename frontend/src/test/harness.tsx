import type { ReactNode } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
import { QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { vi } from 'vitest';
import { AppRoutes, makeQueryClient } from '../App';
import { AuthProvider } from '../auth';
import { setAccessToken } from '../api/session';
import i18n from '../i18n';

export const ME = {
  user: {
    id: '00000000-0000-4000-8000-000000000001',
    email: 'it@demo.example.com',
    name: 'Ivy IT',
    department_id: null,
    region_id: null,
    locale: 'en',
    timezone: 'UTC',
    active: true,
    role_ids: [],
    last_login_at: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    version: 1,
    password_set: true,
  },
  tenant_id: '00000000-0000-4000-8000-000000000009',
  tenant_name: 'Demo Co',
  roles: [{ id: 'r1', key: 'system_admin', name: 'System administrator' }],
  permissions: ['users:read', 'users:create', 'users:update', 'users:manage', 'roles:read'],
  data_ranges: {},
  api_token_id: null,
};

export type Route = (url: URL, init: Request) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/** Replace fetch: `route` answers each request (path -> response). */
export function mockApi(route: Route) {
  const calls: string[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const url = new URL(request.url);
    calls.push(`${request.method} ${url.pathname}`);
    return route(url, request);
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

function Where() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

export function renderApp(path: string): ReactNode {
  setAccessToken(null);
  void i18n.changeLanguage('en');
  return (
    <QueryClientProvider client={makeQueryClient()}>
      <ConfigProvider>
        <AntApp>
          <MemoryRouter initialEntries={[path]}>
            <AuthProvider>
              <AppRoutes />
              <Where />
            </AuthProvider>
          </MemoryRouter>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
