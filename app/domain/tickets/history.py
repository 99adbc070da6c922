"""A ticket's history (`GET /tickets/{id}/history`): its status moves with the time spent in the
status left (elapsed and business time on the tenant's calendar), its assignments and priority
changes (from the audit trail), and its escalations (by a person or a rule), oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from app.domain.tickets.business_hours import BusinessCalendar


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One stored fact: kind "status" (data: from_status, to_status), "change" (data: the audit
    diff of an assignment or update) or "escalation" (data: the escalation's columns)."""

    kind: str
    at: datetime
    id: UUID
    actor_id: UUID | None
    data: dict[str, Any]


# Audit-diff fields that make an assignment or a priority change.
OWNER_FIELDS = ("owner_id", "department_id")


def _item(kind: str, entry: HistoryEntry, before: Any, after: Any, **more: Any) -> dict[str, Any]:
    return {"type": kind, "at": entry.at, "actor_id": entry.actor_id, "before": before, "after": after, **more}


def _seconds(span: Any) -> int:
    return int(span.total_seconds())


def history_items(calendar: BusinessCalendar, entries: list[HistoryEntry]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    entered: datetime | None = None  # when the ticket entered its current status
    for entry in sorted(entries, key=lambda e: (e.at, e.id)):
        d = entry.data
        if entry.kind == "status":
            spent = None if entered is None else entry.at - entered
            business = None if entered is None else calendar.elapsed(entered, entry.at)
            items.append(
                _item(
                    "status",
                    entry,
                    d.get("from_status"),
                    d.get("to_status"),
                    seconds_in_previous=None if spent is None else _seconds(spent),
                    business_seconds_in_previous=None if business is None else _seconds(business),
                )
            )
            entered = entry.at
        elif entry.kind == "escalation":
            items.append(
                _item(
                    "escalation",
                    entry,
                    d.get("from_priority"),
                    d.get("to_priority"),
                    level=d.get("level"),
                    reason=d.get("reason"),
                    owner_before=d.get("from_owner_id"),
                    owner_after=d.get("to_owner_id"),
                    rule_id=d.get("rule_id"),
                )
            )
        else:
            owner, team = d.get("owner_id"), d.get("department_id")
            if owner is not None or team is not None:
                owner, team = owner or {}, team or {}
                items.append(
                    _item(
                        "assignment",
                        entry,
                        owner.get("before"),
                        owner.get("after"),
                        team_before=team.get("before"),
                        team_after=team.get("after"),
                    )
                )
            if (priority := d.get("priority")) is not None:
                items.append(_item("priority", entry, priority.get("before"), priority.get("after")))
    return items
