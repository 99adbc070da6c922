"""Which rollup rows a stats period reads (app/repositories/ticket_stats.py): the whole days given
by `rollup_days` plus or minus the live parts of the edge days cover the period exactly, and the
month rows plus or minus day rows of `day_plan` sum to exactly the whole days asked, reading at
most about half a month of day rows per partial month."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.repositories.ticket_stats import _next_month, day_plan, rollup_days

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


def days(lo: date, hi: date) -> list[date]:
    return [lo + timedelta(days=i) for i in range((hi - lo).days)]


@given(DAYS, st.integers(min_value=0, max_value=400))
def test_day_plan_sums_to_the_days(d0: date, length: int) -> None:
    d1 = d0 + timedelta(days=length)
    plan = day_plan(d0, d1)
    counted: Counter[date] = Counter()
    month = plan["m0"]
    while month < plan["m1"]:
        counted.update(days(month, _next_month(month)))
        month = _next_month(month)
    for lo, hi, sign in (("a0", "a1", 1), ("b0", "b1", 1), ("c0", "c1", -1), ("e0", "e1", -1)):
        for day in days(plan[lo], plan[hi]):
            counted[day] += sign
    assert +counted == Counter(days(d0, d1)) and not -counted
    day_rows = sum(len(days(plan[lo], plan[hi])) for lo, hi in (("a0", "a1"), ("b0", "b1"), ("c0", "c1"), ("e0", "e1")))
    assert day_rows <= 31  # at most ~15 per partial month (or the days of a short period)


def test_day_plan_for_a_year_ending_today() -> None:
    plan = day_plan(date(2025, 11, 30), date(2026, 12, 1))
    assert (plan["m0"], plan["m1"]) == (date(2025, 12, 1), date(2026, 12, 1))
    assert (plan["a0"], plan["a1"]) == (date(2025, 11, 30), date(2025, 12, 1))
    plan = day_plan(date(2025, 11, 30), date(2026, 11, 29))  # the last month less its last two days
    assert (plan["m1"], plan["c0"], plan["c1"]) == (date(2026, 12, 1), date(2026, 11, 29), date(2026, 12, 1))


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
