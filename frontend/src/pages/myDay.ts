// What "my day" lists: planned tasks and appointments that are mine, today's and overdue ones.
import type { components } from '../api/schema';

export type Activity = components['schemas']['ActivityOut'];

/** Mine: assigned to me, or owned by me and assigned to nobody (the calendar's rule too). */
export function isMine(a: Pick<Activity, 'assignee_id' | 'owner_id'>, me: string): boolean {
  return a.assignee_id === me || (!a.assignee_id && a.owner_id === me);
}

/** The two lists' answers (by assignee, by owner) as one list of my planned work, earliest first. */
export function mergeMine(lists: Activity[][], me: string): Activity[] {
  const byId = new Map<string, Activity>();
  for (const list of lists)
    for (const a of list) if ((a.kind === 'task' || a.kind === 'appointment') && a.status === 'planned' && isMine(a, me)) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at) || a.id.localeCompare(b.id));
}

/** Local midnight today and tomorrow. */
export function todaySpan(now = new Date()): { start: Date; end: Date } {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { start, end };
}
