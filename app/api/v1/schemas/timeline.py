from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.v1.schemas.activities import Kind


class TimelineActivity(BaseModel):
    type: Literal["activity"]
    at: datetime = Field(description="When the activity occurred.")
    id: UUID = Field(description="The activity's id.")
    kind: Kind
    subject: str
    body: str | None
    duration_minutes: int | None
    outcome: str | None
    contact_id: UUID | None
    owner_id: UUID


class TimelineChange(BaseModel):
    type: Literal["change"]
    at: datetime = Field(description="When the change was made.")
    id: UUID = Field(description="The audit entry's id.")
    action: str = Field(description="customer.created, customer.updated, customer.assigned, customer.deleted, ...")
    actor_id: UUID | None
    changes: dict[str, Any] = Field(
        description="The key fields that changed (owner_id, department_id, status, deleted, merged_*), "
        'each as {"before": ..., "after": ...}.'
    )


TimelineItem = Annotated[TimelineActivity | TimelineChange, Field(discriminator="type")]


class TimelinePage(BaseModel):
    items: list[TimelineItem]
    next_cursor: str | None
