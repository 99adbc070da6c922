from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.v1.params import WHERE_DOC
from app.api.v1.schemas.common import CustomValues, Email, LongText, Name, Phone, RequestModel, ShortText, Tag
from app.api.v1.schemas.contacts import ContactOut
from app.api.v1.schemas.customers import CustomerOut
from app.api.v1.schemas.opportunities import OpportunityOut
from app.api.v1.schemas.sync import NEXT_SYNC_TOKEN_DOC, SYNC_TOKEN_DOC, TOMBSTONE_REASON_DOC, UPDATED_SINCE_DOC
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT

Source = Literal["web_form", "campaign", "import", "referral", "event", "other"]
Status = Literal["new", "contacted", "qualified", "unqualified", "converted"]
WritableStatus = Literal["new", "contacted", "qualified", "unqualified"]
Rating = Literal["hot", "warm", "cold"]


class LeadListParams(BaseModel):
    """List filters, validated as one model. `custom.<key>=<value>` parameters are read separately."""

    model_config = ConfigDict(extra="ignore")

    owner: str | None = Field(None, max_length=36, description="`me`, a user id, or `none`: the unassigned queue")
    department: UUID | None = None
    region: UUID | None = None
    status: Status | None = None
    source: Source | None = None
    rating: Rating | None = None
    campaign: UUID | None = Field(None, description="First touch: the campaign that brought the lead.")
    last_campaign: UUID | None = Field(None, description="Last touch.")
    channel: str | None = Field(None, max_length=50, description="The channel of the first touch's campaign.")
    last_channel: str | None = Field(None, max_length=50, description="The channel of the last touch's campaign.")
    tag: str | None = Field(None, max_length=50)
    created_from: datetime | None = None
    created_to: datetime | None = None
    score_from: int | None = Field(None, ge=-1_000_000, le=1_000_000, description="Score at least this.")
    score_to: int | None = Field(None, ge=-1_000_000, le=1_000_000, description="Score below this.")
    updated_since: datetime | None = Field(None, description=UPDATED_SINCE_DOC)
    sync_token: str | None = Field(None, max_length=200, description=SYNC_TOKEN_DOC)
    q: str | None = Field(
        None, min_length=1, max_length=200, description="Finds any part of name, company, email or phone."
    )
    sort: str = Field(
        "-updated_at", max_length=20, description="updated_at, created_at, name or score; prefix - for descending"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page.")
    where: str | None = Field(None, max_length=20_000, description=WHERE_DOC)


class LeadCreate(RequestModel):
    name: Name
    company: ShortText | None = None
    title: ShortText | None = Field(None, description="Job title.")
    phone: Phone | None = None
    email: Email | None = None
    source: Source = "other"
    campaign_id: UUID | None = Field(
        None, description="First touch: the campaign that brought it (a live campaign; 422 otherwise)."
    )
    last_campaign_id: UUID | None = Field(
        None, description="Last touch; defaults to the first touch when that is set and this is empty."
    )
    status: WritableStatus = "new"
    unqualified_reason: ShortText | None = Field(None, description="Required when the status is unqualified.")
    rating: Rating | None = None
    region_id: UUID | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs leads:assign.")
    custom_fields: CustomValues = Field(default_factory=dict)
    description: LongText | None = None


class LeadBatch(RequestModel):
    items: list[LeadCreate] = Field(min_length=1, max_length=500)


class LeadBatchResult(BaseModel):
    items: list[LeadOut]


class LeadPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    company: ShortText | None = None
    title: ShortText | None = None
    phone: Phone | None = None
    email: Email | None = None
    source: Source = None  # type: ignore[assignment]
    campaign_id: UUID | None = Field(
        None, description="First touch: the campaign that brought it (a live campaign; 422 otherwise)."
    )
    last_campaign_id: UUID | None = Field(
        None, description="Last touch; defaults to the first touch when that is set and this is empty."
    )
    status: WritableStatus = None  # type: ignore[assignment]
    unqualified_reason: ShortText | None = None
    rating: Rating | None = None
    region_id: UUID | None = None
    tags: list[Tag] = Field(None, max_length=50)  # type: ignore[arg-type]
    owner_id: UUID = None  # type: ignore[assignment]
    custom_fields: CustomValues = Field(None, description="Merged into the current values; null removes a key.")  # type: ignore[arg-type]
    description: LongText | None = None


class ScoreReason(BaseModel):
    rule_id: UUID
    label: str
    points: int


class LeadOut(BaseModel):
    id: UUID
    name: str
    company: str | None
    title: str | None
    phone: str | None
    email: str | None
    source: Source
    campaign_id: UUID | None = Field(description="First touch: the campaign that brought it.")
    last_campaign_id: UUID | None = Field(description="Last touch: the latest campaign that touched it.")
    status: Status
    unqualified_reason: str | None
    rating: Rating | None
    score: int
    score_reasons: list[ScoreReason] = Field(description="The scoring rules that fired at the last change.")
    region_id: UUID | None
    tags: list[str]
    owner_id: UUID | None = Field(description="Null: the lead waits in the unassigned queue.")
    department_id: UUID | None
    custom_fields: dict[str, Any]
    description: str | None
    converted_customer_id: UUID | None
    converted_contact_id: UUID | None
    converted_opportunity_id: UUID | None
    converted_at: datetime | None
    source_ticket_id: UUID | None = Field(description="The service ticket this lead came from, if any.")
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class LeadTombstone(BaseModel):
    id: UUID
    deleted: Literal[True]
    reason: Literal["deleted", "out_of_range"] = Field(description=TOMBSTONE_REASON_DOC)
    updated_at: datetime


class LeadPage(BaseModel):
    items: list[LeadOut | LeadTombstone]
    next_cursor: str | None
    next_sync_token: str | None = Field(None, description=NEXT_SYNC_TOKEN_DOC)


class NewCustomer(RequestModel):
    """Overrides for the customer made from the lead (by default: the lead's company, or the
    person when there is none)."""

    name: Name = None  # type: ignore[assignment]
    kind: Literal["company", "individual"] = None  # type: ignore[assignment]
    customer_type: ShortText | None = None
    industry: ShortText | None = None
    level: ShortText | None = None
    status: Literal["prospect", "active", "inactive", "lost"] = None  # type: ignore[assignment]
    phone: Phone | None = None
    email: Email | None = None
    custom_fields: CustomValues = None  # type: ignore[assignment]


class NewContact(RequestModel):
    """Overrides for the contact made from the lead (by default: its name, title, phone, email)."""

    name: Name = None  # type: ignore[assignment]
    title: ShortText | None = None
    is_primary: bool = None  # type: ignore[assignment]
    custom_fields: CustomValues = None  # type: ignore[assignment]


class NewOpportunity(RequestModel):
    """The deal opened by a conversion (name by default: the customer's and the lead's)."""

    name: Name = None  # type: ignore[assignment]
    amount: Decimal | None = Field(None, ge=0, le=Decimal("9999999999999999.99"), max_digits=18, decimal_places=2)
    pipeline_id: UUID | None = None
    stage_id: UUID | None = None
    expected_close_date: date | None = None


class ConvertBody(RequestModel):
    customer_id: UUID | None = Field(None, description="Join this existing customer instead of creating one.")
    customer: NewCustomer | None = Field(None, description="Overrides for the new customer.")
    contact_id: UUID | None = Field(None, description="Link this existing contact instead of creating one.")
    create_contact: bool = Field(True, description="Make a contact from the lead (unless contact_id is given).")
    contact: NewContact | None = Field(None, description="Overrides for the new contact.")
    allow_duplicate: bool = Field(False, description="Create the customer even if its email or phone exists.")
    opportunity: NewOpportunity | None = Field(None, description="Also open a deal for the customer.")


class ConvertResult(BaseModel):
    lead: LeadOut
    customer: CustomerOut
    contact: ContactOut | None
    opportunity: OpportunityOut | None


class ScoringRuleCreate(RequestModel):
    label: ShortText = Field(min_length=1)
    field: str = Field(
        min_length=1,
        max_length=70,
        description="name, company, title, phone, email, source, rating, region_id, tags or custom.<key>",
    )
    op: Literal["equals", "contains", "present"]
    value: ShortText | None = Field(None, description="Compared case-insensitively; not used by `present`.")
    points: int = Field(ge=-1000, le=1000)
    active: bool = True


class ScoringRulePatch(RequestModel):
    label: ShortText = Field(None, min_length=1)  # type: ignore[assignment]
    field: str = Field(None, min_length=1, max_length=70)  # type: ignore[assignment]
    op: Literal["equals", "contains", "present"] = None  # type: ignore[assignment]
    value: ShortText | None = None
    points: int = Field(None, ge=-1000, le=1000)  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]


