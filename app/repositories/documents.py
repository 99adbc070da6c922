"""Quotes, orders and the gap-free document counters in PostgreSQL."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.quotes.entities import SORTABLE, Order, Quote
from app.repositories.owned import OwnedTable
from app.repositories.prepared import Prepared
from app.repositories.tables import document_counters, orders, quotes

c = document_counters


def counter_bump() -> sa.Insert:
    """Take the next number of a tenant's counter (`tenant_id`, `kind` bound), returned as
    `value`. One statement creates the counter row or bumps it; the row's lock is then held to
    the end of the caller's transaction, so numbers are taken one creator at a time and never
    skipped. A new counter hands out 1 (the column's default) and stores 2, the next one."""
    return (
        insert(c)
        .values(
            tenant_id=sa.bindparam("tenant_id", type_=c.c.tenant_id.type),
            kind=sa.bindparam("kind", type_=c.c.kind.type),
            next_value=sa.literal_column("2"),
        )
        .on_conflict_do_update(
            index_elements=[c.c.tenant_id, c.c.kind], set_={"next_value": c.c.next_value + sa.literal_column("1")}
        )
        .returning((c.c.next_value - sa.literal_column("1")).label("value"))
    )


_NEXT_NUMBER = Prepared.of(counter_bump())


class PgNumbering:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def next_number(self, tenant_id: UUID, kind: str) -> int:
        rows = await _NEXT_NUMBER.rows(self.conn, {"tenant_id": tenant_id, "kind": kind})
        return int(rows[0][0])


class PgQuoteRepository(OwnedTable[Quote]):
    table = quotes
    record = Quote
    sortable = SORTABLE
    fk_fields = {"fk_quotes_opportunity": "opportunity_id", "fk_quotes_owner": "owner_id"}


class PgOrderRepository(OwnedTable[Order]):
    table = orders
    record = Order
    sortable = SORTABLE
    fk_fields = {"fk_orders_quote": "quote_id", "fk_orders_owner": "owner_id"}

    async def for_quote(self, tenant_id: UUID, quote_id: UUID) -> UUID | None:
        stmt = sa.select(orders.c.id).where(orders.c.tenant_id == tenant_id, orders.c.quote_id == quote_id)
        found: UUID | None = (await self.conn.execute(stmt)).scalar()
        return found
