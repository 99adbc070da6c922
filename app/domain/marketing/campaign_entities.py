"""Campaigns, their sessions and their members, as the API returns them, and their rules:
the types, the status lifecycle (draft -> scheduled -> running -> completed, or cancelled from any
unfinished state) and the list queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from app.domain.shared.conditions import Group
from app.domain.shared.paging import DEFAULT_LIMIT

CAMPAIGN_TYPES: Final = ("event", "webinar", "promotion", "email", "sms", "advertising", "trade_show", "other")
# Types that take place at a time and place (or online): they carry sessions.
SESSION_TYPES: Final = frozenset({"event", "webinar", "trade_show"})
CAMPAIGN_STATUSES: Final = ("draft", "scheduled", "running", "completed", "cancelled")
FINISHED: Final = frozenset({"completed", "cancelled"})
# The one way forward, and cancelled from anywhere not yet finished.
TRANSITIONS: Final = {
    "draft": frozenset({"scheduled", "cancelled"}),
    "scheduled": frozenset({"running", "cancelled"}),
    "running": frozenset({"completed", "cancelled"}),
    "completed": frozenset[str](),
    "cancelled": frozenset[str](),
}


def can_move(current: str, target: str) -> bool:
    return target == current or target in TRANSITIONS[current]


@dataclass(slots=True)
class Campaign:
    id: UUID
    name: str
    campaign_type: str
    channel: str | None
    status: str
    parent_id: UUID | None
    starts_on: date | None
    ends_on: date | None
    currency: str
    budget: Decimal | None
    actual_cost: Decimal | None
    expected_revenue: Decimal | None
    description: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    owner_id: UUID
    department_id: UUID | None
    # Registration settings: read-only here (PUT /campaigns/{id}/registration keeps them).
    public_key: str | None
    registration_open: bool
    registration_form: dict[str, Any]
    capacity: int | None
    survey_id: UUID | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


# Fields a client may write (owner_id only with campaigns:assign). Everything else is derived or
# belongs to another use case (registration settings, the survey).
WRITABLE: Final = (
    "name",
    "campaign_type",
    "channel",
    "status",
    "parent_id",
    "starts_on",
    "ends_on",
    "currency",
    "budget",
    "actual_cost",
    "expected_revenue",
    "description",
    "tags",
    "owner_id",
    "custom_fields",
)
SORTABLE: Final = frozenset({"updated_at", "created_at", "name"})


@dataclass(frozen=True, slots=True)
class CampaignQuery:
    owner_id: UUID | None = None
    department_id: UUID | None = None
    status: str | None = None
    campaign_type: str | None = None
    channel: str | None = None
    parent_id: UUID | None = None
    tag: str | None = None
    starts_on_from: date | None = None  # inclusive
    starts_on_to: date | None = None  # exclusive, like every other `_to`
    updated_since: datetime | None = None
    sync_token: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    q: str | None = None
    sort: str = "-updated_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(slots=True)
class CampaignSession:
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


SESSION_WRITABLE: Final = ("name", "starts_at", "ends_at", "location", "online_url", "capacity")


@dataclass(slots=True)
class Member:
    """A campaign member with who it is (the contact's or lead's name, company and address)."""

    id: UUID
    campaign_id: UUID
    kind: str  # contact | lead
    contact_id: UUID | None
    lead_id: UUID | None
    name: str | None
    company: str | None
    email: str | None
    phone: str | None
    status: str
    source: str
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
    registration_status: str | None
    session_id: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


MEMBER_SORTABLE: Final = frozenset({"targeted_at", "updated_at"})


@dataclass(frozen=True, slots=True)
class MemberQuery:
    status: str | None = None
    kind: str | None = None  # contact | lead
    registration_status: str | None = None
    session_id: UUID | None = None
    q: str | None = None
    sort: str = "-targeted_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    # A condition tree over campaign members (app/domain/shared/conditions.py), from `where`.
    where: Group | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    id: UUID
    kind: str  # contact | lead
    reason: str  # not_found: unknown, deleted or outside the caller's range


@dataclass(frozen=True, slots=True)
class NewMember:
    id: UUID
    contact_id: UUID | None
    lead_id: UUID | None


@dataclass(frozen=True, slots=True)
class AddedMembers:
    added: list[NewMember]
    already: list[UUID]  # contact or lead ids already members
    refused: list[Refused]
