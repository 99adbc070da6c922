import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useAuth } from '../../auth';
import { can } from '../../permissions';
import { currentTarget, formatSpan, readSla, SLA_COLOR, type SlaReading, type SlaTarget } from './sla';
import type { TicketPriority, TicketStatus } from './ticketFilters';

export type Ticket = components['schemas']['TicketOut'];
export type Category = components['schemas']['CategoryOut'];

const PRIORITY_COLOR: Record<TicketPriority, string> = { low: 'default', normal: 'blue', high: 'orange', urgent: 'red' };
const STATUS_COLOR: Record<TicketStatus, string> = {
  new: 'blue',
  open: 'cyan',
  pending: 'gold',
  resolved: 'green',
  closed: 'default',
};

export function PriorityTag({ priority }: { priority: TicketPriority }) {
  const { t } = useTranslation();
  return (
    <Tag color={PRIORITY_COLOR[priority]} data-testid="ticket-priority">
      {t(`tickets.priority.${priority}`)}
    </Tag>
  );
}

export function TicketStatusTag({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="ticket-status">
      {t(`tickets.status.${status}`)}
    </Tag>
  );
}

/** The client's clock, re-read every `everyMs` (the countdowns tick with it). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** One clock as a tag: time left, overdue (red), past 80% (amber), paused, met or missed. */
export function SlaReadingTag({ reading, label }: { reading: SlaReading; label?: string }) {
  const { t } = useTranslation();
  const span = reading.remainingMs === null ? null : formatSpan(reading.remainingMs);
  const text =
    reading.state === 'breached'
      ? t('tickets.sla.overdue', { span })
      : reading.state === 'paused'
        ? span
          ? t('tickets.sla.pausedLeft', { span })
          : t('tickets.sla.paused')
        : reading.state === 'ok' || reading.state === 'warning'
          ? t('tickets.sla.left', { span })
          : t(`tickets.sla.${reading.state}`);
  return (
    <Tag color={SLA_COLOR[reading.state]} data-testid="sla-countdown" data-state={reading.state}>
      {label ? `${label}: ${text}` : text}
    </Tag>
  );
}

/** The list's SLA cell: the clock that matters now (the owed first response, else the resolution),
 * ticking every second. */
export function SlaCountdown({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const now = useNow(1000);
  const target: SlaTarget = currentTarget(ticket);
  const reading = readSla(ticket, now)[target];
  if (reading.state === 'none') return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={2} wrap>
      <SlaReadingTag reading={reading} label={t(`tickets.sla.short.${target}`)} />
      {ticket.sla.paused && target === 'first_response' && <Tag>{t('tickets.sla.paused')}</Tag>}
    </Space>
  );
}

/** The tenant's ticket categories (a tree by parent_id), loaded once when the caller may read tickets. */
export function useCategories() {
  const { me } = useAuth();
  return useQuery({
    queryKey: ['ticket-categories'],
    enabled: can(me, 'tickets:read'),
    staleTime: 5 * 60 * 1000,
    queryFn: async () => (await unwrap(api.GET('/api/v1/ticket-categories'))).items,
  });
}

export interface CategoryNode {
  value: string;
  title: string;
  disabled?: boolean;
  children?: CategoryNode[];
}

/** The categories as TreeSelect data: children under their parent, by position; inactive ones
 * only when they are the current value (so an old ticket still shows its category). */
export function categoryTree(categories: Category[], keep?: string | null): CategoryNode[] {
  const shown = categories.filter((c) => c.active || c.id === keep);
  const ids = new Set(shown.map((c) => c.id));
  const byParent = new Map<string | null, Category[]>();
  for (const c of shown) {
    const parent = c.parent_id && ids.has(c.parent_id) ? c.parent_id : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), c]);
  }
  const build = (parent: string | null, seen: Set<string>): CategoryNode[] =>
    (byParent.get(parent) ?? [])
      .filter((c) => !seen.has(c.id))
      .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name))
      .map((c) => {
        const children = build(c.id, new Set([...seen, c.id]));
        return { value: c.id, title: c.name, disabled: !c.active, ...(children.length ? { children } : {}) };
      });
  return build(null, new Set());
}

/** id -> "Parent / Child" name. */
export function categoryPath(categories: Category[] | undefined, id: string | null | undefined): string | undefined {
  if (!id || !categories) return undefined;
  const byId = new Map(categories.map((c) => [c.id, c]));
  const names: string[] = [];
  let at = byId.get(id);
  for (let i = 0; at && i < 10; i++) {
    names.unshift(at.name);
    at = at.parent_id ? byId.get(at.parent_id) : undefined;
  }
  return names.length ? names.join(' / ') : undefined;
}
