"""/api/v1/analytics/sales/...: the funnel, performance per dimension, time in stage and revenue
won, within the caller's opportunities read range. Every figure carries its drill: the deal
list's query that lists the deals behind it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.responses import json_response
from app.api.services import SalesAnalysis
from app.api.v1.params import WindowFrom, WindowTo
from app.api.v1.schemas.sales_analysis import (
    SalesFunnelOut,
    SalesPerformanceOut,
    SalesRevenueOut,
    SalesTimeInStageOut,
)
from app.auth.principal import Principal
from app.domain.analytics.sales import PerformanceBy, RevenueBy, parse_dimension
from app.domain.shared.errors import ValidationFailed

router = APIRouter(prefix="/analytics/sales", tags=["analytics"])

READ = Annotated[Principal, requires("opportunities:read")]
Pipeline = Annotated[UUID | None, Query(description="Default: the tenant's first pipeline.")]
ERRORS = problem_responses(401, 403, 404, 422)


@router.get(
    "/funnel",
    operation_id="sales_analysis_funnel",
    response_model=SalesFunnelOut,
    summary="Stage-to-stage conversion of the deals created in a period",
    description="The cohort: deals of the pipeline created in the window. Per stage (lost stages aside): how "
    "many reached it (entered it or a later stage), the conversion to the next, the drop-off, and of the deals "
    "that got no further, how many are still open, won or lost.",
    responses=ERRORS,
)
async def funnel(
    caller: READ, service: SalesAnalysis, pipeline: Pipeline = None, start: WindowFrom = None, to: WindowTo = None
) -> Response:
    return json_response(await service.funnel(caller, pipeline, start, to))


@router.get(
    "/performance",
    operation_id="sales_analysis_performance",
    response_model=SalesPerformanceOut,
    summary="Win rate, deal size, sales cycle and pipeline velocity per dimension",
    description="Per owner, department, region (the customer's), pipeline, source (the source lead's), "
    "campaign (first touch) or product line (line items' product name): deals closed in the window, won, lost, "
    "win rate, won amount and its average per currency, sales cycle (created to won, days: average and median), "
    "open deals now and their amount, and pipeline velocity per currency (open deals x win rate x average won "
    "amount / average cycle days).",
    responses=ERRORS,
)
async def performance(
    caller: READ,
    service: SalesAnalysis,
    by: Annotated[str, Query(max_length=20, description=", ".join(PerformanceBy))] = "owner",
    pipeline: Annotated[UUID | None, Query(description="Only this pipeline's deals.")] = None,
    start: WindowFrom = None,
    to: WindowTo = None,
) -> Response:
    dimension = parse_dimension(PerformanceBy, by)
    return json_response(await service.performance(caller, dimension, pipeline, start, to))


@router.get(
    "/time-in-stage",
    operation_id="sales_analysis_time_in_stage",
    response_model=SalesTimeInStageOut,
    summary="Days deals spent in each stage",
    description="Over the deals of the pipeline created in the window: per open stage, the finished stays in it "
    "(from the stage history), their average and median length in days, and (by=owner) the same per owner.",
    responses=ERRORS,
)
async def time_in_stage(
    caller: READ,
    service: SalesAnalysis,
    pipeline: Pipeline = None,
    by: Annotated[str | None, Query(max_length=20, description="owner, or nothing")] = None,
    start: WindowFrom = None,
    to: WindowTo = None,
) -> Response:
    if by not in (None, "", "owner"):
        raise ValidationFailed.one("by", "must be owner or empty")
    return json_response(await service.time_in_stage(caller, pipeline, by == "owner", start, to))


@router.get(
    "/revenue",
    operation_id="sales_analysis_revenue",
    response_model=SalesRevenueOut,
    summary="Revenue won per period and dimension",
    description="Won deals by the local period of their close (day, week, month, quarter, year in the tenant's "
    "zone), per owner, department, region, customer_level or customer_type, amounts per currency; and the "
    "totals per period. Every period of the window is listed.",
    responses=ERRORS,
)
async def revenue(
    caller: READ,
    service: SalesAnalysis,
    by: Annotated[str, Query(max_length=20, description=", ".join(RevenueBy))] = "owner",
    grain: Annotated[str | None, Query(max_length=10, description="day, week, month (default), quarter, year")] = None,
    start: WindowFrom = None,
    to: WindowTo = None,
) -> Response:
    dimension = parse_dimension(RevenueBy, by)
    return json_response(await service.revenue(caller, dimension, grain, start, to))
