// The campaign page's tabs beyond its own (details, sessions, members, funnel). Another panel of
// the campaign (ROI and statistics, sends with their progress, registration settings) adds one
// line here; the page shows it after its own tabs, to those `visible` lets see it.
import type { ReactNode } from 'react';
import { can, type Me } from '../../permissions';
import { CampaignRegistrationPanel } from './CampaignRegistrationPanel';
import CampaignSendsPanel from './CampaignSendsPanel';
import { CampaignStatsPanel } from './CampaignStatsPanel';
import type { Campaign } from './campaignLogic';

export interface CampaignTab {
  key: string;
  /** An i18n key (add it to en.ts and zh-CN.ts). */
  label: string;
  render: (campaign: Campaign) => ReactNode;
  visible?: (me: Me | null | undefined, campaign: Campaign) => boolean;
}

// Events, webinars and trade shows take registrations.
const REGISTERING = new Set(['event', 'webinar', 'trade_show']);

export const EXTRA_CAMPAIGN_TABS: CampaignTab[] = [
  { key: 'stats', label: 'campaigns.tabs.stats', render: (c) => <CampaignStatsPanel campaignId={c.id} /> },
  {
    key: 'sends',
    label: 'campaigns.tabs.sends',
    render: (c) => <CampaignSendsPanel campaignId={c.id} />,
    visible: (me) => can(me, 'campaigns:update'),
  },
  {
    key: 'registration',
    label: 'campaigns.tabs.registration',
    render: (c) => <CampaignRegistrationPanel campaignId={c.id} />,
    visible: (me, c) => REGISTERING.has(c.campaign_type) && can(me, 'campaigns:update'),
  },
];
