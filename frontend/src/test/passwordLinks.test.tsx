import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { json, mockApi, renderApp } from './harness';

afterEach(() => {
  vi.unstubAllGlobals();
});

const LINK = '/api/v1/auth/password-links/crm_pwl_secret';

describe('the pages of the mailed links', () => {
  it('lets an invited user choose a password, then sends them to sign in', async () => {
    let sent: unknown = null;
    const calls = mockApi(async (url, request) => {
      if (url.pathname === '/api/v1/auth/refresh') return json(401, { status: 401 });
      if (url.pathname === LINK && request.method === 'GET')
        return json(200, { purpose: 'invitation', email: 'li.na@demo.example.com', name: 'Li Na', expires_at: '2026-12-10T00:00:00Z' });
      if (url.pathname === LINK && request.method === 'POST') {
        sent = await request.json();
        return new Response(null, { status: 204 });
      }
      return json(404, { status: 404 });
    });
    const user = userEvent.setup();
    render(renderApp('/invite/crm_pwl_secret'));
    expect(await screen.findByRole('heading', { name: 'Welcome, Li Na' })).toBeInTheDocument();
    await user.type(screen.getByLabelText('Password'), 'my own passphrase 1');
    await user.type(screen.getByLabelText('Repeat the new password'), 'my own passphrase 2');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText('The passwords differ')).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Repeat the new password'));
    await user.type(screen.getByLabelText('Repeat the new password'), 'my own passphrase 1');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText('Your password is set. Sign in with it.')).toBeInTheDocument();
    expect(sent).toEqual({ password: 'my own passphrase 1' });
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
    // a public page: no bearer token, no session refresh needed
    expect(calls.filter((c) => c.startsWith('POST /api/v1/auth/password-links'))).toHaveLength(1);
  });

  it('says when a reset link is spent', async () => {
    mockApi((url) => (url.pathname === LINK ? json(410, { status: 410, title: 'Gone', detail: 'used' }) : json(401, { status: 401 })));
    render(renderApp('/reset-password/crm_pwl_secret'));
    await waitFor(() => expect(screen.getByTestId('password-link-gone')).toBeInTheDocument());
    expect(screen.getByText(/expired, was used already/)).toBeInTheDocument();
  });
});
