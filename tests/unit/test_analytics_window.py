"""Reporting windows: parsing (422 naming the parameter) and buckets that tile the window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.analytics.window import MAX_BUCKETS, Grain, Window, bucket_start, next_bucket, zone
from app.domain.shared.errors import ValidationFailed

TODAY = date(2026, 12, 7)


def test_defaults_to_the_year_to_date_by_month() -> None:
    window = Window.parse(None, None, None, today=TODAY)
    assert (window.start, window.end, window.grain) == (date(2026, 1, 1), date(2026, 12, 8), Grain.MONTH)
    assert window.buckets()[0] == date(2026, 1, 1) and window.buckets()[-1] == date(2026, 12, 1)
    assert len(window.buckets()) == 12


@pytest.mark.parametrize(
    ("start", "to", "grain", "field"),
    [
        (date(2026, 2, 1), date(2026, 1, 1), "month", "to"),
        (date(2020, 1, 1), date(2026, 1, 1), "month", "to"),
        (date(2026, 1, 1), date(2026, 2, 1), "fortnight", "grain"),
        (date(2024, 1, 1), date(2026, 1, 1), "day", "grain"),
    ],
)
def test_bad_windows_name_the_parameter(start: date, to: date, grain: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        Window.parse(start, to, grain, today=TODAY)
    assert raised.value.errors[0].field == field


def test_weeks_start_on_monday_and_quarters_on_their_first_month() -> None:
    assert bucket_start(date(2026, 12, 6), Grain.WEEK) == date(2026, 11, 30)  # a Sunday
    assert bucket_start(date(2026, 12, 7), Grain.WEEK) == date(2026, 12, 7)  # a Monday
    assert bucket_start(date(2026, 8, 31), Grain.QUARTER) == date(2026, 7, 1)
    assert next_bucket(date(2026, 10, 1), Grain.QUARTER) == date(2027, 1, 1)


def test_an_unknown_zone_reads_as_utc() -> None:
    assert zone("Mars/Olympus").key == "UTC"
    assert zone("Asia/Shanghai").key == "Asia/Shanghai"


@given(
    st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 1, 1)),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(list(Grain)),
)
def test_every_day_of_the_window_falls_in_exactly_one_bucket(start: date, days: int, grain: Grain) -> None:
    to = start + timedelta(days=days)
    try:
        window = Window.parse(start, to, grain, today=TODAY)
    except ValidationFailed:
        assert grain is Grain.DAY and days + 1 > MAX_BUCKETS
        return
    buckets = window.buckets()
    assert buckets == sorted(set(buckets))
    day = start
    while day <= to:
        owner = bucket_start(day, grain)
        assert owner in buckets
        assert owner <= day < next_bucket(owner, grain)
        day += timedelta(days=1)