class ScoringRuleOut(BaseModel):
    id: UUID
    label: str
    field: str
    op: str
    value: str | None
    points: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class ScoringRuleList(BaseModel):
    items: list[ScoringRuleOut]


class AssignmentRuleCreate(RequestModel):
    name: ShortText = Field(min_length=1)
    position: int | None = Field(None, ge=0, le=1_000_000, description="Rules are tried in this order; default: last.")
    active: bool = True
    region_id: UUID | None = Field(None, description="Take only leads of this region.")
    source: Source | None = Field(None, description="Take only leads from this source.")
    min_score: int | None = Field(None, ge=-100_000, le=100_000, description="Take only leads scoring at least this.")
    user_id: UUID | None = Field(None, description="Give the lead to this user...")
    department_id: UUID | None = Field(None, description="...or to one of this department's active sales users.")
    method: Literal["round_robin", "least_open"] = Field(
        "round_robin", description="How a department's user is chosen: in turn, or the one with fewest open leads."
    )


class AssignmentRulePatch(RequestModel):
    name: ShortText = Field(None, min_length=1)  # type: ignore[assignment]
    position: int = Field(None, ge=0, le=1_000_000)  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]
    region_id: UUID | None = None
    source: Source | None = None
    min_score: int | None = Field(None, ge=-100_000, le=100_000)
    user_id: UUID | None = None
    department_id: UUID | None = None
    method: Literal["round_robin", "least_open"] = None  # type: ignore[assignment]


