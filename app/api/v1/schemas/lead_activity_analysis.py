"""Responses of the lead, activity and won/lost reason analyses, and of the forecast history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.v1.schemas.campaign_stats import Money


class AnalysisWindow(BaseModel):
    from_: date = Field(alias="from", description="First local date (inclusive).")
    to: date = Field(description="Last local date (inclusive).")
    grain: Literal["day", "week", "month", "quarter", "year"]
    time_zone: str = Field(description="The tenant's time zone the dates and buckets are in.")


class Drill(BaseModel):
    path: str = Field(description="The list endpoint holding the records behind the figure.")
    query: dict[str, str] = Field(description="Its query parameters (filters it understands).")


class LeadPoint(BaseModel):
    bucket: date = Field(description="The bucket's first local date.")
    leads: int
    converted: int


class LeadFiguresOut(BaseModel):
    leads: int = Field(description="Leads created in the window.")
    converted: int = Field(description="Of them, converted (by now).")
    conversion_rate: float | None
    avg_days_to_convert: float | None
    median_days_to_convert: float | None
    won_deals: int = Field(description="Deals they converted into that are won (within your deals range).")
    won_revenue: list[Money] = Field(description="Those deals' amounts, per currency.")
    series: list[LeadPoint]
    drill: Drill | None
    converted_drill: Drill | None


class LeadRowOut(LeadFiguresOut):
    key: str | None = Field(description="The source, channel, campaign id or owner id; null: none.")
    label: str | None = Field(description="The owner's or campaign's name; the code for source and channel.")


class LeadAnalysisOut(BaseModel):
    window: AnalysisWindow
    by: Literal["source", "channel", "campaign", "owner"]
    touch: Literal["first", "last"]
    rows: list[LeadRowOut]
    total: LeadFiguresOut


class ActivityPoint(BaseModel):
    bucket: date
    done: int


class ActivityKindCount(BaseModel):
    kind: str = Field(description="Its records: the row's drill-down with `kind` set to this.")
    done: int


class ActivityRowOut(BaseModel):
    key: str = Field(description="The owner id, or the activity kind.")
    label: str
    done: int
    series: list[ActivityPoint]
    drill: Drill
    kinds: list[ActivityKindCount] | None = Field(None, description="By owner: done per kind.")


class HeatCell(BaseModel):
    weekday: int = Field(ge=1, le=7, description="ISO weekday, 1 = Monday, local time.")
    hour: int = Field(ge=0, le=23)
    done: int


class ActivityAnalysisOut(BaseModel):
    window: AnalysisWindow
    by: Literal["owner", "type"]
    rows: list[ActivityRowOut]
    total: int
    heat_map: list[HeatCell]
    drill: Drill


class ReasonOut(BaseModel):
    reason: str | None = Field(description="Null: closed without a reason.")
    deals: int
    amount: list[Money]
    drill: Drill


class OutcomeOut(BaseModel):
    deals: int
    amount: list[Money]
    drill: Drill
    reasons: list[ReasonOut]


class ReasonAnalysisOut(BaseModel):
    window: AnalysisWindow
    pipeline: UUID | None
    won: OutcomeOut
    lost: OutcomeOut


class ForecastWeekOut(BaseModel):
    week: date = Field(description="The week's local Monday.")
    taken_at: datetime
    commit: list[Money]
    best_case: list[Money]
    pipeline: list[Money]
    closed_won: list[Money]
    target: Decimal | None = Field(description="The owners' targets for the quarter (the tenant's currency).")


class ForecastHistoryOut(BaseModel):
    period: str
    start: date
    end: date = Field(description="Exclusive.")
    owner: UUID | None
    department: UUID | None
    weeks: list[ForecastWeekOut]
