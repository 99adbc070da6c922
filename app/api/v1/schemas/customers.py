from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.api.v1.params import WHERE_DOC
from app.api.v1.schemas.common import (
    Address,
    CustomValues,
    Email,
    LongText,
    Name,
    Phone,
    RequestModel,
    ShortText,
    Tag,
    Url,
)
from app.api.v1.schemas.customer_analytics import Segment
from app.api.v1.schemas.sync import NEXT_SYNC_TOKEN_DOC, SYNC_TOKEN_DOC, TOMBSTONE_REASON_DOC, UPDATED_SINCE_DOC
from app.domain.analytics.customers import MAX_DORMANT_DAYS
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT

Kind = Literal["company", "individual"]
Status = Literal["prospect", "active", "inactive", "lost"]


class CustomerListParams(BaseModel):
    """List filters, validated as one model (cheaper per request than one parameter each).
    `custom.<key>=<value>` parameters are read separately."""

    model_config = ConfigDict(extra="ignore")

    ids: list[UUID] | None = Field(
        None, max_length=200, description="Only these customers (repeat the parameter): names for a page of deals."
    )
    owner: str | None = Field(None, max_length=36, description="`me` or a user id")
    department: UUID | None = None
    region: UUID | None = None
    type: str | None = Field(None, max_length=100, description="Customer type")
    status: str | None = Field(None, max_length=20)
    level: str | None = Field(None, max_length=20)
    tag: str | None = Field(None, max_length=50)
    created_from: datetime | None = None
    created_to: datetime | None = None
    rfm_segment: Segment | None = Field(None, description="RFM segment (/analytics/customers/rfm).")
    rfm_recency: int | None = Field(None, ge=1, le=5, description="RFM recency score.")
    rfm_frequency: int | None = Field(None, ge=1, le=5, description="RFM frequency score.")
    churn_risk: Literal["high", "medium", "low"] | None = Field(
        None, description="Churn-risk band: high 60-100, medium 30-59, low 1-29."
    )
    lost_from: datetime | None = Field(None, description="Became lost at or after.")
    lost_to: datetime | None = Field(None, description="Became lost before.")
    touched_from: datetime | None = Field(
        None, description="A done activity, an order or a won deal at or after (with touched_to: in between)."
    )
    touched_to: datetime | None = None
    dormant_at: datetime | None = Field(
        None,
        description="Dormant at this instant: not lost, created before it less dormant_days, and no done"
        " activity, order or won deal in the dormant_days before it (the lifecycle's dormant drill).",
    )
    dormant_days: int | None = Field(
        None, ge=1, le=MAX_DORMANT_DAYS, description="The days without a touch for dormant_at (default 90)."
    )
    value_currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="Has won value in this currency.")
    updated_since: datetime | None = Field(None, description=UPDATED_SINCE_DOC)
    sync_token: str | None = Field(None, max_length=200, description=SYNC_TOKEN_DOC)
    q: str | None = Field(None, min_length=1, max_length=200, description="Finds any part of name, email or phone.")
    sort: str = Field(
        "-updated_at", max_length=20, description="updated_at, created_at or name; prefix - for descending"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page.")
    where: str | None = Field(None, max_length=20_000, description=WHERE_DOC)


class CustomerCreate(RequestModel):
    name: Name
    kind: Kind = "company"
    customer_type: ShortText | None = Field(None, description="One of the tenant's customer types.")
    industry: ShortText | None = None
    level: ShortText | None = Field(None, description="One of the tenant's customer levels (A, B, C...).")
    status: Status = "prospect"
    source: ShortText | None = None
    region_id: UUID | None = None
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: Url | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs customers:assign.")
    custom_fields: CustomValues = Field(default_factory=dict)
    description: LongText | None = None


class CustomerPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    kind: Kind = None  # type: ignore[assignment]
    customer_type: ShortText | None = None
    industry: ShortText | None = None
    level: ShortText | None = None
    status: Status = None  # type: ignore[assignment]
    source: ShortText | None = None
    region_id: UUID | None = None
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: Url | None = None
    tags: list[Tag] = Field(None, max_length=50)  # type: ignore[arg-type]
    owner_id: UUID = None  # type: ignore[assignment]
    custom_fields: CustomValues = Field(None, description="Merged into the current values; null removes a key.")  # type: ignore[arg-type]
    description: LongText | None = None


class CustomerOut(BaseModel):
    id: UUID
    name: str
    kind: Kind
    customer_type: str | None
    industry: str | None
    level: str | None
    status: Status
    source: str | None
    region_id: UUID | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None
    tags: list[str]
    owner_id: UUID
    department_id: UUID | None
    custom_fields: dict[str, Any]
    description: str | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class CustomerTombstone(BaseModel):
    id: UUID
    deleted: Literal[True]
    reason: Literal["deleted", "out_of_range"] = Field(description=TOMBSTONE_REASON_DOC)
    updated_at: datetime


class CustomerPage(BaseModel):
    items: list[CustomerOut | CustomerTombstone]
    next_cursor: str | None
    next_sync_token: str | None = Field(None, description=NEXT_SYNC_TOKEN_DOC)


class AssignBody(RequestModel):
    owner_id: UUID


class TransferBody(RequestModel):
    from_owner_id: UUID
    to_owner_id: UUID


class TransferResult(BaseModel):
    moved: int = Field(description="How many customers moved.")
    customer_ids: list[UUID]
    contacts_moved: int = Field(description="How many of the owner's contacts moved with them.")


class MergeBody(RequestModel):
    source_id: UUID = Field(description="The customer folded into this one (and then soft-deleted).")
