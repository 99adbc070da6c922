"""Notifications: what the worker tells a user (a record assigned to them, a deal left idle too
long in its stage). Each user reads and marks only their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(slots=True)
class Notification:
    id: UUID
    kind: str
    title: str
    entity: str | None
    entity_id: UUID | None
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewNotification:
    tenant_id: UUID
    user_id: UUID
    kind: str
    title: str
    entity: str | None = None
    entity_id: UUID | None = None
    dedupe_key: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    tenant_id: UUID
    id: UUID
    event_type: str
    entity: str
    entity_id: UUID
    payload: dict[str, object]
    attempts: int
