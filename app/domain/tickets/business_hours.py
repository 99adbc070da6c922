"""Business time: a tenant's working calendar (weekdays, daily hours, time zone, holidays) and the
two sums an SLA clock needs: the instant that lies N business minutes after another, and the
business time between two instants, with pauses (a ticket waiting on the customer) left out.

Days are walked in the calendar's own time zone, so nights, weekends, holidays and daylight-saving
changes fall where the team lives; instants in and out are timezone-aware (UTC in the database).
A day's hours are one window [open, close) in minutes of the local day; 0-1440 is round the clock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.shared.errors import ValidationFailed

DAY_MINUTES = 24 * 60
# How far ahead a due time is looked for: beyond, a calendar is taken to have no working time.
HORIZON_DAYS = 3 * 366
# A span the clock stood still: (from, to), to = None while it still does.
Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    time_zone: str = "UTC"
    weekdays: frozenset[int] = frozenset(range(5))  # 0 = Monday
    open_minute: int = 9 * 60
    close_minute: int = 18 * 60
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed.one("time_zone", "must be an IANA time zone such as Asia/Shanghai") from None
        if not 0 <= self.open_minute < self.close_minute <= DAY_MINUTES:
            raise ValidationFailed.one("hours", "must open before it closes, within one day (0-1440 minutes)")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValidationFailed.one("weekdays", "must be one or more of 0 (Monday) to 6 (Sunday)")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        """The day's working window as UTC instants."""
        return _day_window(self, day)

    def windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows that end after `start`, in order (the first may have begun already)."""
        day = start.astimezone(self.zone).date() - timedelta(days=1)  # a window may cross midnight UTC
        for _ in range(HORIZON_DAYS):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                if closes > start:
                    yield opens, closes
            day += timedelta(days=1)

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant `minutes` of business time after `start` (counting from the next opening
        when `start` is outside hours). Zero minutes from outside hours is the next opening."""
        left = timedelta(minutes=minutes)
        for opens, closes in self.windows(start):
            begin = max(opens, start)
            if begin + left <= closes:
                return begin + left
            left -= closes - begin
        raise ValidationFailed.one("calendar", "has no working time in the next three years")

    def elapsed(self, start: datetime, end: datetime, pauses: Sequence[Pause] = ()) -> timedelta:
        """Business time between `start` and `end`, without the paused spans (which do not
        overlap; one still open runs to `end`)."""
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        for opens, closes in self.windows(start):
            if opens >= end:
                break
            total += min(closes, end) - max(opens, start)
        for paused_from, paused_to in pauses:
            lo, hi = max(paused_from, start), min(paused_to or end, end)
            if lo < hi:
                total -= self.elapsed(lo, hi)
        return total


@lru_cache(maxsize=8192)
def _day_window(calendar: BusinessCalendar, day: date) -> tuple[datetime, datetime]:
    """A day's working window as UTC instants, remembered: every due time and clock walks days."""
    zone = calendar.zone

    def at(minute: int) -> datetime:
        if minute == DAY_MINUTES:
            return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        return datetime.combine(day, time(minute // 60, minute % 60), zone).astimezone(UTC)

    return at(calendar.open_minute), at(calendar.close_minute)


ROUND_THE_CLOCK = BusinessCalendar(weekdays=frozenset(range(7)), open_minute=0, close_minute=DAY_MINUTES)
