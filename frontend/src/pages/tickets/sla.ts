// SLA countdowns, pure: which clock a ticket shows, how long is left at an instant, and its state.
// The server computes due and warning (80%) instants on the tenant's business calendar; the client
// only compares them with its own clock, so a countdown ticks without refetching and turns amber
// and red at exactly the instants the SLA job warns and flags.

export interface SlaClock {
  due_at: string | null;
  completed_at: string | null;
  /** Business minutes left when the server answered (negative: overdue). */
  remaining_minutes: number | null;
  breached: boolean;
}

export interface SlaTicket {
  status: string;
  first_response_warn_at: string | null;
  resolution_warn_at: string | null;
  sla: { paused: boolean; first_response: SlaClock; resolution: SlaClock };
}

/** none: no target; met/missed: the target was reached in time or late; running: counting down
 * (ok, warning past 80% of the target, breached past the due time); paused: pending. */
export type SlaState = 'none' | 'met' | 'missed' | 'ok' | 'warning' | 'breached' | 'paused';

export interface SlaReading {
  state: SlaState;
  /** Milliseconds until due (negative: overdue); paused: the business time left when it stopped. */
  remainingMs: number | null;
}

export type SlaTarget = 'first_response' | 'resolution';

const ms = (iso: string | null) => (iso ? Date.parse(iso) : null);

/** One clock at `now` (epoch ms). `paused` only stops the resolution clock. */
export function readClock(clock: SlaClock, warnAt: string | null, paused: boolean, now: number): SlaReading {
  const due = ms(clock.due_at);
  if (due === null) return { state: 'none', remainingMs: null };
  if (clock.completed_at) return { state: clock.breached ? 'missed' : 'met', remainingMs: null };
  if (paused) return { state: 'paused', remainingMs: clock.remaining_minutes === null ? null : clock.remaining_minutes * 60_000 };
  const remainingMs = due - now;
  if (remainingMs < 0) return { state: 'breached', remainingMs };
  const warn = ms(warnAt);
  return { state: warn !== null && now >= warn ? 'warning' : 'ok', remainingMs };
}

/** Both clocks of a ticket at `now`. */
export function readSla(ticket: SlaTicket, now: number): Record<SlaTarget, SlaReading> {
  return {
    first_response: readClock(ticket.sla.first_response, ticket.first_response_warn_at, false, now),
    resolution: readClock(ticket.sla.resolution, ticket.resolution_warn_at, ticket.sla.paused, now),
  };
}

/** The clock a list shows: the first response while it is owed, else the resolution. */
export function currentTarget(ticket: SlaTicket): SlaTarget {
  const first = ticket.sla.first_response;
  return first.due_at && !first.completed_at ? 'first_response' : 'resolution';
}

/** "2d 4h", "3h 05m", "12m 09s" (absolute; the caller says "overdue" for negatives). */
export function formatSpan(spanMs: number): string {
  const total = Math.floor(Math.abs(spanMs) / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${two(minutes)}m`;
  return `${minutes}m ${two(seconds)}s`;
}

export const SLA_COLOR: Record<SlaState, string> = {
  none: 'default',
  met: 'green',
  missed: 'red',
  ok: 'blue',
  warning: 'orange',
  breached: 'red',
  paused: 'default',
};
