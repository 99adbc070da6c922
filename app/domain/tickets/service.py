"""Ticket use cases: the shared owned-record ones (app/domain/shared/owned.py), with the owner
being the assignee and the department the team, plus the ticket's own rules: gap-free numbers,
routing by the tenant's assignment rules, status moves (solution on resolve, reopen within the
calendar's window), the SLA clocks (due times on the business calendar, paused while pending),
the conversation, escalations and the hand-over of a sales lead. Every read carries the SLA block."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.custom_fields.entities import validate_values
from app.domain.leads.service import SYSTEM_ACTOR, LeadService
from app.domain.shared import clock
from app.domain.shared.errors import Conflict, FieldError, InvalidTransition, NotFound, ValidationFailed
from app.domain.shared.owned import OwnedRecords, WriteContextRepository, fields_of
from app.domain.shared.ownership import set_new_owner
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, EventOutbox, diff
from app.domain.shared.routing import RoutingRuleService, route
from app.domain.shared.scope import DataRange, DataScope, Grant
from app.domain.tickets.business_hours import BusinessCalendar
from app.domain.tickets.entities import (
    MAX_ATTACHMENT_BYTES,
    MOVES,
    OPEN_STATUSES,
    PRIORITY_ORDER,
    RAISE_STEP,
    Comment,
    Escalation,
    Reassign,
    Ticket,
    TicketAssignmentRule,
    TicketEscalationRule,
    TicketStatus,
    Visibility,
)
from app.domain.tickets.history import history_items
from app.domain.tickets.ports import (
    CalendarRepository,
    CommentRepository,
    SlaPolicyRepository,
    TicketRepository,
    TicketRoutingRules,
)
from app.domain.tickets.sla import business_calendar, due_times, pick_policy, resumed, sla_view

S = TicketStatus
# The event each status move publishes (a reopen is a move back to open from resolved/closed).
STATUS_EVENTS = {S.OPEN: "opened", S.PENDING: "pending", S.RESOLVED: "resolved", S.CLOSED: "closed"}


def now() -> datetime:
    """The instant the SLA clocks read; tests move it."""
    return clock.utcnow()


def raised_priority(current: str, wanted: str | None) -> str | None:
    """The priority an escalation rule's `raise_priority` gives ("step": one up; a level: that
    one), or None when it would not raise it."""
    if wanted is None:
        return None
    rank = PRIORITY_ORDER.index(current)
    if wanted == RAISE_STEP:
        return PRIORITY_ORDER[rank + 1] if rank + 1 < len(PRIORITY_ORDER) else None
    return wanted if PRIORITY_ORDER.index(wanted) > rank else None


class TicketService(OwnedRecords[Ticket]):
    resource = "tickets"
    entity = "ticket"
    records: TicketRepository
    transfer_open_only = True

    def __init__(
        self,
        tickets: TicketRepository,
        comments: CommentRepository,
        calendars: CalendarRepository,
        policies: SlaPolicyRepository,
        rules: TicketRoutingRules,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
        leads: LeadService,
    ) -> None:
        super().__init__(tickets, context, audit, outbox)
        self.comments = comments
        self.calendars = calendars
        self.policies = policies
        self.rules = rules
        self.leads = leads

    # -- reads: every ticket with its SLA block ------------------------------------------------

    async def _calendar(self, tenant_id: UUID) -> tuple[BusinessCalendar, int]:
        settings = await self.calendars.get(tenant_id)
        return business_calendar(settings), settings.reopen_days

    async def _with_sla(self, tenant_id: UUID, ticket: Ticket) -> Ticket:
        calendar, _ = await self._calendar(tenant_id)
        return replace(ticket, sla=sla_view(calendar, ticket, now()))

    def _read_scope(self, principal: Principal) -> DataScope:
        # Whoever opened a ticket keeps reading it (its conversation, history, escalations) when
        # the rules send it elsewhere; changing it still takes a range that reaches it.
        return replace(principal.scope(self.resource, "read"), creator_reads=True)

    async def get(self, principal: Principal, record_id: UUID) -> Ticket:
        return await self._with_sla(principal.tenant_id, await super().get(principal, record_id))

    async def list_page(
        self,
        principal: Principal,
        query: Any,
        custom_filters: dict[str, str] | None = None,
        where: str | None = None,
    ) -> Page[Ticket | dict[str, Any]]:
        page = await super().list_page(principal, query, custom_filters, where)
        calendar, _ = await self._calendar(principal.tenant_id)
        at = now()
        # The rows are fresh from the repository: filled in, not copied (a copy of each cost about
        # a tenth of a page's CPU).
        for item in page.items:
            if isinstance(item, Ticket):
                item.sla = sla_view(calendar, item, at)
        return page

    async def assign(self, principal: Principal, record_id: UUID, owner_id: UUID) -> Ticket:
        return await self._with_sla(principal.tenant_id, await super().assign(principal, record_id, owner_id))

    async def restore(self, principal: Principal, record_id: UUID) -> Ticket:
        return await self._with_sla(principal.tenant_id, await super().restore(principal, record_id))

    async def update(
        self,
        principal: Principal,
        record_id: UUID,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
        allow_duplicate: bool = False,
    ) -> Ticket:
        updated = await super().update(
            principal, record_id, changes, expected_version=expected_version, allow_duplicate=allow_duplicate
        )
        return await self._with_sla(principal.tenant_id, updated)

    # -- create ----------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool = False) -> Ticket:
        """The owner: `owner_id` when given (another user needs tickets:assign); otherwise the
        assignment rules, and when no rule takes the ticket the caller, or with `queue` (an
        explicit `owner_id: null`) the unassigned queue of the team given as `department_id`."""
        principal.require(self.resource, "create")
        queue = values.pop("queue", False)
        team = values.pop("department_id", None)
        values["custom_fields"] = await self._custom_fields(principal, values.get("custom_fields") or {}, None)
        values["tags"] = list(dict.fromkeys(values.get("tags") or []))
        routed_by: TicketAssignmentRule | None = None
        if values.get("owner_id") is not None:
            await set_new_owner(principal, self.resource, self.context, values)
        else:
            routed = await route(self.rules, principal.tenant_id, values)
            routed_by = routed.rule
            if routed.rule is not None:
                values["owner_id"], values["department_id"] = routed.owner_id, routed.department_id
            elif queue:
                values["owner_id"], values["department_id"] = None, team
            else:
                await set_new_owner(principal, self.resource, self.context, values)
        start = now()
        calendar, _ = await self._calendar(principal.tenant_id)
        level = await self._customer_level(principal.tenant_id, values.get("customer_id"))
        policy = pick_policy(await self.policies.list(principal.tenant_id), values["priority"], level)
        due = due_times(calendar, start, policy)
        values |= {"status": S.NEW.value, "created_at": start, "updated_at": start, **due.columns()}
        ticket = await self.records.insert(principal.tenant_id, principal.user_id, values)
        await self.records.add_status_change(principal.tenant_id, ticket.id, None, S.NEW, principal.user_id, start)
        # The gap-free number last: every other ticket being opened waits from here to the commit.
        number = await self.records.take_number(principal.tenant_id, ticket.id, "T", 6)
        ticket = replace(ticket, number=number)
        await self._record(principal, "created", ticket, diff(None, fields_of(ticket)), one_statement=True)
        if routed_by is not None:
            rule = {"assignment_rule": {"before": None, "after": {"id": routed_by.id, "name": routed_by.name}}}
            assigned = {"owner_id": {"before": None, "after": ticket.owner_id}} | rule
            await self._record(principal, "assigned", ticket, assigned, one_statement=True)
        return replace(ticket, sla=sla_view(calendar, ticket, start))

    async def _customer_level(self, tenant_id: UUID, customer_id: UUID | None) -> str | None:
        if customer_id is None:
            return None
        facts = await self.records.customer_facts(tenant_id, customer_id)
        if facts is None:
            raise ValidationFailed.one("customer_id", "refers to no such record")
        return facts[1]

    async def _custom_fields(
        self, principal: Principal, values: dict[str, Any], current: dict[str, Any] | None
    ) -> dict[str, Any]:
        _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
        return validate_values(definitions, values, current=current)

    # -- update: status moves and the SLA clocks ---------------------------------------------

    async def _prepare_update(
        self, principal: Principal, current: Ticket, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        target = changes.get("status", current.status)
        if current.status == S.CLOSED and target == S.CLOSED:
            raise Conflict("a closed ticket is final; reopen it (status open) to change it")
        if "custom_fields" in changes:
            changes["custom_fields"] = await self._custom_fields(
                principal, changes["custom_fields"] or {}, current.custom_fields
            )
        if changes.get("tags") is not None:
            changes["tags"] = list(dict.fromkeys(changes["tags"]))
        calendar, reopen_days = await self._calendar(principal.tenant_id)
        at = now()
        if target != current.status:
            await self._move(principal, calendar, reopen_days, current, changes, target, at)
        if {"priority", "customer_id"} & changes.keys():
            await self._reschedule(principal.tenant_id, calendar, current, changes)

    async def _move(
        self,
        principal: Principal,
        calendar: BusinessCalendar,
        reopen_days: int,
        current: Ticket,
        changes: dict[str, Any],
        target: str,
        at: datetime,
    ) -> None:
        if target not in MOVES[current.status]:
            raise InvalidTransition(f"a {current.status} ticket cannot become {target}")
        if current.status == S.PENDING:  # the resolution clock runs again, the due time moves
            changes |= resumed(calendar, current, at) | {"sla_paused_at": None}
        if target == S.PENDING:
            changes["sla_paused_at"] = at
        elif target == S.RESOLVED:
            if not (changes.get("solution") or current.solution):
                raise ValidationFailed.one("solution", "is required to resolve a ticket")
            changes["resolved_at"] = at
        elif target == S.CLOSED:
            changes["closed_at"] = at
        elif current.status in (S.RESOLVED, S.CLOSED):  # a reopen
            resolved = current.resolved_at or current.updated_at
            if at > resolved + timedelta(days=reopen_days):
                raise Conflict(f"a ticket reopens only within {reopen_days} days of its resolution")
            changes |= {"resolved_at": None, "closed_at": None, "reopen_count": current.reopen_count + 1}
        reopened = target == S.OPEN and current.status in (S.RESOLVED, S.CLOSED)
        await self.records.add_status_change(
            principal.tenant_id, current.id, current.status, target, principal.user_id, at
        )
        event = "reopened" if reopened else STATUS_EVENTS[S(target)]
        move = {"id": current.id, "number": current.number, "from": current.status, "to": target}
        await self.outbox.publish(principal.tenant_id, f"ticket.{event}", self.entity, current.id, move)

    async def _reschedule(
        self, tenant_id: UUID, calendar: BusinessCalendar, current: Ticket, changes: dict[str, Any]
    ) -> None:
        """New targets after a priority or customer change, counted from the ticket's creation
        (the pauses so far still count)."""
        merged = {**fields_of(current), **changes}
        level = await self._customer_level(tenant_id, merged["customer_id"])
        policy = pick_policy(await self.policies.list(tenant_id), merged["priority"], level)
        due = due_times(calendar, current.created_at, policy, merged["sla_paused_seconds"])
        changes |= due.columns(resolution=merged["resolved_at"] is None)

    # -- the conversation --------------------------------------------------------------------

    async def add_comment(self, principal: Principal, ticket_id: UUID, values: dict[str, Any]) -> Comment:
        """A public reply or an internal note. The first public reply answers the ticket (first
        response time) and opens a new one."""
        scope = principal.scope(self.resource, "update")
        ticket = await self._locked(scope, ticket_id)
        if ticket.status == S.CLOSED:
            raise Conflict("a closed ticket takes no comments; reopen it first")
        oversized = [
            FieldError(f"attachments.{i}.size", f"must be at most {MAX_ATTACHMENT_BYTES} bytes")
            for i, a in enumerate(values.get("attachments") or [])
            if a["size"] > MAX_ATTACHMENT_BYTES
        ]
        if oversized:
            raise ValidationFailed(oversized, oversized[0].field + ": too large")
        at = now()  # the SLA clock's instant, so a reply and its due time are on one clock
        comment = await self.comments.insert(
            principal.tenant_id,
            principal.user_id,
            {**values, "ticket_id": ticket.id, "created_at": at, "updated_at": at},
        )
        changes: dict[str, Any] = {}
        if values["visibility"] == Visibility.PUBLIC and ticket.first_responded_at is None:
            changes["first_responded_at"] = comment.created_at
            if ticket.status == S.NEW:
                changes["status"] = S.OPEN.value
                await self.records.add_status_change(
                    principal.tenant_id, ticket.id, S.NEW, S.OPEN, principal.user_id, at
                )
        if changes:
            await self.records.update(scope, ticket, principal.user_id, changes)
        note = {"comment_id": comment.id, "visibility": comment.visibility, "attachments": len(comment.attachments)}
        await self._record_change(principal, "commented", ticket.id, {"comment": {"before": None, "after": note}})
        return comment

    async def list_comments(
        self, principal: Principal, ticket_id: UUID, visibility: str | None, limit: int
    ) -> list[Comment]:
        ticket = await super().get(principal, ticket_id)
        return await self.comments.list(principal.tenant_id, ticket.id, visibility, limit)

    # -- escalation ------------------------------------------------------------------------

    async def escalate(
        self, principal: Principal, ticket_id: UUID, *, reason: str, priority: str | None, to_manager: bool
    ) -> Ticket:
        """Raise the priority (to `priority`, or one step when neither it nor `to_manager` is
        given) and/or hand the ticket to its team's manager; recorded with its level."""
        scope = principal.scope(self.resource, "update")
        current = await self._locked(scope, ticket_id)
        if current.status in (S.RESOLVED, S.CLOSED):
            raise Conflict(f"a {current.status} ticket is not escalated; reopen it first")
        rank = PRIORITY_ORDER.index(current.priority)
        if priority is None and not to_manager:
            if rank == len(PRIORITY_ORDER) - 1:
                raise ValidationFailed.one("priority", "the ticket is already urgent; escalate to_manager instead")
            priority = PRIORITY_ORDER[rank + 1]
        if priority is not None and PRIORITY_ORDER.index(priority) <= rank:
            raise ValidationFailed.one("priority", f"must be higher than the current {current.priority}")
        changes: dict[str, Any] = {"escalation_level": current.escalation_level + 1}
        if priority is not None:
            changes["priority"] = priority
        if to_manager:
            if current.department_id is None:
                raise ValidationFailed.one("to_manager", "the ticket has no team whose manager could take it")
            manager = await self.records.team_manager(principal.tenant_id, current.department_id, current.owner_id)
            if manager is None:
                raise ValidationFailed.one("to_manager", "the ticket's team has no active manager")
            changes["owner_id"] = manager
        if priority is not None:
            calendar, _ = await self._calendar(principal.tenant_id)
            await self._reschedule(principal.tenant_id, calendar, current, changes)
        updated = await self.records.update(scope, current, principal.user_id, changes)
        await self.records.add_escalation(
            principal.tenant_id,
            {
                "ticket_id": current.id,
                "level": updated.escalation_level,
                "reason": reason,
                "from_priority": current.priority,
                "to_priority": updated.priority,
                "from_owner_id": current.owner_id,
                "to_owner_id": updated.owner_id,
                "escalated_by": principal.user_id,
            },
        )
        changed = diff(fields_of(current), fields_of(updated))
        for name in ("updated_at", "version"):
            changed.pop(name, None)
        await self._record(principal, "escalated", updated, changed | {"reason": {"before": None, "after": reason}})
        return await self._with_sla(principal.tenant_id, updated)

    async def escalations(self, principal: Principal, ticket_id: UUID) -> list[Escalation]:
        scope = self._read_scope(principal)
        if await self.records.get(scope, ticket_id) is None:
            raise NotFound("no such ticket")
        return await self.records.escalations(scope, ticket_id)

    async def escalate_by_rule(
        self, tenant_id: UUID, rule: TicketEscalationRule, ticket_id: UUID
    ) -> tuple[Ticket, Escalation] | None:
        """The worker's half of an escalation rule: its actions on a ticket it matched, once. The
        rule's escalation is written first (unique per rule and ticket), so a second run or a
        second worker finds it and changes nothing. None: done before, or no longer open."""
        scope = DataScope(tenant_id, SYSTEM_ACTOR, (), (Grant(DataRange.ALL),))
        current = await self.records.get(scope, ticket_id, for_update=True)
        if current is None or current.status not in OPEN_STATUSES:
            return None
        changes: dict[str, Any] = {"escalation_level": current.escalation_level + 1}
        if (priority := raised_priority(current.priority, rule.raise_priority)) is not None:
            changes["priority"] = priority
        changes |= await self._rule_owner(tenant_id, rule, current)
        escalation = await self.records.add_escalation(
            tenant_id,
            {
                "ticket_id": current.id,
                "level": changes["escalation_level"],
                "reason": f"Rule: {rule.name}"[:500],
                "from_priority": current.priority,
                "to_priority": changes.get("priority", current.priority),
                "from_owner_id": current.owner_id,
                "to_owner_id": changes.get("owner_id", current.owner_id),
                "escalated_by": None,
                "rule_id": rule.id,
            },
        )
        if escalation is None:
            return None
        if "priority" in changes:
            calendar, _ = await self._calendar(tenant_id)
            await self._reschedule(tenant_id, calendar, current, changes)
        updated = await self.records.update(scope, current, None, changes)
        changed = diff(fields_of(current), fields_of(updated))
        for name in ("updated_at", "version"):
            changed.pop(name, None)
        by = {"rule": {"before": None, "after": {"id": rule.id, "name": rule.name, "condition": rule.condition}}}
        await self._record(None, "escalated", updated, changed | by, tenant_id=tenant_id)
        return updated, escalation

    async def _rule_owner(self, tenant_id: UUID, rule: TicketEscalationRule, current: Ticket) -> dict[str, Any]:
        """The assignee and team a rule's reassignment gives (nothing when it has nobody to give to)."""
        if rule.reassign == Reassign.TEAM_MANAGER and current.department_id is not None:
            manager = await self.records.team_manager(tenant_id, current.department_id, current.owner_id)
            return {} if manager is None else {"owner_id": manager}
        if rule.reassign == Reassign.USER and rule.user_id is not None and rule.user_id != current.owner_id:
            found = await self.rules.active_user_department(tenant_id, rule.user_id)
            return {"owner_id": rule.user_id, "department_id": found[1]} if found and found[0] else {}
        if rule.reassign == Reassign.DEPARTMENT and rule.department_id is not None:
            return {"owner_id": None, "department_id": rule.department_id}
        return {}

    async def history(self, principal: Principal, ticket_id: UUID) -> list[dict[str, Any]]:
        scope = self._read_scope(principal)
        if await self.records.get(scope, ticket_id) is None:
            raise NotFound("no such ticket")
        calendar, _ = await self._calendar(principal.tenant_id)
        return history_items(calendar, await self.records.history(scope, ticket_id))

    # -- a sales lead from an inquiry --------------------------------------------------------

    async def create_lead(self, principal: Principal, ticket_id: UUID, values: dict[str, Any]) -> tuple[Ticket, UUID]:
        """Hand a buying interest over to sales: a lead routed by the lead assignment rules (the
        agent needs no leads permission), linked both ways. Once per ticket."""
        scope = principal.scope(self.resource, "update")
        ticket = await self._locked(scope, ticket_id)
        if ticket.lead_id is not None:
            raise Conflict("the ticket already became a lead", existing_id=str(ticket.lead_id))
        company = None
        if ticket.customer_id is not None:
            facts = await self.records.customer_facts(principal.tenant_id, ticket.customer_id)
            company = facts[0] if facts else None
        lead_values = {
            "name": company or ticket.subject,
            "company": company,
            "source": "other",
            "description": f"From service ticket {ticket.number}: {ticket.subject}",
            "tags": ["from-ticket"],
            **{k: v for k, v in values.items() if v is not None},
            "source_ticket_id": ticket.id,
        }
        lead = await self.leads.hand_over(principal, lead_values)
        updated = await self.records.update(scope, ticket, principal.user_id, {"lead_id": lead.id})
        await self._record(principal, "lead_created", updated, {"lead_id": {"before": None, "after": lead.id}})
        return await self._with_sla(principal.tenant_id, updated), lead.id


class TicketAssignmentRuleService(RoutingRuleService[TicketAssignmentRule]):
    resource = "tickets"
    entity = "ticket_assignment_rule"
