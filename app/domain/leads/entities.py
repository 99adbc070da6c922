"""Leads: people or companies that may become customers, captured, scored, worked and converted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.shared.conditions import Group
from app.domain.shared.paging import DEFAULT_LIMIT


class LeadSource(StrEnum):
    WEB_FORM = "web_form"
    CAMPAIGN = "campaign"
    IMPORT = "import"
    REFERRAL = "referral"
    EVENT = "event"
    OTHER = "other"


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    CONVERTED = "converted"  # only through conversion


# Leads still being worked: what "least open leads" counts.
OPEN_STATUSES = (LeadStatus.NEW.value, LeadStatus.CONTACTED.value, LeadStatus.QUALIFIED.value)


class LeadRating(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


@dataclass(slots=True)
class Lead:
    """The record as the API returns it (serialized field by field)."""

    id: UUID
    name: str
    company: str | None
    title: str | None
    phone: str | None
    email: str | None
    source: str
    campaign_id: UUID | None  # first touch
    last_campaign_id: UUID | None  # last touch
    status: str
    unqualified_reason: str | None
    rating: str | None
    score: int
    # The scoring rules that fired at the last change: [{"rule_id", "label", "points"}].
    score_reasons: list[dict[str, Any]]
    region_id: UUID | None
    tags: list[str]
    owner_id: UUID | None  # None: in the unassigned queue
    department_id: UUID | None
    custom_fields: dict[str, Any]
    description: str | None
    converted_customer_id: UUID | None
    converted_contact_id: UUID | None
    converted_opportunity_id: UUID | None
    converted_at: datetime | None
    source_ticket_id: UUID | None  # the service ticket it came from
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


SORTABLE = frozenset({"updated_at", "created_at", "name", "score"})


@dataclass(frozen=True, slots=True)
class LeadQuery:
    owner_id: UUID | None = None
    # True: only the unassigned queue (no owner)
    unassigned: bool | None = None
    department_id: UUID | None = None
    region_id: UUID | None = None
    status: str | None = None
    source: str | None = None
    rating: str | None = None
    campaign_id: UUID | None = None
    last_campaign_id: UUID | None = None
    # the channel of the first / last touch's campaign (lead analysis drill-downs)
    channel: str | None = None
    last_channel: str | None = None
    tag: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    # score bounds: from inclusive, to exclusive
    score_from: int | None = None
    score_to: int | None = None
    updated_since: datetime | None = None
    sync_token: str | None = None
    # custom.<key>=value filters, already parsed to stored JSON values
    custom: dict[str, Any] = field(default_factory=dict)
    q: str | None = None
    sort: str = "-updated_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    # A condition tree (app/domain/shared/conditions.py), parsed from the `where` parameter.
    where: Group | None = None
