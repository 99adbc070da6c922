"""Sales periods: a month (2026-11), a quarter (2026-Q4) or a year (2026), as [start, end)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.shared.errors import ValidationFailed


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_FORMS = (
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-Q([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
)


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    start: date
    end: date  # exclusive

    @classmethod
    def parse(cls, text: str, field: str = "period") -> Period:
        for pattern, kind in _FORMS:
            found = pattern.match(text)
            if found is None:
                continue
            year = int(found.group(1))
            if not 2000 <= year <= 2100:
                break
            if kind == PeriodKind.MONTH:
                return cls.of(kind, date(year, int(found.group(2)), 1))
            if kind == PeriodKind.QUARTER:
                return cls.of(kind, date(year, 3 * int(found.group(2)) - 2, 1))
            return cls.of(kind, date(year, 1, 1))
        raise ValidationFailed.one(field, "must be a month (2026-11), a quarter (2026-Q4) or a year (2026), 2000-2100")

    @classmethod
    def of(cls, kind: PeriodKind, start: date) -> Period:
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
        index = start.year * 12 + start.month - 1 + months
        return cls(kind, start, date(index // 12, index % 12 + 1, 1))

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)
