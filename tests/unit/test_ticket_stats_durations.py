"""Times as histogram buckets and their percentiles (app/domain/tickets/durations.py): the bound on
a value's error, and percentile_cont read from the histogram equal to percentile_cont over the
values the buckets stand for, computed directly."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from app.domain.tickets.durations import EXACT_BELOW, bucket_of, minutes_of, percentiles


def percentile_cont(values: list[float], fraction: float) -> float:
    """PostgreSQL's percentile_cont, straight from the sorted values."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def test_hand_cases() -> None:
    assert percentiles({}, (0.5, 0.9)) == [None, None]
    assert percentiles({7: 0}, (0.5,)) == [None]
    assert percentiles({30: 1}, (0.5, 0.9)) == [30.0, 30.0]
    # Whole minutes below 50 stand for themselves: 10, 20, 20, 40.
    assert percentiles({10: 1, 20: 2, 40: 1}, (0.5, 0.9, 0.0, 1.0)) == [20.0, 34.0, 10.0, 40.0]
    # 30 and 90 minutes: 90 falls in bucket 79, [88.77, 90.55), read as 89.68.
    assert bucket_of(90) == 79 and round(minutes_of(79), 2) == 89.68
    median, p90 = percentiles({30: 1, bucket_of(90): 1}, (0.5, 0.9))
    assert (round(median or 0, 2), round(p90 or 0, 2)) == (59.84, 83.71)


def test_bucket_edges() -> None:
    assert [bucket_of(m) for m in (-5, 0, 0.99, 1, 49.99)] == [0, 0, 0, 1, 49]
    assert bucket_of(50) == EXACT_BELOW and bucket_of(50 * 1.02) == EXACT_BELOW + 1
    assert bucket_of(50 * 1.02**10 * 1.001) == EXACT_BELOW + 10


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_a_value_reads_back_within_the_bound(minutes: float) -> None:
    read = minutes_of(bucket_of(minutes))
    if minutes < EXACT_BELOW:
        assert read == math.floor(minutes)  # rounded down to the minute
    else:
        assert abs(read - minutes) <= 0.01 * minutes  # within 1%


@given(
    st.dictionaries(st.integers(min_value=0, max_value=700), st.integers(min_value=1, max_value=6), min_size=1),
    st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=4),
)
def test_percentiles_equal_the_direct_computation(histogram: dict[int, int], fractions: list[float]) -> None:
    values = [minutes_of(b) for b, n in histogram.items() for _ in range(n)]
    found = percentiles(histogram, fractions)
    for fraction, value in zip(fractions, found, strict=True):
        assert value is not None and math.isclose(value, percentile_cont(values, fraction), rel_tol=1e-12)
