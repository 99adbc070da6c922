"""Forecast history: each week, the worker keeps the forecast of the current quarter as it stands
(per owner, their department and currency: commit, best case, pipeline, closed won, and the
owner's target), so a manager sees how commit and best case moved through the quarter
(`GET /forecast/history`).

A tenant's week is taken once: the first worker to mark it (its local Monday) takes it, others and
later passes skip it. A worker that was down for weeks takes the current week only: a past week's
forecast cannot be known afterwards. The figures follow GET /forecast (deals by expected close
date in the quarter, omitted ones left out of the open sums); targets carry no currency, so an
owner's target sits on the row of the tenant's default currency (its first pipeline's).
History is read within the caller's opportunities range as the forecast is; a range narrowed by
region or customer type covers deals, not people, and so reaches no snapshot row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.analytics.parts import local_today, money
from app.domain.forecast.periods import Period, PeriodKind
from app.domain.forecast.service import ForecastRepository, GroupBy, targets_by_subject
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.scope import DataScope

ZERO = Decimal("0.00")


@dataclass(slots=True)
class SnapshotLine:
    owner_id: UUID
    department_id: UUID | None
    currency: str
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    pipeline: Decimal = ZERO
    closed_won: Decimal = ZERO
    target: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DueTenant:
    tenant_id: UUID
    time_zone: str


@dataclass(slots=True)
class HistoryRow:
    """One week's sums within the caller's range for one currency (None: a week without rows)."""

    week: date
    taken_at: datetime
    currency: str | None
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    closed_won: Decimal
    target: Decimal | None


class SnapshotRepository(Protocol):
    async def due(self, now: datetime) -> list[DueTenant]:
        """Tenants that have not taken the week `now` falls in (their local week)."""
        ...

    async def claim(self, tenant_id: UUID, week: date, period: str) -> bool:
        """Mark the tenant's week as taken; False when it already was (another worker, a rerun)."""
        ...

    async def lines(self, tenant_id: UUID, period: Period) -> list[SnapshotLine]:
        """The forecast's open and won sums per owner (with their department) and currency."""
        ...

    async def default_currency(self, tenant_id: UUID) -> str: ...

    async def save(self, tenant_id: UUID, week: date, period: str, lines: list[SnapshotLine]) -> None: ...

    async def history(
        self, scope: DataScope, period: str, owner_id: UUID | None, department_id: UUID | None
    ) -> list[HistoryRow]:
        """Per week taken for the period (oldest first) and currency, the rows within `scope`
        (of one owner, of a department and those below it) summed; a week with none as one row
        of currency None."""
        ...


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def quarter_of(day: date) -> Period:
    return Period.of(PeriodKind.QUARTER, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))


async def take_snapshot(
    snapshots: SnapshotRepository, forecasts: ForecastRepository, tenant_id: UUID, today: date
) -> bool:
    """Take the tenant's week holding its local `today`, for the quarter holding it: False when
    that week was taken already."""
    period = quarter_of(today)
    week = week_of(today)
    if not await snapshots.claim(tenant_id, week, period.label):
        return False
    lines = await snapshots.lines(tenant_id, period)
    goals = targets_by_subject(await forecasts.target_sums(tenant_id, period, GroupBy.OWNER), period)
    if goals:
        currency = await snapshots.default_currency(tenant_id)
        by_key = {(line.owner_id, line.currency): line for line in lines}
        missing = [UUID(key) for key in goals if (UUID(key), currency) not in by_key]
        departments = await forecasts.departments_of(tenant_id, missing) if missing else {}
        for person in missing:
            line = SnapshotLine(person, departments.get(person), currency)
            lines.append(line)
            by_key[(person, currency)] = line
        for key, amount in goals.items():
            by_key[(UUID(key), currency)].target = amount
    await snapshots.save(tenant_id, week, period.label, lines)
    return True


async def take_due_snapshots(snapshots: SnapshotRepository, forecasts: ForecastRepository, now: datetime) -> int:
    """The worker's weekly job: every tenant that has not taken its current week takes it."""
    taken = 0
    for tenant in await snapshots.due(now):
        taken += await take_snapshot(snapshots, forecasts, tenant.tenant_id, local_today(now, tenant.time_zone))
    return taken


class ForecastHistoryService:
    def __init__(self, snapshots: SnapshotRepository) -> None:
        self.snapshots = snapshots

    async def history(
        self, principal: Principal, period: Period, owner_id: UUID | None, department_id: UUID | None
    ) -> dict[str, Any]:
        scope = principal.scope("opportunities", "read")
        if period.kind is not PeriodKind.QUARTER:
            raise ValidationFailed.one("period", "snapshots are of quarters (2026-Q4)")
        weeks: dict[date, dict[str, Any]] = {}
        for row in await self.snapshots.history(scope, period.label, owner_id, department_id):
            week = weeks.setdefault(
                row.week,
                {"week": row.week, "taken_at": row.taken_at, "sums": {}, "target": None},
            )
            if row.currency is None:
                continue
            week["sums"][row.currency] = row
            if row.target is not None:
                week["target"] = (week["target"] or ZERO) + row.target
        series = []
        for week in weeks.values():
            sums: dict[str, HistoryRow] = week.pop("sums")
            for name in ("commit", "best_case", "pipeline", "closed_won"):
                week[name] = money({c: getattr(r, name) for c, r in sums.items()})
            series.append(week)
        return {
            "period": period.label,
            "start": period.start,
            "end": period.end,
            "owner": owner_id,
            "department": department_id,
            "weeks": series,
        }
