from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.v1.schemas.common import LongText, RequestModel

QuoteStatus = Literal["draft", "sent", "accepted", "rejected"]
OrderStatus = Literal["confirmed", "fulfilled", "cancelled"]
Delivery = Literal["pending", "partial", "delivered"]
Payment = Literal["unpaid", "partial", "paid"]


class QuoteCreate(RequestModel):
    opportunity_id: UUID = Field(description="A deal you can read; its line items are copied.")
    valid_until: date | None = None
    notes: LongText | None = None
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs quotes:assign.")


class QuotePatch(RequestModel):
    status: QuoteStatus = Field(None, description="draft -> sent -> accepted | rejected; accepted is final.")  # type: ignore[arg-type]
    valid_until: date | None = None
    notes: LongText | None = None


class QuoteOut(BaseModel):
    id: UUID
    number: str = Field(description="Per tenant, without gaps: Q000001, Q000002, ...")
    opportunity_id: UUID
    customer_id: UUID
    status: QuoteStatus
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


class OrderCreate(RequestModel):
    quote_id: UUID = Field(description="An accepted quote you can read (one order per quote).")
    notes: LongText | None = None
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs orders:assign.")


class OrderPatch(RequestModel):
    status: OrderStatus = None  # type: ignore[assignment]
    delivery_status: Delivery = None  # type: ignore[assignment]
    payment_status: Payment = None  # type: ignore[assignment]
    notes: LongText | None = None


class OrderOut(BaseModel):
    id: UUID
    number: str = Field(description="Per tenant, without gaps: SO000001, ...")
    quote_id: UUID
    opportunity_id: UUID
    customer_id: UUID
    status: OrderStatus
    delivery_status: Delivery
    payment_status: Payment
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


class DocumentTombstone(BaseModel):
    id: UUID
    deleted: Literal[True]
    updated_at: datetime


class QuotePage(BaseModel):
    items: list[QuoteOut | DocumentTombstone]
    next_cursor: str | None


class OrderPage(BaseModel):
    items: list[OrderOut | DocumentTombstone]
    next_cursor: str | None
