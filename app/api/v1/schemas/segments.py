"""Request and response shapes of /api/v1/segments. The condition tree is checked by the domain
against the declared fields (app/domain/shared/conditions.py); here it is only JSON of bounded
size, so a bad condition answers 422 with its path (`conditions.conditions[2].value`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.v1.schemas.common import LongText, Name, RequestModel

Audience = Literal["contacts", "leads", "both"]
CONDITIONS_DOC = (
    'A group {"op": "and" | "or", "conditions": [...]} of groups and conditions {"field", "op", "value"}: '
    "fields of contacts and leads (name, email, phone, tags, owner, region, created_at...), `custom.<key>`, "
    "the customer's (customer.level, customer.industry, customer.region...), last_activity_at, deals.open, "
    "deals.stage, tickets.open, tickets.last_complaint_at, csat.score, campaign (member of, with a least status), "
    "consent.email / consent.sms, suppressed.email / suppressed.sms. GET /segments/fields lists them with their "
    "operators. At most 5 levels and 50 conditions."
)


class ConditionTree(BaseModel):
    """Documented shape only: the domain parses the JSON itself (unknown fields and operators are 422)."""

    op: Literal["and", "or"]
    conditions: list[dict[str, Any]] = Field(max_length=50)


class SegmentCreate(RequestModel):
    name: Name
    description: LongText | None = None
    audience: Audience = "contacts"
    conditions: dict[str, Any] = Field(description=CONDITIONS_DOC)


class SegmentPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    description: LongText | None = None
    audience: Audience = None  # type: ignore[assignment]
    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_DOC)


class SegmentOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    audience: Audience
    conditions: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class SegmentList(BaseModel):
    items: list[SegmentOut]


class PreviewBody(RequestModel):
    audience: Audience = "contacts"
    conditions: dict[str, Any] = Field(description=CONDITIONS_DOC)


class SampleRecord(BaseModel):
    id: UUID
    kind: Literal["contact", "lead"]
    name: str
    email: str | None
    phone: str | None
    company: str | None


class PreviewOut(BaseModel):
    count: int = Field(description="Records matching now, within your data ranges (contacts:read, leads:read).")
    sample: list[SampleRecord] = Field(description="Up to 20 of them, the newest first (contacts before leads).")


class FreezeBody(RequestModel):
    campaign_id: UUID


class FreezeOut(BaseModel):
    campaign_id: UUID
    matched: int = Field(description="Records the segment matched within your ranges.")
    added: int = Field(description="New members (status targeted, source segment).")
    already_members: int = Field(description="Matched records that were members already (left as they were).")


class FieldOut(BaseModel):
    name: str
    kind: Literal["text", "number", "date", "datetime", "bool", "choice", "ref", "tags", "campaign"]
    label: str
    operators: list[str]
    choices: list[str]


class FieldList(BaseModel):
    items: list[FieldOut]
