"""Business time for SLA clocks: nights, weekends, holidays, time zones with and without daylight
saving, pauses; by hand-worked cases, then by properties over arbitrary calendars and instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.shared.errors import ValidationFailed
from app.domain.tickets.business_hours import DAY_MINUTES, ROUND_THE_CLOCK, BusinessCalendar

SHANGHAI = BusinessCalendar("Asia/Shanghai", holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}))
BERLIN = BusinessCalendar("Europe/Berlin", open_minute=8 * 60, close_minute=17 * 60)


def local(calendar: BusinessCalendar, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(calendar.time_zone))  # type: ignore[misc]


def as_local(calendar: BusinessCalendar, instant: datetime) -> datetime:
    return instant.astimezone(ZoneInfo(calendar.time_zone)).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ((2026, 11, 30, 10, 0), 60, (2026, 11, 30, 11, 0)),  # Monday, inside hours
        ((2026, 11, 30, 17, 30), 60, (2026, 12, 1, 9, 30)),  # overnight
        ((2026, 12, 4, 17, 30), 60, (2026, 12, 7, 9, 30)),  # Friday evening -> Monday
        ((2026, 12, 5, 12, 0), 30, (2026, 12, 7, 9, 30)),  # from a Saturday
        ((2026, 11, 30, 7, 0), 0, (2026, 11, 30, 9, 0)),  # before opening, nothing to add
        ((2026, 11, 30, 9, 0), 9 * 60, (2026, 11, 30, 18, 0)),  # exactly one working day
        ((2026, 11, 30, 9, 0), 9 * 60 + 1, (2026, 12, 1, 9, 1)),
        ((2026, 9, 30, 17, 0), 120, (2026, 10, 5, 10, 0)),  # over the National Day holidays and a weekend
        ((2026, 11, 30, 10, 0), 5 * 9 * 60, (2026, 12, 7, 10, 0)),  # a working week
    ],
)
def test_due_times_in_shanghai(start: tuple[int, ...], minutes: int, due: tuple[int, ...]) -> None:
    assert as_local(SHANGHAI, SHANGHAI.add(local(SHANGHAI, *start), minutes)) == datetime(*due)  # type: ignore[misc]


def test_daylight_saving_changes_do_not_shift_working_hours() -> None:
    # Europe/Berlin leaves summer time on 2026-10-25 (a Sunday): Friday 16:00 + 2 h is Monday 9:00
    # local, which is 08:00 UTC after the change (it was 07:00 UTC in summer).
    due = BERLIN.add(local(BERLIN, 2026, 10, 23, 16, 0), 120)
    assert as_local(BERLIN, due) == datetime(2026, 10, 26, 9, 0)
    assert due == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    # and the working time between them is the two hours, not three
    assert BERLIN.elapsed(local(BERLIN, 2026, 10, 23, 16, 0), due) == timedelta(hours=2)


def test_elapsed_leaves_out_nights_weekends_holidays_and_pauses() -> None:
    start, end = local(SHANGHAI, 2026, 9, 30, 17, 0), local(SHANGHAI, 2026, 10, 5, 10, 0)
    assert SHANGHAI.elapsed(start, end) == timedelta(hours=2)
    monday = local(SHANGHAI, 2026, 11, 30, 9, 0)
    pauses = [(local(SHANGHAI, 2026, 11, 30, 10, 0), local(SHANGHAI, 2026, 11, 30, 11, 30))]
    assert SHANGHAI.elapsed(monday, local(SHANGHAI, 2026, 11, 30, 12, 0), pauses) == timedelta(hours=1, minutes=30)
    # a pause still running counts to the end
    still = [(local(SHANGHAI, 2026, 11, 30, 11, 0), None)]
    assert SHANGHAI.elapsed(monday, local(SHANGHAI, 2026, 12, 1, 10, 0), still) == timedelta(hours=2)
    assert SHANGHAI.elapsed(end, start) == timedelta(0)


def test_round_the_clock_is_wall_time() -> None:
    start = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert ROUND_THE_CLOCK.add(start, 120) == datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
    assert ROUND_THE_CLOCK.elapsed(start, start + timedelta(days=3)) == timedelta(days=3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"time_zone": "Mars/Olympus"},
        {"open_minute": 18 * 60, "close_minute": 9 * 60},
        {"close_minute": DAY_MINUTES + 1},
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
    ],
)
def test_impossible_calendars_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]


def test_a_calendar_with_no_working_time_ahead_says_so() -> None:
    every_day = frozenset(date(2026, 1, 1) + timedelta(days=i) for i in range(5 * 366))
    closed = BusinessCalendar(weekdays=frozenset({0}), holidays=every_day)
    with pytest.raises(ValidationFailed):
        closed.add(datetime(2026, 1, 1, tzinfo=UTC), 1)


ZONES = ["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    open_minute = draw(st.integers(0, DAY_MINUTES - 15))
    close_minute = draw(st.integers(open_minute + 1, DAY_MINUTES))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    holidays = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=20))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), weekdays, open_minute, close_minute, holidays)


instants = st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30), timezones=st.just(UTC))


def days(n: int) -> st.SearchStrategy[timedelta]:
    return st.timedeltas(timedelta(0), timedelta(days=n))


@st.composite
def clocks(draw: st.DrawFn) -> tuple[BusinessCalendar, datetime, int, int]:
    """A calendar, a start, and two durations of up to a few weeks of that calendar's working time."""
    calendar = draw(calendars())
    weekly = (calendar.close_minute - calendar.open_minute) * len(calendar.weekdays)
    durations = st.integers(0, 4 * weekly)
    return calendar, draw(instants), draw(durations), draw(durations)


