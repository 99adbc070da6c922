import { describe, expect, it } from 'vitest';
import { breachingBefore, ticketApiQuery, toggleView } from './ticketFilters';

const NOW = Date.parse('2026-12-08T02:03:10Z');
const ctx = { departmentId: 'd0000000-0000-4000-8000-000000000001', now: NOW };

describe('ticket inbox filters', () => {
  it('turns views into the API filters', () => {
    expect(ticketApiQuery({ view: 'mine' }, ctx)).toMatchObject({ owner: 'me', sort: '-updated_at' });
    expect(ticketApiQuery({ view: 'unassigned' }, ctx)).toMatchObject({ owner: 'none' });
    expect(ticketApiQuery({ view: 'team' }, ctx)).toMatchObject({ team: ctx.departmentId });
    const breaching = ticketApiQuery({ view: 'breaching' }, ctx);
    expect(breaching).toMatchObject({ breaching_before: '2026-12-08T04:05:00.000Z', sort: 'created_at' });
    expect(breaching.owner).toBeUndefined();
  });

  it('keeps the breaching horizon still within five minutes', () => {
    expect(breachingBefore(NOW)).toBe(breachingBefore(NOW + 60_000));
    expect(breachingBefore(NOW + 5 * 60_000)).not.toBe(breachingBefore(NOW));
  });

  it('never widens "my team" to everything for a caller without a department', () => {
    expect(ticketApiQuery({ view: 'team' }, { departmentId: null, now: NOW }).team).toBe('00000000-0000-0000-0000-000000000000');
  });

  it('leaves out values the API would refuse', () => {
    const q = ticketApiQuery({ status: 'lost', priority: 'urgent', kind: 'x', channel: 'wechat', category: 'nope', q: '  ' }, ctx);
    expect(q).toMatchObject({
      status: undefined,
      priority: 'urgent',
      kind: undefined,
      channel: 'wechat',
      category: undefined,
      q: undefined,
    });
  });

  it('toggles one view at a time', () => {
    expect(toggleView({}, 'mine')).toEqual({ view: 'mine' });
    expect(toggleView({ view: 'mine' }, 'team')).toEqual({ view: 'team' });
    expect(toggleView({ view: 'team' }, 'team')).toEqual({ view: undefined });
  });
});
