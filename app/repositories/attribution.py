"""Campaign attribution in PostgreSQL (rules: app/domain/marketing/attribution.py): which ids name
live campaigns, last-touch moves, and the conversion of a lead's campaign members."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.attribution import MemberMoved, Touched
from app.repositories.member_funnel import advance_members
from app.repositories.prepared import Prepared
from app.repositories.tables import campaign_members, campaigns, leads, opportunities

UUIDS = sa.ARRAY(sa.Uuid)
# Every lead written checks its campaigns (a public form's and a registration's included): prepared.
_LIVE = Prepared.of(
    sa.select(campaigns.c.id).where(
        campaigns.c.tenant_id == sa.bindparam("tenant_id", type_=sa.Uuid),
        campaigns.c.id == sa.any_(sa.bindparam("ids", type_=UUIDS)),
        campaigns.c.deleted_at.is_(None),
    )
)


class PgCampaignDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def live(self, tenant_id: UUID, ids: Collection[UUID]) -> set[UUID]:
        if not ids:
            return set()
        return {row[0] for row in await _LIVE.rows(self.conn, {"tenant_id": tenant_id, "ids": list(ids)})}


def _move_last_touch(
    table: sa.Table, where: list[sa.ColumnElement[bool]], campaign_id: UUID, actor: UUID | None
) -> sa.Update:
    """One UPDATE moving the rows' last touch, returning each id with the touch it had before
    (the rows are locked first, so the value read is the one replaced)."""
    old = (
        sa.select(table.c.tenant_id, table.c.id, table.c.last_campaign_id)
        .where(*where, table.c.deleted_at.is_(None), table.c.last_campaign_id.is_distinct_from(campaign_id))
        .with_for_update()
        .cte("old")
    )
    return (
        table.update()
        .where(table.c.tenant_id == old.c.tenant_id, table.c.id == old.c.id)
        .values(
            last_campaign_id=campaign_id,
            updated_by=actor,
            updated_at=sa.func.now(),
            version=table.c.version + 1,
        )
        .returning(table.c.id, old.c.last_campaign_id)
    )


class PgTouchRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def touch_lead(self, tenant_id: UUID, lead_id: UUID, campaign_id: UUID, actor: UUID | None) -> list[Touched]:
        t = leads
        mine = [t.c.tenant_id == tenant_id, t.c.id == lead_id]
        rows = await self._rows(t, [*mine, t.c.status != "converted"], campaign_id, actor)
        if rows:
            return [Touched("lead", row[0], row[1]) for row in rows]
        converted = [*mine, t.c.status == "converted", t.c.deleted_at.is_(None)]
        became = (await self.conn.execute(sa.select(t.c.converted_opportunity_id).where(*converted))).scalar()
        if became is None:
            return []
        o = opportunities
        where = [o.c.tenant_id == tenant_id, o.c.id == became, o.c.closed_at.is_(None)]
        return [Touched("opportunity", row[0], row[1]) for row in await self._rows(o, where, campaign_id, actor)]

    async def touch_contact(
        self, tenant_id: UUID, contact_id: UUID, campaign_id: UUID, actor: UUID | None
    ) -> list[Touched]:
        o = opportunities
        where = [o.c.tenant_id == tenant_id, o.c.primary_contact_id == contact_id, o.c.closed_at.is_(None)]
        return [Touched("opportunity", row[0], row[1]) for row in await self._rows(o, where, campaign_id, actor)]

    async def _rows(
        self, table: sa.Table, where: list[sa.ColumnElement[bool]], campaign_id: UUID, actor: UUID | None
    ) -> list[Any]:
        return list((await self.conn.execute(_move_last_touch(table, where, campaign_id, actor))).all())

    async def convert_members(self, tenant_id: UUID, lead_id: UUID, actor: UUID | None) -> list[MemberMoved]:
        ids = await advance_members(self.conn, tenant_id, "converted", lead_id=lead_id, actor=actor)
        if not ids:
            return []
        m = campaign_members
        stmt = sa.select(m.c.id, m.c.campaign_id, m.c.contact_id, m.c.lead_id).where(
            m.c.tenant_id == tenant_id, m.c.id == sa.any_(sa.literal(ids, UUIDS))
        )
        return [MemberMoved(*row) for row in await self.conn.execute(stmt.order_by(m.c.id))]
