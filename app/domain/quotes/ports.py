from __future__ import annotations

from typing import Protocol
from uuid import UUID

from app.domain.opportunities.entities import LineItem
from app.domain.quotes.entities import Order, Quote
from app.domain.shared.owned import OwnedRepository


class QuoteRepository(OwnedRepository[Quote], Protocol):
    pass


class OrderRepository(OwnedRepository[Order], Protocol):
    async def for_quote(self, tenant_id: UUID, quote_id: UUID) -> UUID | None:
        """The order made from this quote, whoever can see it."""
        ...


class Numbering(Protocol):
    async def next_number(self, tenant_id: UUID, kind: str) -> int:
        """The tenant's next number of this kind, taken in the caller's transaction: concurrent
        creators wait for each other, and a rolled-back creation gives its number back."""
        ...


class DealLines(Protocol):
    async def line_items(self, tenant_id: UUID, opportunity_id: UUID) -> list[LineItem]: ...
