import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => vi.unstubAllGlobals());

const REP = { ...ME, permissions: ['customers:read', 'customers:create', 'customers:update', 'custom_fields:read'] };
const FIELDS = {
  items: [
    {
      id: 'f1',
      entity: 'customer',
      key: 'annual_revenue',
      label: 'Annual revenue',
      type: 'number',
      required: false,
      options: [],
      position: 0,
      created_at: '',
      updated_at: '',
      version: 1,
    },
  ],
};
const CUSTOMER = {
  id: 'c-1',
  name: 'Acme',
  kind: 'company',
  customer_type: null,
  industry: 'Robots',
  level: 'B',
  status: 'active',
  source: null,
  region_id: null,
  address: null,
  phone: null,
  email: 'hello@acme.example',
  website: null,
  tags: [],
  owner_id: ME.user.id,
  department_id: null,
  custom_fields: { annual_revenue: 10 },
  description: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  created_by: null,
  updated_by: null,
  version: 7,
};

function api(write: (request: Request) => Response | Promise<Response>) {
  const seen: Request[] = [];
  mockApi(async (url, request) => {
    if (url.pathname === '/api/v1/auth/refresh')
      return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
    if (url.pathname === '/api/v1/auth/me') return json(200, REP);
    if (url.pathname === '/api/v1/custom-fields') return json(200, FIELDS);
    if (request.method === 'GET' && url.pathname === '/api/v1/customers/c-1') return json(200, CUSTOMER);
    if (request.method === 'GET') return json(200, { items: [], next_cursor: null });
    seen.push(request.clone());
    return write(request);
  });
  return seen;
}

describe('customer form', () => {
  it('puts a 422 on the field it names, custom fields included', async () => {
    api(() =>
      json(422, {
        status: 422,
        title: 'Invalid input',
        detail: 'x',
        errors: [
          { field: 'email', message: 'is not a valid email address' },
          { field: 'custom_fields.annual_revenue', message: 'must be a finite number' },
        ],
      }),
    );
    const user = userEvent.setup();
    render(renderApp('/customers/new'));
    await user.type(await screen.findByLabelText('Name'), 'Acme');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('is not a valid email address')).toBeInTheDocument();
    expect(screen.getByText('must be a finite number')).toBeInTheDocument();
  });

  it('offers to open the existing record on a 409 duplicate, with an Idempotency-Key', async () => {
    const seen = api(() => json(409, { status: 409, title: 'Conflict', detail: 'duplicate', existing_id: 'c-1' }));
    const user = userEvent.setup();
    render(renderApp('/customers/new'));
    await user.type(await screen.findByLabelText('Name'), 'Acme again');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    await user.click(await screen.findByTestId('open-existing'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/customers/c-1'));
    expect(seen[0].headers.get('Idempotency-Key')).toBeTruthy();
  });

  it('sends only the changed fields with If-Match, and a 412 offers to reload', async () => {
    const seen = api(() => json(412, { status: 412, title: 'Precondition Failed', detail: 'stale' }));
    const user = userEvent.setup();
    render(renderApp('/customers/c-1/edit'));
    const industry = await screen.findByLabelText('Industry');
    await waitFor(() => expect(industry).toHaveValue('Robots'));
    await user.clear(industry);
    await user.type(industry, 'Drones');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByTestId('conflict-message')).toBeInTheDocument();
    expect(seen[0].method).toBe('PATCH');
    expect(seen[0].headers.get('If-Match')).toBe('W/"7"');
    expect(await seen[0].json()).toEqual({ industry: 'Drones' });
  });
});
