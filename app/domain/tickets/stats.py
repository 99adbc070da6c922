"""Complaints analysis (`GET /tickets/stats`): counts by kind, category, channel, priority,
status, assignee and customer over a period, repeat complainers, median and p90 times to first
response and to resolution, SLA breach rate and reopen rate — over the tickets in the caller's
read range only (aggregates exclude what the caller cannot see)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from app.auth.principal import Principal
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.scope import DataScope

MAX_PERIOD = timedelta(days=366)


class TicketStats(Protocol):
    async def stats(self, scope: DataScope, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
        """The figures over tickets created in [start, end) within `scope`."""
        ...


class TicketStatsService:
    def __init__(self, stats: TicketStats) -> None:
        self.repo = stats

    async def stats(self, principal: Principal, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
        scope = principal.scope("tickets", "read")
        if end <= start:
            raise ValidationFailed.one("to", "must be after from")
        if end - start > MAX_PERIOD:
            raise ValidationFailed.one("to", "the period may span at most 366 days")
        figures = await self.repo.stats(scope, start, end, now)
        return {"from": start, "to": end, **figures}
