from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.api.v1.params import WHERE_DOC
from app.api.v1.schemas.common import CustomValues, LongText, Name, RequestModel, ShortText, Tag
from app.api.v1.schemas.sync import NEXT_SYNC_TOKEN_DOC, SYNC_TOKEN_DOC, TOMBSTONE_REASON_DOC, UPDATED_SINCE_DOC
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT

Category = Literal["pipeline", "best_case", "commit", "closed", "omitted"]
OpenCategory = Literal["pipeline", "best_case", "commit", "omitted"]
KEY_OR_NONE = r"^(none|[0-9a-fA-F-]{36})$"


class LineItemIn(RequestModel):
    product_name: ShortText = Field(min_length=1)
    quantity: Decimal = Field(gt=0, le=Decimal("99999999999999.9999"), max_digits=18, decimal_places=4)
    unit_price: Decimal = Field(ge=0, le=Decimal("9999999999999999.99"), max_digits=18, decimal_places=2)
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)


class LineItemOut(BaseModel):
    id: UUID
    position: int
    product_name: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal


class StageChangeOut(BaseModel):
    id: UUID
    from_stage_id: UUID | None
    to_stage_id: UUID
    changed_by: UUID | None
    changed_at: datetime
    seconds_in_from_stage: int | None


class OpportunityListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    owner: str | None = Field(None, max_length=36, description="`me` or a user id")
    department: UUID | None = None
    customer: UUID | None = None
    pipeline: UUID | None = None
    stage: UUID | None = None
    forecast_category: Category | None = None
    close_from: date | None = Field(None, description="Expected close on or after this day.")
    close_to: date | None = Field(None, description="Expected close before this day.")
    created_from: AwareDatetime | None = Field(None, description="Created at or after this instant.")
    created_to: AwareDatetime | None = Field(None, description="Created before this instant.")
    closed_from: AwareDatetime | None = Field(None, description="Closed (won or lost) at or after this instant.")
    closed_to: AwareDatetime | None = Field(None, description="Closed before this instant.")
    status: Literal["open", "won", "lost", "closed"] | None = Field(
        None, description="The stage's kind; closed: won or lost."
    )
    source: str | None = Field(None, max_length=50, description='The source lead\'s source; "none": no lead.')
    campaign: str | None = Field(None, pattern=KEY_OR_NONE, description='First-touch campaign id, or "none".')
    region: str | None = Field(None, pattern=KEY_OR_NONE, description='The customer\'s region id, or "none".')
    customer_level: str | None = Field(None, max_length=100, description='The customer\'s level, or "none".')
    customer_type: str | None = Field(None, max_length=100, description='The customer\'s type, or "none".')
    product: str | None = Field(None, max_length=200, description='A line item\'s product name; "none": no items.')
    reached_stage: UUID | None = Field(
        None, description="Entered this stage or a later one of the pipeline (lost stages aside)."
    )
    furthest_stage: UUID | None = Field(None, description="Got no further than this stage (lost stages aside).")
    passed_stage: UUID | None = Field(None, description="Left this stage at least once.")
    won_reason: str | None = Field(None, max_length=200)
    lost_reason: str | None = Field(None, max_length=200)
    tag: str | None = Field(None, max_length=50)
    updated_since: datetime | None = Field(None, description=UPDATED_SINCE_DOC)
    sync_token: str | None = Field(None, max_length=200, description=SYNC_TOKEN_DOC)
    q: str | None = Field(None, min_length=1, max_length=200, description="Finds any part of the name or next step.")
    sort: str = Field(
        "-updated_at",
        max_length=30,
        description="updated_at, created_at, name, amount or expected_close_date; prefix - for descending",
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page.")
    where: str | None = Field(None, max_length=20_000, description=WHERE_DOC)


class OpportunityCreate(RequestModel):
    name: Name
    customer_id: UUID
    primary_contact_id: UUID | None = None
    amount: Decimal | None = Field(None, ge=0, le=Decimal("9999999999999999.99"), max_digits=18, decimal_places=2)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO 4217; default: the pipeline's.")
    expected_close_date: date | None = None
    pipeline_id: UUID | None = Field(None, description="Default: the tenant's first pipeline.")
    stage_id: UUID | None = Field(None, description="Default: the pipeline's first open stage.")
    probability: int | None = Field(None, ge=0, le=100, description="Default: the stage's.")
    forecast_category: OpenCategory | None = None
    source_lead_id: UUID | None = None
    campaign_id: UUID | None = Field(
        None, description="First touch: the campaign that brought it (a live campaign; 422 otherwise)."
    )
    last_campaign_id: UUID | None = Field(
        None, description="Last touch; defaults to the first touch when that is set and this is empty."
    )
    competitors: list[ShortText] = Field(default_factory=list, max_length=20)
    next_step: ShortText | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs opportunities:assign.")
    custom_fields: CustomValues = Field(default_factory=dict)
    description: LongText | None = None
    line_items: list[LineItemIn] | None = Field(None, max_length=200, description="When given, they make the amount.")


class OpportunityPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    customer_id: UUID = None  # type: ignore[assignment]
    primary_contact_id: UUID | None = None
    amount: Decimal = Field(None, ge=0, le=Decimal("9999999999999999.99"), max_digits=18, decimal_places=2)  # type: ignore[assignment]
    currency: str = Field(None, pattern=r"^[A-Z]{3}$")  # type: ignore[assignment]
    expected_close_date: date | None = None
    probability: int = Field(None, ge=0, le=100)  # type: ignore[assignment]
    forecast_category: OpenCategory = None  # type: ignore[assignment]
    campaign_id: UUID | None = Field(
        None, description="First touch: the campaign that brought it (a live campaign; 422 otherwise)."
    )
    last_campaign_id: UUID | None = Field(
        None, description="Last touch; defaults to the first touch when that is set and this is empty."
    )
    competitors: list[ShortText] = Field(None, max_length=20)  # type: ignore[arg-type]
    next_step: ShortText | None = None
    tags: list[Tag] = Field(None, max_length=50)  # type: ignore[arg-type]
    owner_id: UUID = None  # type: ignore[assignment]
    custom_fields: CustomValues = Field(None, description="Merged into the current values; null removes a key.")  # type: ignore[arg-type]
    description: LongText | None = None
    line_items: list[LineItemIn] = Field(None, max_length=200, description="Replace them all (and the amount).")  # type: ignore[arg-type]


class StageBody(RequestModel):
    stage_id: UUID
    expected_close_date: date | None = Field(None, description="The close date; won and lost deals need one.")
    lost_reason: ShortText | None = Field(None, description="Required to enter a lost stage.")
    won_reason: ShortText | None = Field(None, description="Why it was won (entering a won stage); optional.")


class OpportunityOut(BaseModel):
    id: UUID
    name: str
    customer_id: UUID
    primary_contact_id: UUID | None
    amount: Decimal
    currency: str
    expected_close_date: date | None
    pipeline_id: UUID
    stage_id: UUID
    probability: int
    forecast_category: Category
    source_lead_id: UUID | None
    campaign_id: UUID | None = Field(description="First touch: the campaign that brought it.")
    last_campaign_id: UUID | None = Field(description="Last touch: the latest campaign that touched it.")
    competitors: list[str]
    next_step: str | None
    lost_reason: str | None
    won_reason: str | None
    tags: list[str]
    owner_id: UUID
    department_id: UUID | None
    custom_fields: dict[str, Any]
    description: str | None
    stage_entered_at: datetime
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class OpportunityDetailOut(OpportunityOut):
    line_items: list[LineItemOut]
    stage_history: list[StageChangeOut]


class OpportunityTombstone(BaseModel):
    id: UUID
    deleted: Literal[True]
    reason: Literal["deleted", "out_of_range"] = Field(description=TOMBSTONE_REASON_DOC)
    updated_at: datetime


class OpportunityPage(BaseModel):
    items: list[OpportunityOut | OpportunityTombstone]
    next_cursor: str | None
    next_sync_token: str | None = Field(None, description=NEXT_SYNC_TOKEN_DOC)


class BoardCardOut(BaseModel):
    """A deal on the board: what its card shows and what moving it needs; GET
    /opportunities/{id} has the rest."""

    id: UUID
    name: str
    customer_id: UUID
    amount: Decimal
    currency: str
    expected_close_date: date | None
    stage_id: UUID
    probability: int
    forecast_category: Category
    lost_reason: str | None
    owner_id: UUID
    stage_entered_at: datetime
    updated_at: datetime
    version: int


class BoardColumnOut(BaseModel):
    stage_id: UUID
    name: str
    kind: Literal["open", "won", "lost"]
    probability: int
    count: int
    amount: Decimal
    weighted_amount: Decimal = Field(description="Sum of amount x probability.")
    cards: list[BoardCardOut] = Field(description="The most recently updated deals of the stage.")


class BoardOut(BaseModel):
    pipeline_id: UUID
    columns: list[BoardColumnOut]
