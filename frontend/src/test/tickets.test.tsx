import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => vi.unstubAllGlobals());

const AGENT = {
  ...ME,
  user: { ...ME.user, department_id: 'dep-service' },
  permissions: ['tickets:read', 'tickets:create', 'tickets:update', 'users:read'],
};
const clock = (due: string | null, completed: string | null = null, breached = false, remaining: number | null = null) => ({
  due_at: due,
  completed_at: completed,
  remaining_minutes: remaining,
  breached,
});
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const inMin = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

function ticket(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    number: `T00000${id}`,
    kind: 'complaint',
    channel: 'email',
    priority: 'high',
    status: 'open',
    category_id: null,
    customer_id: null,
    contact_id: null,
    opportunity_id: null,
    order_id: null,
    subject: `Subject ${id}`,
    description: 'It broke',
    solution: null,
    tags: [],
    custom_fields: {},
    owner_id: ME.user.id,
    department_id: 'dep-service',
    sla_policy_id: 'p1',
    first_response_due_at: ago(60),
    first_responded_at: ago(90),
    resolution_due_at: inMin(60),
    first_response_warn_at: ago(70),
    resolution_warn_at: inMin(30),
    resolved_at: null,
    closed_at: null,
    sla_paused_at: null,
    sla_paused_seconds: 0,
    reopen_count: 0,
    escalation_level: 0,
    lead_id: null,
    created_at: ago(600),
    updated_at: ago(5),
    created_by: null,
    updated_by: null,
    version: 4,
    sla: { policy_id: 'p1', paused: false, first_response: clock(ago(60), ago(90)), resolution: clock(inMin(60), null, false, 60) },
    ...over,
  };
}

describe('ticket inbox', () => {
  it('asks the API for the view in the URL and shows each SLA clock in its state', async () => {
    const lists: URLSearchParams[] = [];
    const breached = ticket('1', { resolution_due_at: ago(5), sla: { ...ticket('1').sla, resolution: clock(ago(5), null, true, -5) } });
    const warning = ticket('2', { resolution_warn_at: ago(1) });
    const paused = ticket('3', {
      status: 'pending',
      sla_paused_at: ago(10),
      sla: { ...ticket('3').sla, paused: true, resolution: clock(ago(10), null, false, 45) },
    });
    mockApi((url) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, AGENT);
      if (url.pathname === '/api/v1/tickets') {
        lists.push(url.searchParams);
        return json(200, { items: [breached, warning, paused], next_cursor: null });
      }
      return json(200, { items: [], next_cursor: null });
    });
    const user = userEvent.setup();
    render(renderApp('/tickets?view=mine'));
    const table = await screen.findByTestId('tickets-table', {}, { timeout: 30000 });
    await within(table).findByText('T000001');
    expect(lists.at(-1)!.get('owner')).toBe('me');
    const states = within(table)
      .getAllByTestId('sla-countdown')
      .map((tag) => tag.getAttribute('data-state'));
    expect(states).toEqual(['breached', 'warning', 'paused']);
    expect(within(table).getAllByTestId('sla-countdown')[0]).toHaveTextContent(/overdue/);

    // "my team" replaces "mine": the caller's department
    await user.click(screen.getByTestId('view-team'));
    await waitFor(() => expect(lists.at(-1)!.get('team')).toBe('dep-service'));
    expect(lists.at(-1)!.get('owner')).toBeNull();
    expect(screen.getByTestId('location')).toHaveTextContent('view=team');
  }, 60000);
});

describe('ticket detail', () => {
  it('offers the allowed moves only, keeps notes apart from replies, and resolves with a solution', async () => {
    const writes: { method: string; path: string; body: unknown; ifMatch: string | null }[] = [];
    const t = ticket('7', {
      status: 'new',
      first_responded_at: null,
      first_response_warn_at: inMin(10),
      sla: { ...ticket('7').sla, first_response: clock(inMin(20)) },
    });
    mockApi(async (url, request) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, AGENT);
      if (url.pathname === '/api/v1/tickets/7' && request.method === 'GET') return json(200, t);
      if (url.pathname === '/api/v1/tickets/7/comments' && request.method === 'GET')
        return json(200, {
          items: [
            {
              id: 'c1',
              ticket_id: '7',
              visibility: 'internal',
              body: 'Check the logs',
              attachments: [],
              author_id: ME.user.id,
              created_at: ago(20),
              updated_at: ago(20),
              version: 1,
            },
            {
              id: 'c2',
              ticket_id: '7',
              visibility: 'public',
              body: 'We are on it',
              attachments: [],
              author_id: ME.user.id,
              created_at: ago(10),
              updated_at: ago(10),
              version: 1,
            },
          ],
        });
      if (request.method === 'GET') return json(200, { items: [], next_cursor: null });
      writes.push({
        method: request.method,
        path: url.pathname,
        body: await request.clone().json(),
        ifMatch: request.headers.get('If-Match'),
      });
      return json(200, { ...t, status: 'resolved', solution: 'Restarted', version: 5 });
    });
    const user = userEvent.setup();
    render(renderApp('/tickets/7'));
    await screen.findByRole('heading', { name: /T000007 · Subject 7/ }, { timeout: 30000 });
    const actions = screen.getByTestId('ticket-actions');
    // new -> open | pending | resolved: no "close" and no "reopen"
    expect(within(actions).getByTestId('move-open')).toBeInTheDocument();
    expect(within(actions).getByTestId('move-pending')).toBeInTheDocument();
    expect(within(actions).queryByTestId('move-closed')).toBeNull();
    expect((await screen.findByTestId('internal-note')).textContent).toContain('Check the logs');
    expect(screen.getByTestId('public-reply').textContent).toContain('We are on it');
    expect(within(screen.getByTestId('sla-panel')).getAllByTestId('sla-countdown')[0]).toHaveAttribute('data-state', 'ok');
    // the knowledge base's suggestions for the ticket
    expect(await screen.findByTestId('kb-suggestions', {}, { timeout: 20000 })).toBeInTheDocument();

    await user.click(within(actions).getByTestId('resolve'));
    const dialog = await screen.findByRole('dialog');
    const ok = within(dialog).getByTestId('resolve-ok');
    expect(ok).toBeDisabled(); // no solution, no resolve
    await user.type(within(dialog).getByTestId('solution'), 'Restarted');
    await user.click(ok);
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]).toEqual({
      method: 'PATCH',
      path: '/api/v1/tickets/7',
      body: { status: 'resolved', solution: 'Restarted' },
      ifMatch: 'W/"4"',
    });
  }, 60000);
});
