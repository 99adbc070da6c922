import { render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, ME, mockApi, renderApp } from '../../test/harness';
import type { ChannelRow } from './campaignStatsBits';

vi.mock('../../components/Chart', () => ({
  Chart: (props: { option: unknown; 'data-testid'?: string }) => (
    <div data-testid={props['data-testid']} data-option={JSON.stringify(props.option)} />
  ),
}));

afterEach(() => vi.unstubAllGlobals());

const MARKETER = { ...ME, permissions: ['campaigns:read', 'leads:read', 'opportunities:read'] };

function row(key: string | null, leads: number, won: { currency: string; amount: string }[], roi: number | null): ChannelRow {
  return {
    key,
    campaigns: 1,
    members: { total: 3, by_status: {}, reached: {} },
    registrations: 0,
    waitlisted: 0,
    attended: 1,
    costs: [],
    leads: { first_touch: leads, last_touch: leads },
    converted_leads: { first_touch: 1, last_touch: 1 },
    deals: { first_touch: 2, last_touch: 2 },
    won_deals: { first_touch: won.length, last_touch: won.length },
    won: { first_touch: won, last_touch: won },
    cost_per_lead: null,
    roi: { first_touch: roi, last_touch: roi },
  };
}

describe('ChannelAnalysisPage', () => {
  it('is under Marketing and shows the figures per group from the URL', async () => {
    const asked: string[] = [];
    mockApi(async (url) => {
      if (url.pathname === '/api/v1/auth/refresh')
        return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
      if (url.pathname === '/api/v1/auth/me') return json(200, MARKETER);
      if (url.pathname === '/api/v1/campaigns/analysis/channels') {
        asked.push(url.search);
        return json(200, {
          group_by: 'campaign_type',
          from: '2026-11-01',
          to: null,
          items: [
            row(
              'event',
              4,
              [
                { currency: 'CNY', amount: '100.00' },
                { currency: 'USD', amount: '5.00' },
              ],
              null,
            ),
            row(null, 1, [], -1),
          ],
        });
      }
      return json(404, {});
    });
    render(renderApp('/marketing/channels?group_by=campaign_type&from=2026-11-01'));
    const table = await screen.findByTestId('channels-table', {}, { timeout: 10000 });
    expect(asked).toEqual(['?group_by=campaign_type&from=2026-11-01']);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(within(rows[0]).getByText('Event')).toBeInTheDocument();
    expect(rows[0]).toHaveTextContent('CN¥100.00 · $5.00');
    expect(within(rows[1]).getByText('(none)')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('-100%');
    const option = JSON.parse(screen.getByTestId('channels-chart').dataset.option ?? '{}');
    expect(option.series[0].data).toEqual([4, 1]);
    expect(screen.getByRole('menuitem', { name: /Channel analysis/ })).toBeInTheDocument();
  });
});
