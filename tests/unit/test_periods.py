"""Sales periods parse to [start, end) and refuse what is not one."""

from datetime import date

import pytest

from app.domain.forecast.periods import Period, PeriodKind
from app.domain.shared.errors import ValidationFailed


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2026-11", PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1)),
        ("2026-12", PeriodKind.MONTH, date(2026, 12, 1), date(2027, 1, 1)),
        ("2026-Q1", PeriodKind.QUARTER, date(2026, 1, 1), date(2026, 4, 1)),
        ("2026-Q4", PeriodKind.QUARTER, date(2026, 10, 1), date(2027, 1, 1)),
        ("2026", PeriodKind.YEAR, date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_periods(text: str, kind: PeriodKind, start: date, end: date) -> None:
    period = Period.parse(text)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, text)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-00", "26-Q1", "1999", "2026-1", "", "2026-Q4 "])
def test_not_periods(text: str) -> None:
    with pytest.raises(ValidationFailed):
        Period.parse(text)
