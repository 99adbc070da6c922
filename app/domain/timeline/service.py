"""The customer timeline. The customer must be readable (404 otherwise); its activities appear
within the caller's activities:read range (an activity outside it does not exist for the caller,
and a caller without activities:read sees only the customer's own changes)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.customers.ports import CustomerRepository
from app.domain.shared.access import scope_or_empty
from app.domain.shared.errors import NotFound
from app.domain.shared.paging import Page
from app.domain.timeline.entities import TimelineQuery
from app.domain.timeline.ports import TimelineRepository


class TimelineService:
    def __init__(self, customers: CustomerRepository, timeline: TimelineRepository) -> None:
        self.customers = customers
        self.timeline = timeline

    async def page(self, principal: Principal, customer_id: UUID, query: TimelineQuery) -> Page[dict[str, Any]]:
        if await self.customers.get(principal.scope("customers", "read"), customer_id) is None:
            raise NotFound("no such customer")
        activities = scope_or_empty(principal, "activities", "read")
        return await self.timeline.page(principal.tenant_id, customer_id, activities, query)
