"""A customer's timeline in one statement: its activities (within the caller's activities range)
UNION ALL its key audit entries, each branch already ordered and limited by its index, merged by
(at, id) descending with keyset paging."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.customers.entities import KEY_CHANGES
from app.domain.shared.paging import Cursor, Page, Sort
from app.domain.shared.scope import DataScope
from app.domain.timeline.entities import AUDIT_ENTITY, KEY_ACTIONS, SHOWN_CHANGES, TimelineQuery
from app.repositories.listing import page_of
from app.repositories.scoping import scope_predicate
from app.repositories.tables import TS, activities, audit_log

SORT = Sort("at", descending=True)


def _newest_first(stmt: sa.Select[Any], at: Any, ident: Any, after: Cursor | None, limit: int) -> sa.Select[Any]:
    if after is not None:
        position = sa.tuple_(sa.literal(after.value, TS), sa.literal(after.id, PG_UUID(as_uuid=True)))
        stmt = stmt.where(sa.tuple_(at, ident) < position)
    return stmt.order_by(at.desc(), ident.desc()).limit(limit + 1)


def _item(row: Any) -> dict[str, Any]:
    data = row.data
    if row.type == "activity":
        return {"type": "activity", "at": row.at, "id": row.id, **data}
    shown = {k: v for k, v in data["changes"].items() if k in SHOWN_CHANGES}
    return {
        "type": "change",
        "at": row.at,
        "id": row.id,
        "action": data["action"],
        "actor_id": data["actor_id"],
        "changes": shown,
    }


class PgTimelineRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def page(
        self, tenant_id: UUID, customer_id: UUID, scope: DataScope, query: TimelineQuery
    ) -> Page[dict[str, Any]]:
        after = Cursor.decode(query.cursor, SORT, datetime_field=True) if query.cursor else None
        a = activities
        activity_rows = sa.select(
            sa.literal("activity", sa.Text).label("type"),
            a.c.occurred_at.label("at"),
            a.c.id.label("id"),
            sa.func.jsonb_build_object(
                "kind",
                a.c.kind,
                "subject",
                a.c.subject,
                "body",
                a.c.body,
                "duration_minutes",
                a.c.duration_minutes,
                "outcome",
                a.c.outcome,
                "contact_id",
                a.c.contact_id,
                "owner_id",
                a.c.owner_id,
            ).label("data"),
        ).where(
            a.c.tenant_id == tenant_id,
            a.c.customer_id == customer_id,
            a.c.deleted_at.is_(None),
            scope_predicate(a, scope),
        )
        log = audit_log
        change_rows = sa.select(
            sa.literal("change", sa.Text).label("type"),
            log.c.at.label("at"),
            log.c.id.label("id"),
            sa.func.jsonb_build_object(
                "action", log.c.action, "actor_id", log.c.actor_id, "changes", log.c.changes
            ).label("data"),
        ).where(
            log.c.tenant_id == tenant_id,
            log.c.entity == AUDIT_ENTITY,
            log.c.entity_id == customer_id,
            sa.or_(log.c.action.in_(KEY_ACTIONS), *(log.c.changes.has_key(key) for key in KEY_CHANGES)),
        )
        branches = [
            _newest_first(activity_rows, a.c.occurred_at, a.c.id, after, query.limit).subquery("activity_items"),
            _newest_first(change_rows, log.c.at, log.c.id, after, query.limit).subquery("change_items"),
        ]
        merged = sa.union_all(*(sa.select(b) for b in branches)).subquery("items")
        stmt = sa.select(merged).order_by(merged.c.at.desc(), merged.c.id.desc()).limit(query.limit + 1)
        rows = (await self.conn.execute(stmt)).all()
        return page_of(rows, SORT, query.limit, _item)
