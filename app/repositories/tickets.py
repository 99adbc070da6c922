"""Tickets in PostgreSQL: the shared owned-record adapter (owner = assignee, department = team),
comments, status history, escalations, the tenant's calendar, SLA policies, categories and the
ticket assignment rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
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
from app.domain.tickets.stats import GroupBy
from app.repositories.configured import ConfiguredTable
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


_STATUS_CHANGE = Prepared.insert(
    ticket_status_changes, ("tenant_id", "id", "ticket_id", "from_status", "to_status", "changed_by", "changed_at")
)


class PgTicketRepository(OwnedTable[Ticket]):
    table = t
    record = Ticket
    sortable = SORTABLE
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


# The dimensions of GET /tickets/stats with few values, in GROUPING SETS order; the customers
# (as many as the tickets, nearly) are ranked in SQL instead.
_DIMENSIONS = ("kind", "category_id", "channel", "priority", "status", "owner_id")
# How many rows a dimension with many values (assignees, customers) lists, largest first.
_TOP = 50


def _late(now: datetime) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """Whether the first response, and the resolution, missed their target (by now, if still due)."""
    at = sa.literal(now, TS)
    first_late = sa.func.coalesce(t.c.first_responded_at, at) > t.c.first_response_due_at
    resolution_late = sa.and_(
        t.c.sla_paused_at.is_(None) | t.c.resolved_at.isnot(None),
        sa.func.coalesce(t.c.resolved_at, at) > t.c.resolution_due_at,
    )
    return first_late, resolution_late


class PgTicketStats:
    """Three statements per request over the caller's scope and the period: the counts per small
    dimension (one GROUPING SETS pass), the customers with the most tickets and the repeat
    complainers (top-N in SQL: only those rows leave the database), and the times and rates (both
    percentiles of a time from one sort)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def volume(
        self, scope: DataScope, start: datetime, end: datetime, now: datetime, unit: GroupBy
    ) -> dict[datetime, dict[str, int]]:
        where = [scope_predicate(t, scope), t.c.deleted_at.is_(None), t.c.created_at >= start, t.c.created_at < end]
        # date_trunc on the UTC wall time, so the periods do not follow the session's time zone.
        period = sa.func.date_trunc(unit, sa.func.timezone("UTC", t.c.created_at)).label("period")
        first_late, resolution_late = _late(now)
        stmt = (
            sa.select(
                period,
                sa.func.count().label("n"),
                sa.func.count().filter(t.c.kind == "complaint").label("complaints"),
                sa.func.count().filter(sa.or_(first_late, resolution_late)).label("breached"),
            )
            .where(*where)
            .group_by(period)
        )
        return {
            row.period.replace(tzinfo=UTC): {"count": row.n, "complaints": row.complaints, "breached": row.breached}
            for row in await self.conn.execute(stmt)
        }

    async def stats(self, scope: DataScope, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
        where = [scope_predicate(t, scope), t.c.deleted_at.is_(None), t.c.created_at >= start, t.c.created_at < end]
        columns = [t.c[name] for name in _DIMENSIONS]
        grouped = (
            sa.select(
                *columns,
                sa.func.grouping(*columns).label("g"),
                sa.func.count().label("n"),
                sa.func.count().filter(t.c.kind == "complaint").label("complaints"),
            )
            .where(*where)
            .group_by(sa.func.grouping_sets(*columns))
        )
        out: dict[str, Any] = {f"by_{name.removesuffix('_id')}": [] for name in (*_DIMENSIONS, "customer_id")}
        width = len(_DIMENSIONS)
        for row in await self.conn.execute(grouped):
            # grouping() sets a bit for each column not grouped on: the one clear bit names the dimension.
            index = next(i for i in range(width) if not row.g & (1 << (width - 1 - i)))
            out[f"by_{_DIMENSIONS[index].removesuffix('_id')}"].append(
                {"key": row[index], "count": row.n, "complaints": row.complaints}
            )
        customers = await self._customers(where)
        out["by_customer"] = customers.pop("by_customer")
        for key, items in out.items():
            items.sort(key=lambda item: (-item["count"], str(item["key"])))
            out[key] = items[:_TOP]
        out |= customers

        def minutes(later: Any) -> Any:
            return sa.func.extract("epoch", later - t.c.created_at) / 60

        def pct(later: Any) -> Any:
            """[median, p90] of the minutes to `later`, from one sort."""
            fractions = postgresql.array([0.5, 0.9], type_=sa.Float)
            found = sa.func.percentile_cont(fractions).within_group(minutes(later)).filter(later.isnot(None))
            return sa.type_coerce(found, postgresql.ARRAY(sa.Float))

        first_late, resolution_late = _late(now)
        figures = sa.select(
            sa.func.count().label("total"),
            pct(t.c.first_responded_at).label("first"),
            pct(t.c.resolved_at).label("resolution"),
            sa.func.count().filter(t.c.sla_policy_id.isnot(None)).label("with_sla"),
            sa.func.count().filter(sa.or_(first_late, resolution_late)).label("breached"),
            sa.func.count().filter(sa.or_(t.c.resolved_at.isnot(None), t.c.reopen_count > 0)).label("resolved"),
            sa.func.count().filter(t.c.reopen_count > 0).label("reopened"),
        ).where(*where)
        f = (await self.conn.execute(figures)).one()

        def rounded(value: Any) -> float | None:
            return None if value is None else round(float(value), 1)

        first, resolution = f.first or [None, None], f.resolution or [None, None]
        out |= {
            "total": f.total,
            "first_response_minutes": {"median": rounded(first[0]), "p90": rounded(first[1])},
            "resolution_minutes": {"median": rounded(resolution[0]), "p90": rounded(resolution[1])},
            "sla": {"with_targets": f.with_sla, "breached": f.breached,
                    "breach_rate": round(f.breached / f.with_sla, 4) if f.with_sla else None},
            "reopen": {"resolved": f.resolved, "reopened": f.reopened,
                       "reopen_rate": round(f.reopened / f.resolved, 4) if f.resolved else None},
        }  # fmt: skip
        return out

    async def _customers(self, where: list[Any]) -> dict[str, list[dict[str, Any]]]:
        """The customers with the most tickets (tickets without one as one group) and the repeat
        complainers (two or more complaints): the top rows of each, picked in SQL (a top-N sort
        over the groups, not a sort of them all)."""
        n = sa.func.count()
        text = sa.cast(t.c.customer_id, sa.Text)
        complaints = sa.func.count().filter(t.c.kind == "complaint")
        most = (
            sa.select(sa.literal("count").label("list"), t.c.customer_id, n.label("n"), complaints.label("complaints"))
            .where(*where)
            .group_by(t.c.customer_id)
            .order_by(n.desc(), text)
            .limit(_TOP)
        )
        complaining = (
            sa.select(sa.literal("complaints").label("list"), t.c.customer_id, n.label("n"), n.label("complaints"))
            .where(*where, t.c.kind == "complaint", t.c.customer_id.isnot(None))
            .group_by(t.c.customer_id)
            .having(n >= 2)
            .order_by(n.desc(), text)
            .limit(_TOP)
        )
        both = sa.union_all(most.subquery().select(), complaining.subquery().select())
        out: dict[str, list[dict[str, Any]]] = {"by_customer": [], "repeat_complainers": []}
        for row in await self.conn.execute(both):
            if row.list == "count":
                out["by_customer"].append({"key": row.customer_id, "count": row.n, "complaints": row.complaints})
            else:
                out["repeat_complainers"].append({"customer_id": row.customer_id, "complaints": row.n})
        out["repeat_complainers"].sort(key=lambda item: (-item["complaints"], str(item["customer_id"])))
        return out
