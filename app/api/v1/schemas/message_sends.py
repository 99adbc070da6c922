"""Request and response shapes of campaign sends (/api/v1/campaigns/{id}/sends, /api/v1/sends/{id})
and of the tenant's SMS provider (/api/v1/settings/sms-provider)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from app.api.v1.schemas.common import RequestModel

MemberStatus = Literal[
    "targeted", "sent", "opened", "clicked", "registered", "attended", "responded", "converted", "bounced",
    "unsubscribed",
]  # fmt: skip
SkipReason = Literal["out_of_range", "no_address", "suppressed", "no_consent", "duplicate", "cancelled"]
SendStatus = Literal["scheduled", "preparing", "sending", "completed", "cancelled", "failed"]


class SendCreate(RequestModel):
    template_id: UUID
    audience: Literal["members", "segment"] = "members"
    member_statuses: list[MemberStatus] | None = Field(
        None, max_length=10, description="Members audience: only members in these statuses (all when omitted)."
    )
    segment_id: UUID | None = Field(None, description="Segment audience: the segment's contacts and leads.")
    scheduled_at: AwareDatetime | None = Field(None, description="When to start; now when omitted or past.")
    rate_per_minute: int | None = Field(None, ge=1, le=100_000, description="At most this many messages a minute.")
    locale: Literal["zh-CN", "en"] | None = Field(
        None,
        description="Write every message in this locale; omitted: each recipient's (their `locale` custom field, "
        "else the tenant's default, else the template's default).",
    )


class SendOut(BaseModel):
    id: UUID
    campaign_id: UUID
    template_id: UUID
    channel: Literal["email", "sms"]
    audience: Literal["members", "segment"]
    segment_id: UUID | None
    member_statuses: list[str] | None
    locale: str | None
    status: SendStatus
    scheduled_at: datetime | None
    rate_per_minute: int | None
    queued: int = Field(description="Waiting or being sent.")
    sent: int
    failed: int = Field(description="Bounced (refused for good) or failed after the last retry.")
    skipped: int
    skipped_reasons: dict[SkipReason, int]
    started_at: datetime | None
    completed_at: datetime | None
    error: str | None
    owner_id: UUID
    created_at: datetime
    updated_at: datetime
    version: int


class SendList(BaseModel):
    items: list[SendOut]


class SmsProviderIn(RequestModel):
    url: str = Field(max_length=2000, description="The provider's endpoint: POST with a JSON body.")
    auth_header: str | None = Field(None, max_length=100, examples=["Authorization"])
    auth_value: str | None = Field(
        None, max_length=2000, description="The secret. Shown masked afterwards; omit it to keep the stored one."
    )
    phone_field: str = Field("phone", max_length=100)
    text_field: str = Field("text", max_length=100)
    sender: str | None = Field(None, max_length=100)


class SmsProviderOut(BaseModel):
    url: str
    auth_header: str | None
    auth_value: str | None = Field(description="Masked: the last 4 characters at most.")
    phone_field: str
    text_field: str
    sender: str | None
