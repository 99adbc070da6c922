"""The worker's escalation rules job: each active rule of each tenant (in position order) is
matched against the open tickets — an SLA target breached or warned about, or a ticket waiting in
the unassigned queue for N business minutes, narrowed by priority, category, kind and channel —
and its actions applied (raise the priority, reassign, notify) through
`TicketService.escalate_by_rule`. A rule fires at most once per ticket: its escalation is
recorded with `rule_id` under a unique index, so a second run or a second worker does nothing.
Each firing publishes `ticket.escalated` (whose consumer tells a new assignee) and, when the rule
says notify, tells the assignee and the team's manager."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from app.domain.notifications.entities import NewNotification
from app.domain.notifications.ports import NotificationRepository
from app.domain.tickets.entities import Escalation, EscalationCondition, Ticket, TicketEscalationRule
from app.domain.tickets.ports import CalendarRepository
from app.domain.tickets.sla import business_calendar


class EscalationCandidates(Protocol):
    async def rules(self) -> list[tuple[UUID, TicketEscalationRule]]:
        """(tenant, rule) for every active rule, each tenant's in position order."""
        ...

    async def matching(
        self, tenant_id: UUID, rule: TicketEscalationRule, now: datetime, limit: int
    ) -> list[tuple[UUID, datetime]]:
        """(ticket, created_at) of open tickets the rule matches at `now` and has not escalated,
        oldest first. For the unassigned condition: queued tickets older than `minutes` of
        elapsed time (business time is counted by the caller)."""
        ...

    async def team_manager(self, tenant_id: UUID, department_id: UUID, exclude: UUID | None) -> UUID | None: ...


class RuleEscalator(Protocol):
    async def escalate_by_rule(
        self, tenant_id: UUID, rule: TicketEscalationRule, ticket_id: UUID
    ) -> tuple[Ticket, Escalation] | None: ...


async def apply_escalation_rules(
    candidates: EscalationCandidates,
    calendars: CalendarRepository,
    tickets: RuleEscalator,
    notifications: NotificationRepository,
    now: datetime,
    limit: int = 200,
) -> int:
    fired = 0
    calendar_of = {}
    for tenant_id, rule in await candidates.rules():
        for ticket_id, created_at in await candidates.matching(tenant_id, rule, now, limit):
            if rule.condition == EscalationCondition.UNASSIGNED:
                if tenant_id not in calendar_of:
                    calendar_of[tenant_id] = business_calendar(await calendars.get(tenant_id))
                waited = calendar_of[tenant_id].elapsed(created_at, now)
                if waited < timedelta(minutes=rule.minutes or 0):
                    break  # oldest first: the younger ones have waited less
            done = await tickets.escalate_by_rule(tenant_id, rule, ticket_id)
            if done is None:
                continue
            fired += 1
            ticket, escalation = done
            if rule.notify:
                await _notify(candidates, notifications, tenant_id, rule, ticket, escalation)
    return fired


async def _notify(
    candidates: EscalationCandidates,
    notifications: NotificationRepository,
    tenant_id: UUID,
    rule: TicketEscalationRule,
    ticket: Ticket,
    escalation: Escalation,
) -> None:
    """The assignee (before and after) and the team's manager, once each per rule and ticket."""
    manager = None
    if ticket.department_id is not None:
        manager = await candidates.team_manager(tenant_id, ticket.department_id, None)
    people = (escalation.from_owner_id, ticket.owner_id, manager)
    title = f"Ticket {ticket.number} escalated by rule {rule.name} ({ticket.subject})"
    for person in dict.fromkeys(p for p in people if p is not None):
        await notifications.add(
            NewNotification(
                tenant_id,
                person,
                "ticket_escalated",
                title[:300],
                "ticket",
                ticket.id,
                dedupe_key=f"escalation:{ticket.id}:{rule.id}",
            )
        )
