import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => {
  vi.unstubAllGlobals();
});

const anonymous = (url: URL) =>
  url.pathname === '/api/v1/auth/refresh' ? json(401, { status: 401, title: 'Unauthorized', detail: 'no' }) : null;

async function signIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText('Email'), 'someone@demo.example.com');
  await user.type(screen.getByLabelText('Password'), 'whatever-password');
  await user.click(screen.getByRole('button', { name: /sign in/i }));
}

describe('login page', () => {
  it('shows a wrong password', async () => {
    mockApi(
      (url) =>
        anonymous(url) ?? json(401, { type: 'about:blank', status: 401, title: 'Unauthorized', detail: 'invalid email or password' }),
    );
    const user = userEvent.setup();
    render(renderApp('/'));
    await signIn(user);
    expect(await screen.findByText('Wrong email or password.')).toBeInTheDocument();
  });

  it('says when a throttled login may retry', async () => {
    mockApi(
      (url) =>
        anonymous(url) ?? json(429, { status: 429, title: 'Too Many Requests', detail: 'later', retry_after: 42 }, { 'Retry-After': '42' }),
    );
    const user = userEvent.setup();
    render(renderApp('/'));
    await signIn(user);
    expect(await screen.findByText(/Try again in (42|41) seconds/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /sign in/i })).toBeDisabled();
  });

  it('tells a deactivated account so', async () => {
    mockApi(
      (url) =>
        anonymous(url) ??
        json(403, { type: 'https://crm/problems/account-deactivated', status: 403, title: 'Forbidden', detail: 'deactivated' }),
    );
    const user = userEvent.setup();
    render(renderApp('/'));
    await signIn(user);
    expect(await screen.findByText(/has been deactivated/)).toBeInTheDocument();
  });

  it('returns to the deep link after signing in, with the browser flag set', async () => {
    let loginBody: unknown = null;
    mockApi(async (url, request) => {
      if (url.pathname === '/api/v1/auth/refresh') return json(401, { status: 401 });
      if (url.pathname === '/api/v1/auth/login') {
        loginBody = await request.json();
        return json(200, { access_token: 't1', token_type: 'bearer', expires_in: 900, refresh_token: null });
      }
      if (url.pathname === '/api/v1/auth/me') return json(200, ME);
      if (url.pathname === '/api/v1/users') return json(200, { items: [], next_cursor: null });
      if (url.pathname === '/api/v1/departments' || url.pathname === '/api/v1/roles') return json(200, { items: [], next_cursor: null });
      return json(404, { status: 404, title: 'Not found', detail: 'x' });
    });
    const user = userEvent.setup();
    render(renderApp('/admin/users?x=1'));
    await signIn(user);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/admin/users?x=1'));
    expect(loginBody).toMatchObject({ browser: true });
  });
});

describe('shell', () => {
  const signedIn = (me = ME) =>
    mockApi((url) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, me);
      return json(200, { items: [], next_cursor: null });
    });

  it('builds the navigation from the permissions', async () => {
    signedIn();
    render(renderApp('/'));
    const nav = await screen.findByTestId('main-nav');
    expect(within(nav).getByText('Users')).toBeInTheDocument();
    expect(within(nav).getByText('Roles')).toBeInTheDocument();
    expect(within(nav).queryByText('Customers')).toBeNull();
    expect(within(nav).queryByText('Contacts')).toBeNull();
    expect(within(nav).queryByText('Audit log')).toBeNull();
  });

  it('shows "no access" for a deep link to a forbidden module', async () => {
    signedIn();
    render(renderApp('/customers/123'));
    expect(await screen.findByText('No access')).toBeInTheDocument();
  });

  it('a rep sees customers and contacts, no admin', async () => {
    signedIn({ ...ME, permissions: ['customers:read', 'contacts:read', 'users:read', 'api_tokens:read'] });
    render(renderApp('/'));
    const nav = await screen.findByTestId('main-nav');
    expect(within(nav).getByText('Customers')).toBeInTheDocument();
    expect(within(nav).getByText('Contacts')).toBeInTheDocument();
    expect(within(nav).queryByText('Administration')).toBeNull();
  });

  it('goes to the login page when the session cannot be refreshed', async () => {
    mockApi((url) => (url.pathname === '/api/v1/auth/refresh' ? json(401, { status: 401 }) : json(200, {})));
    render(renderApp('/customers'));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('a session that ends mid-way goes to the login page, which says so and returns afterwards', async () => {
    let refreshes = 0;
    let signedInAgain = false;
    mockApi((url) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return ++refreshes === 1
          ? json(200, { access_token: 't1', token_type: 'bearer', expires_in: 900, refresh_token: null })
          : json(401, { status: 401 });
      if (url.pathname === '/api/v1/auth/login') {
        signedInAgain = true;
        return json(200, { access_token: 't2', token_type: 'bearer', expires_in: 900, refresh_token: null });
      }
      if (url.pathname === '/api/v1/auth/me') return json(200, ME);
      // the access token stops working (revoked elsewhere) until the user signs in again
      return signedInAgain
        ? json(200, { items: [], next_cursor: null })
        : json(401, { status: 401, title: 'Unauthorized', detail: 'expired' });
    });
    const user = userEvent.setup();
    render(renderApp('/admin/users'));
    expect(await screen.findByText('Your session has ended. Please sign in again.', {}, { timeout: 20000 })).toBeInTheDocument();
    await signIn(user);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/admin/users'));
    expect(await screen.findByRole('heading', { name: 'Users' }, { timeout: 20000 })).toBeInTheDocument();
  });
});
