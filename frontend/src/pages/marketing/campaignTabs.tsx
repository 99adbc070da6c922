// The campaign page's tabs beyond its own (details, sessions, members, funnel). Another panel of
// the campaign (ROI and statistics, sends with their progress, registration settings) adds one
// line here; the page shows it after its own tabs, to those `visible` lets see it.
import type { ReactNode } from 'react';
import type { Me } from '../../permissions';
import type { Campaign } from './campaignLogic';

export interface CampaignTab {
  key: string;
  /** An i18n key (add it to en.ts and zh-CN.ts). */
  label: string;
  render: (campaign: Campaign) => ReactNode;
  visible?: (me: Me | null | undefined, campaign: Campaign) => boolean;
}

export const EXTRA_CAMPAIGN_TABS: CampaignTab[] = [
  // { key: 'stats', label: 'campaigns.tabs.stats', render: (c) => <CampaignStats campaign={c} /> },
  // { key: 'sends', label: 'campaigns.tabs.sends', render: (c) => <CampaignSends campaign={c} /> },
  // { key: 'registration', label: 'campaigns.tabs.registration', render: (c) => <RegistrationSettings campaign={c} /> },
];