class AssignmentRuleOut(BaseModel):
    id: UUID
    name: str
    position: int
    active: bool
    region_id: UUID | None
    source: str | None
    min_score: int | None
    user_id: UUID | None
    department_id: UUID | None
    method: str
    created_at: datetime
    updated_at: datetime
    version: int


class AssignmentRuleList(BaseModel):
    items: list[AssignmentRuleOut]


FormField = Literal["name", "company", "title", "phone", "email", "description", "region_id", "custom_fields"]


class LeadFormCreate(RequestModel):
    name: ShortText = Field(min_length=1)
    fields: list[FormField] = Field(
        min_length=1, max_length=20, description="What a submission may set; name is required."
    )
    campaign_id: UUID | None = Field(None, description="Leads from this form are attributed to this campaign.")
    tags: list[Tag] = Field(default_factory=list, max_length=20, description="Given to every lead from this form.")
    active: bool = True


class LeadFormPatch(RequestModel):
    name: ShortText = Field(None, min_length=1)  # type: ignore[assignment]
    fields: list[FormField] = Field(None, min_length=1, max_length=20)  # type: ignore[arg-type]
    campaign_id: UUID | None = Field(None, description="A live campaign (422 otherwise).")
    tags: list[Tag] = Field(None, max_length=20)  # type: ignore[arg-type]
    active: bool = None  # type: ignore[assignment]


class LeadFormOut(BaseModel):
    id: UUID
    name: str
    form_key: str = Field(description="The form posts to /api/v1/public/lead-forms/{form_key}.")
    fields: list[str]
    campaign_id: UUID | None
    tags: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class LeadFormList(BaseModel):
    items: list[LeadFormOut]


class LeadFormSubmission(RequestModel):
    """What a public form may send; the form itself narrows it further."""

    name: Name
    company: ShortText | None = None
    title: ShortText | None = None
    phone: Phone | None = None
    email: Email | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    region_id: UUID | None = None
    custom_fields: CustomValues = None  # type: ignore[assignment]
    website: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        None, description="Leave empty: a field people do not see (bots fill it in)."
    )


class Received(BaseModel):
    status: Literal["received"]
