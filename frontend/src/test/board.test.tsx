import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../i18n';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => vi.unstubAllGlobals());

const REP = { ...ME, permissions: ['opportunities:read', 'opportunities:update', 'pipelines:read'] };
const stage = (id: string, name: string, probability: number, position: number) => ({
  id,
  pipeline_id: 'p1',
  name,
  position,
  probability,
  kind: 'open',
  required_fields: [],
  rotting_days: null,
});
const PIPELINE = {
  id: 'p1',
  name: 'New business',
  position: 10,
  currency: 'CNY',
  stages: [stage('s1', 'Qualify', 10, 10), stage('s2', 'Proposal', 50, 20)],
  created_at: '',
  updated_at: '',
  version: 1,
};
const DEAL = {
  id: 'd1',
  name: 'Deal A',
  customer_id: 'c1',
  primary_contact_id: null,
  amount: '1000.00',
  currency: 'CNY',
  expected_close_date: null,
  pipeline_id: 'p1',
  stage_id: 's1',
  probability: 10,
  forecast_category: 'pipeline',
  source_lead_id: null,
  campaign_id: null,
  last_campaign_id: null,
  competitors: [],
  next_step: null,
  lost_reason: null,
  tags: [],
  owner_id: ME.user.id,
  department_id: null,
  custom_fields: {},
  description: null,
  stage_entered_at: '2026-11-01T00:00:00Z',
  closed_at: null,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
  created_by: null,
  updated_by: null,
  version: 3,
};
const BOARD = {
  pipeline_id: 'p1',
  columns: [
    {
      stage_id: 's1',
      name: 'Qualify',
      kind: 'open',
      probability: 10,
      count: 1,
      amount: '1000.00',
      weighted_amount: '100.00',
      cards: [DEAL],
    },
    { stage_id: 's2', name: 'Proposal', kind: 'open', probability: 50, count: 0, amount: '0.00', weighted_amount: '0.00', cards: [] },
  ],
};

describe('pipeline board', () => {
  it('moves a card at once, puts it back when the API refuses, and asks for the field a 422 names', async () => {
    const writes: { method: string; path: string; body: unknown; headers: Headers }[] = [];
    let answerStage: (r: Response) => void = () => {};
    let stageCalls = 0;
    mockApi(async (url, request) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, REP);
      if (url.pathname === '/api/v1/pipelines') return json(200, { items: [PIPELINE] });
      if (url.pathname === '/api/v1/pipelines/p1/board') return json(200, BOARD);
      if (request.method === 'GET') return json(200, { items: [], next_cursor: null });
      writes.push({ method: request.method, path: url.pathname, body: await request.clone().json(), headers: request.headers });
      if (url.pathname === '/api/v1/opportunities/d1/stage') {
        stageCalls++;
        if (stageCalls === 1) return new Promise<Response>((resolve) => (answerStage = resolve));
        if (stageCalls === 2)
          return json(422, {
            status: 422,
            title: 'Invalid input',
            detail: 'x',
            errors: [{ field: 'next_step', message: "is required to enter the stage 'Proposal'" }],
          });
        return json(200, { ...DEAL, stage_id: 's2', version: 5 });
      }
      if (url.pathname === '/api/v1/opportunities/d1') return json(200, { ...DEAL, next_step: 'Demo', version: 4 });
      return json(404, {});
    });
    const user = userEvent.setup();
    render(renderApp('/pipelines'));
    const qualify = await screen.findByTestId('column-s1', {}, { timeout: 10000 });
    const proposal = screen.getByTestId('column-s2');
    expect(within(qualify).getByText('Deal A')).toBeInTheDocument();

    // 1. optimistic: the card is in Proposal before the API answers; a 500 puts it back
    await user.click(screen.getByRole('button', { name: 'Move Deal A to another stage' }));
    await user.click(await screen.findByText('Proposal', { selector: '.ant-dropdown-menu-title-content' }));
    await waitFor(() => expect(within(proposal).getByText('Deal A')).toBeInTheDocument());
    expect(within(proposal).getByTestId('column-count')).toHaveTextContent('1 deals');
    expect(within(qualify).getByTestId('column-count')).toHaveTextContent('0 deals');
    answerStage(json(500, { status: 500, title: 'Server error', detail: 'boom' }));
    await waitFor(() => expect(within(qualify).getByText('Deal A')).toBeInTheDocument());
    expect(within(proposal).queryByText('Deal A')).toBeNull();
    expect(within(qualify).getByTestId('column-count')).toHaveTextContent('1 deals');
    expect(await screen.findByText(/Could not move the deal/)).toBeInTheDocument();

    // 2. the API names a field the stage needs: the prompt asks for exactly that one
    await user.click(screen.getByRole('button', { name: 'Move Deal A to another stage' }));
    await user.click(await screen.findByText('Proposal', { selector: '.ant-dropdown-menu-title-content' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Needed for Proposal')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Next step'), 'Demo');
    await user.click(within(dialog).getByRole('button', { name: 'Save and move' }));
    await waitFor(() => expect(stageCalls).toBe(3));
    const patch = writes.find((w) => w.method === 'PATCH')!;
    expect(patch.body).toEqual({ next_step: 'Demo' });
    expect(patch.headers.get('If-Match')).toBe('W/"3"');
    expect(writes.at(-1)!.body).toEqual({ stage_id: 's2' });
  }, 120000);
});
