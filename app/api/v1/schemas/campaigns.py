from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.api.v1.params import WHERE_DOC
from app.api.v1.schemas.common import CustomValues, LongText, Name, RequestModel, ShortText, Tag, Url
from app.api.v1.schemas.sync import NEXT_SYNC_TOKEN_DOC, SYNC_TOKEN_DOC, TOMBSTONE_REASON_DOC, UPDATED_SINCE_DOC
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT

CampaignType = Literal["event", "webinar", "promotion", "email", "sms", "advertising", "trade_show", "other"]
CampaignStatus = Literal["draft", "scheduled", "running", "completed", "cancelled"]
MemberStatus = Literal[
    "targeted", "sent", "opened", "clicked", "registered", "attended", "responded", "converted", "bounced",
    "unsubscribed",
]  # fmt: skip
SettableStatus = Literal[
    "sent", "opened", "clicked", "registered", "attended", "responded", "converted", "bounced", "unsubscribed"
]
RegistrationStatus = Literal["registered", "waitlisted", "cancelled"]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999999999.99"), max_digits=18, decimal_places=2)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 (default CNY).")]
Capacity = Annotated[int, Field(ge=0, le=1_000_000)]

STATUS_DOC = (
    "draft -> scheduled -> running -> completed; cancelled from any unfinished state. A new campaign is "
    "draft (default), scheduled or running; a jump elsewhere is a 409."
)


