"""Notifications in PostgreSQL, and the rotting-deal query the worker's job reads."""

from __future__ import annotations

import builtins
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.notifications.entities import NewNotification, Notification
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page, Sort
from app.repositories.listing import keyset, page_of
from app.repositories.tables import notifications, opportunities, pipeline_stages

n = notifications
COLUMNS = [n.c[name] for name in Notification.__dataclass_fields__]
NEWEST = Sort("created_at", descending=True)


class PgNotificationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, notification: NewNotification) -> bool:
        stmt = (
            insert(n)
            .values(id=new_id(), **{k: getattr(notification, k) for k in NewNotification.__dataclass_fields__})
            .on_conflict_do_nothing(
                index_elements=[n.c.tenant_id, n.c.user_id, n.c.dedupe_key],
                index_where=n.c.dedupe_key.isnot(None),
            )
        )
        return (await self.conn.execute(stmt)).rowcount > 0

    async def list(
        self, tenant_id: UUID, user_id: UUID, *, unread: bool, limit: int, cursor: str | None
    ) -> Page[Notification]:
        stmt = sa.select(*COLUMNS).where(n.c.tenant_id == tenant_id, n.c.user_id == user_id)
        if unread:
            stmt = stmt.where(n.c.read_at.is_(None))
        rows = (await self.conn.execute(keyset(stmt, n, NEWEST, cursor, limit))).all()
        return page_of(rows, NEWEST, limit, lambda row: Notification(*row[: len(COLUMNS)]))

    async def unread_count(self, tenant_id: UUID, user_id: UUID, cap: int) -> int:
        unread = (
            sa.select(sa.literal(1))
            .where(n.c.tenant_id == tenant_id, n.c.user_id == user_id, n.c.read_at.is_(None))
            .limit(cap)
            .subquery()
        )
        return int((await self.conn.execute(sa.select(sa.func.count()).select_from(unread))).scalar_one())

    async def mark_read(self, tenant_id: UUID, user_id: UUID, ids: builtins.list[UUID] | None) -> int:
        stmt = (
            n.update()
            .where(n.c.tenant_id == tenant_id, n.c.user_id == user_id, n.c.read_at.is_(None))
            .values(read_at=sa.func.now())
        )
        if ids is not None:
            stmt = stmt.where(n.c.id.in_(ids))
        return (await self.conn.execute(stmt)).rowcount


class PgRottingDeals:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def rotting(self, now: datetime, limit: int) -> list[tuple[UUID, UUID, UUID, str, str, datetime]]:
        o, s = opportunities, pipeline_stages
        idle = o.c.stage_entered_at + sa.func.make_interval(0, 0, 0, s.c.rotting_days) < now
        # Deals whose owner was told already (for this stage entry) are skipped, so each run
        # reaches new ones; the key is app/domain/notifications/service.rotting_key's.
        key = sa.func.concat(
            "rotting:",
            o.c.id.cast(sa.Text),
            ":",
            sa.func.floor(sa.extract("epoch", o.c.stage_entered_at)).cast(sa.BigInteger),
        )
        told = sa.exists().where(n.c.tenant_id == o.c.tenant_id, n.c.user_id == o.c.owner_id, n.c.dedupe_key == key)
        stmt = (
            sa.select(o.c.tenant_id, o.c.id, o.c.owner_id, o.c.name, s.c.name, o.c.stage_entered_at)
            .join(s, (s.c.tenant_id == o.c.tenant_id) & (s.c.id == o.c.stage_id))
            .where(o.c.deleted_at.is_(None), s.c.kind == "open", s.c.rotting_days.isnot(None), idle, ~told)
            .order_by(o.c.stage_entered_at)
            .limit(limit)
        )
        return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in await self.conn.execute(stmt)]
