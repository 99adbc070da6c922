import { describe, expect, it } from 'vitest';
import { move, ordered, pack } from './grid';

const item = (widget: string, w: number, h = 2) => ({ widget, x: 0, y: 0, w, h });

describe('pack', () => {
  it('places items left to right and wraps below the tallest of the row', () => {
    const placed = pack([item('a', 8, 4), item('b', 4, 2), item('c', 6), item('d', 12)]);
    expect(placed.map((p) => [p.widget, p.x, p.y, p.w])).toEqual([
      ['a', 0, 0, 8],
      ['b', 8, 0, 4],
      ['c', 0, 4, 6],
      ['d', 0, 6, 12],
    ]);
  });
  it('keeps every item inside 12 columns', () => {
    for (const p of pack([item('a', 20), item('b', 0)])) expect(p.x + p.w).toBeLessThanOrEqual(12);
  });
});

describe('ordered and move', () => {
  it('reads rows first and swaps neighbours', () => {
    const items = [{ ...item('b', 4), x: 4 }, item('a', 4), { ...item('c', 4), y: 2 }];
    expect(ordered(items).map((i) => i.widget)).toEqual(['a', 'b', 'c']);
    expect(move(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });
});
