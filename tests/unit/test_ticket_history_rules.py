"""Pure rules of the ticket history and the escalation rules: the time spent in each status
(elapsed and business), which audit diffs become assignment and priority items, the priority a
rule's raise gives, and which rule shapes are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from app.domain.shared.errors import ValidationFailed
from app.domain.tickets.business_hours import BusinessCalendar
from app.domain.tickets.history import HistoryEntry, history_items
from app.domain.tickets.service import raised_priority
from app.domain.tickets.settings import check_escalation_rule

# Monday 2026-11-30, 9-18 UTC on weekdays.
CALENDAR = BusinessCalendar("UTC", frozenset(range(5)), 9 * 60, 18 * 60)
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)


def entry(kind: str, at: datetime, **data: object) -> HistoryEntry:
    return HistoryEntry(kind, at, uuid4(), None, dict(data))


def test_time_in_the_status_left_elapsed_and_business() -> None:
    friday_evening = MONDAY - timedelta(days=3) + timedelta(hours=17)  # Friday 17:00
    monday_ten = MONDAY + timedelta(hours=10)
    items = history_items(
        CALENDAR,
        [
            entry("status", monday_ten, from_status="new", to_status="open"),  # given out of order
            entry("status", friday_evening, from_status=None, to_status="new"),
        ],
    )
    assert [(i["before"], i["after"]) for i in items] == [(None, "new"), ("new", "open")]
    assert items[0]["seconds_in_previous"] is None
    assert items[1]["seconds_in_previous"] == int((monday_ten - friday_evening).total_seconds())
    assert items[1]["business_seconds_in_previous"] == 2 * 3600  # Friday 17-18, Monday 9-10


def test_audit_diffs_become_assignment_and_priority_items() -> None:
    a, b, team = str(uuid4()), str(uuid4()), str(uuid4())
    items = history_items(
        CALENDAR,
        [
            entry("change", MONDAY, owner_id={"before": a, "after": b}, priority={"before": "low", "after": "high"}),
            entry("change", MONDAY + timedelta(minutes=1), department_id={"before": None, "after": team}),
            entry("change", MONDAY + timedelta(minutes=2), subject={"before": "x", "after": "y"}),
        ],
    )
    assert [(i["type"], i["before"], i["after"]) for i in items] == [
        ("assignment", a, b),
        ("priority", "low", "high"),
        ("assignment", None, None),
    ]
    assert items[2]["team_after"] == team


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        ("low", "step", "normal"),
        ("high", "step", "urgent"),
        ("urgent", "step", None),
        ("normal", "urgent", "urgent"),
        ("high", "normal", None),  # never down
        ("high", "high", None),
        ("normal", None, None),
    ],
)
def test_raised_priority(current: str, wanted: str | None, expected: str | None) -> None:
    assert raised_priority(current, wanted) == expected


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"condition": "unassigned", "notify": True}, "minutes"),
        ({"condition": "sla_resolution_breached", "minutes": 5, "notify": True}, "minutes"),
        ({"condition": "sla_resolution_breached", "reassign": "user", "notify": True}, "user_id"),
        ({"condition": "sla_resolution_breached", "department_id": uuid4(), "notify": True}, "department_id"),
        ({"condition": "sla_resolution_breached", "notify": False}, "notify"),
    ],
)
def test_refused_rule_shapes(rule: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_escalation_rule(rule)
    assert refused.value.errors[0].field == field


def test_accepted_rule_shapes() -> None:
    check_escalation_rule({"condition": "unassigned", "minutes": 30, "reassign": "team_manager", "notify": False})
    check_escalation_rule({"condition": "sla_first_response_warning", "notify": True})
    check_escalation_rule({"condition": "sla_resolution_breached", "reassign": "user", "user_id": uuid4()})
