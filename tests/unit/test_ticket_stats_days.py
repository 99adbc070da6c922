"""Which rollup rows a stats period reads (app/repositories/ticket_stats.py): the whole days given
by `rollup_days` plus or minus the live parts of the edge days cover the period exactly, and the
year, month and day rows added and subtracted by `cover` sum to exactly the whole days asked,
reading few units."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.repositories.ticket_stats import _unit_end, _unit_start, cover, rollup_days

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


def days(lo: date, hi: date) -> list[date]:
    return [lo + timedelta(days=i) for i in range((hi - lo).days)]


@given(DAYS, st.integers(min_value=0, max_value=800), DAYS)
def test_cover_sums_to_the_days(d0: date, length: int, today: date) -> None:
    d1 = d0 + timedelta(days=length)
    cost, spans = cover(d0, d1, today)
    counted: Counter[date] = Counter()
    for grain, lo, hi, sign in spans:
        assert lo < hi and lo == _unit_start(lo, grain) and hi == _unit_start(hi, grain)
        unit = lo
        while unit < hi:  # every day of every unit in the span
            end = _unit_end(unit, grain)
            for day in days(unit, end):
                counted[day] += sign
            unit = end
    assert +counted == Counter(days(d0, d1)) and not -counted
    # Units that can hold rows (not after today): at most two partial years' months, and their
    # partial months' days (up to about half of each), and the whole units.
    assert cost <= 2 * 6 + 4 * 16 + (length // 365 + 2)


def test_cover_of_a_year_ending_now() -> None:
    today = date(2026, 11, 30)
    cost, spans = cover(date(2025, 11, 30), date(2026, 12, 1), today)
    # The year 2026 less December (still empty: free to read), December 2025, and the first day.
    assert sorted(spans) == [("day", date(2025, 11, 30), date(2025, 12, 1), 1),
                             ("month", date(2025, 12, 1), date(2026, 1, 1), 1),
                             ("month", date(2026, 12, 1), date(2027, 1, 1), -1),
                             ("year", date(2026, 1, 1), date(2027, 1, 1), 1)]  # fmt: skip
    assert cost == 3
    # Thirty days into the past: the month less its days outside, or the days.
    _, spans = cover(date(2026, 3, 3), date(2026, 4, 1), today)
    assert sorted(spans) == [("day", date(2026, 3, 1), date(2026, 3, 3), -1),
                             ("month", date(2026, 3, 1), date(2026, 4, 1), 1)]  # fmt: skip
    _, spans = cover(date(2026, 3, 10), date(2026, 3, 12), today)
    assert spans == [("day", date(2026, 3, 10), date(2026, 3, 12), 1)]


MOMENTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC))


@given(MOMENTS, st.integers(min_value=1, max_value=366 * 24 * 60), MOMENTS)
def test_rollup_days_and_live_edges_cover_the_period(start: datetime, minutes: int, now: datetime) -> None:
    end = start + timedelta(minutes=minutes)
    day0, day1 = rollup_days(start, end, now)

    def inside(lo: datetime, hi: datetime, x: datetime) -> int:
        return int(lo <= x < hi)

    # Whole days [day0, day1), plus [start, day0) and [day1, end), less [day0, start) and [end, day1).
    tick = timedelta(microseconds=1)
    for point in (start, end, day0, day1):
        for x in (point - tick, point, point + tick):
            covered = (inside(day0, day1, x) + inside(start, day0, x) + inside(day1, end, x)
                       - inside(day0, start, x) - inside(end, day1, x))  # fmt: skip
            assert covered == inside(start, end, x)
    if day0 == day1:
        assert day0 == start  # no rollup days: [start, end) live
        return
    assert all(d.hour == d.minute == d.second == d.microsecond == 0 for d in (day0, day1))
    assert abs(start - day0) < timedelta(days=1) and abs(end - day1) < timedelta(days=1)
    if end >= now:
        assert day1 >= end  # a period reaching now takes its last day whole: the rest holds nothing
