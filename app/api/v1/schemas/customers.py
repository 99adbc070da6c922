from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

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

Kind = Literal["company", "individual"]
Status = Literal["prospect", "active", "inactive", "lost"]


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
    updated_at: datetime


class CustomerPage(BaseModel):
    items: list[CustomerOut | CustomerTombstone]
    next_cursor: str | None


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
