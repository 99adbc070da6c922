import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App as AntApp, ConfigProvider } from 'antd';
import { QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReactNode } from 'react';
import i18n from '../i18n';
import { makeQueryClient } from '../App';
import { AuthProvider, useAuth } from '../auth';
import { setAccessToken } from '../api/session';
import KbSuggestions from '../pages/kb/KbSuggestions';
import { searchTerms, splitMatches } from '../pages/kb/kbBits';
import { json, ME, mockApi } from './harness';

afterEach(() => vi.unstubAllGlobals());

const AGENT = { ...ME, permissions: ['kb:read', 'tickets:read', 'tickets:update'] };
const summary = (id: string, title: string, used: number) => ({
  id,
  category_id: null,
  title,
  tags: [],
  status: 'published',
  visibility: 'internal',
  revision: 1,
  published_at: '2026-11-01T00:00:00Z',
  view_count: 3,
  helpful_count: 1,
  not_helpful_count: 0,
  used_in_count: used,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
  version: 1,
  snippet: `${title} snippet`,
  rank: 0.5,
});

function SignedIn({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  return status === 'signed-in' ? <>{children}</> : null;
}

function renderSuggestions(ticketId: string) {
  setAccessToken(null);
  void i18n.changeLanguage('en');
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <ConfigProvider>
        <AntApp>
          <MemoryRouter>
            <AuthProvider>
              <SignedIn>
                <KbSuggestions ticketId={ticketId} />
              </SignedIn>
            </AuthProvider>
          </MemoryRouter>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>,
  );
}

describe('search highlighting', () => {
  it('splits text around the terms, any case, Chinese included', () => {
    expect(searchTerms(' Refund  退款，Refund ')).toEqual(['refund', '退款']);
    expect(splitMatches('How to REFUND: 申请退款', ['refund', '退款'])).toEqual([
      { text: 'How to ', match: false },
      { text: 'REFUND', match: true },
      { text: ': 申请', match: false },
      { text: '退款', match: true },
    ]);
    expect(splitMatches('a (b)', ['(b)'])).toEqual([
      { text: 'a ', match: false },
      { text: '(b)', match: true },
    ]);
    expect(splitMatches('plain', [])).toEqual([{ text: 'plain', match: false }]);
  });
});

describe('KbSuggestions', () => {
  it('lists the suggestions, linked first, and links and unlinks an article', async () => {
    const links = new Set<string>(['a2']);
    const writes: string[] = [];
    mockApi(async (url, request) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, AGENT);
      if (url.pathname === '/api/v1/tickets/t1/kb-suggestions')
        return json(200, {
          items: [
            { article: summary('a1', '如何申请退款', 4), linked: links.has('a1') },
            { article: summary('a2', 'Refund timing', 1), linked: links.has('a2') },
          ],
        });
      if (url.pathname === '/api/v1/tickets/t1/kb-links' && request.method === 'GET')
        return json(200, {
          items: [...links].map((id) => ({
            ticket_id: 't1',
            article_id: id,
            title: id === 'a1' ? '如何申请退款' : 'Refund timing',
            status: 'published',
            linked_by: null,
            linked_at: '2026-11-30T00:00:00Z',
          })),
        });
      if (url.pathname === '/api/v1/tickets/t1/kb-links' && request.method === 'POST') {
        const body = (await request.clone().json()) as { article_id: string };
        writes.push(`link ${body.article_id}`);
        links.add(body.article_id);
        return json(201, { ticket_id: 't1', article_id: body.article_id, title: '', status: 'published', linked_by: null, linked_at: '' });
      }
      if (url.pathname.startsWith('/api/v1/tickets/t1/kb-links/') && request.method === 'DELETE') {
        const id = url.pathname.split('/').pop() ?? '';
        writes.push(`unlink ${id}`);
        links.delete(id);
        return new Response(null, { status: 204 });
      }
      return json(404, {});
    });
    const user = userEvent.setup();
    renderSuggestions('t1');
    const first = await screen.findByTestId('kb-suggestion-a2', {}, { timeout: 10000 });
    const items = screen.getAllByTestId(/kb-suggestion-/);
    expect(items.map((i) => i.dataset.testid)).toEqual(['kb-suggestion-a2', 'kb-suggestion-a1']); // linked first
    expect(within(first).getByText('Linked')).toBeInTheDocument();
    expect(within(items[1]).getByText('Used in 4 tickets')).toBeInTheDocument();
    expect(within(items[1]).getByRole('link', { name: '如何申请退款' })).toHaveAttribute('href', '/kb/a1');

    await user.click(within(items[1]).getByRole('button', { name: /Link/ }));
    await waitFor(() => expect(writes).toEqual(['link a1']));
    await waitFor(() => expect(within(screen.getByTestId('kb-suggestion-a1')).getByText('Linked')).toBeInTheDocument());
    await user.click(within(screen.getByTestId('kb-suggestion-a2')).getByRole('button', { name: /Unlink/ }));
    await waitFor(() => expect(writes).toEqual(['link a1', 'unlink a2']));
  });

  it('offers no link button to a reader who may not change the ticket', async () => {
    mockApi((url) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, { ...AGENT, permissions: ['kb:read', 'tickets:read'] });
      if (url.pathname === '/api/v1/tickets/t2/kb-suggestions')
        return json(200, { items: [{ article: summary('a1', 'Printer jams', 0), linked: false }] });
      if (url.pathname === '/api/v1/tickets/t2/kb-links') return json(200, { items: [] });
      return json(404, {});
    });
    renderSuggestions('t2');
    const item = await screen.findByTestId('kb-suggestion-a1', {}, { timeout: 10000 });
    expect(within(item).queryByRole('button')).toBeNull();
  });
});
