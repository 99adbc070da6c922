from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope
from app.domain.timeline.entities import TimelineQuery


class TimelineRepository(Protocol):
    async def page(
        self, tenant_id: UUID, customer_id: UUID, activities: DataScope, query: TimelineQuery
    ) -> Page[dict[str, Any]]:
        """One page of the customer's timeline: its activities within `activities` and its key
        changes from the audit log, merged newest first."""
        ...
