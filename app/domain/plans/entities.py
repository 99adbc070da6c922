"""Sales plans (customer development plans): what a seller means to achieve in a period, with
which customers and leads, and how many activities it takes; progress is planned vs. done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from app.domain.shared.paging import DEFAULT_LIMIT


@dataclass(slots=True)
class SalesPlan:
    id: UUID
    name: str
    period_kind: str
    period_start: date
    goal: str | None
    target_customer_ids: list[UUID]
    target_lead_ids: list[UUID]
    planned_activities: int
    status: str
    evaluation: str | None
    owner_id: UUID
    department_id: UUID | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


@dataclass(frozen=True, slots=True)
class Progress:
    planned: int
    done: int  # the owner's done activities in the period, with the plan's customers or leads
    scheduled: int  # and those still planned

    @property
    def ratio(self) -> float | None:
        return round(self.done / self.planned, 4) if self.planned else None


SORTABLE = frozenset({"updated_at", "created_at", "name"})


@dataclass(frozen=True, slots=True)
class PlanQuery:
    owner_id: UUID | None = None
    status: str | None = None
    period_start_from: date | None = None
    period_start_to: date | None = None
    updated_since: datetime | None = None
    sort: str = "-updated_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
