import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App as AntApp, ConfigProvider } from 'antd';
import { QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReactNode } from 'react';
import i18n from '../../i18n';
import { makeQueryClient } from '../../App';
import { AuthProvider, useAuth } from '../../auth';
import { setAccessToken } from '../../api/session';
import { json, ME, mockApi } from '../../test/harness';
import { CampaignStatsPanel } from './CampaignStatsPanel';
import { funnelSteps, moneyList, roiText, type CampaignStats } from './campaignStatsBits';

// The chart itself needs a canvas: the test reads the option the panel gives it.
vi.mock('../../components/Chart', () => ({
  Chart: (props: { option: unknown; 'data-testid'?: string }) => (
    <div data-testid={props['data-testid']} data-option={JSON.stringify(props.option)} />
  ),
}));

afterEach(() => vi.unstubAllGlobals());

const MARKETER = { ...ME, permissions: ['campaigns:read', 'leads:read', 'opportunities:read'] };
const zeroStatuses = Object.fromEntries(
  ['targeted', 'sent', 'opened', 'clicked', 'registered', 'attended', 'responded', 'converted', 'bounced', 'unsubscribed'].map((s) => [
    s,
    0,
  ]),
);

function stats(overrides: Partial<CampaignStats> = {}): CampaignStats {
  return {
    campaign_id: 'c1',
    include_children: false,
    campaigns: 1,
    members: {
      total: 10,
      by_status: { ...zeroStatuses, attended: 4, converted: 1, bounced: 1 },
      reached: { targeted: 10, sent: 9, opened: 7, clicked: 6, registered: 5, attended: 5, responded: 1, converted: 1 },
    },
    registrations: 5,
    waitlisted: 2,
    attended: 5,
    costs: [{ currency: 'CNY', budget: '5000.00', actual_cost: '1000.00' }],
    leads: { first_touch: 4, last_touch: 6 },
    converted_leads: { first_touch: 2, last_touch: 2 },
    deals: { first_touch: 3, last_touch: 3 },
    won_deals: { first_touch: 1, last_touch: 1 },
    won: { first_touch: [{ currency: 'CNY', amount: '2500.00' }], last_touch: [{ currency: 'CNY', amount: '2500.00' }] },
    cost_per_lead: { currency: 'CNY', amount: '250.00' },
    roi: { first_touch: 1.5, last_touch: 1.5 },
    survey: { survey_id: 's1', invited: 5, responses: 3, score_question_id: 'sat', score_scale: 'rating', average_score: 4.33 },
    ...overrides,
  };
}

