"""Quotes, orders and the gap-free document counters in PostgreSQL."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.quotes.entities import SORTABLE, Order, Quote
from app.repositories.owned import OwnedTable
from app.repositories.tables import document_counters, orders, quotes

c = document_counters


class PgNumbering:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def next_number(self, tenant_id: UUID, kind: str) -> int:
        # The counter row is created once; the UPDATE then holds its lock to the end of the
        # caller's transaction, so numbers are taken one creator at a time and never skipped.
        await self.conn.execute(insert(c).values(tenant_id=tenant_id, kind=kind).on_conflict_do_nothing())
        taken = await self.conn.execute(
            c.update()
            .where(c.c.tenant_id == tenant_id, c.c.kind == kind)
            .values(next_value=c.c.next_value + 1)
            .returning(c.c.next_value - 1)
        )
        return int(taken.scalar_one())


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
