import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => vi.unstubAllGlobals());

const MARKETER = { ...ME, permissions: ['automations:read', 'automations:create', 'automations:update', 'segments:read'] };
const RULE = {
  id: 'a1',
  name: 'Welcome new leads',
  description: null,
  trigger: 'lead.created',
  conditions: { op: 'and', conditions: [] },
  actions: [{ type: 'add_tag', tag: 'nurture' }],
  delay_amount: 0,
  delay_unit: 'minutes',
  status: 'active',
  owner_id: 'u1',
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  created_by: 'u1',
  updated_by: 'u1',
  version: 4,
};
const CATALOGUE = {
  triggers: [
    { key: 'lead.created', event_type: 'lead.created', record_kinds: ['lead'], label_en: 'A lead is created', label_zh: '新建线索' },
  ],
  actions: [{ type: 'add_tag', label_en: 'Add a tag', label_zh: '添加标签', params: [{ name: 'tag', type: 'text', required: true }] }],
};
const RUN = {
  id: 'r1',
  automation_id: 'a1',
  trigger: 'lead.created',
  event_id: 'e1',
  record_kind: 'lead',
  record_id: 'l1',
  source_entity: null,
  source_id: null,
  status: 'skipped',
  run_at: '2026-12-01T00:00:00Z',
  attempts: 0,
  error: null,
  reason: "the lead is outside the automation owner's data range",
  actions_done: [],
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  started_at: null,
  finished_at: '2026-12-01T00:00:01Z',
};

function api(writes: { method: string; path: string; body: unknown; ifMatch: string | null }[]) {
  return mockApi(async (url, request) => {
    if (url.pathname === '/api/v1/auth/refresh')
      return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
    if (url.pathname === '/api/v1/auth/me') return json(200, MARKETER);
    if (url.pathname === '/api/v1/automations/catalogue') return json(200, CATALOGUE);
    if (url.pathname === '/api/v1/automations' && request.method === 'GET') return json(200, { items: [RULE] });
    if (url.pathname === '/api/v1/automations/a1' && request.method === 'GET') return json(200, RULE);
    if (url.pathname === '/api/v1/automations/a1/runs') return json(200, { items: [RUN], next_cursor: null });
    if (request.method === 'GET') return json(200, { items: [], next_cursor: null });
    writes.push({
      method: request.method,
      path: url.pathname,
      body: await request.clone().json(),
      ifMatch: request.headers.get('If-Match'),
    });
    return json(200, { ...RULE, status: 'paused', version: 5 });
  });
}

describe('automations', () => {
  it('pauses a rule from the list with its version, under the Marketing menu', async () => {
    const writes: { method: string; path: string; body: unknown; ifMatch: string | null }[] = [];
    api(writes);
    const user = userEvent.setup();
    render(renderApp('/automations'));
    const table = await screen.findByTestId('automations-table', {}, { timeout: 10000 });
    expect(await within(table).findByText('A lead is created')).toBeInTheDocument();
    expect(within(screen.getByTestId('main-nav')).getByText('Marketing')).toBeInTheDocument();
    await user.click(screen.getByTestId('toggle-a1'));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]).toEqual({ method: 'PATCH', path: '/api/v1/automations/a1', body: { status: 'paused' }, ifMatch: 'W/"4"' });
  }, 60000);

  it('shows the run log with the reason a run was skipped', async () => {
    api([]);
    render(renderApp('/automations/a1/runs'));
    const table = await screen.findByTestId('runs-table', {}, { timeout: 10000 });
    expect(await within(table).findByText('Skipped')).toBeInTheDocument();
    expect(within(table).getByText(/outside the automation owner's data range/)).toBeInTheDocument();
  }, 60000);
});
