"""What registration works on: the campaign's registration settings (stored in
`campaigns.registration_form`, `registration_open`, `capacity`), its sessions with the seats
left, and a member's registration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

RegistrationStatus = Literal["registered", "waitlisted", "cancelled"]
REGISTERED: Literal["registered"] = "registered"
WAITLISTED: Literal["waitlisted"] = "waitlisted"
CANCELLED: Literal["cancelled"] = "cancelled"

# A campaign takes registrations only while it is announced or under way.
OPEN_CAMPAIGN_STATUSES = frozenset({"scheduled", "running"})
# The page still shows (registration closed) for a finished campaign; anything else is not found.
SHOWN_CAMPAIGN_STATUSES = frozenset({"scheduled", "running", "completed"})


@dataclass(slots=True)
class EventCampaign:
    tenant_id: UUID
    id: UUID
    name: str
    description: str | None
    campaign_type: str
    status: str
    starts_on: date | None
    ends_on: date | None
    public_key: str | None
    registration_open: bool
    form: dict[str, Any]
    capacity: int | None
    version: int

    @property
    def published(self) -> bool:
        """Whether the public page exists: open once, and the campaign announced or running
        (a finished campaign's page still answers, closed)."""
        return self.public_key is not None and self.registration_open and self.status in SHOWN_CAMPAIGN_STATUSES

    @property
    def accepting(self) -> bool:
        return self.published and self.status in OPEN_CAMPAIGN_STATUSES


@dataclass(slots=True)
class EventSession:
    id: UUID
    name: str
    starts_at: datetime
    ends_at: datetime | None
    location: str | None
    online_url: str | None
    capacity: int | None
    taken: int  # registered members

    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


@dataclass(slots=True)
class Member:
    tenant_id: UUID
    id: UUID
    campaign_id: UUID
    contact_id: UUID | None
    lead_id: UUID | None
    status: str
    registration_status: str | None
    session_id: UUID | None
    registration: dict[str, Any]
    checkin_code: str | None
    registration_at: datetime | None
    registered_at: datetime | None
    attended_at: datetime | None
    version: int


@dataclass(slots=True)
class Seats:
    """Seats taken in a campaign and in one of its sessions (registered members)."""

    campaign: int
    session: int


@dataclass(slots=True)
class Registered:
    """The answer to a registration: what the registrant reads."""

    status: str  # registered | waitlisted
    checkin_code: str | None
    message: str
    language: str
    member_id: UUID | None = None
    repeated: bool = False  # the same person had registered before: nothing changed


@dataclass(slots=True)
class Tally:
    registered: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    attended: int = 0


@dataclass(slots=True)
class CheckIn:
    member: Member
    already: bool


@dataclass(slots=True)
class Cancelled:
    member: Member
    promoted: list[Member] = field(default_factory=list)
