"""Opportunities: deals in a pipeline — a customer, an amount, a stage, an expected close date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.pipelines.entities import Stage, StageKind
from app.domain.shared.conditions import Group
from app.domain.shared.paging import DEFAULT_LIMIT


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"


@dataclass(slots=True)
class Opportunity:
    """The record as the API returns it (serialized field by field)."""

    id: UUID
    name: str
    customer_id: UUID
    primary_contact_id: UUID | None
    amount: Decimal
    currency: str
    expected_close_date: date | None
    pipeline_id: UUID
    stage_id: UUID
    probability: int
    forecast_category: str
    source_lead_id: UUID | None
    campaign_id: UUID | None  # first touch
    last_campaign_id: UUID | None  # last touch
    competitors: list[str]
    next_step: str | None
    lost_reason: str | None
    won_reason: str | None
    tags: list[str]
    owner_id: UUID
    department_id: UUID | None
    custom_fields: dict[str, Any]
    description: str | None
    stage_entered_at: datetime
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


@dataclass(slots=True)
class LineItem:
    id: UUID
    position: int
    product_name: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal

    @property
    def total(self) -> Decimal:
        return line_total(self.quantity, self.unit_price, self.discount_percent)


@dataclass(slots=True)
class StageChange:
    id: UUID
    from_stage_id: UUID | None
    to_stage_id: UUID
    changed_by: UUID | None
    changed_at: datetime
    seconds_in_from_stage: int | None


CENT = Decimal("0.01")


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    return (quantity * unit_price * (Decimal(100) - discount_percent) / Decimal(100)).quantize(CENT, ROUND_HALF_UP)


def category_for(stage: Stage) -> str:
    """The forecast category a deal takes on entering `stage` (open stages: pipeline)."""
    return {StageKind.WON: ForecastCategory.CLOSED, StageKind.LOST: ForecastCategory.OMITTED}.get(
        StageKind(stage.kind), ForecastCategory.PIPELINE
    ).value


SORTABLE = frozenset({"updated_at", "created_at", "name", "amount", "expected_close_date"})


@dataclass(frozen=True, slots=True)
class OpportunityQuery:
    owner_id: UUID | None = None
    department_id: UUID | None = None
    customer_id: UUID | None = None
    pipeline_id: UUID | None = None
    stage_id: UUID | None = None
    forecast_category: str | None = None
    expected_close_date_from: date | None = None
    expected_close_date_to: date | None = None
    # Drill-down from sales analysis (app/repositories/deal_facts.py says what each one means).
    created_from: datetime | None = None
    created_to: datetime | None = None
    closed_from: datetime | None = None
    closed_to: datetime | None = None
    status: str | None = None
    source: str | None = None
    campaign: str | None = None
    region: str | None = None
    customer_level: str | None = None
    customer_type: str | None = None
    product: str | None = None
    reached_stage: UUID | None = None
    furthest_stage: UUID | None = None
    passed_stage: UUID | None = None
    # the won/lost reasons' drill-down
    won_reason: str | None = None
    lost_reason: str | None = None
    tag: str | None = None
    updated_since: datetime | None = None
    sync_token: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    q: str | None = None
    sort: str = "-updated_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    # A condition tree (app/domain/shared/conditions.py), parsed from the `where` parameter.
    where: Group | None = None


@dataclass(frozen=True, slots=True)
class BoardCard:
    """A deal as the board shows it: what a card displays and what moving it needs. The board
    carries a hundred or more, so it leaves out the rest (custom fields, description, ...)."""

    id: UUID
    name: str
    customer_id: UUID
    amount: Decimal
    currency: str
    expected_close_date: date | None
    stage_id: UUID
    probability: int
    forecast_category: str
    lost_reason: str | None
    owner_id: UUID
    stage_entered_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class BoardColumn:
    stage_id: UUID
    count: int
    amount: Decimal
    weighted_amount: Decimal
    cards: list[BoardCard]
