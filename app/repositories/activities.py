"""Activities in PostgreSQL. The data range applies by the activity's own owner/department; every
statement on behalf of a caller carries `scope_predicate`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.activities.entities import SORTABLE, Activity, ActivityQuery
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page, Sort
from app.domain.shared.scope import DataScope
from app.repositories.listing import keyset, page_of
from app.repositories.ownership import reassign_owner
from app.repositories.scoping import scope_predicate
from app.repositories.tables import activities

t = activities
COLUMNS = [t.c[name] for name in Activity.__dataclass_fields__]

# Foreign keys a client can point at a missing row (or one deleted meanwhile); each is a 422.
FK_FIELDS = {
    "fk_activities_customer": "customer_id",
    "fk_activities_contact": "contact_id",
    "fk_activities_owner": "owner_id",
}


def to_activity(row: Any) -> Activity:
    return Activity(*row[: len(COLUMNS)])


def _integrity(error: IntegrityError) -> ValidationFailed:
    text = str(error.orig)
    for constraint, field in FK_FIELDS.items():
        if constraint in text:
            return ValidationFailed.one(field, "refers to no such record")
    raise error


def _live_item(row: Any) -> Activity | dict[str, Any]:
    return to_activity(row)


def filters(query: ActivityQuery) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    simple = (
        (t.c.customer_id, query.customer_id),
        (t.c.contact_id, query.contact_id),
        (t.c.owner_id, query.owner_id),
        (t.c.kind, query.kind),
    )
    where.extend(column == value for column, value in simple if value is not None)
    if query.occurred_from is not None:
        where.append(t.c.occurred_at >= query.occurred_from)
    if query.occurred_to is not None:
        where.append(t.c.occurred_at < query.occurred_to)
    return where


class PgActivityRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(
        self,
        scope: DataScope,
        activity_id: UUID,
        *,
        for_update: bool = False,
        deleted: bool = False,
    ) -> Activity | None:
        live = t.c.deleted_at.isnot(None) if deleted else t.c.deleted_at.is_(None)
        stmt = sa.select(*COLUMNS).where(scope_predicate(t, scope), t.c.id == activity_id, live)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return to_activity(row) if row else None

    async def list_page(self, scope: DataScope, query: ActivityQuery) -> Page[Activity | dict[str, Any]]:
        if query.updated_since is not None:
            return await self._changes_since(scope, query)
        sort = Sort.parse(query.sort, SORTABLE)
        stmt = sa.select(*COLUMNS).where(scope_predicate(t, scope), t.c.deleted_at.is_(None), *filters(query))
        rows = (await self.conn.execute(keyset(stmt, t, sort, query.cursor, query.limit))).all()
        return page_of(rows, sort, query.limit, _live_item)

    async def _changes_since(self, scope: DataScope, query: ActivityQuery) -> Page[Activity | dict[str, Any]]:
        """Sync feed: everything changed since the instant, oldest first, deletions as tombstones."""
        sort = Sort("updated_at", descending=False)
        stmt = sa.select(*COLUMNS, t.c.deleted_at).where(
            scope_predicate(t, scope), t.c.updated_at >= query.updated_since, *filters(query)
        )
        rows = (await self.conn.execute(keyset(stmt, t, sort, query.cursor, query.limit))).all()

        def item(row: Any) -> Activity | dict[str, Any]:
            if row.deleted_at is not None:
                return {"id": row.id, "deleted": True, "updated_at": row.updated_at}
            return to_activity(row)

        return page_of(rows, sort, query.limit, item)

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Activity:
        stmt = (
            t.insert()
            .values(tenant_id=tenant_id, id=new_id(), created_by=actor, updated_by=actor, **values)
            .returning(*COLUMNS)
        )
        try:
            return to_activity((await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise _integrity(error)

    async def update(self, scope: DataScope, current: Activity, actor: UUID, values: dict[str, Any]) -> Activity:
        """Apply `values` to `current`, a row the caller has read (and locked) within `scope`."""
        stmt = (
            t.update()
            .where(scope_predicate(t, scope), t.c.id == current.id, t.c.deleted_at.is_(None))
            .values(**values, updated_by=actor, updated_at=sa.func.now(), version=t.c.version + 1)
            .returning(*COLUMNS)
        )
        try:
            return to_activity((await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise _integrity(error)

    async def set_deleted(self, scope: DataScope, activity_id: UUID, actor: UUID, *, deleted: bool) -> Activity | None:
        currently = t.c.deleted_at.is_(None) if deleted else t.c.deleted_at.isnot(None)
        stmt = (
            t.update()
            .where(scope_predicate(t, scope), t.c.id == activity_id, currently)
            .values(
                deleted_at=sa.func.now() if deleted else None,
                updated_by=actor,
                updated_at=sa.func.now(),
                version=t.c.version + 1,
            )
            .returning(*COLUMNS)
        )
        row = (await self.conn.execute(stmt)).first()
        return to_activity(row) if row else None

    async def reassign_owner(
        self,
        scope: DataScope,
        from_owner: UUID,
        to_owner: UUID,
        department_id: UUID | None,
        actor: UUID,
    ) -> list[UUID]:
        return await reassign_owner(self.conn, t, scope, from_owner, to_owner, department_id, actor)
