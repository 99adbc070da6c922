// The ticket inbox's filters: URL query <-> API query, and the views (quick filters) as toggles.
export const TICKET_FILTERS = ['view', 'q', 'status', 'priority', 'kind', 'channel', 'category', 'sort', 'where'] as const;
export type TicketFilterKey = (typeof TICKET_FILTERS)[number];
export type TicketFilters = Record<TicketFilterKey, string | undefined>;

export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TICKET_KINDS = ['service_request', 'inquiry', 'complaint', 'after_sales'] as const;
export const TICKET_CHANNELS = ['phone', 'email', 'web', 'chat', 'wechat', 'in_person'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Allowed status moves (app/domain/tickets/entities.py MOVES); to resolved needs a solution,
 * from resolved/closed to open is a reopen. */
export const MOVES: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'resolved'],
  open: ['pending', 'resolved'],
  pending: ['open', 'resolved'],
  resolved: ['closed', 'open'],
  closed: ['open'],
};

export const VIEWS = ['mine', 'unassigned', 'team', 'breaching'] as const;
export type TicketView = (typeof VIEWS)[number];

/** "Breaching soon": a running clock due within this long (already breached ones included). */
export const BREACHING_WINDOW_MS = 2 * 3_600_000;
/** The horizon moves in steps, so the list's query (and its loaded pages) stays put between them. */
const HORIZON_STEP_MS = 5 * 60_000;

export function breachingBefore(now: number): string {
  return new Date(Math.ceil(now / HORIZON_STEP_MS) * HORIZON_STEP_MS + BREACHING_WINDOW_MS).toISOString();
}

function oneOf<T extends string>(values: readonly T[], raw: string | undefined): T | undefined {
  return values.find((v) => v === raw);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The API's query for the URL's filters. `team` is the caller's department (no department: the
 * view finds nothing rather than everything). Breaching soon lists the oldest first: their clocks
 * started first. Values the API would refuse are left out. */
export function ticketApiQuery(
  f: Partial<TicketFilters>,
  ctx: { departmentId: string | null; now: number },
): Record<string, string | boolean | undefined> {
  const view = oneOf(VIEWS, f.view);
  const query: Record<string, string | boolean | undefined> = {
    q: f.q?.trim() || undefined,
    status: oneOf(TICKET_STATUSES, f.status),
    priority: oneOf(TICKET_PRIORITIES, f.priority),
    kind: oneOf(TICKET_KINDS, f.kind),
    channel: oneOf(TICKET_CHANNELS, f.channel),
    category: f.category && UUID.test(f.category) ? f.category : undefined,
    sort: f.sort ?? (view === 'breaching' ? 'created_at' : '-updated_at'),
    // a report's drill-down: a condition tree, passed through as it came
    where: f.where || undefined,
  };
  if (view === 'mine') query.owner = 'me';
  if (view === 'unassigned') query.owner = 'none';
  if (view === 'team') query.team = ctx.departmentId ?? '00000000-0000-0000-0000-000000000000';
  if (view === 'breaching') query.breaching_before = breachingBefore(ctx.now);
  return query;
}

/** The URL change that turns a view on (replacing any other) or off. */
export function toggleView(f: Partial<TicketFilters>, view: TicketView): Partial<TicketFilters> {
  return { view: f.view === view ? undefined : view };
}
