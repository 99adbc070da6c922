from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.v1.schemas.common import RequestModel

PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"


class TargetCreate(RequestModel):
    user_id: UUID | None = Field(None, description="A user's target...")
    department_id: UUID | None = Field(None, description="...or a department's.")
    period: str = Field(pattern=PERIOD_PATTERN, description="A month (2026-11), quarter (2026-Q4) or year.")
    amount: Decimal = Field(ge=0, le=Decimal("9999999999999999.99"), max_digits=18, decimal_places=2)
    won_count: int | None = Field(None, ge=0, le=1_000_000, description="Optionally, how many deals to win.")


class TargetPatch(RequestModel):
    amount: Decimal = Field(None, ge=0, le=Decimal("9999999999999999.99"), max_digits=18, decimal_places=2)  # type: ignore[assignment]
    won_count: int | None = Field(None, ge=0, le=1_000_000)


class TargetOut(BaseModel):
    id: UUID
    user_id: UUID | None
    department_id: UUID | None
    period_kind: Literal["month", "quarter", "year"]
    period_start: date
    amount: Decimal
    won_count: int | None
    created_at: datetime
    updated_at: datetime
    version: int


class TargetList(BaseModel):
    items: list[TargetOut]


class ForecastLineOut(BaseModel):
    key: str = Field(description="The owner, department or pipeline id, or the forecast category.")
    closed_won: Decimal
    won_count: int
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted_pipeline: Decimal = Field(description="Open deals' amount x probability (omitted ones excluded).")
    open_count: int
    target: Decimal | None = Field(description="By owner or department: the target for the period, if any.")
    gap: Decimal | None = Field(description="Target minus closed won.")


class ForecastOut(BaseModel):
    period: str
    start: date
    end: date = Field(description="Exclusive.")
    group_by: Literal["owner", "department", "pipeline", "category"]
    lines: list[ForecastLineOut]
    total: ForecastLineOut
