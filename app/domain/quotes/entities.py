"""Quotes and orders for a deal: a quote copies the deal's line items, goes draft -> sent ->
accepted or rejected; an accepted quote becomes (at most) one order, whose delivery and payment
are tracked. Both are numbered per tenant without gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# Where a quote may go from each status.
QUOTE_MOVES: dict[str, frozenset[str]] = {
    QuoteStatus.DRAFT: frozenset({QuoteStatus.SENT, QuoteStatus.REJECTED}),
    QuoteStatus.SENT: frozenset({QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.DRAFT}),
    QuoteStatus.ACCEPTED: frozenset(),
    QuoteStatus.REJECTED: frozenset({QuoteStatus.DRAFT}),
}


class OrderStatus(StrEnum):
    CONFIRMED = "confirmed"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


@dataclass(slots=True)
class Quote:
    id: UUID
    number: str
    opportunity_id: UUID
    customer_id: UUID
    status: str
    valid_until: date | None
    currency: str
    total: Decimal
    items: list[dict[str, Any]]
    notes: str | None
    owner_id: UUID
    department_id: UUID | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


@dataclass(slots=True)
class Order:
    id: UUID
    number: str
    quote_id: UUID
    opportunity_id: UUID
    customer_id: UUID
    status: str
    delivery_status: str
    payment_status: str
    currency: str
    total: Decimal
    items: list[dict[str, Any]]
    notes: str | None
    owner_id: UUID
    department_id: UUID | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


SORTABLE = frozenset({"updated_at", "created_at", "number"})


@dataclass(frozen=True, slots=True)
class DocumentQuery:
    owner_id: UUID | None = None
    opportunity_id: UUID | None = None
    customer_id: UUID | None = None
    status: str | None = None
    updated_since: datetime | None = None
    sort: str = "-updated_at"
    limit: int = 50
    cursor: str | None = None
