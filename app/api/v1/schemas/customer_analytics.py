"""Response shapes of /api/v1/analytics/customers/... (documentation: the routes answer JSON built
by the service)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

Segment = Literal[
    "champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep",
    "at_risk", "cant_lose", "hibernating", "lost",
]  # fmt: skip


class CustomerDrill(BaseModel):
    path: str = Field(description="The list (or record) endpoint holding the records behind the figure.")
    query: dict[str, Any] = Field(description="Its query parameters.")


class CustomerAmount(BaseModel):
    currency: str
    amount: str = Field(description="Decimal as a string; never summed across currencies.")


class LifecycleDrills(BaseModel):
    new: CustomerDrill
    active: CustomerDrill
    dormant: CustomerDrill | None
    lost: CustomerDrill


class LifecyclePoint(BaseModel):
    period: date = Field(description="The bucket's first local date.")
    new: int = Field(description="Customers created in the bucket.")
    active: int = Field(description="Customers with a done activity, an order or a won deal in the bucket.")
    dormant: int = Field(
        description="At the bucket's end (or now): customers not lost, created more than N days before, "
        "without such a touch in the last N days."
    )
    lost: int = Field(description="Customers whose status became lost in the bucket (and still is).")
    drill: LifecycleDrills


class CustomerLifecycleOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    grain: str
    time_zone: str
    dormant_days: int
    series: list[LifecyclePoint]


class RfmSegmentRow(BaseModel):
    segment: Segment
    customers: int
    share: float | None
    monetary: list[CustomerAmount] = Field(description="Won value of the last 365 days per main currency.")
    drill: CustomerDrill


class RfmCell(BaseModel):
    recency: int = Field(ge=1, le=5)
    frequency: int = Field(ge=1, le=5)
    segment: Segment
    customers: int
    drill: CustomerDrill


class CustomerRfmOut(BaseModel):
    scored: int = Field(description="Customers in range with a purchase (scored).")
    monetary: list[CustomerAmount]
    segments: list[RfmSegmentRow]
    grid: list[RfmCell] = Field(description="The 5 x 5 recency x frequency grid, recency 5 first.")


class ChurnReason(BaseModel):
    code: Literal["no_activity", "open_complaints", "low_csat", "falling_orders"]
    points: int
    days: int | None = None
    count: int | None = None
    rating: int | None = None
    last_90_days: int | None = None
    previous_90_days: int | None = None


class ChurnRiskItem(BaseModel):
    customer_id: UUID
    name: str
    owner_id: UUID
    score: int = Field(ge=0, le=100)
    rfm_segment: Segment | None
    last_activity_at: datetime | None
    reasons: list[ChurnReason]
    drill: CustomerDrill


class CustomerChurnRiskPage(BaseModel):
    items: list[ChurnRiskItem]
    next_cursor: str | None


class CustomerValueItem(BaseModel):
    rank: int
    customer_id: UUID
    name: str
    owner_id: UUID
    value: CustomerAmount
    purchases: int
    drill: CustomerDrill


class CustomerValueCurrency(BaseModel):
    currency: str
    customers: list[CustomerValueItem]
    drill: CustomerDrill


class CustomerValueOut(BaseModel):
    currencies: list[CustomerValueCurrency]
