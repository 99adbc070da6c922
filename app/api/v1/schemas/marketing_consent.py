"""Consent, suppression list, public unsubscribe and bounce webhook: request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from app.api.v1.schemas.common import RequestModel

Channel = Literal["email", "sms"]
Reason = Literal["unsubscribed", "hard_bounce", "complaint", "manual"]
ConsentSource = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_]*$")
]
MessageId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=998)]


class ConsentPut(RequestModel):
    status: Literal["granted", "withdrawn"]
    source: ConsentSource = Field(
        "manual", description="Where it was given or withdrawn: manual, form, registration, import, phone, ..."
    )
    proof: str | None = Field(
        None, max_length=2000, description="The evidence: the wording agreed to, the page, a call's note."
    )


class ConsentOut(BaseModel):
    id: UUID
    contact_id: UUID | None
    lead_id: UUID | None
    channel: Channel
    status: Literal["granted", "withdrawn"]
    source: str
    proof: str | None
    recorded_at: datetime
    recorded_by: UUID | None = Field(description="The user who recorded it; null when the person did (a public page).")


class ConsentList(BaseModel):
    items: list[ConsentOut]


class SuppressionCreate(RequestModel):
    channel: Channel
    address: str = Field(
        min_length=1, max_length=254, description="An e-mail address or a phone number; stored normalized."
    )
    detail: str | None = Field(None, max_length=1000)


class SuppressionOut(BaseModel):
    channel: Channel
    address: str = Field(description="Normalized: a lower-case e-mail address, or the phone number's digits.")
    reason: Reason
    detail: str | None
    delivery_id: UUID | None
    created_at: datetime
    created_by: UUID | None


class SuppressionPage(BaseModel):
    items: list[SuppressionOut]
    next_cursor: str | None


class UnsubscribeOut(BaseModel):
    channel: Channel
    masked_address: str | None = Field(description="Enough to recognize it: w***@example.com, 138****8000.")
    campaign_name: str
    unsubscribed: bool = Field(description="Whether the address is already on the suppression list.")


class UnsubscribeConfirm(RequestModel):
    """Our page posts `{}`; mail clients post the form body `List-Unsubscribe=One-Click` (RFC 8058)."""


class BounceReport(RequestModel):
    type: Literal["hard", "soft", "complaint"]
    message_ids: list[MessageId] = Field(
        min_length=1, max_length=500, description="The Message-ID of each message the report is about."
    )
    detail: str | None = Field(None, max_length=1000, description="The provider's diagnostic (SMTP reply, reason).")


class BounceResultOut(BaseModel):
    matched: int = Field(description="Deliveries found for the message ids.")
    unknown: int = Field(description="Message ids matching no delivery of this tenant (ignored).")
    suppressed: int = Field(description="Addresses newly added to the suppression list.")
    members_changed: int = Field(description="Campaign members now bounced (hard) or unsubscribed (complaint).")


class BounceWebhookOut(BaseModel):
    url: str = Field(description="Where the provider posts its reports.")
    configured: bool = Field(description="Whether a secret is set (it is shown only when rotated).")


class BounceWebhookSecretOut(BaseModel):
    url: str
    secret: str = Field(
        description="Shown once. Sign each report's body: X-CRM-Signature: sha256=<hex HMAC-SHA256>, "
        "or send it as Authorization: Bearer <secret>."
    )
