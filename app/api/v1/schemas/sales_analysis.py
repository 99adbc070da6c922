"""Response shapes of /api/v1/analytics/sales/... (documentation: the routes serialize straight
from the service's dicts)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.api.v1.schemas.campaign_stats import Money


class SalesWindow(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    grain: str
    time_zone: str


class SalesDrill(BaseModel):
    path: str = Field(description="The list endpoint of the deals behind the figure.")
    query: dict[str, str] = Field(description="Its query parameters.")


class SalesFigure(BaseModel):
    count: int
    drill: SalesDrill | None = Field(description="The deals list query behind the count; null when it is 0.")


class SalesPipelineRef(BaseModel):
    id: UUID
    name: str


class SalesFunnelStage(BaseModel):
    stage_id: UUID
    name: str
    kind: str
    reached: SalesFigure = Field(description="Deals that entered this stage or a later (not lost) one.")
    conversion: float | None = Field(description="Share of those that reached the next stage; null for the last.")
    drop_off: SalesFigure | None = Field(description="Deals whose furthest stage is this one; null for the last.")
    open: SalesFigure
    won: SalesFigure
    lost: SalesFigure


class SalesFunnelOut(BaseModel):
    window: SalesWindow
    pipeline: SalesPipelineRef
    deals: SalesFigure
    open: SalesFigure
    won: SalesFigure
    lost: SalesFigure
    stages: list[SalesFunnelStage]


class SalesCycle(BaseModel):
    average: float | None
    median: float | None


class SalesPerformanceRow(BaseModel):
    key: str = Field(description='The id or value; "none" for deals without one.')
    label: str
    closed: SalesFigure
    won: SalesFigure
    lost: SalesFigure
    win_rate: float | None
    won_amount: list[Money]
    average_won_amount: list[Money]
    cycle_days: SalesCycle
    open: SalesFigure
    open_amount: list[Money]
    velocity_per_day: list[Money]


class SalesPerformanceOut(BaseModel):
    window: SalesWindow
    by: str
    pipeline: UUID | None
    rows: list[SalesPerformanceRow]


class SalesStageTimeOwner(BaseModel):
    key: str
    label: str
    deals: SalesFigure
    stays: int
    average_days: float | None
    median_days: float | None


class SalesStageTime(BaseModel):
    stage_id: UUID
    name: str
    deals: SalesFigure
    stays: int
    average_days: float | None
    median_days: float | None
    owners: list[SalesStageTimeOwner] | None = None


class SalesTimeInStageOut(BaseModel):
    window: SalesWindow
    pipeline: SalesPipelineRef
    by: str | None
    stages: list[SalesStageTime]


class SalesRevenueCell(BaseModel):
    bucket: date
    won: SalesFigure
    amount: list[Money]


class SalesRevenueSeries(BaseModel):
    key: str
    label: str
    buckets: list[SalesRevenueCell]


class SalesRevenueOut(BaseModel):
    window: SalesWindow
    by: str
    series: list[SalesRevenueSeries]
    totals: list[SalesRevenueCell]
