"""Activities: what happened with a customer or contact (a note, call, email, meeting, visit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from app.domain.shared.paging import DEFAULT_LIMIT


class ActivityKind(StrEnum):
    NOTE = "note"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    VISIT = "visit"


@dataclass(slots=True)
class Activity:
    """The record as the API returns it (serialized field by field)."""

    id: UUID
    kind: str
    subject: str
    body: str | None
    occurred_at: datetime
    duration_minutes: int | None
    outcome: str | None
    customer_id: UUID | None
    contact_id: UUID | None
    owner_id: UUID
    department_id: UUID | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


# Fields a client may write (owner_id only with activities:assign). Everything else is derived.
WRITABLE = (
    "kind",
    "subject",
    "body",
    "occurred_at",
    "duration_minutes",
    "outcome",
    "customer_id",
    "contact_id",
    "owner_id",
)

SORTABLE = frozenset({"occurred_at", "updated_at", "created_at"})
DEFAULT_SORT = "-occurred_at"


@dataclass(frozen=True, slots=True)
class ActivityQuery:
    customer_id: UUID | None = None
    contact_id: UUID | None = None
    owner_id: UUID | None = None
    kind: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    updated_since: datetime | None = None
    sort: str = DEFAULT_SORT
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
