"""The customer analysis' rules without I/O: the RFM segment map covers the 5 x 5 grid with every
named segment, quintiles by rank, the churn score's reasons and bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.analytics.customers import (
    SEGMENT_MAP,
    SEGMENTS,
    ChurnFacts,
    churn_reasons,
    churn_score,
    dormant_days,
    quintile,
    segment_of,
)
from app.domain.shared.errors import ValidationFailed

NOW = datetime(2026, 12, 8, tzinfo=UTC)


def test_the_segment_map_covers_the_grid_with_every_segment() -> None:
    named = {segment_of(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert named == set(SEGMENTS) == {name for name, _, _ in SEGMENT_MAP}
    assert len(SEGMENTS) == 11
    assert segment_of(5, 5) == "champions" and segment_of(1, 1) == "lost" and segment_of(1, 5) == "cant_lose"
    assert segment_of(5, 1) == "new" and segment_of(3, 3) == "need_attention" and segment_of(2, 2) == "hibernating"
    assert segment_of(None, 3) is None


def test_quintiles_by_rank() -> None:
    assert [quintile(rank, 10) for rank in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile(1, 1) == 1
    assert quintile(1, 3) == 1 and quintile(2, 3) == 2 and quintile(3, 3) == 4


def facts(**changes: object) -> ChurnFacts:
    base: dict[str, object] = {
        "status": "active", "last_activity_at": NOW - timedelta(days=3), "last_purchase_at": None,
        "open_complaints": 0, "latest_csat": None, "orders_90d": 0, "orders_prev_90d": 0,
    }  # fmt: skip
    return ChurnFacts(**(base | changes))  # type: ignore[arg-type]


def test_churn_score_and_reasons() -> None:
    assert churn_score(facts(), NOW) == 0
    quiet = facts(last_activity_at=NOW - timedelta(days=90))
    assert churn_reasons(quiet, NOW) == [{"code": "no_activity", "points": 40, "days": 90}]
    assert churn_reasons(facts(last_activity_at=None), NOW)[0]["days"] is None
    # A recent purchase counts as a touch.
    assert churn_score(facts(last_activity_at=None, last_purchase_at=NOW - timedelta(days=5)), NOW) == 0
    worst = facts(last_activity_at=None, open_complaints=5, latest_csat=1, orders_90d=0, orders_prev_90d=2)
    assert churn_score(worst, NOW) == 100
    assert [r["code"] for r in churn_reasons(worst, NOW)] == [
        "no_activity",
        "open_complaints",
        "low_csat",
        "falling_orders",
    ]
    assert churn_score(facts(latest_csat=3), NOW) == 0
    assert churn_score(facts(status="lost", open_complaints=2), NOW) == 0


def test_dormant_days_bounds() -> None:
    assert dormant_days(None) == 90
    for bad in (0, -1, 3651):
        with pytest.raises(ValidationFailed):
            dormant_days(bad)
