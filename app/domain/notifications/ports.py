from __future__ import annotations

import builtins
from datetime import datetime
from typing import Protocol
from uuid import UUID

from app.domain.notifications.entities import NewNotification, Notification
from app.domain.shared.paging import Page


class NotificationRepository(Protocol):
    async def add(self, notification: NewNotification) -> bool:
        """False when the user already has one with this dedupe key."""
        ...

    async def list(
        self, tenant_id: UUID, user_id: UUID, *, unread: bool, limit: int, cursor: str | None
    ) -> Page[Notification]: ...
    async def unread_count(self, tenant_id: UUID, user_id: UUID, cap: int) -> int:
        """The user's unread notifications, counted up to `cap`."""
        ...

    async def mark_read(self, tenant_id: UUID, user_id: UUID, ids: builtins.list[UUID] | None) -> int:
        """Mark these (None: all) of the user's unread notifications read; returns how many."""
        ...


class RottingDeals(Protocol):
    async def rotting(self, now: datetime, limit: int) -> list[tuple[UUID, UUID, UUID, str, str, datetime]]:
        """Open deals idle in their stage longer than its rotting_days, across tenants:
        (tenant, deal, owner, deal name, stage name, entered the stage at)."""
        ...


class DueReminders(Protocol):
    async def due(self, now: datetime, limit: int) -> builtins.list[tuple[UUID, UUID, UUID, str, datetime]]:
        """Planned tasks and appointments whose reminder time has come, across tenants, each taken
        once: (tenant, activity, the person to remind, subject, when it is due or starts)."""
        ...
