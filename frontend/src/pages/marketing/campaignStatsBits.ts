// Campaign figures as the panels show them: the funnel's steps, money per currency, ROI as a
// percentage. No I/O: the pages fetch, these shape.
import type { components } from '../../api/schema';

export type CampaignStats = components['schemas']['CampaignStatsOut'];
export type ChannelAnalysis = components['schemas']['ChannelAnalysisOut'];
export type ChannelRow = ChannelAnalysis['items'][number];
export type Money = components['schemas']['Money'];

/** The member funnel in order (a member's status only moves forward along it). */
export const FUNNEL = ['targeted', 'sent', 'opened', 'clicked', 'registered', 'attended', 'responded', 'converted'] as const;
export type Step = (typeof FUNNEL)[number];

/** How many members reached each step, in funnel order (from the step times, not today's status). */
export function funnelSteps(stats: Pick<CampaignStats, 'members'>): { step: Step; count: number }[] {
  return FUNNEL.map((step) => ({ step, count: stats.members.reached[step] ?? 0 }));
}

/** "CNY 1,200.00 · USD 30.00": one amount per currency, never added up across currencies. */
export function moneyList(items: Money[] | null | undefined, locale = 'en'): string {
  if (!items || items.length === 0) return '—';
  return items.map((m) => formatMoney(m, locale)).join(' · ');
}

export function formatMoney(m: Money, locale = 'en'): string {
  const amount = Number(m.amount);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(amount);
  } catch {
    return `${m.currency} ${amount.toFixed(2)}`;
  }
}

/** ROI 1.5 -> "150%"; null (not computable in one currency) -> "—". */
export function roiText(roi: number | null | undefined): string {
  if (roi === null || roi === undefined) return '—';
  return `${Math.round(roi * 1000) / 10}%`;
}
