// Date math for the calendar's week grid, in the browser's local time. Days are stepped with
// setDate (not +24h), so a week across a daylight-saving change still starts each day at midnight.

/** Midnight (local) of the Monday of `date`'s week (weeks start on Monday, ISO 8601). */
export function startOfWeek(date: Date): Date {
  const d = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const back = (d.getDay() + 6) % 7; // Monday 0 ... Sunday 6
  d.setDate(d.getDate() - back);
  return d;
}

export function addDays(date: Date, days: number): Date {
  const d = new Date(date);
  d.setDate(d.getDate() + days);
  return d;
}

/** The seven days (local midnights) of the week starting at `start`. */
export function weekDays(start: Date): Date[] {
  return Array.from({ length: 7 }, (_, i) => addDays(start, i));
}

/** The span a month view fetches: its whole grid of six weeks, whichever day the locale starts
 * weeks on (Sunday in English, Monday in Chinese) — from a week before the 1st to two weeks
 * after the month. */
export function monthSpan(anyDay: Date): { from: Date; to: Date } {
  const first = new Date(anyDay.getFullYear(), anyDay.getMonth(), 1);
  return { from: addDays(first, -7), to: addDays(new Date(anyDay.getFullYear(), anyDay.getMonth() + 1, 1), 14) };
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "YYYY-MM-DDTHH:mm" for a datetime-local input. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export interface Placed<T> {
  item: T;
  /** 0 = Monday */
  day: number;
  /** minutes from the day's midnight to the (clipped) start and end */
  startMinute: number;
  endMinute: number;
  /** side by side: this one's column among `lanes` overlapping ones */
  lane: number;
  lanes: number;
}

/** Where each event goes on a week grid: one piece per day it touches (clipped to the day),
 * overlapping pieces of a day side by side in lanes. Events outside the week are dropped; an
 * event without a positive length gets 30 minutes so it stays visible. */
export function placeWeek<T>(items: T[], span: (item: T) => { start: Date; end: Date }, weekStart: Date): Placed<T>[] {
  const placed: Placed<T>[] = [];
  for (let day = 0; day < 7; day++) {
    const dayStart = addDays(weekStart, day);
    const dayEnd = addDays(weekStart, day + 1);
    const pieces: Placed<T>[] = [];
    for (const item of items) {
      const { start } = span(item);
      let { end } = span(item);
      if (!(end > start)) end = new Date(start.getTime() + 30 * 60_000);
      if (end <= dayStart || start >= dayEnd) continue;
      const from = start < dayStart ? dayStart : start;
      const to = end > dayEnd ? dayEnd : end;
      pieces.push({
        item,
        day,
        startMinute: Math.round((from.getTime() - dayStart.getTime()) / 60_000),
        endMinute: Math.round((to.getTime() - dayStart.getTime()) / 60_000),
        lane: 0,
        lanes: 1,
      });
    }
    pieces.sort((a, b) => a.startMinute - b.startMinute || b.endMinute - a.endMinute);
    // Clusters of pieces that overlap (transitively) share a lane count.
    let cluster: Placed<T>[] = [];
    let clusterEnd = -1;
    const laneEnds: number[] = [];
    const close = () => {
      const lanes = Math.max(1, ...cluster.map((p) => p.lane + 1));
      for (const p of cluster) p.lanes = lanes;
      cluster = [];
      laneEnds.length = 0;
    };
    for (const piece of pieces) {
      if (cluster.length && piece.startMinute >= clusterEnd) close();
      let lane = laneEnds.findIndex((end) => end <= piece.startMinute);
      if (lane < 0) lane = laneEnds.length;
      laneEnds[lane] = piece.endMinute;
      piece.lane = lane;
      cluster.push(piece);
      clusterEnd = Math.max(cluster.length === 1 ? piece.endMinute : clusterEnd, piece.endMinute);
    }
    if (cluster.length) close();
    placed.push(...pieces);
  }
  return placed;
}
