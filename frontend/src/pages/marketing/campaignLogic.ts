// Campaign rules the pages share, kept free of React so vitest checks them: the lifecycle's next
// statuses, which member statuses are ahead of one, the month grid of the calendar, the funnel bars.
import type { components } from '../../api/schema';

export type Campaign = components['schemas']['CampaignOut'];
export type CampaignType = Campaign['campaign_type'];
export type CampaignStatus = Campaign['status'];
export type Member = components['schemas']['CampaignMemberOut'];
export type MemberStatus = Member['status'];
export type CampaignSession = components['schemas']['CampaignSessionOut'];

export const CAMPAIGN_TYPES: CampaignType[] = ['event', 'webinar', 'promotion', 'email', 'sms', 'advertising', 'trade_show', 'other'];
export const CAMPAIGN_STATUSES: CampaignStatus[] = ['draft', 'scheduled', 'running', 'completed', 'cancelled'];
export const SESSION_TYPES: CampaignType[] = ['event', 'webinar', 'trade_show'];
export const FUNNEL: MemberStatus[] = ['targeted', 'sent', 'opened', 'clicked', 'registered', 'attended', 'responded', 'converted'];
export const FINAL: MemberStatus[] = ['bounced', 'unsubscribed'];
export const MEMBER_STATUSES: MemberStatus[] = [...FUNNEL, ...FINAL];

/** Where a campaign may go from `status` (as the API allows: forward, or cancelled until finished). */
export function nextStatuses(status: CampaignStatus): CampaignStatus[] {
  const forward: Record<CampaignStatus, CampaignStatus[]> = {
    draft: ['scheduled', 'cancelled'],
    scheduled: ['running', 'cancelled'],
    running: ['completed', 'cancelled'],
    completed: [],
    cancelled: [],
  };
  return forward[status];
}

/** The statuses a member at `status` may be moved to by hand: later funnel steps, or a final one. */
export function memberMoves(status: MemberStatus): MemberStatus[] {
  if (FINAL.includes(status)) return [];
  const at = FUNNEL.indexOf(status);
  return [...FUNNEL.slice(at + 1), ...FINAL];
}

/** A member's latest step time: what the table shows beside the status. */
export function lastStepAt(member: Member): string {
  const stamps = MEMBER_STATUSES.map((s) => member[`${s}_at` as keyof Member] as string | null).filter((v): v is string => !!v);
  return stamps.sort().at(-1) ?? member.targeted_at;
}

/** ISO day (YYYY-MM-DD) of a local date. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The first day of the month and the first day of the next, as ISO days (the API's starts_from/starts_to). */
export function monthRange(year: number, month: number): { from: string; to: string } {
  return { from: isoDay(new Date(year, month, 1)), to: isoDay(new Date(year, month + 1, 1)) };
}

/** The campaigns running on `day` (an ISO day): from starts_on through ends_on (or only that
 * day when there is no end); campaigns without a start are not on the calendar. */
export function campaignsOn<T extends Pick<Campaign, 'starts_on' | 'ends_on'>>(campaigns: T[], day: string): T[] {
  return campaigns.filter((c) => !!c.starts_on && c.starts_on <= day && day <= (c.ends_on ?? c.starts_on));
}

/** The funnel as bars: for each step, how many members reached it or a later one (a member who
 * registered also opened, whatever the tracking saw); bounced and unsubscribed as they are. */
export function funnelBars(counts: Partial<Record<MemberStatus, number>>): { status: MemberStatus; count: number }[] {
  let reached = 0;
  const bars = [...FUNNEL]
    .reverse()
    .map((status) => {
      reached += counts[status] ?? 0;
      return { status, count: reached };
    })
    .reverse();
  return [...bars, ...FINAL.map((status) => ({ status, count: counts[status] ?? 0 }))];
}