function SignedIn({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  return status === 'signed-in' ? <>{children}</> : null;
}

function renderPanel() {
  setAccessToken(null);
  void i18n.changeLanguage('en');
  return render(
    <QueryClientProvider client={makeQueryClient()}>
      <ConfigProvider>
        <AntApp>
          <MemoryRouter>
            <AuthProvider>
              <SignedIn>
                <CampaignStatsPanel campaignId="c1" />
              </SignedIn>
            </AuthProvider>
          </MemoryRouter>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>,
  );
}

function serve(answer: (url: URL) => CampaignStats, me: typeof MARKETER = MARKETER, posted: unknown[] = []) {
  return mockApi(async (url, request) => {
    if (url.pathname === '/api/v1/auth/refresh')
      return json(200, { access_token: 't', token_type: 'bearer', expires_in: 900, refresh_token: null });
    if (url.pathname === '/api/v1/auth/me') return json(200, me);
    if (url.pathname === '/api/v1/campaigns/c1/stats') return json(200, answer(url));
    if (url.pathname === '/api/v1/surveys') return json(200, { items: [{ id: 's1', name: 'Event survey', active: true }] });
    if (url.pathname === '/api/v1/campaigns/c1/survey' && request.method === 'POST') {
      posted.push(await request.clone().json());
      return json(200, { campaign_id: 'c1', survey_id: 's1', attendees: 5, invited: 3, already_invited: 1, skipped_leads: 1,
                         skipped_out_of_range: 0 }); // prettier-ignore
    }
    return json(404, {});
  });
}

describe('campaign stats bits', () => {
  it('orders the funnel, keeps currencies apart and shows ROI as a percentage', () => {
    expect(funnelSteps(stats()).map((s) => `${s.step}:${s.count}`)).toEqual([
      'targeted:10', 'sent:9', 'opened:7', 'clicked:6', 'registered:5', 'attended:5', 'responded:1', 'converted:1',
    ]); // prettier-ignore
    expect(
      moneyList([
        { currency: 'CNY', amount: '1200' },
        { currency: 'USD', amount: '30.5' },
      ]),
    ).toBe('CN¥1,200.00 · $30.50');
    expect(moneyList([])).toBe('—');
    expect(roiText(1.5)).toBe('150%');
    expect(roiText(-0.3333)).toBe('-33.3%');
    expect(roiText(null)).toBe('—');
  });
});

describe('CampaignStatsPanel', () => {
  it('shows the KPIs and the funnel, and rolls up children on request', async () => {
    const calls = serve((url) =>
      url.searchParams.get('include_children') === 'true'
        ? stats({ campaigns: 2, leads: { first_touch: 9, last_touch: 9 }, roi: { first_touch: null, last_touch: null } })
        : stats(),
    );
    renderPanel();
    expect(await screen.findByTestId('campaign-stats', {}, { timeout: 10000 })).toBeInTheDocument();
    expect(screen.getByTestId('kpi-leads')).toHaveTextContent('4');
    expect(screen.getByText('Last touch: 6')).toBeInTheDocument();
    expect(screen.getByTestId('kpi-converted')).toHaveTextContent('2');
    expect(screen.getByTestId('kpi-deals')).toHaveTextContent('3');
    expect(screen.getByTestId('kpi-won')).toHaveTextContent('CN¥2,500.00');
    expect(screen.getByTestId('kpi-cpl')).toHaveTextContent('CN¥250.00');
    expect(screen.getByTestId('kpi-roi')).toHaveTextContent('150%');
    expect(screen.getByTestId('survey-score')).toHaveTextContent('4.33');
    const option = JSON.parse(screen.getByTestId('funnel-chart').dataset.option ?? '{}');
    expect(option.series[0].data).toEqual([10, 9, 7, 6, 5, 5, 1, 1]);
    expect(option.yAxis.data[0]).toBe('Targeted');

    await userEvent.setup().click(screen.getByRole('switch', { name: 'Include child campaigns' }));
    await waitFor(() => expect(screen.getByTestId('kpi-leads')).toHaveTextContent('9'));
    expect(screen.getByTestId('kpi-roi')).toHaveTextContent('—');
    expect(screen.getByText('Needs a cost, and won deals in its currency')).toBeInTheDocument();
    expect(calls.filter((c) => c.startsWith('GET /api/v1/campaigns/c1/stats'))).toHaveLength(2);
  });

  it('hides lead and deal figures the reader may not see', async () => {
    serve(() => stats({ leads: null, converted_leads: null, deals: null, won_deals: null, won: null, roi: null, cost_per_lead: null }));
    renderPanel();
    expect(await screen.findByTestId('campaign-stats', {}, { timeout: 10000 })).toBeInTheDocument();
    expect(screen.getByTestId('kpi-leads')).toHaveTextContent('—');
    expect(screen.getByTestId('kpi-won')).toHaveTextContent('—');
    expect(screen.getByTestId('kpi-roi')).toHaveTextContent('—');
  });
});

describe('sending the event survey', () => {
  it('needs campaigns:update and surveys:read, and reports whom it reached', async () => {
    const posted: unknown[] = [];
    serve(() => stats(), { ...MARKETER, permissions: [...MARKETER.permissions, 'campaigns:update', 'surveys:read'] }, posted);
    renderPanel();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('send-survey', {}, { timeout: 10000 }));
    await user.click(await screen.findByRole('button', { name: 'Send' }));
    expect(await screen.findByTestId('survey-sent')).toHaveTextContent('3 invited now, 1 invited before, 1 leads skipped');
    expect(posted).toEqual([{ survey_id: 's1' }]);
  });

  it('is not offered to a reader', async () => {
    serve(() => stats());
    renderPanel();
    expect(await screen.findByTestId('campaign-stats', {}, { timeout: 10000 })).toBeInTheDocument();
    expect(screen.queryByTestId('send-survey')).toBeNull();
  });
});
