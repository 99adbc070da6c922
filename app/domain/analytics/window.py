"""A reporting window: [start, end) in local dates of the tenant's time zone, cut into buckets.

Analysis endpoints take `from`, `to` (inclusive local dates) and `grain`; `Window.parse` checks
them and answers 422 naming the parameter. Buckets start on the local day, the ISO week's Monday,
the first of a month, quarter or year, as PostgreSQL's date_trunc does, so Python (tests,
zero-filling a series) and SQL (app/repositories/analytics_sql.py) agree on every edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.shared.errors import ValidationFailed

DEFAULT_ZONE = "UTC"  # a tenant that never set one (tenants.settings["time_zone"])
MAX_DAYS = 3 * 366 + 1  # the longest window
MAX_BUCKETS = 400  # a series longer than this asks for a coarser grain


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def bucket_start(day: date, grain: Grain) -> date:
    """The first local date of the bucket holding `day` (date_trunc's answer)."""
    if grain is Grain.DAY:
        return day
    if grain is Grain.WEEK:
        return day - timedelta(days=day.weekday())
    if grain is Grain.MONTH:
        return day.replace(day=1)
    if grain is Grain.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def next_bucket(start: date, grain: Grain) -> date:
    if grain is Grain.DAY:
        return start + timedelta(days=1)
    if grain is Grain.WEEK:
        return start + timedelta(days=7)
    months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


@dataclass(frozen=True, slots=True)
class Window:
    start: date  # first local date, inclusive
    end: date  # exclusive
    grain: Grain = Grain.MONTH

    @classmethod
    def parse(cls, start: date | None, to: date | None, grain: str | None, *, today: date) -> Window:
        """From the query: `from`/`to` inclusive (default: the year to date), `grain` (month)."""
        try:
            chosen = Grain(grain or Grain.MONTH)
        except ValueError:
            raise ValidationFailed.one("grain", f"must be one of: {', '.join(Grain)}") from None
        first = start or date(today.year, 1, 1)
        last = to or today
        if last < first:
            raise ValidationFailed.one("to", "must not be before from")
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationFailed.one("to", f"a window spans at most {MAX_DAYS} days")
        window = cls(first, last + timedelta(days=1), chosen)
        if len(window.buckets()) > MAX_BUCKETS:
            raise ValidationFailed.one("grain", f"more than {MAX_BUCKETS} {chosen}s; choose a coarser grain")
        return window

    def buckets(self) -> list[date]:
        """Each bucket's first date, the first one clipped to the window (for zero-filling)."""
        out, at = [], bucket_start(self.start, self.grain)
        while at < self.end:
            out.append(at)
            at = next_bucket(at, self.grain)
        return out

    def instants(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The window as UTC instants: compare timestamp columns with these (indexes serve)."""

        def at(day: date) -> datetime:
            return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)

        return at(self.start), at(self.end)
