"""Tickets in PostgreSQL: the shared owned-record adapter (owner = assignee, department = team),
comments, status history, escalations, the tenant's calendar, SLA policies, categories and the
ticket assignment rules."""

from __future__ import annotations

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
    SlaPolicy,
    Ticket,
    TicketAssignmentRule,
)
from app.repositories.configured import ConfiguredTable
from app.repositories.owned import OwnedTable
from app.repositories.routing import RoutingRuleTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import (
    customers,
    roles,
    sla_policies,
    ticket_assignment_rules,
    ticket_calendars,
    ticket_categories,
    ticket_comments,
    ticket_escalations,
    ticket_status_changes,
    tickets,
    user_roles,
    users,
)

t = tickets


def derived(values: dict[str, Any]) -> dict[str, Any]:
    return {"search_text": search_text(values.get("number"), values.get("subject"), values.get("description"))}


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
        self, tenant_id: UUID, ticket_id: UUID, before: str | None, after: str, actor: UUID | None
    ) -> None:
        await self.conn.execute(
            ticket_status_changes.insert().values(
                tenant_id=tenant_id, id=new_id(), ticket_id=ticket_id, from_status=before, to_status=str(after),
                changed_by=actor,
            )
        )  # fmt: skip

    async def add_escalation(self, tenant_id: UUID, values: dict[str, Any]) -> Escalation:
        e = ticket_escalations
        stmt = e.insert().values(tenant_id=tenant_id, id=new_id(), **values).returning(*_escalation_columns())
        return Escalation(*(await self.conn.execute(stmt)).one())

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

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, tenant_id: UUID) -> CalendarSettings:
        k = ticket_calendars
        row = (
            await self.conn.execute(sa.select(*(k.c[f] for f in self.fields)).where(k.c.tenant_id == tenant_id))
        ).first()
        return CalendarSettings(*row) if row else CalendarSettings()

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
