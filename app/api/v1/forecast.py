"""/api/v1/targets (the four routes of a configured list) and /api/v1/forecast."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response
from app.api.services import ForecastHistory, Forecasts, Targets
from app.api.v1.configured import configured_routes
from app.api.v1.params import owner_filter
from app.api.v1.schemas.forecast import ForecastOut, TargetCreate, TargetList, TargetOut, TargetPatch
from app.api.v1.schemas.lead_activity_analysis import ForecastHistoryOut
from app.auth.principal import Principal
from app.domain.forecast.periods import Period
from app.domain.forecast.service import GroupBy

router = APIRouter(route_class=IdempotentRoute, tags=["forecast"])

READ = Annotated[Principal, requires("forecast:read", "opportunities:read")]

configured_routes(
    router,
    "targets",
    "targets",
    "sales targets (per user or department and month, quarter or year) within your deals' data range",
    Targets,
    (TargetCreate, TargetPatch),
    (TargetOut, TargetList),
    read="targets:read",
    manage="targets:manage",
)


@router.get(
    "/forecast",
    operation_id="forecast_get",
    response_model=ForecastOut,
    summary="The forecast for a period, grouped, within your deals' data range",
    description="Deals count in the period of their expected close date. Per group: closed won, commit, best "
    "case, pipeline, weighted pipeline, and by owner or department the target and the gap to it.",
    responses=problem_responses(401, 403, 422),
)
async def forecast(
    caller: READ,
    service: Forecasts,
    period: Annotated[str, Query(max_length=10, description="A month (2026-11), a quarter (2026-Q4) or a year.")],
    group_by: Annotated[Literal["owner", "department", "pipeline", "category"], Query()] = "owner",
) -> Response:
    result = await service.forecast(caller, Period.parse(period), GroupBy(group_by))
    return json_response(
        {
            "period": result.period.label,
            "start": result.period.start,
            "end": result.period.end,
            "group_by": result.group_by.value,
            "lines": result.lines,
            "total": result.total,
        }
    )


@router.get(
    "/forecast/history",
    operation_id="forecast_history",
    response_model=ForecastHistoryOut,
    summary="How a quarter's forecast moved, week by week, within your deals' data range",
    description="The weekly snapshots of the quarter's forecast (taken by the worker each week, Monday of the "
    "tenant's week): commit, best case, pipeline and closed won per currency, and the owners' targets, summed "
    "over the owners your deals range holds (as GET /forecast), of one owner or of a department and those "
    "below it.",
    responses=problem_responses(401, 403, 422),
)
async def forecast_history(
    caller: READ,
    service: ForecastHistory,
    period: Annotated[str, Query(max_length=10, description="A quarter (2026-Q4).")],
    owner: Annotated[str | None, Query(max_length=36, description="`me` or a user id")] = None,
    department: Annotated[UUID | None, Query(description="A department (and those below it).")] = None,
) -> Response:
    result = await service.history(caller, Period.parse(period), owner_filter(owner, caller), department)
    return json_response(result)
