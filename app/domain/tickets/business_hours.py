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
    # Remembered per calendar: each day's window (None: a day off), and the zone. A tenant's
    # calendar object is reused across requests (app/domain/tickets/sla.py), and a ticket list
    # walks the same few days for every row.
    _days: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "_zone", ZoneInfo(self.time_zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed.one("time_zone", "must be an IANA time zone such as Asia/Shanghai") from None
        if not 0 <= self.open_minute < self.close_minute <= DAY_MINUTES:
            raise ValidationFailed.one("hours", "must open before it closes, within one day (0-1440 minutes)")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValidationFailed.one("weekdays", "must be one or more of 0 (Monday) to 6 (Sunday)")

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working window as UTC instants; None on a day off."""
        try:
            return self._days[day]
        except KeyError:
            found = self._days[day] = _day_window(self, day) if self.is_working_day(day) else None
            return found

    def windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows that end after `start`, in order (the first may have begun already)."""
        day = start.astimezone(self._zone).date() - timedelta(days=1)  # a window may cross midnight UTC
        for _ in range(HORIZON_DAYS):
            window = self._window(day)
            if window is not None and window[1] > start:
                yield window
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
        # A working window lies inside one local day: the parts of the first and last days, and
        # the whole days between from per-year sums (a ticket list reads two clocks per row, some
        # overdue for weeks, without walking their days).
        first, last = start.astimezone(self._zone).date(), end.astimezone(self._zone).date()
        total = self._within(start, end, first)
        if last > first:
            total += self._within(start, end, last) + _whole_days(self, first + timedelta(days=1), last)
        for paused_from, paused_to in pauses:
            lo, hi = max(paused_from, start), min(paused_to or end, end)
            if lo < hi:
                total -= self.elapsed(lo, hi)
        return total

    def _within(self, start: datetime, end: datetime, day: date) -> timedelta:
        """The part of [start, end) inside the working window of one local day."""
        window = self._window(day)
        if window is None:
            return timedelta(0)
        return max(timedelta(0), min(window[1], end) - max(window[0], start))


def _whole_days(calendar: BusinessCalendar, first: date, last: date) -> timedelta:
    """Business time of the local days first, first + 1, ..., last - 1 (whole days)."""
    if first >= last:
        return timedelta(0)
    if first.year == last.year:
        prefix = _year_prefix(calendar, first.year)
        return prefix[_day_of_year(last)] - prefix[_day_of_year(first)]
    total = _year_prefix(calendar, first.year)[-1] - _year_prefix(calendar, first.year)[_day_of_year(first)]
    for year in range(first.year + 1, last.year):
        total += _year_prefix(calendar, year)[-1]
    return total + _year_prefix(calendar, last.year)[_day_of_year(last)]


def _day_of_year(day: date) -> int:
    return day.timetuple().tm_yday - 1


@lru_cache(maxsize=256)
def _year_prefix(calendar: BusinessCalendar, year: int) -> list[timedelta]:
    """Business time before each day of the year (index 0 = 1 January), and after the last
    (the year's total): walked once per calendar and year."""
    prefix, running = [], timedelta(0)
    day = date(year, 1, 1)
    while day.year == year:
        prefix.append(running)
        if calendar.is_working_day(day):
            opens, closes = _day_window(calendar, day)
            running += closes - opens
        day += timedelta(days=1)
    prefix.append(running)
    return prefix


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
