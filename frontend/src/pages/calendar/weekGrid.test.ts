import { describe, expect, it } from 'vitest';
import { addDays, monthSpan, placeWeek, sameDay, startOfWeek, toLocalInput, weekDays } from './weekGrid';

const at = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min);
const ev = (start: Date, end: Date, id = '') => ({ id, start, end });

describe('week grid', () => {
  it('starts weeks on Monday, whatever the day', () => {
    expect(startOfWeek(at(2026, 11, 30, 15))).toEqual(at(2026, 11, 30)); // a Monday
    expect(startOfWeek(at(2026, 12, 6, 23, 59))).toEqual(at(2026, 11, 30)); // Sunday
    expect(startOfWeek(at(2027, 1, 1))).toEqual(at(2026, 12, 28)); // across a year
    const days = weekDays(at(2026, 11, 30));
    expect(days).toHaveLength(7);
    expect(days[6]).toEqual(at(2026, 12, 6));
    expect(days.every((d) => d.getHours() === 0)).toBe(true);
  });

  it("fetches a month's whole grid, whatever day weeks start on", () => {
    const { from, to } = monthSpan(at(2026, 11, 17)); // November 2026 starts on a Sunday
    expect(from).toEqual(at(2026, 10, 25));
    expect(to).toEqual(at(2026, 12, 15));
    // the grid an English calendar shows (Sun 1 Nov .. Sat 12 Dec) and a Chinese one (Mon 26 Oct .. Sun 6 Dec)
    for (const shown of [at(2026, 11, 1), at(2026, 12, 12), at(2026, 10, 26)]) expect(shown >= from && shown < to).toBe(true);
    expect(sameDay(addDays(from, 1), at(2026, 10, 26))).toBe(true);
  });

  it('formats for a datetime-local input', () => {
    expect(toLocalInput(at(2026, 3, 5, 9, 7))).toBe('2026-03-05T09:07');
  });

  it('places events by day and minute, clipped to the week and the day', () => {
    const week = at(2026, 11, 30);
    const placed = placeWeek(
      [
        ev(at(2026, 12, 1, 9), at(2026, 12, 1, 10, 30), 'tue'),
        ev(at(2026, 12, 3, 23), at(2026, 12, 4, 1), 'overnight'),
        ev(at(2026, 11, 29, 10), at(2026, 11, 29, 11), 'before'),
        ev(at(2026, 12, 6, 12), at(2026, 12, 6, 12), 'zero'),
      ],
      (e) => e,
      week,
    );
    const byId = (id: string) => placed.filter((p) => p.item.id === id);
    expect(byId('before')).toHaveLength(0);
    expect(byId('tue')).toMatchObject([{ day: 1, startMinute: 540, endMinute: 630, lane: 0, lanes: 1 }]);
    expect(byId('overnight')).toMatchObject([
      { day: 3, startMinute: 1380, endMinute: 1440 },
      { day: 4, startMinute: 0, endMinute: 60 },
    ]);
    expect(byId('zero')).toMatchObject([{ day: 6, startMinute: 720, endMinute: 750 }]);
  });

  it('puts overlapping events side by side, and only those', () => {
    const week = at(2026, 11, 30);
    const placed = placeWeek(
      [
        ev(at(2026, 12, 2, 9), at(2026, 12, 2, 11), 'a'),
        ev(at(2026, 12, 2, 10), at(2026, 12, 2, 12), 'b'),
        ev(at(2026, 12, 2, 11), at(2026, 12, 2, 13), 'c'), // overlaps b, not a: reuses a's lane
        ev(at(2026, 12, 2, 14), at(2026, 12, 2, 15), 'd'), // alone
      ],
      (e) => e,
      week,
    );
    const get = (id: string) => placed.find((p) => p.item.id === id)!;
    expect([get('a').lane, get('b').lane, get('c').lane]).toEqual([0, 1, 0]);
    expect([get('a').lanes, get('b').lanes, get('c').lanes]).toEqual([2, 2, 2]);
    expect(get('d')).toMatchObject({ lane: 0, lanes: 1 });
  });
});
