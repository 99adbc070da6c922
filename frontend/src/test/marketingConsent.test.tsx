import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => vi.unstubAllGlobals());

const LINK = '/api/v1/public/unsubscribe/tok.signed.link';
const SIGNED_IN = (url: URL) =>
  url.pathname === '/api/v1/auth/refresh'
    ? json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null })
    : null;

describe('the unsubscribe page', () => {
  it('shows the masked address and campaign, then unsubscribes with one click', async () => {
    const posted: unknown[] = [];
    let unsubscribed = false;
    const calls = mockApi(async (url, request) => {
      if (url.pathname === '/api/v1/auth/refresh') return json(401, { status: 401 });
      if (url.pathname !== LINK) return json(404, { status: 404 });
      if (request.method === 'POST') {
        posted.push(await request.json());
        expect(request.headers.get('Authorization')).toBeNull();
        unsubscribed = true;
      }
      return json(200, { channel: 'email', masked_address: 'w***@example.cn', campaign_name: 'Spring expo', unsubscribed });
    });
    const user = userEvent.setup();
    render(renderApp('/unsubscribe/tok.signed.link'));
    expect(await screen.findByTestId('unsubscribe-address')).toHaveTextContent('w***@example.cn');
    expect(screen.getByText(/Spring expo/)).toBeInTheDocument();
    await user.click(screen.getByTestId('unsubscribe-confirm'));
    expect(await screen.findByText('You are unsubscribed')).toBeInTheDocument();
    expect(screen.getByText(/No more e-mail messages from us will reach w\*\*\*@example.cn/)).toBeInTheDocument();
    expect(posted).toEqual([{}]);
    expect(calls.filter((c) => c.startsWith('POST /api/v1/public/unsubscribe'))).toHaveLength(1);
  });

  it('says so when the address is already unsubscribed, and when the link is not valid', async () => {
    mockApi((url) =>
      url.pathname === LINK
        ? json(200, { channel: 'sms', masked_address: '138****8000', campaign_name: 'Expo', unsubscribed: true })
        : json(404, { status: 404, title: 'Not found', detail: 'no such unsubscribe link' }),
    );
    const first = render(renderApp('/unsubscribe/tok.signed.link'));
    expect(await screen.findByText('You are already unsubscribed')).toBeInTheDocument();
    expect(screen.queryByTestId('unsubscribe-confirm')).toBeNull();
    first.unmount();
    render(renderApp('/unsubscribe/forged'));
    expect(await screen.findByTestId('unsubscribe-missing')).toHaveTextContent('This unsubscribe link is not valid.');
  });
});

describe('consent and the suppression list', () => {
  it('records a contact consent from its page', async () => {
    const id = '00000000-0000-4000-8000-00000000c0a1';
    let put: unknown = null;
    mockApi(async (url, request) => {
      const signedIn = SIGNED_IN(url);
      if (signedIn) return signedIn;
      if (url.pathname === '/api/v1/auth/me') return json(200, { ...ME, permissions: ['contacts:read', 'contacts:update'] });
      if (url.pathname === `/api/v1/contacts/${id}`)
        return json(200, {
          id,
          name: 'Wang Fang',
          customer_id: null,
          emails: ['w@example.cn'],
          phones: [],
          tags: [],
          custom_fields: {},
          owner_id: null,
          version: 1,
        });
      if (url.pathname === `/api/v1/contacts/${id}/consents`) return json(200, { items: put ? [put] : [] });
      if (url.pathname === `/api/v1/contacts/${id}/consents/email` && request.method === 'PUT') {
        const body = (await request.json()) as Record<string, unknown>;
        put = {
          id: 'c1',
          contact_id: id,
          lead_id: null,
          channel: 'email',
          recorded_at: '2026-12-07T10:00:00Z',
          recorded_by: ME.user.id,
          ...body,
        };
        return json(200, put);
      }
      return json(200, { items: [], next_cursor: null });
    });
    const user = userEvent.setup();
    render(renderApp(`/contacts/${id}`));
    const email = await screen.findByTestId('consent-email');
    expect(within(email).getByText('Not recorded')).toBeInTheDocument();
    await user.click(within(email).getByRole('button', { name: 'Record consent' }));
    await user.type(await screen.findByLabelText('Proof (wording agreed to, page, note)'), 'Ticked the box at the expo');
    await user.click(screen.getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(within(screen.getByTestId('consent-email')).getByText('Granted')).toBeInTheDocument());
    expect(put).toMatchObject({ status: 'granted', source: 'manual', proof: 'Ticked the box at the expo' });
  });

  it('lists, filters and adds suppressed addresses', async () => {
    const queries: string[] = [];
    let added: unknown = null;
    mockApi(async (url, request) => {
      const signedIn = SIGNED_IN(url);
      if (signedIn) return signedIn;
      if (url.pathname === '/api/v1/auth/me') return json(200, { ...ME, permissions: ['campaigns:manage', 'campaigns:read'] });
      if (url.pathname === '/api/v1/suppressions' && request.method === 'POST') {
        added = await request.json();
        return json(201, {
          channel: 'email',
          address: 'li@example.cn',
          reason: 'manual',
          detail: null,
          delivery_id: null,
          created_at: '2026-12-07T10:00:00Z',
          created_by: null,
        });
      }
      if (url.pathname === '/api/v1/suppressions') {
        queries.push(url.search);
        return json(200, {
          items: [
            {
              channel: 'email',
              address: 'bounce@example.cn',
              reason: 'hard_bounce',
              detail: '550 no such user',
              delivery_id: null,
              created_at: '2026-12-07T10:00:00Z',
              created_by: null,
            },
          ],
          next_cursor: null,
        });
      }
      return json(404, { status: 404 });
    });
    const user = userEvent.setup();
    render(renderApp('/marketing/suppressions'));
    expect(await screen.findByText('bounce@example.cn')).toBeInTheDocument();
    expect(screen.getByText('Hard bounce')).toBeInTheDocument();
    expect(screen.getByRole('menuitem', { name: /Suppression list/ })).toBeInTheDocument();
    await user.type(screen.getByPlaceholderText('Search addresses'), 'bounce{Enter}');
    await waitFor(() => expect(queries.some((q) => q.includes('q=bounce'))).toBe(true));
    await user.click(screen.getByTestId('suppression-add'));
    await user.type(await screen.findByLabelText('Address'), ' Li@Example.cn ');
    await user.click(screen.getByRole('button', { name: 'OK' }));
    // The server normalizes the address (lower case, trimmed).
    await waitFor(() => expect(added).toEqual({ channel: 'email', address: ' Li@Example.cn ', detail: null }));
  });
});
