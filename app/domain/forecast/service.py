"""The forecast: for a period, per owner, department, pipeline or forecast category, what is
closed, committed, in best case and in the pipeline (plain and weighted by probability), against
the targets, and the gap. Always within the caller's opportunities read range: a rep's forecast
holds only their own deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.forecast.periods import Period, PeriodKind
from app.domain.shared.scope import DataRange, DataScope

ZERO = Decimal("0.00")


class GroupBy(StrEnum):
    OWNER = "owner"
    DEPARTMENT = "department"
    PIPELINE = "pipeline"
    CATEGORY = "category"


@dataclass(slots=True)
class ForecastLine:
    key: str  # the owner, department or pipeline id, or the category
    closed_won: Decimal = ZERO
    won_count: int = 0
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    pipeline: Decimal = ZERO
    weighted_pipeline: Decimal = ZERO
    open_count: int = 0
    target: Decimal | None = None
    gap: Decimal | None = None


class TargetSum(NamedTuple):
    subject: UUID
    period_kind: str
    amount: Decimal


@dataclass(slots=True)
class Forecast:
    period: Period
    group_by: GroupBy
    lines: list[ForecastLine]
    total: ForecastLine = field(default_factory=lambda: ForecastLine("total"))


class ForecastRepository(Protocol):
    async def lines(self, scope: DataScope, period: Period, group_by: GroupBy) -> list[ForecastLine]:
        """Per group, the sums of the deals expected to close in the period, within the scope."""
        ...

    async def target_sums(self, tenant_id: UUID, period: Period, group_by: GroupBy) -> list[TargetSum]:
        """Live targets whose period starts within `period`, summed per subject (the user, or
        the department, as `group_by` says) and period kind; targets of no such subject left out."""
        ...

    async def departments_of(self, tenant_id: UUID, user_ids: list[UUID]) -> dict[UUID, UUID | None]:
        """Each user's department."""
        ...


class ForecastService:
    def __init__(self, forecasts: ForecastRepository) -> None:
        self.forecasts = forecasts

    async def forecast(self, principal: Principal, period: Period, group_by: GroupBy) -> Forecast:
        scope = principal.scope("opportunities", "read")
        lines = await self.forecasts.lines(scope, period, group_by)
        if group_by in (GroupBy.OWNER, GroupBy.DEPARTMENT):
            goals = targets_by_subject(await self.forecasts.target_sums(principal.tenant_id, period, group_by), period)
            # A subject with a target but no deal in the period still has a gap: the whole target.
            idle = [UUID(key) for key in goals.keys() - {line.key for line in lines}]
            if idle:
                seen = await self._in_range(scope, group_by, idle)
                lines = sorted([*lines, *(ForecastLine(str(key)) for key in seen)], key=lambda line: line.key)
            for line in lines:
                line.target = goals.get(line.key)
                line.gap = None if line.target is None else line.target - line.closed_won
        total = ForecastLine("total")
        for line in lines:
            total.closed_won += line.closed_won
            total.won_count += line.won_count
            total.commit += line.commit
            total.best_case += line.best_case
            total.pipeline += line.pipeline
            total.weighted_pipeline += line.weighted_pipeline
            total.open_count += line.open_count
        targets = [line.target for line in lines if line.target is not None]
        if targets:  # the targets of the groups shown, against what they closed
            total.target = sum(targets, ZERO)
            total.gap = total.target - sum((line.closed_won for line in lines if line.target is not None), ZERO)
        return Forecast(period, group_by, lines, total)

    async def _in_range(self, scope: DataScope, group_by: GroupBy, subjects: list[UUID]) -> list[UUID]:
        return await subjects_in_range(self.forecasts, scope, group_by == GroupBy.DEPARTMENT, subjects)


class Departments(Protocol):
    async def departments_of(self, tenant_id: UUID, user_ids: list[UUID]) -> dict[UUID, UUID | None]:
        """Each user's department."""
        ...


async def subjects_in_range(
    people: Departments, scope: DataScope, departments: bool, subjects: list[UUID]
) -> list[UUID]:
    """The subjects (users, or with `departments` departments) whose deals the opportunities scope
    covers: the forecast's people without deals, and whose targets a caller sees. A user is within
    an own range when it is the caller, within a department range when their department is; a
    department within a department range when it is the caller's or below it. A grant narrowed by
    region or customer type covers deals, not people: it reaches no one by itself."""
    plain = [g.range for g in scope.grants if g.regions is None and g.customer_types is None]
    if DataRange.ALL in plain:
        return subjects
    department_of: dict[UUID, UUID | None]
    if departments:
        department_of = {subject: subject for subject in subjects}
    elif DataRange.DEPARTMENT in plain and subjects:
        department_of = await people.departments_of(scope.tenant_id, subjects)
    else:
        department_of = {}
    return [
        subject
        for subject in subjects
        if (DataRange.DEPARTMENT in plain and department_of.get(subject) in scope.department_ids)
        or (DataRange.OWN in plain and not departments and subject == scope.user_id)
    ]


def targets_by_subject(sums: list[TargetSum], period: Period) -> dict[str, Decimal]:
    """A subject's target for the period: its target of the period's own kind, or else the sum of
    its finer ones inside the period (the months of a quarter, say)."""
    finer = {PeriodKind.YEAR: (PeriodKind.QUARTER, PeriodKind.MONTH), PeriodKind.QUARTER: (PeriodKind.MONTH,)}
    by_subject: dict[str, dict[str, Decimal]] = {}
    for subject, kind, amount in sums:
        by_subject.setdefault(str(subject), {})[kind] = amount
    result: dict[str, Decimal] = {}
    for key, kinds in by_subject.items():
        for kind in (period.kind, *finer.get(period.kind, ())):
            if kind.value in kinds:
                result[key] = kinds[kind.value]
                break
    return result
