from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, PastDate

from app.api.v1.schemas.common import (
    CustomValues,
    Email,
    LongText,
    Name,
    Phone,
    RequestModel,
    ShortText,
    Tag,
)
from app.api.v1.schemas.sync import NEXT_SYNC_TOKEN_DOC, TOMBSTONE_REASON_DOC

MAX_ADDRESSES = 20


class ContactCreate(RequestModel):
    name: Name
    customer_id: UUID | None = Field(None, description="A customer you can read; null for a contact of no company.")
    title: ShortText | None = Field(None, description="Job title.")
    phones: list[Phone] = Field(default_factory=list, max_length=MAX_ADDRESSES)
    emails: list[Email] = Field(default_factory=list, max_length=MAX_ADDRESSES)
    birthday: PastDate | None = None
    is_primary: bool = Field(False, description="The customer's main contact.")
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs contacts:assign.")
    custom_fields: CustomValues = Field(default_factory=dict)
    description: LongText | None = None


class ContactPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    customer_id: UUID | None = None
    title: ShortText | None = None
    phones: list[Phone] = Field(None, max_length=MAX_ADDRESSES)  # type: ignore[arg-type]
    emails: list[Email] = Field(None, max_length=MAX_ADDRESSES)  # type: ignore[arg-type]
    birthday: PastDate | None = None
    is_primary: bool = None  # type: ignore[assignment]
    tags: list[Tag] = Field(None, max_length=50)  # type: ignore[arg-type]
    owner_id: UUID = None  # type: ignore[assignment]
    custom_fields: CustomValues = Field(None, description="Merged into the current values; null removes a key.")  # type: ignore[arg-type]
    description: LongText | None = None


class ContactOut(BaseModel):
    id: UUID
    customer_id: UUID | None
    name: str
    title: str | None
    phones: list[str]
    emails: list[str]
    birthday: date | None
    is_primary: bool
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


class ContactTombstone(BaseModel):
    id: UUID
    deleted: Literal[True]
    reason: Literal["deleted", "out_of_range"] = Field(description=TOMBSTONE_REASON_DOC)
    updated_at: datetime


class ContactPage(BaseModel):
    items: list[ContactOut | ContactTombstone]
    next_cursor: str | None
    next_sync_token: str | None = Field(None, description=NEXT_SYNC_TOKEN_DOC)
