"""Activities: what happened with a customer, contact, lead or deal (a note, call, email, meeting,
visit), and what is planned (a task with a due time, an appointment from a start to an end)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from app.domain.shared.conditions import Group
from app.domain.shared.paging import DEFAULT_LIMIT


class ActivityKind(StrEnum):
    NOTE = "note"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    VISIT = "visit"
    TASK = "task"
    APPOINTMENT = "appointment"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


# Kinds that are planned work by default (the others are logged after the fact).
PLANNED_KINDS = frozenset({ActivityKind.TASK, ActivityKind.APPOINTMENT})


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
    lead_id: UUID | None
    opportunity_id: UUID | None
    status: str
    assignee_id: UUID | None  # who does it, when not the owner (the caller making an outbound call)
    due_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    evaluation: str | None
    reminder_minutes: int | None
    reminded_at: datetime | None
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
    "lead_id",
    "opportunity_id",
    "status",
    "assignee_id",
    "due_at",
    "starts_at",
    "ends_at",
    "evaluation",
    "reminder_minutes",
    "owner_id",
)

SORTABLE = frozenset({"occurred_at", "updated_at", "created_at"})
DEFAULT_SORT = "-occurred_at"


@dataclass(frozen=True, slots=True)
class ActivityQuery:
    customer_id: UUID | None = None
    contact_id: UUID | None = None
    lead_id: UUID | None = None
    opportunity_id: UUID | None = None
    owner_id: UUID | None = None
    assignee_id: UUID | None = None
    kind: str | None = None
    status: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    updated_since: datetime | None = None
    sync_token: str | None = None
    sort: str = DEFAULT_SORT
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    # A condition tree (app/domain/shared/conditions.py), parsed from the `where` parameter.
    where: Group | None = None
