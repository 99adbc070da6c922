"""The volume series' periods (app/domain/tickets/stats.py): UTC day, ISO week, month, gaps filled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from app.domain.tickets.stats import period_start, volume_series


def test_period_starts() -> None:
    at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # a Thursday
    assert period_start(at, "day") == datetime(2026, 12, 31, tzinfo=UTC)
    assert period_start(at, "week") == datetime(2026, 12, 28, tzinfo=UTC)
    assert period_start(at, "month") == datetime(2026, 12, 1, tzinfo=UTC)
    # Another zone's wall time counts in UTC: 07:00 in Shanghai on the 1st is the 31st in UTC.
    shanghai = datetime(2027, 1, 1, 7, tzinfo=timezone(timedelta(hours=8)))
    assert period_start(shanghai, "month") == datetime(2026, 12, 1, tzinfo=UTC)


def test_series_fills_gaps_and_crosses_the_year() -> None:
    start, end = datetime(2026, 11, 15, 12, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)
    counted = {datetime(2026, 12, 1, tzinfo=UTC): {"count": 3, "complaints": 1, "breached": 2}}
    points = volume_series(start, end, "month", counted)
    assert [p["period"].month for p in points] == [11, 12, 1]
    assert points[1] == {"period": datetime(2026, 12, 1, tzinfo=UTC), "count": 3, "complaints": 1, "breached": 2}
    assert points[0]["count"] == points[2]["count"] == 0
    assert len(volume_series(start, start + timedelta(days=1), "day", {})) == 2  # noon to noon: two days
