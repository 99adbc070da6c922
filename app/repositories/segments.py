"""Segments in PostgreSQL: the saved segments (a configured list with versions), and audiences
evaluated through the filter compiler (app/repositories/conditions.py) and the caller's data
ranges: a preview (count and sample) in one statement, a freeze into a campaign's members in one
INSERT ... SELECT."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.segments import Preview, Segment
from app.domain.shared.conditions import Group
from app.domain.shared.scope import DataScope
from app.repositories.conditions import ENTITY_TABLES, compile_tree
from app.repositories.configured import ConfiguredTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import campaign_members, campaigns, customers, segments

# A UUIDv7 made in SQL, for the rows an INSERT ... SELECT adds (the app makes the others): the
# millisecond clock in the first 48 bits of a random UUID, and version 7 in place of 4.
UUID7_SQL = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor("
    "extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid"
)


class PgSegmentRepository(ConfiguredTable[Segment]):
    table = segments
    record = Segment
    order_by = ("name", "id")

    async def get(self, tenant_id: UUID, segment_id: UUID, *, for_update: bool = False) -> Segment | None:
        if not for_update:
            return await super().get(tenant_id, segment_id)
        stmt = self._live(tenant_id).where(segments.c.id == segment_id).with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return self._to_record(row) if row else None

    async def restore(self, tenant_id: UUID, segment_id: UUID, actor: UUID) -> Segment | None:
        """Undo a soft delete; None when no deleted segment has this id."""
        t = segments
        stmt = (
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.id == segment_id, t.c.deleted_at.is_not(None))
            .values(deleted_at=None, updated_by=actor, updated_at=sa.func.now(), version=t.c.version + 1)
            .returning(*self.columns)
        )
        row = (await self.conn.execute(stmt)).first()
        return self._to_record(row) if row else None


def matching(entity: str, scope: DataScope, tree: Group, now: datetime, *columns: Any) -> sa.Select[Any]:
    """`columns` of the live records of `entity` within `scope` that the tree matches."""
    t = ENTITY_TABLES[entity]
    where = compile_tree(tree, entity, now=now)
    return sa.select(*columns).where(scope_predicate(t, scope), t.c.deleted_at.is_(None), where)


def _sample_columns(entity: str) -> list[Any]:
    t = ENTITY_TABLES[entity]
    if entity == "contacts":
        company = (
            sa.select(customers.c.name)
            .where(customers.c.tenant_id == t.c.tenant_id, customers.c.id == t.c.customer_id)
            .scalar_subquery()
        )
        return [
            t.c.id, sa.literal("contact").label("kind"), t.c.name, t.c.emails[1].label("email"),
            t.c.phones[1].label("phone"), company.label("company"),
        ]  # fmt: skip
    return [t.c.id, sa.literal("lead").label("kind"), t.c.name, t.c.email, t.c.phone, t.c.company]


class PgAudienceRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def preview(self, scopes: dict[str, DataScope], tree: Group, now: datetime, sample: int) -> Preview:
        counts = [
            matching(entity, scope, tree, now, sa.func.count()).scalar_subquery() for entity, scope in scopes.items()
        ]
        total = sa.select(sum(counts[1:], counts[0]).label("n")).subquery("total")
        # Any `sample` of each entity, contacts first: no order, so the planner finds them the way it
        # counts them (an ORDER BY id walked the whole table backwards for a narrow segment).
        parts = [
            matching(entity, scope, tree, now, *_sample_columns(entity)).limit(sample).subquery()
            for entity, scope in scopes.items()
        ]
        rows = sa.union_all(*(sa.select(p) for p in parts)).subquery("s") if len(parts) > 1 else parts[0]
        picked = sa.select(rows).limit(sample).subquery("picked")
        stmt = sa.select(total.c.n, picked).select_from(total.outerjoin(picked, sa.true()))
        result = (await self.conn.execute(stmt)).all()
        count = int(result[0].n)
        items = [
            {"id": r.id, "kind": r.kind, "name": r.name, "email": r.email, "phone": r.phone, "company": r.company}
            for r in result
            if r.id is not None
        ]
        return Preview(count, items)

    async def campaign_in_scope(self, scope: DataScope, campaign_id: UUID) -> bool:
        c = campaigns
        stmt = sa.select(c.c.id).where(scope_predicate(c, scope), c.c.id == campaign_id, c.c.deleted_at.is_(None))
        return (await self.conn.execute(stmt.with_for_update())).first() is not None

    async def freeze(
        self, scopes: dict[str, DataScope], tree: Group, now: datetime, campaign_id: UUID, actor: UUID
    ) -> tuple[int, int]:
        """One statement: the audience (materialized once), its insertion with duplicates skipped
        (the unique (campaign, contact) and (campaign, lead) indexes), and both counts."""
        null = sa.cast(sa.null(), ENTITY_TABLES["contacts"].c.id.type)
        parts = []
        for entity, scope in scopes.items():
            t = ENTITY_TABLES[entity]
            ids = (t.c.id, null) if entity == "contacts" else (null, t.c.id)
            labelled = (ids[0].label("contact_id"), ids[1].label("lead_id"), t.c.tenant_id)
            parts.append(matching(entity, scope, tree, now, *labelled))
        matched = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).cte("matched").prefix_with("MATERIALIZED")
        m = campaign_members
        rows = sa.select(
            matched.c.tenant_id, sa.literal_column(UUID7_SQL), sa.literal(campaign_id, m.c.campaign_id.type),
            matched.c.contact_id, matched.c.lead_id, sa.literal("targeted"), sa.literal("segment"),
            sa.literal(actor, m.c.created_by.type), sa.literal(actor, m.c.updated_by.type),
        )  # fmt: skip
        columns = [
            "tenant_id", "id", "campaign_id", "contact_id", "lead_id", "status", "source", "created_by", "updated_by",
        ]  # fmt: skip
        added = insert(m).from_select(columns, rows).on_conflict_do_nothing().returning(m.c.id).cte("added")
        stmt = sa.select(
            sa.select(sa.func.count()).select_from(matched).scalar_subquery(),
            sa.select(sa.func.count()).select_from(added).scalar_subquery(),
        )
        total, inserted = (await self.conn.execute(stmt)).one()
        return int(total), int(inserted)
