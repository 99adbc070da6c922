import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => vi.unstubAllGlobals());

const MARKETER = { ...ME, permissions: ['segments:read', 'segments:create', 'segments:update', 'contacts:read', 'leads:read'] };
const FIELDS = [
  { name: 'customer.level', kind: 'text', label: 'Customer level', operators: ['eq', 'neq', 'in', 'is_null'], choices: [] },
  { name: 'tags', kind: 'tags', label: 'Tags', operators: ['has_any', 'has_all', 'has_none', 'is_null'], choices: [] },
  {
    name: 'last_activity_at',
    kind: 'datetime',
    label: 'Last activity',
    operators: ['within_last_days', 'more_than_days_ago', 'is_null'],
    choices: [],
  },
];

describe('segment builder', () => {
  it('counts live as conditions are built, and saves the tree', async () => {
    const previews: unknown[] = [];
    const saved: unknown[] = [];
    mockApi(async (url, request) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, MARKETER);
      if (url.pathname === '/api/v1/segments/fields') return json(200, { items: FIELDS });
      if (url.pathname === '/api/v1/segments/preview') {
        const body = (await request.clone().json()) as { conditions: { conditions: unknown[] } };
        previews.push(body);
        const n = body.conditions.conditions.length;
        return json(200, {
          count: n ? 42 : 1000,
          sample: [{ id: 'c1', kind: 'contact', name: '张伟', email: 'zw@example.com', phone: null, company: 'Acme' }],
        });
      }
      if (url.pathname === '/api/v1/segments' && request.method === 'POST') {
        saved.push(await request.clone().json());
        return json(201, { id: 's1' });
      }
      if (url.pathname === '/api/v1/segments') return json(200, { items: [] });
      return json(404, {});
    });
    const user = userEvent.setup();
    render(renderApp('/segments/new'));
    const count = await screen.findByTestId('segment-count', {}, { timeout: 10000 });
    await waitFor(() => expect(count).toHaveTextContent('1,000'));

    // A first condition: the first declared field (customer level), "is", a value.
    const root = screen.getAllByTestId(/^group-/)[0];
    await user.click(within(root).getByRole('button', { name: /Add condition/ }));
    const value = await screen.findByTestId(/^value-n/);
    await user.type(value, 'A');
    await waitFor(() => expect(screen.getByTestId('segment-count')).toHaveTextContent('42'), { timeout: 5000 });
    expect(previews.at(-1)).toEqual({
      audience: 'contacts',
      conditions: { op: 'and', conditions: [{ field: 'customer.level', op: 'eq', value: 'A' }] },
    });
    // Typing is debounced: no preview per keystroke of an unfinished value.
    expect(previews.length).toBeLessThanOrEqual(3);
    expect(screen.getByTestId('segment-sample')).toHaveTextContent('张伟');

    await user.type(screen.getByTestId('segment-name'), 'Level A');
    await user.click(screen.getByTestId('save-segment'));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toEqual({
      name: 'Level A',
      description: null,
      audience: 'contacts',
      conditions: { op: 'and', conditions: [{ field: 'customer.level', op: 'eq', value: 'A' }] },
    });
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/segments'));
  });

  it('is not in the menu without segments:read', async () => {
    mockApi((url) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, { ...ME, permissions: ['contacts:read'] });
      return json(200, { items: [], next_cursor: null });
    });
    render(renderApp('/'));
    const nav = await screen.findByTestId('main-nav', {}, { timeout: 10000 });
    expect(within(nav).queryByText('Segments')).toBeNull();
  });
});
