"""Tickets in PostgreSQL: the shared owned-record adapter (owner = assignee, department = team),
comments, status history, escalations, the tenant's calendar, SLA policies, categories and the
ticket assignment rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.ids import new_id
from app.domain.shared.normalize import search_text
from app.domain.shared.scope import DataScope
from app.domain.tickets.entities import (
    OPEN_STATUSES,
    SORTABLE,
    CalendarSettings,
    Category,
    Comment,
    Escalation,
    EscalationCondition,
    SlaPolicy,
    Ticket,
    TicketAssignmentRule,
    TicketEscalationRule,
)
from app.domain.tickets.history import HistoryEntry
from app.domain.tickets.sla_job import SlaAlert
from app.repositories.configured import ConfiguredTable
from app.repositories.documents import counter_bump
from app.repositories.owned import OwnedTable, Term, query_terms
from app.repositories.prepared import Prepared
from app.repositories.routing import RoutingRuleTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import (
    TS,
    audit_log,
    customers,
    roles,
    sla_policies,
    ticket_assignment_rules,
    ticket_calendars,
    ticket_categories,
    ticket_comments,
    ticket_escalation_rules,
    ticket_escalations,
    ticket_sla_alerts,
    ticket_status_changes,
    tickets,
    user_roles,
    users,
)

t = tickets


def derived(values: dict[str, Any]) -> dict[str, Any]:
    return {"search_text": search_text(values.get("number"), values.get("subject"), values.get("description"))}


def breaching(at: Any) -> sa.ColumnElement[bool]:
    """Open, with a running clock due before `at`: the first response not yet given, or the
    resolution while not paused (pending). Served by the partial due-time indexes."""
    return sa.and_(
        t.c.is_open,
        sa.or_(
            sa.and_(t.c.first_responded_at.is_(None), t.c.first_response_due_at < at),
            sa.and_(t.c.sla_paused_at.is_(None), t.c.resolution_due_at < at),
        ),
    )


def _take_number() -> sa.ClauseElement:
    """Bump the tenant's ticket counter and give the ticket (inserted without a number) the number
    taken: `prefix` and the value zero-padded to `digits`, also at the head of its search text
    (as `derived` would have put it)."""
    taken = counter_bump().cte("taken")
    value = sa.cast(taken.c.value, sa.Text)
    width = sa.func.greatest(sa.bindparam("digits", type_=sa.Integer), sa.func.length(value))
    number = sa.bindparam("prefix", type_=sa.Text) + sa.func.lpad(value, width, sa.literal("0"))
    return (
        t.update()
        .where(t.c.tenant_id == sa.bindparam("tenant_id", type_=t.c.tenant_id.type))
        .where(t.c.id == sa.bindparam("ticket_id", type_=t.c.id.type))
        .where(t.c.number.is_(None))
        .values(number=number, search_text=sa.func.concat_ws(" ", sa.func.lower(number), t.c.search_text))
        .returning(t.c.number)
    )


_TAKE_NUMBER = Prepared.of(_take_number())
_STATUS_CHANGE = Prepared.insert(
    ticket_status_changes, ("tenant_id", "id", "ticket_id", "from_status", "to_status", "changed_by", "changed_at")
)


class PgTicketRepository(OwnedTable[Ticket]):
    table = t
    record = Ticket
    sortable = SORTABLE
    # Open work: new, open and pending tickets (the resolved ones stay with who resolved them).
    open_records = t.c.is_open
    fk_fields = {
        "fk_tickets_owner": "owner_id",
        "fk_tickets_department": "department_id",
        "fk_tickets_category": "category_id",
        "fk_tickets_customer": "customer_id",
        "fk_tickets_contact": "contact_id",
        "fk_tickets_opportunity": "opportunity_id",
        "fk_tickets_order": "order_id",
    }
    derived_from = ("number", "subject", "description")
    derived = staticmethod(derived)

    def query_terms(self, query: Any) -> list[Term]:
        terms = query_terms(t, replace(query, breaching_before=None))
        if query.breaching_before is not None:
            terms.append(Term("breaching_before", query.breaching_before, breaching, TS))
        return terms

    async def take_number(self, tenant_id: UUID, ticket_id: UUID, prefix: str, digits: int) -> str:
        # The counter's row lock lasts until commit: a caller takes the number as late as it can.
        rows = await _TAKE_NUMBER.rows(
            self.conn, {"tenant_id": tenant_id, "kind": "ticket", "ticket_id": ticket_id, "prefix": prefix,
                        "digits": digits}
        )  # fmt: skip
        if not rows:
            raise LookupError(f"ticket {ticket_id} is not this transaction's unnumbered ticket")
        return str(rows[0][0])

    async def customer_facts(self, tenant_id: UUID, customer_id: UUID) -> tuple[str, str | None] | None:
        c = customers
        stmt = sa.select(c.c.name, c.c.level).where(
            c.c.tenant_id == tenant_id, c.c.id == customer_id, c.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt)).first()
        return (row.name, row.level) if row else None

    async def team_manager(self, tenant_id: UUID, department_id: UUID, exclude: UUID | None) -> UUID | None:
        u, ur, ro = users, user_roles, roles
        assigns = sa.exists().where(
            ur.c.tenant_id == u.c.tenant_id,
            ur.c.user_id == u.c.id,
            ro.c.tenant_id == ur.c.tenant_id,
            ro.c.id == ur.c.role_id,
            ro.c.deleted_at.is_(None),
            sa.literal("tickets:assign") == sa.any_(ro.c.permissions),
        )
        stmt = (
            sa.select(u.c.id)
            .where(
                u.c.tenant_id == tenant_id,
                u.c.department_id == department_id,
                u.c.active,
                u.c.deleted_at.is_(None),
                assigns,
            )
            .order_by(u.c.id)
        )
        if exclude is not None:
            stmt = stmt.where(u.c.id != exclude)
        found: UUID | None = (await self.conn.execute(stmt.limit(1))).scalar()
        return found

    async def add_status_change(
        self, tenant_id: UUID, ticket_id: UUID, before: str | None, after: str, actor: UUID | None, at: datetime
    ) -> None:
        values = {"tenant_id": tenant_id, "id": new_id(), "ticket_id": ticket_id, "from_status": before,
                  "to_status": str(after), "changed_by": actor, "changed_at": at}  # fmt: skip
        await _STATUS_CHANGE.rows(self.conn, values)

    async def add_escalation(self, tenant_id: UUID, values: dict[str, Any]) -> Escalation | None:
        e = ticket_escalations
        stmt = insert(e).values(tenant_id=tenant_id, id=new_id(), **values)
        if values.get("rule_id") is not None:  # once per rule and ticket
            stmt = stmt.on_conflict_do_nothing(
                index_elements=[e.c.tenant_id, e.c.rule_id, e.c.ticket_id], index_where=e.c.rule_id.isnot(None)
            )
        row = (await self.conn.execute(stmt.returning(*_escalation_columns()))).first()
        return Escalation(*row) if row else None

    async def history(self, scope: DataScope, ticket_id: UUID) -> list[HistoryEntry]:
        """One statement: the status moves, the escalations and the audited changes of the
        assignee, team or priority (an escalation's own audit entry is the escalation)."""
        s, e, log = ticket_status_changes, ticket_escalations, audit_log
        visible = sa.exists().where(scope_predicate(t, scope), t.c.id == ticket_id)

        def branch(kind: str, table: sa.Table, at: Any, actor: Any, data: Any, *where: Any) -> sa.Select[Any]:
            return sa.select(
                sa.literal(kind, sa.Text).label("kind"),
                at.label("at"),
                table.c.id.label("id"),
                actor.label("actor_id"),
                data.label("data"),
            ).where(table.c.tenant_id == scope.tenant_id, *where)

        def obj(*columns: sa.Column[Any]) -> Any:
            return sa.func.jsonb_build_object(*(x for c in columns for x in (sa.literal(c.name, sa.Text), c)))

        merged = sa.union_all(
            branch("status", s, s.c.changed_at, s.c.changed_by, obj(s.c.from_status, s.c.to_status),
                   s.c.ticket_id == ticket_id),
            branch("escalation", e, e.c.escalated_at, e.c.escalated_by,
                   obj(e.c.level, e.c.reason, e.c.from_priority, e.c.to_priority, e.c.from_owner_id, e.c.to_owner_id,
                       e.c.rule_id),
                   e.c.ticket_id == ticket_id),
            branch("change", log, log.c.at, log.c.actor_id, log.c.changes,
                   log.c.entity == "tickets", log.c.entity_id == ticket_id,
                   log.c.action.in_(("ticket.assigned", "ticket.updated")),
                   sa.or_(*(log.c.changes.has_key(key) for key in ("owner_id", "department_id", "priority")))),
        ).subquery("history")  # fmt: skip
        stmt = sa.select(merged).where(visible)
        return [HistoryEntry(*row) for row in await self.conn.execute(stmt)]

    async def escalations(self, scope: DataScope, ticket_id: UUID) -> list[Escalation]:
        e = ticket_escalations
        visible = sa.exists().where(scope_predicate(t, scope), t.c.id == e.c.ticket_id)
        stmt = (
            sa.select(*_escalation_columns())
            .where(e.c.tenant_id == scope.tenant_id, e.c.ticket_id == ticket_id, visible)
            .order_by(e.c.escalated_at, e.c.id)
        )
        return [Escalation(*row) for row in await self.conn.execute(stmt)]


def _escalation_columns() -> list[sa.Column[Any]]:
    return [ticket_escalations.c[name] for name in Escalation.__dataclass_fields__]


class PgCommentRepository:
    columns = [ticket_comments.c[name] for name in Comment.__dataclass_fields__]

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Comment:
        c = ticket_comments
        stmt = (
            c.insert()
            .values(tenant_id=tenant_id, id=new_id(), author_id=actor, created_by=actor, updated_by=actor, **values)
            .returning(*self.columns)
        )
        return Comment(*(await self.conn.execute(stmt)).one())

    async def list(self, tenant_id: UUID, ticket_id: UUID, visibility: str | None, limit: int) -> list[Comment]:
        c = ticket_comments
        stmt = sa.select(*self.columns).where(
            c.c.tenant_id == tenant_id, c.c.ticket_id == ticket_id, c.c.deleted_at.is_(None)
        )
        if visibility is not None:
            stmt = stmt.where(c.c.visibility == visibility)
        stmt = stmt.order_by(c.c.created_at, c.c.id).limit(limit)
        return [Comment(*row) for row in await self.conn.execute(stmt)]


class PgCalendarRepository:
    fields = (
        "time_zone",
        "weekdays",
        "open_minute",
        "close_minute",
        "holidays",
        "reopen_days",
        "updated_at",
        "version",
    )

    # Every ticket read and write loads the calendar: built once, bound per request.
    _get = Prepared.of(
        sa.select(*(ticket_calendars.c[f] for f in fields)).where(
            ticket_calendars.c.tenant_id == sa.bindparam("tenant_id", type_=ticket_calendars.c.tenant_id.type)
        )
    )

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, tenant_id: UUID) -> CalendarSettings:
        rows = await self._get.rows(self.conn, {"tenant_id": tenant_id})
        return CalendarSettings(*rows[0]) if rows else CalendarSettings()

    async def put(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> CalendarSettings:
        k = ticket_calendars
        new = insert(k).values(tenant_id=tenant_id, updated_by=actor, **values)
        stmt = new.on_conflict_do_update(
            index_elements=[k.c.tenant_id],
            set_={**values, "updated_by": actor, "updated_at": sa.func.now(), "version": k.c.version + 1},
        ).returning(*(k.c[f] for f in self.fields))
        return CalendarSettings(*(await self.conn.execute(stmt)).one())


class PgSlaPolicyRepository(ConfiguredTable[SlaPolicy]):
    table = sla_policies
    record = SlaPolicy
    order_by = ("priority", "customer_level", "id")


class PgCategoryRepository(ConfiguredTable[Category]):
    table = ticket_categories
    record = Category
    order_by = ("position", "name", "id")
    fk_fields = {"fk_ticket_categories_parent": "parent_id"}


class PgTicketAssignmentRuleRepository(RoutingRuleTable[TicketAssignmentRule]):
    table = ticket_assignment_rules
    record = TicketAssignmentRule
    records = tickets
    works = "tickets:update"
    open_statuses = OPEN_STATUSES
    fk_fields = {
        "fk_ticket_assignment_rules_category": "category_id",
        "fk_ticket_assignment_rules_user": "user_id",
        "fk_ticket_assignment_rules_department": "department_id",
    }


class PgEscalationRuleRepository(ConfiguredTable[TicketEscalationRule]):
    table = ticket_escalation_rules
    record = TicketEscalationRule
    order_by = ("position", "created_at", "id")
    fk_fields = {
        "fk_ticket_escalation_rules_category": "category_id",
        "fk_ticket_escalation_rules_user": "user_id",
        "fk_ticket_escalation_rules_department": "department_id",
    }


class PgEscalationCandidates:
    """The escalation rules job's queries (app/domain/tickets/escalation_job.py)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def rules(self) -> list[tuple[UUID, TicketEscalationRule]]:
        r = ticket_escalation_rules
        columns = PgEscalationRuleRepository.columns
        stmt = (
            sa.select(r.c.tenant_id, *columns)
            .where(r.c.active, r.c.deleted_at.is_(None))
            .order_by(r.c.tenant_id, r.c.position, r.c.created_at, r.c.id)
        )
        return [(row[0], TicketEscalationRule(*row[1:])) for row in await self.conn.execute(stmt)]

    async def matching(
        self, tenant_id: UUID, rule: TicketEscalationRule, now: datetime, limit: int
    ) -> list[tuple[UUID, datetime]]:
        e = ticket_escalations
        awaiting_reply = t.c.first_responded_at.is_(None)
        running = sa.and_(t.c.resolved_at.is_(None), t.c.sla_paused_at.is_(None))
        when = {
            EscalationCondition.FIRST_RESPONSE_BREACHED: sa.and_(awaiting_reply, t.c.first_response_due_at <= now),
            EscalationCondition.FIRST_RESPONSE_WARNING: sa.and_(awaiting_reply, t.c.first_response_warn_at <= now),
            EscalationCondition.RESOLUTION_BREACHED: sa.and_(running, t.c.resolution_due_at <= now),
            EscalationCondition.RESOLUTION_WARNING: sa.and_(running, t.c.resolution_warn_at <= now),
            EscalationCondition.UNASSIGNED: sa.and_(
                t.c.owner_id.is_(None), t.c.created_at <= now - timedelta(minutes=rule.minutes or 0)
            ),
        }[EscalationCondition(rule.condition)]
        matches = [
            t.c[name] == getattr(rule, name)
            for name in ("priority", "category_id", "kind", "channel")
            if getattr(rule, name) is not None
        ]
        done = sa.exists().where(e.c.tenant_id == t.c.tenant_id, e.c.rule_id == rule.id, e.c.ticket_id == t.c.id)
        stmt = (
            sa.select(t.c.id, t.c.created_at)
            .where(t.c.tenant_id == tenant_id, t.c.deleted_at.is_(None), t.c.is_open, when, *matches, ~done)
            .order_by(t.c.created_at, t.c.id)
            .limit(limit)
        )
        return [(row.id, row.created_at) for row in await self.conn.execute(stmt)]

    async def team_manager(self, tenant_id: UUID, department_id: UUID, exclude: UUID | None) -> UUID | None:
        return await PgTicketRepository(self.conn).team_manager(tenant_id, department_id, exclude)


class PgSlaAlerts:
    """The SLA job's queries (app/domain/tickets/sla_job.py)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def due(self, now: datetime, limit: int) -> list[SlaAlert]:
        a = ticket_sla_alerts
        live = [t.c.deleted_at.is_(None), t.c.is_open]
        awaiting_reply = [*live, t.c.first_responded_at.is_(None)]
        running = [*live, t.c.resolved_at.is_(None), t.c.sla_paused_at.is_(None)]
        cases = [
            ("first_response", "warning", t.c.first_response_warn_at, t.c.first_response_due_at, awaiting_reply),
            ("first_response", "breached", t.c.first_response_due_at, t.c.first_response_due_at, awaiting_reply),
            ("resolution", "warning", t.c.resolution_warn_at, t.c.resolution_due_at, running),
            ("resolution", "breached", t.c.resolution_due_at, t.c.resolution_due_at, running),
        ]
        parts = [
            sa.select(
                t.c.tenant_id, t.c.id, t.c.number, t.c.subject, sa.literal(target).label("target"),
                sa.literal(kind).label("kind"), due.label("due_at"), t.c.owner_id, t.c.department_id,
            ).where(
                *where, when <= now,
                ~sa.exists().where(a.c.tenant_id == t.c.tenant_id, a.c.ticket_id == t.c.id, a.c.target == target,
                                   a.c.kind == kind),
            )
            for target, kind, when, due, where in cases
        ]  # fmt: skip
        found = sa.union_all(*parts).subquery()
        u, ur, ro = users, user_roles, roles
        manager = (
            sa.select(u.c.id)
            .where(
                u.c.tenant_id == found.c.tenant_id,
                u.c.department_id == found.c.department_id,
                u.c.active,
                u.c.deleted_at.is_(None),
                sa.exists().where(
                    ur.c.tenant_id == u.c.tenant_id,
                    ur.c.user_id == u.c.id,
                    ro.c.tenant_id == ur.c.tenant_id,
                    ro.c.id == ur.c.role_id,
                    ro.c.deleted_at.is_(None),
                    sa.literal("tickets:assign") == sa.any_(ro.c.permissions),
                ),
            )
            .order_by(u.c.id)
            .limit(1)
            .scalar_subquery()
        )
        stmt = sa.select(
            found.c.tenant_id, found.c.id, found.c.number, found.c.subject, found.c.target, found.c.kind,
            found.c.due_at, found.c.owner_id, manager,
        ).limit(limit)  # fmt: skip
        return [SlaAlert(*row) for row in await self.conn.execute(stmt)]

    async def mark(self, alert: SlaAlert) -> bool:
        a = ticket_sla_alerts
        stmt = (
            insert(a)
            .values(
                tenant_id=alert.tenant_id,
                ticket_id=alert.ticket_id,
                target=alert.target,
                kind=alert.kind,
                due_at=alert.due_at,
            )
            .on_conflict_do_nothing()
        )
        return (await self.conn.execute(stmt)).rowcount > 0
