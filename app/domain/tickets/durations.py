"""Times to first response and to resolution as a histogram, and their percentiles read back from it.

The database counts each time in a bucket (`ticket_stats_minutes_bucket`, migration 0019): whole
minutes below `EXACT_BELOW` (bucket m holds [m, m + 1)), then geometric buckets of `RATIO` (bucket
EXACT_BELOW + k holds [50 * 1.02^k, 50 * 1.02^(k+1))). A bucket stands for its lower bound below 50
minutes and for its geometric middle above, so every time is read back rounded down to the whole
minute below 50 minutes and within 1% (1.02^0.5 - 1) above; a percentile, interpolated between
two such values, is within the same bounds. At 2% steps a year spans about 470 buckets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

EXACT_BELOW = 50
RATIO = 1.02
# Said in the API description.
ACCURACY = "read from a histogram: whole minutes, rounded down, below 50 minutes; within 1% above"


def bucket_of(minutes: float) -> int:
    """The bucket a time falls in: the definition the SQL function follows (tests compare them)."""
    if minutes < EXACT_BELOW:
        return math.floor(max(minutes, 0.0))
    return EXACT_BELOW + math.floor(math.log(minutes / EXACT_BELOW) / math.log(RATIO))


def minutes_of(bucket: int) -> float:
    """The time a bucket stands for."""
    if bucket < EXACT_BELOW:
        return float(bucket)
    return float(EXACT_BELOW * RATIO ** (bucket - EXACT_BELOW + 0.5))


def percentiles(histogram: Mapping[int, int], fractions: Sequence[float]) -> list[float | None]:
    """percentile_cont of each fraction over the values the histogram stands for (bucket ->
    count): the value at position fraction * (n - 1) of the sorted values, interpolated linearly
    between its neighbours; None without values."""
    buckets = sorted((b, n) for b, n in histogram.items() if n > 0)
    total = sum(n for _, n in buckets)
    if total == 0:
        return [None for _ in fractions]

    def value_at(index: int) -> float:
        """The index-th smallest value (0-based)."""
        seen = 0
        for bucket, n in buckets:
            seen += n
            if index < seen:
                return minutes_of(bucket)
        raise IndexError(index)

    out: list[float | None] = []
    for fraction in fractions:
        position = fraction * (total - 1)
        low = math.floor(position)
        below = value_at(low)
        above = value_at(min(low + 1, total - 1))
        out.append(below + (position - low) * (above - below))
    return out
