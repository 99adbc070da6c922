"""Activities in PostgreSQL: the shared owned-record adapter (app/repositories/owned.py), plus the
appointment overlap check, the calendar, the records an activity may link to, and the reminders
the worker sends. The data range applies by the activity's own owner and department."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.activities.entities import SORTABLE, Activity
from app.domain.shared.scope import DataScope
from app.repositories.owned import OwnedTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import activities, leads, opportunities

a = activities
PLANNED_APPOINTMENT = (a.c.kind == "appointment") & (a.c.status == "planned") & a.c.deleted_at.is_(None)


def _of(person: UUID) -> sa.ColumnElement[bool]:
    """Work that is this person's: assigned to them, or theirs and assigned to nobody."""
    return sa.or_(a.c.assignee_id == person, sa.and_(a.c.assignee_id.is_(None), a.c.owner_id == person))


class PgActivityRepository(OwnedTable[Activity]):
    table = activities
    record = Activity
    sortable = SORTABLE
    # Open work: tasks and appointments still planned (what was done stays with who did it).
    # (No IN list: a prepared statement cannot expand one.)
    open_records = sa.or_(a.c.kind == "task", a.c.kind == "appointment") & (a.c.status == "planned")
    # Foreign keys a client can point at a missing row (or one deleted meanwhile); each is a 422.
    fk_fields = {
        "fk_activities_customer": "customer_id",
        "fk_activities_contact": "contact_id",
        "fk_activities_lead": "lead_id",
        "fk_activities_opportunity": "opportunity_id",
        "fk_activities_assignee": "assignee_id",
        "fk_activities_owner": "owner_id",
    }

    async def overlapping(
        self, tenant_id: UUID, person: UUID, starts_at: datetime, ends_at: datetime, *, exclude: UUID | None
    ) -> list[UUID]:
        stmt = sa.select(a.c.id).where(
            a.c.tenant_id == tenant_id,
            PLANNED_APPOINTMENT,
            _of(person),
            a.c.starts_at < ends_at,
            a.c.ends_at > starts_at,
        )
        if exclude is not None:
            stmt = stmt.where(a.c.id != exclude)
        return list((await self.conn.execute(stmt.order_by(a.c.starts_at).limit(20))).scalars())

    async def calendar(
        self, scope: DataScope, start: datetime, end: datetime, assignee: UUID | None, limit: int
    ) -> list[Activity]:
        when = sa.func.coalesce(a.c.starts_at, a.c.due_at)
        in_span = sa.or_(
            sa.and_(a.c.starts_at < end, a.c.ends_at > start),
            sa.and_(a.c.starts_at.is_(None), a.c.due_at >= start, a.c.due_at < end),
        )
        stmt = sa.select(*self.columns).where(
            scope_predicate(a, scope), a.c.deleted_at.is_(None), a.c.kind.in_(["task", "appointment"]), in_span
        )
        if assignee is not None:
            stmt = stmt.where(_of(assignee))
        return [self._to_record(row) for row in await self.conn.execute(stmt.order_by(when, a.c.id).limit(limit))]


class PgLinkedRecords:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lead_visible(self, scope: DataScope, lead_id: UUID) -> bool:
        stmt = sa.select(leads.c.id).where(
            scope_predicate(leads, scope), leads.c.id == lead_id, leads.c.deleted_at.is_(None)
        )
        return (await self.conn.execute(stmt)).first() is not None

    async def opportunity_customer(self, scope: DataScope, opportunity_id: UUID) -> UUID | None:
        o = opportunities
        stmt = sa.select(o.c.customer_id).where(
            scope_predicate(o, scope), o.c.id == opportunity_id, o.c.deleted_at.is_(None)
        )
        found: UUID | None = (await self.conn.execute(stmt)).scalar()
        return found


class PgReminders:
    """Planned tasks and appointments whose reminder time has come, across tenants."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def due(self, now: datetime, limit: int) -> list[tuple[UUID, UUID, UUID, str, datetime]]:
        """(tenant, activity, the person to remind, subject, when it is due or starts), now marked
        reminded: each reminder is taken once."""
        when = sa.func.coalesce(a.c.starts_at, a.c.due_at)
        due = (
            sa.select(a.c.tenant_id, a.c.id)
            .where(
                a.c.deleted_at.is_(None),
                a.c.status == "planned",
                a.c.reminder_minutes.isnot(None),
                a.c.reminded_at.is_(None),
                when - sa.func.make_interval(0, 0, 0, 0, 0, a.c.reminder_minutes) <= now,
            )
            .order_by(when)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        stmt = (
            a.update()
            .where(a.c.tenant_id == due.c.tenant_id, a.c.id == due.c.id)
            .values(reminded_at=sa.func.now())
            .returning(a.c.tenant_id, a.c.id, sa.func.coalesce(a.c.assignee_id, a.c.owner_id), a.c.subject, when)
        )
        return [(r[0], r[1], r[2], r[3], r[4]) for r in await self.conn.execute(stmt)]
