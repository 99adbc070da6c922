"""SLA clocks on the tenant's business calendar: which policy applies to a ticket, its due times,
and the block every ticket read shows (due, business minutes remaining, breached, paused).

The resolution clock stands still while the ticket is pending: leaving pending moves the due time
by exactly the business time spent paused (`sla_paused_seconds` keeps the total, so a priority
change recomputes the due time with the pauses still counted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from app.domain.tickets.business_hours import BusinessCalendar
from app.domain.tickets.entities import CalendarSettings, SlaPolicy, Ticket


def business_calendar(settings: CalendarSettings) -> BusinessCalendar:
    """The calendar of these settings: one object per distinct calendar, reused across requests
    so that the days it has worked out stay worked out."""
    return _calendar(
        settings.time_zone,
        frozenset(settings.weekdays),
        settings.open_minute,
        settings.close_minute,
        frozenset(settings.holidays),
    )


@lru_cache(maxsize=256)
def _calendar(
    time_zone: str, weekdays: frozenset[int], open_minute: int, close_minute: int, holidays: frozenset[date]
) -> BusinessCalendar:
    return BusinessCalendar(time_zone, weekdays, open_minute, close_minute, holidays)


def pick_policy(policies: Sequence[SlaPolicy], priority: str, customer_level: str | None) -> SlaPolicy | None:
    """The active policy for the priority, one for the customer's level before one for any level."""
    fitting = [p for p in policies if p.active and p.priority == priority]
    for policy in fitting:
        if customer_level is not None and policy.customer_level == customer_level:
            return policy
    return next((p for p in fitting if p.customer_level is None), None)


# The share of a target after which the SLA job warns.
WARN_AT = 0.8


@dataclass(frozen=True, slots=True)
class DueTimes:
    sla_policy_id: Any
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_warn_at: datetime | None = None
    resolution_warn_at: datetime | None = None

    def columns(self, *, resolution: bool = True) -> dict[str, Any]:
        values = {
            "sla_policy_id": self.sla_policy_id,
            "first_response_due_at": self.first_response_due_at,
            "first_response_warn_at": self.first_response_warn_at,
        }
        if resolution:
            values |= {"resolution_due_at": self.resolution_due_at, "resolution_warn_at": self.resolution_warn_at}
        return values


def due_times(
    calendar: BusinessCalendar, start: datetime, policy: SlaPolicy | None, paused_seconds: int = 0
) -> DueTimes:
    if policy is None:
        return DueTimes(None, None, None)
    paused = paused_seconds / 60
    return DueTimes(
        policy.id,
        calendar.add(start, policy.first_response_minutes),
        calendar.add(start, policy.resolution_minutes + paused),
        calendar.add(start, policy.first_response_minutes * WARN_AT),
        calendar.add(start, policy.resolution_minutes * WARN_AT + paused),
    )


def resumed(calendar: BusinessCalendar, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """Leaving pending: the resolution due and warning times moved by the paused business time,
    and the new total of paused business seconds."""
    assert ticket.sla_paused_at is not None
    paused = calendar.elapsed(ticket.sla_paused_at, now)
    minutes = paused.total_seconds() / 60
    values: dict[str, Any] = {"sla_paused_seconds": ticket.sla_paused_seconds + int(paused.total_seconds())}
    for column in ("resolution_due_at", "resolution_warn_at"):
        at = getattr(ticket, column)
        values[column] = calendar.add(at, minutes) if at is not None else None
    return values


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _clock(calendar: BusinessCalendar, due: datetime | None, done: datetime | None, at: datetime) -> dict[str, Any]:
    """One target: `at` is now, or where a paused clock stopped."""
    if due is None:
        return {"due_at": None, "completed_at": done, "remaining_minutes": None, "breached": False}
    if done is not None:
        return {"due_at": due, "completed_at": done, "remaining_minutes": None, "breached": done > due}
    remaining = _minutes(calendar.elapsed(at, due)) if at <= due else -_minutes(calendar.elapsed(due, at))
    return {"due_at": due, "completed_at": None, "remaining_minutes": remaining, "breached": at > due}


def sla_view(calendar: BusinessCalendar, ticket: Ticket, now: datetime) -> dict[str, Any]:
    paused = ticket.sla_paused_at is not None
    resolution_at = ticket.sla_paused_at if ticket.sla_paused_at is not None else now
    return {
        "policy_id": ticket.sla_policy_id,
        "paused": paused,
        "first_response": _clock(calendar, ticket.first_response_due_at, ticket.first_responded_at, now),
        "resolution": _clock(calendar, ticket.resolution_due_at, ticket.resolved_at, resolution_at),
    }