class CampaignListParams(BaseModel):
    """List filters, validated as one model. `custom.<key>=<value>` parameters are read separately."""

    model_config = ConfigDict(extra="ignore")

    owner: str | None = Field(None, max_length=36, description="`me` or a user id")
    department: UUID | None = None
    status: CampaignStatus | None = None
    campaign_type: CampaignType | None = None
    channel: str | None = Field(None, max_length=100)
    parent: UUID | None = Field(None, description="Sub-campaigns of this campaign.")
    tag: str | None = Field(None, max_length=50)
    starts_from: date | None = Field(None, description="starts_on on or after this day.")
    starts_to: date | None = Field(None, description="starts_on before this day (exclusive).")
    updated_since: datetime | None = Field(None, description=UPDATED_SINCE_DOC)
    sync_token: str | None = Field(None, max_length=200, description=SYNC_TOKEN_DOC)
    q: str | None = Field(
        None, min_length=1, max_length=200, description="Finds any part of the name, channel or a tag (Chinese too)."
    )
    sort: str = Field(
        "-updated_at", max_length=20, description="updated_at, created_at or name; prefix - for descending"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page.")


class CampaignCreate(RequestModel):
    name: Name
    campaign_type: CampaignType
    channel: ShortText | None = Field(None, description="Where it reaches people: wechat, baidu, email, offline...")
    status: CampaignStatus = Field("draft", description=STATUS_DOC)
    parent_id: UUID | None = Field(None, description="The programme this campaign belongs to.")
    starts_on: date | None = None
    ends_on: date | None = Field(None, description="On or after starts_on.")
    currency: Currency | None = None
    budget: Money | None = None
    actual_cost: Money | None = None
    expected_revenue: Money | None = None
    description: LongText | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs campaigns:assign.")
    custom_fields: CustomValues = Field(default_factory=dict)


class CampaignPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    campaign_type: CampaignType = None  # type: ignore[assignment]
    channel: ShortText | None = None
    status: CampaignStatus = Field(None, description=STATUS_DOC)  # type: ignore[arg-type]
    parent_id: UUID | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    currency: Currency = None  # type: ignore[assignment]
    budget: Money | None = None
    actual_cost: Money | None = None
    expected_revenue: Money | None = None
    description: LongText | None = None
    tags: list[Tag] = Field(None, max_length=50)  # type: ignore[arg-type]
    owner_id: UUID = None  # type: ignore[assignment]
    custom_fields: CustomValues = Field(None, description="Merged into the current values; null removes a key.")  # type: ignore[arg-type]


class CampaignOut(BaseModel):
    id: UUID
    name: str
    campaign_type: CampaignType
    channel: str | None
    status: CampaignStatus
    parent_id: UUID | None
    starts_on: date | None
    ends_on: date | None
    currency: str
    budget: Decimal | None = Field(description="A decimal string, like every amount.")
    actual_cost: Decimal | None
    expected_revenue: Decimal | None
    description: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    owner_id: UUID
    department_id: UUID | None
    public_key: str | None = Field(description="Registration settings (read-only here): PUT .../registration.")
    registration_open: bool
    registration_form: dict[str, Any]
    capacity: int | None
    survey_id: UUID | None = Field(description="The satisfaction survey sent to attendees (read-only here).")
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class CampaignTombstone(BaseModel):
    id: UUID
    deleted: Literal[True]
    reason: Literal["deleted", "out_of_range"] = Field(description=TOMBSTONE_REASON_DOC)
    updated_at: datetime


class CampaignPage(BaseModel):
    items: list[CampaignOut | CampaignTombstone]
    next_cursor: str | None
    next_sync_token: str | None = Field(None, description=NEXT_SYNC_TOKEN_DOC)


# -- sessions --------------------------------------------------------------------------------


class CampaignSessionCreate(RequestModel):
    name: Name
    starts_at: datetime
    ends_at: datetime | None = Field(None, description="On or after starts_at.")
    location: Annotated[str, Field(max_length=500)] | None = None
    online_url: Url | None = Field(None, pattern=r"^https?://\S+$")
    capacity: Capacity | None = None


class CampaignSessionPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    starts_at: datetime = None  # type: ignore[assignment]
    ends_at: datetime | None = None
    location: Annotated[str, Field(max_length=500)] | None = None
    online_url: Url | None = Field(None, pattern=r"^https?://\S+$")
    capacity: Capacity | None = None


class CampaignSessionOut(BaseModel):
    id: UUID
    campaign_id: UUID
    name: str
    starts_at: datetime
    ends_at: datetime | None
    location: str | None
    online_url: str | None
    capacity: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class CampaignSessionList(BaseModel):
    items: list[CampaignSessionOut]


# -- members ---------------------------------------------------------------------------------


class CampaignMemberListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: MemberStatus | None = None
    kind: Literal["contact", "lead"] | None = None
    registration_status: RegistrationStatus | None = None
    session: UUID | None = Field(None, description="Registered for this session.")
    q: str | None = Field(None, min_length=1, max_length=200, description="Any part of the name, e-mail or phone.")
    sort: str = Field("-targeted_at", max_length=20, description="targeted_at or updated_at; prefix - for descending")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page.")
    where: str | None = Field(None, max_length=20_000, description=WHERE_DOC)


class CampaignMemberOut(BaseModel):
    id: UUID
    campaign_id: UUID
    kind: Literal["contact", "lead"]
    contact_id: UUID | None
    lead_id: UUID | None
    name: str | None
    company: str | None = Field(description="The contact's customer, or the lead's company.")
    email: str | None
    phone: str | None
    status: MemberStatus
    source: str = Field(description="manual, segment, registration, automation or import.")
    targeted_at: datetime
    sent_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    registered_at: datetime | None
    attended_at: datetime | None
    responded_at: datetime | None
    converted_at: datetime | None
    bounced_at: datetime | None
    unsubscribed_at: datetime | None
    registration_status: RegistrationStatus | None
    session_id: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


class CampaignMemberPage(BaseModel):
    items: list[CampaignMemberOut]
    next_cursor: str | None


class CampaignMembersAdd(RequestModel):
    contact_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    lead_ids: list[UUID] = Field(default_factory=list, max_length=1000)


class CampaignMemberAdded(BaseModel):
    id: UUID = Field(description="The member's id.")
    contact_id: UUID | None
    lead_id: UUID | None


class CampaignMemberRefused(BaseModel):
    id: UUID
    kind: Literal["contact", "lead"]
    reason: Literal["not_found"] = Field(description="Unknown, deleted, or outside your contacts/leads range.")


class CampaignMembersAdded(BaseModel):
    added: list[CampaignMemberAdded]
    already: list[UUID] = Field(description="Contact or lead ids that were members already (left as they are).")
    refused: list[CampaignMemberRefused]


class CampaignMemberPatch(RequestModel):
    status: SettableStatus = Field(
        description="Forward only (targeted -> sent -> opened -> clicked -> registered -> attended -> responded -> "
        "converted; bounced or unsubscribed ends it). The current status again changes nothing; a step back is a 409."
    )


class CampaignFunnel(BaseModel):
    counts: dict[str, int] = Field(description="Members (in your contacts/leads range) by status; every status.")
    total: int
