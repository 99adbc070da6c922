"""SLA clocks on the tenant's business calendar: which policy applies to a ticket, its due times,
and the block every ticket read shows (due, business minutes remaining, breached, paused).

The resolution clock stands still while the ticket is pending: leaving pending moves the due time
by exactly the business time spent paused (`sla_paused_seconds` keeps the total, so a priority
change recomputes the due time with the pauses still counted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.domain.tickets.business_hours import BusinessCalendar
from app.domain.tickets.entities import CalendarSettings, SlaPolicy, Ticket


def business_calendar(settings: CalendarSettings) -> BusinessCalendar:
    return BusinessCalendar(
        time_zone=settings.time_zone,
        weekdays=frozenset(settings.weekdays),
        open_minute=settings.open_minute,
        close_minute=settings.close_minute,
        holidays=frozenset(settings.holidays),
    )


def pick_policy(policies: Sequence[SlaPolicy], priority: str, customer_level: str | None) -> SlaPolicy | None:
    """The active policy for the priority, one for the customer's level before one for any level."""
    fitting = [p for p in policies if p.active and p.priority == priority]
    for policy in fitting:
        if customer_level is not None and policy.customer_level == customer_level:
            return policy
    return next((p for p in fitting if p.customer_level is None), None)


@dataclass(frozen=True, slots=True)
class DueTimes:
    sla_policy_id: Any
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None


def due_times(
    calendar: BusinessCalendar, start: datetime, policy: SlaPolicy | None, paused_seconds: int = 0
) -> DueTimes:
    if policy is None:
        return DueTimes(None, None, None)
    first = calendar.add(start, policy.first_response_minutes)
    resolution = calendar.add(start, policy.resolution_minutes + paused_seconds / 60)
    return DueTimes(policy.id, first, resolution)


def resumed_due(calendar: BusinessCalendar, ticket: Ticket, now: datetime) -> tuple[datetime | None, int]:
    """Leaving pending: (the resolution due time moved by the paused business time, the new
    total of paused business seconds)."""
    assert ticket.sla_paused_at is not None
    paused = calendar.elapsed(ticket.sla_paused_at, now)
    total = ticket.sla_paused_seconds + int(paused.total_seconds())
    if ticket.resolution_due_at is None:
        return None, total
    return calendar.add(ticket.resolution_due_at, paused.total_seconds() / 60), total


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
