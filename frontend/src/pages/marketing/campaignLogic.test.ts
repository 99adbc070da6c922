import { describe, expect, it } from 'vitest';
import { campaignsOn, funnelBars, memberMoves, monthRange, nextStatuses } from './campaignLogic';

describe('campaign lifecycle', () => {
  it('moves forward one step at a time, and cancels until finished', () => {
    expect(nextStatuses('draft')).toEqual(['scheduled', 'cancelled']);
    expect(nextStatuses('running')).toEqual(['completed', 'cancelled']);
    expect(nextStatuses('completed')).toEqual([]);
    expect(nextStatuses('cancelled')).toEqual([]);
  });

  it('offers a member only later steps, and nothing once bounced or unsubscribed', () => {
    expect(memberMoves('registered')).toEqual(['attended', 'responded', 'converted', 'bounced', 'unsubscribed']);
    expect(memberMoves('converted')).toEqual(['bounced', 'unsubscribed']);
    expect(memberMoves('bounced')).toEqual([]);
  });
});

describe('calendar', () => {
  const expo = { id: 'a', starts_on: '2026-11-03', ends_on: '2026-11-05' };
  const oneDay = { id: 'b', starts_on: '2026-11-04', ends_on: null };
  const undated = { id: 'c', starts_on: null, ends_on: null };

  it('shows a campaign on every day from its start to its end', () => {
    const all = [expo, oneDay, undated];
    expect(campaignsOn(all, '2026-11-02').map((c) => c.id)).toEqual([]);
    expect(campaignsOn(all, '2026-11-03').map((c) => c.id)).toEqual(['a']);
    expect(campaignsOn(all, '2026-11-04').map((c) => c.id)).toEqual(['a', 'b']);
    expect(campaignsOn(all, '2026-11-05').map((c) => c.id)).toEqual(['a']);
    expect(campaignsOn(all, '2026-11-06').map((c) => c.id)).toEqual([]);
  });

  it('asks the API for one month (the end exclusive), across a year end', () => {
    expect(monthRange(2026, 11)).toEqual({ from: '2026-12-01', to: '2027-01-01' });
    expect(monthRange(2026, 1)).toEqual({ from: '2026-02-01', to: '2026-03-01' });
  });
});

describe('funnel', () => {
  it('counts for each step the members who reached it or went further', () => {
    const bars = funnelBars({ targeted: 5, sent: 3, opened: 2, registered: 1, converted: 1, bounced: 4 });
    const byStatus = Object.fromEntries(bars.map((b) => [b.status, b.count]));
    expect(byStatus).toEqual({
      targeted: 12,
      sent: 7,
      opened: 4,
      clicked: 2,
      registered: 2,
      attended: 1,
      responded: 1,
      converted: 1,
      bounced: 4,
      unsubscribed: 0,
    });
  });
});
