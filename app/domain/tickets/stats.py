"""Complaints analysis (`GET /tickets/stats`): counts (and complaints among them) by kind, category,
channel, priority, status, assignee and customer over a period, repeat complainers, median and p90 times to first
response and to resolution, SLA breach rate and reopen rate — over the tickets in the caller's
read range only (aggregates exclude what the caller cannot see). With `group_by` (day, week, month) also the volume
over time: one point per period in UTC, periods without tickets included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from app.auth.principal import Principal
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.scope import DataScope

MAX_PERIOD = timedelta(days=366)

GroupBy = Literal["day", "week", "month"]


def period_start(at: datetime, unit: GroupBy) -> datetime:
    """The UTC start of the day, ISO week (Monday) or month `at` falls in."""
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def next_period(at: datetime, unit: GroupBy) -> datetime:
    if unit == "day":
        return at + timedelta(days=1)
    if unit == "week":
        return at + timedelta(weeks=1)
    return at.replace(year=at.year + 1, month=1) if at.month == 12 else at.replace(month=at.month + 1)


def volume_series(
    start: datetime, end: datetime, unit: GroupBy, counted: dict[datetime, dict[str, int]]
) -> list[dict[str, Any]]:
    """One point per period overlapping [start, end), oldest first; a period without tickets
    counts zero (a chart shows the gap as a gap, not as a missing day)."""
    zero = {"count": 0, "complaints": 0, "breached": 0}
    points = []
    at = period_start(start, unit)
    while at < end:
        points.append({"period": at, **zero, **counted.get(at, {})})
        at = next_period(at, unit)
    return points


class TicketStats(Protocol):
    async def stats(
        self, scope: DataScope, start: datetime, end: datetime, now: datetime, unit: GroupBy | None = None
    ) -> tuple[dict[str, Any], dict[datetime, dict[str, int]] | None]:
        """The figures over tickets created in [start, end) within `scope`; with `unit` also, per
        UTC period start (day, week, month), the tickets created, complaints among them and those
        that breached a target — only periods with tickets."""
        ...


class TicketStatsService:
    def __init__(self, stats: TicketStats) -> None:
        self.repo = stats

    async def stats(
        self, principal: Principal, start: datetime, end: datetime, now: datetime, group_by: GroupBy | None = None
    ) -> dict[str, Any]:
        scope = principal.scope("tickets", "read")
        if end <= start:
            raise ValidationFailed.one("to", "must be after from")
        if end - start > MAX_PERIOD:
            raise ValidationFailed.one("to", "the period may span at most 366 days")
        figures, counted = await self.repo.stats(scope, start, end, now, group_by)
        volume = None
        if group_by is not None and counted is not None:
            volume = volume_series(start, end, group_by, counted)
        return {"from": start, "to": end, "group_by": group_by, **figures, "volume": volume}
