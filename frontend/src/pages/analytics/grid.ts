// A dashboard's grid: 12 columns; the editor keeps an ordered list of items with a width and a
// height and packs them left to right, row after row (moving up or down is reordering).

export const COLUMNS = 12;

export interface GridItem {
  widget: string;
  x: number;
  y: number;
  w: number;
  h: number;
  options?: Record<string, unknown>;
}

/** x and y for each item in order: next to the previous one when it fits, else on a new row
 * below the tallest of the row. */
export function pack<T extends GridItem>(items: T[]): T[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return items.map((item) => {
    const w = Math.min(COLUMNS, Math.max(1, item.w));
    if (x + w > COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const placed = { ...item, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, item.h);
    return placed;
  });
}

/** The items in reading order (by row, then column): the order the editor shows and packs. */
export function ordered<T extends GridItem>(items: T[]): T[] {
  return [...items].sort((a, b) => a.y - b.y || a.x - b.x);
}

export function move<T>(items: T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (to < 0 || to >= items.length) return items;
  const next = [...items];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}