@settings(max_examples=100, deadline=None)
@given(clocks())
def test_elapsed_undoes_add(clock: tuple[BusinessCalendar, datetime, int, int]) -> None:
    calendar, start, m, _ = clock
    due = calendar.add(start, m)
    assert due >= start
    assert calendar.elapsed(start, due) == timedelta(minutes=m)


@settings(max_examples=100, deadline=None)
@given(clocks())
def test_a_positive_due_time_lies_in_working_hours(clock: tuple[BusinessCalendar, datetime, int, int]) -> None:
    calendar, start, m, _ = clock
    due = calendar.add(start, m + 1)
    # the instant just before a due time is working time: a clock never stops outside hours
    tick = timedelta(microseconds=1)
    assert calendar.elapsed(due - tick, due) == tick


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, days(20), days(20))
def test_elapsed_adds_up_and_never_exceeds_wall_time(
    calendar: BusinessCalendar, a: datetime, ab: timedelta, bc: timedelta
) -> None:
    b, c = a + ab, a + ab + bc
    assert calendar.elapsed(a, b) + calendar.elapsed(b, c) == calendar.elapsed(a, c)
    assert timedelta(0) <= calendar.elapsed(a, c) <= c - a


@settings(max_examples=100, deadline=None)
@given(clocks())
def test_more_minutes_never_come_due_earlier(clock: tuple[BusinessCalendar, datetime, int, int]) -> None:
    calendar, start, m, n = clock
    assert calendar.add(start, min(m, n)) <= calendar.add(start, max(m, n))


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, days(10), days(3))
def test_a_pause_takes_away_exactly_the_business_time_inside_it(
    calendar: BusinessCalendar, start: datetime, until_pause: timedelta, pause: timedelta
) -> None:
    paused_from = start + until_pause
    paused_to = paused_from + pause
    end = paused_to + timedelta(days=1)
    with_pause = calendar.elapsed(start, end, [(paused_from, paused_to)])
    assert with_pause == calendar.elapsed(start, end) - calendar.elapsed(paused_from, paused_to)


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, st.one_of(days(3), days(800)))
def test_spans_summed_per_year_match_the_day_by_day_walk(
    calendar: BusinessCalendar, start: datetime, span: timedelta
) -> None:
    """Elapsed time takes the whole days between the first and last from per-year sums (across
    year ends and daylight-saving changes); the walk over every working window is the reference."""
    end = start + span
    walked = timedelta(0)
    for opens, closes in calendar.windows(start):
        if opens >= end:
            break
        walked += min(closes, end) - max(opens, start)
    assert calendar.elapsed(start, end) == walked
