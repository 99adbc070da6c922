import { render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, ME, mockApi, renderApp } from './harness';

afterEach(() => vi.unstubAllGlobals());

const CAMPAIGN = {
  id: '00000000-0000-4000-8000-0000000000c1',
  name: '2026 客户答谢会',
  campaign_type: 'event',
  channel: 'offline',
  status: 'scheduled',
  parent_id: null,
  starts_on: '2026-12-28',
  ends_on: '2026-12-28',
  currency: 'CNY',
  budget: '180000.00',
  actual_cost: null,
  expected_revenue: null,
  description: null,
  tags: ['华东'],
  custom_fields: {},
  owner_id: ME.user.id,
  department_id: null,
  public_key: null,
  registration_open: true,
  registration_form: {},
  capacity: null,
  survey_id: null,
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  created_by: null,
  updated_by: null,
  version: 3,
};

function signedIn(permissions: string[]) {
  return mockApi((url) => {
    if (url.pathname === '/api/v1/auth/refresh')
      return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
    if (url.pathname === '/api/v1/auth/me') return json(200, { ...ME, permissions });
    if (url.pathname === `/api/v1/campaigns/${CAMPAIGN.id}`) return json(200, CAMPAIGN, { ETag: 'W/"3"' });
    if (url.pathname === '/api/v1/campaigns') return json(200, { items: [CAMPAIGN], next_cursor: null });
    return json(200, { items: [], next_cursor: null });
  });
}

describe('campaigns', () => {
  it('puts Campaigns in a Marketing group for those who read them', async () => {
    signedIn(['campaigns:read']);
    render(renderApp('/campaigns'));
    const nav = await screen.findByTestId('main-nav');
    expect(within(nav).getByText('Marketing')).toBeInTheDocument();
    expect(within(nav).getByText('Campaigns')).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: CAMPAIGN.name }, { timeout: 15000 })).toBeInTheDocument();
    // a seller reads, never creates
    expect(screen.queryByTestId('new-campaign')).toBeNull();
  }, 30000);

  it('offers a marketer only the lifecycle moves of the campaign, and an event its sessions', async () => {
    signedIn(['campaigns:read', 'campaigns:create', 'campaigns:update', 'contacts:read', 'leads:read']);
    render(renderApp(`/campaigns/${CAMPAIGN.id}`));
    expect(await screen.findByRole('heading', { name: CAMPAIGN.name }, { timeout: 15000 })).toBeInTheDocument();
    expect(screen.getByTestId('campaign-move-running')).toBeInTheDocument();
    expect(screen.queryByTestId('campaign-move-completed')).toBeNull();
    expect(screen.getByTestId('campaign-cancel')).toBeInTheDocument();
    const tabs = screen.getByTestId('campaign-tabs');
    for (const tab of ['Details', 'Sessions', 'Members', 'Funnel'])
      expect(within(tabs).getByRole('tab', { name: tab })).toBeInTheDocument();
    expect(within(screen.getByTestId('campaign-details')).getByText('Open')).toBeInTheDocument();
  }, 30000);

  it('shows a reader no write controls', async () => {
    signedIn(['campaigns:read']);
    render(renderApp(`/campaigns/${CAMPAIGN.id}`));
    expect(await screen.findByRole('heading', { name: CAMPAIGN.name }, { timeout: 15000 })).toBeInTheDocument();
    expect(screen.queryByTestId('campaign-edit')).toBeNull();
    expect(screen.queryByTestId('campaign-move-running')).toBeNull();
  }, 30000);
});
