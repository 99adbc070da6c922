from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from app.api.v1.schemas.common import LongText, Name, RequestModel, ShortText
from app.api.v1.schemas.sync import NEXT_SYNC_TOKEN_DOC, TOMBSTONE_REASON_DOC

Kind = Literal["note", "call", "email", "meeting", "visit", "task", "appointment"]
Status = Literal["planned", "done", "missed", "cancelled"]
Reminder = Annotated[int, Field(ge=0, le=30 * 24 * 60, description="Remind this many minutes before.")]
Minutes = Annotated[int, Field(ge=0, le=7 * 24 * 60, description="Length in minutes (at most a week).")]


class ActivityCreate(RequestModel):
    kind: Kind
    subject: Name
    body: LongText | None = None
    occurred_at: AwareDatetime | None = Field(None, description="When it happened (with a UTC offset); default now.")
    duration_minutes: Minutes | None = None
    outcome: ShortText | None = None
    customer_id: UUID | None = Field(None, description="A customer you can read. Give this, contact_id, or both.")
    contact_id: UUID | None = Field(
        None, description="A contact you can read; its customer becomes the activity's when customer_id is unset."
    )
    lead_id: UUID | None = Field(None, description="A lead you can read.")
    opportunity_id: UUID | None = Field(None, description="A deal you can read; its customer comes along.")
    status: Status | None = Field(None, description="Default: planned for tasks and appointments, else done.")
    assignee_id: UUID | None = Field(None, description="Who does it, when not the owner.")
    due_at: AwareDatetime | None = Field(None, description="A task's due time.")
    starts_at: AwareDatetime | None = Field(None, description="An appointment's start (required for one).")
    ends_at: AwareDatetime | None = Field(None, description="An appointment's end (required for one).")
    evaluation: LongText | None = None
    reminder_minutes: Reminder | None = None
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs activities:assign.")


class ActivityPatch(RequestModel):
    kind: Kind = None  # type: ignore[assignment]
    subject: Name = None  # type: ignore[assignment]
    body: LongText | None = None
    occurred_at: AwareDatetime = None  # type: ignore[assignment]
    duration_minutes: Minutes | None = None
    outcome: ShortText | None = None
    customer_id: UUID | None = None
    contact_id: UUID | None = None
    lead_id: UUID | None = None
    opportunity_id: UUID | None = None
    status: Status = None  # type: ignore[assignment]
    assignee_id: UUID | None = None
    due_at: AwareDatetime | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    evaluation: LongText | None = None
    reminder_minutes: Reminder | None = None
    owner_id: UUID = None  # type: ignore[assignment]


class ActivityOut(BaseModel):
    id: UUID
    kind: Kind
    subject: str
    body: str | None
    occurred_at: datetime
    duration_minutes: int | None
    outcome: str | None
    customer_id: UUID | None
    contact_id: UUID | None
    lead_id: UUID | None
    opportunity_id: UUID | None
    status: Status
    assignee_id: UUID | None
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


class ActivityTombstone(BaseModel):
    id: UUID
    deleted: Literal[True]
    reason: Literal["deleted", "out_of_range"] = Field(description=TOMBSTONE_REASON_DOC)
    updated_at: datetime


class CalendarOut(BaseModel):
    items: list[ActivityOut]


class ActivityPage(BaseModel):
    items: list[ActivityOut | ActivityTombstone]
    next_cursor: str | None
    next_sync_token: str | None = Field(None, description=NEXT_SYNC_TOKEN_DOC)
