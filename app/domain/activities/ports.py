from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from app.domain.activities.entities import Activity
from app.domain.shared.owned import OwnedRepository
from app.domain.shared.scope import DataScope


class ActivityRepository(OwnedRepository[Activity], Protocol):
    async def overlapping(
        self, tenant_id: UUID, person: UUID, starts_at: datetime, ends_at: datetime, *, exclude: UUID | None
    ) -> list[UUID]:
        """Planned appointments of `person` (assigned, or owned and unassigned) overlapping the span."""
        ...

    async def calendar(
        self, scope: DataScope, start: datetime, end: datetime, assignee: UUID | None, limit: int
    ) -> list[Activity]: ...


class LinkedRecords(Protocol):
    """What an activity may link to beyond customers and contacts, seen through a scope."""

    async def lead_visible(self, scope: DataScope, lead_id: UUID) -> bool: ...
    async def opportunity_customer(self, scope: DataScope, opportunity_id: UUID) -> UUID | None:
        """The deal's customer, when the deal is within the scope."""
        ...
