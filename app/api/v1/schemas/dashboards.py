"""Request and response shapes of /api/v1/dashboards: Home, users' dashboards and their data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from app.api.v1.schemas.common import LongText, Name, RequestModel
from app.domain.analytics.widgets import Widget

RoleKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
WIDGETS_DOC = (
    "Built-in widgets: pipeline_by_stage, closing_this_month, attainment, per_rep, leads_to_work, today, overdue, "
    "ticket_queue, sla_warnings, csat, campaigns_running, leads_by_source. Each needs read on the resource it "
    "counts and is computed within the caller's range there."
)


class LayoutItem(RequestModel):
    widget: Widget = Field(description=WIDGETS_DOC)
    x: int = Field(ge=0, le=11, description="Column, 0-11 (a 12-column grid).")
    y: int = Field(ge=0, le=500, description="Row.")
    w: int = Field(ge=1, le=12, description="Width in columns; x + w <= 12.")
    h: int = Field(ge=1, le=20, description="Height in rows.")
    options: dict[str, Any] = Field(default_factory=dict, description="The client's own settings (a title...).")


class DashboardCreate(RequestModel):
    name: Name
    description: LongText | None = None
    layout: list[LayoutItem] = Field(default_factory=list, max_length=30)
    shared_roles: list[RoleKey] = Field(
        default_factory=list, max_length=20, description="Role keys to share with (reports:manage); empty: private."
    )


class DashboardPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    description: LongText | None = None
    layout: list[LayoutItem] | None = Field(None, max_length=30)
    shared_roles: list[RoleKey] | None = Field(None, max_length=20)

    def changes(self) -> dict[str, Any]:
        out = super().changes()
        if "layout" in out:
            out["layout"] = [item.model_dump() for item in self.layout or []]
        return out


class LayoutItemOut(BaseModel):
    widget: str
    x: int
    y: int
    w: int
    h: int
    options: dict[str, Any]


class DashboardOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    layout: list[LayoutItemOut]
    shared_roles: list[str]
    owner_id: UUID
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class DashboardList(BaseModel):
    items: list[DashboardOut]


class WidgetData(BaseModel):
    key: str
    denied: bool = Field(description="The caller lacks a permission this widget needs: no data.")
    data: dict[str, Any] | None = Field(
        description="The widget's figures; each figure's `drill` {path, query} names the list endpoint and "
        "filters that list its records."
    )


class HomeOut(BaseModel):
    time_zone: str
    today: date
    month: str
    widgets: list[WidgetData]


class DashboardItemData(WidgetData):
    x: int
    y: int
    w: int
    h: int
    options: dict[str, Any]


class DashboardDataOut(BaseModel):
    dashboard_id: UUID
    time_zone: str
    today: date
    month: str
    items: list[DashboardItemData]
