import { describe, expect, it } from 'vitest';
import { isMine, mergeMine, todaySpan, type Activity } from './myDay';

const ME = 'me-id';
function act(id: string, over: Partial<Activity>): Activity {
  return {
    id,
    kind: 'task',
    status: 'planned',
    subject: id,
    occurred_at: '2026-12-01T09:00:00Z',
    assignee_id: ME,
    owner_id: ME,
    ...over,
  } as Activity;
}

describe('my day', () => {
  it('counts what is assigned to me, or mine and assigned to nobody', () => {
    expect(isMine({ assignee_id: ME, owner_id: 'x' }, ME)).toBe(true);
    expect(isMine({ assignee_id: null, owner_id: ME }, ME)).toBe(true);
    expect(isMine({ assignee_id: 'other', owner_id: ME }, ME)).toBe(false);
  });

  it('merges both lists once, planned tasks and appointments only, earliest first', () => {
    const a = act('a', { occurred_at: '2026-12-01T10:00:00Z' });
    const b = act('b', { kind: 'appointment', assignee_id: null, occurred_at: '2026-12-01T08:00:00Z' });
    const done = act('done', { status: 'done' });
    const call = act('call', { kind: 'call' });
    const others = act('others', { assignee_id: 'someone' });
    expect(
      mergeMine(
        [
          [a, done, others],
          [a, b, call],
        ],
        ME,
      ).map((x) => x.id),
    ).toEqual(['b', 'a']);
  });

  it("spans today's local day", () => {
    const { start, end } = todaySpan(new Date(2026, 11, 31, 18, 30));
    expect(start).toEqual(new Date(2026, 11, 31));
    expect(end).toEqual(new Date(2027, 0, 1));
  });
});
