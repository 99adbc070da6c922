"""/api/v1/dashboards: Home (the caller's role dashboard), users' dashboards (CRUD with ETag /
If-Match) and their data. Thin HTTP shapes around HomeService and DashboardService
(app/domain/analytics/home.py, dashboards.py)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Dashboards, Home
from app.api.v1.params import IfMatch, expected_version
from app.api.v1.schemas.dashboards import (
    DashboardCreate,
    DashboardDataOut,
    DashboardList,
    DashboardOut,
    DashboardPatch,
    HomeOut,
)
from app.auth.principal import Principal
from app.domain.analytics.home import Moment
from app.domain.analytics.widgets import Widget, home_widgets

router = APIRouter(route_class=IdempotentRoute, tags=["dashboards"])

READ = Annotated[Principal, requires("reports:read")]
CREATE = Annotated[Principal, requires("reports:create")]
UPDATE = Annotated[Principal, requires("reports:update")]
DELETE = Annotated[Principal, requires("reports:delete")]
DashboardId = Annotated[UUID, Path()]

_one = partial(record_response, collection="dashboards")


def _when(moment: Moment) -> dict[str, Any]:
    return {"time_zone": moment.time_zone, "today": moment.today, "month": moment.month.label}


@router.get(
    "/dashboards/home",
    operation_id="dashboards_home",
    response_model=HomeOut,
    summary="Home: the widgets of your roles, each within your data range on what it counts",
    description="A rep sees their own pipeline by stage, deals closing this month, attainment, leads to work, "
    "today's and overdue tasks; a manager the department's plus each rep; the director the company's; agents "
    "their queue, SLA warnings and CSAT; the marketer campaigns and leads by source. A widget whose permissions "
    "you lack is left out. 'Today' and 'this month' are the tenant's (settings.time_zone). reports:read, "
    "which every role working with business records holds (the administrators, who see none, do not).",
    responses=problem_responses(401, 403),
)
async def home(caller: READ, service: Home) -> Response:
    moment = await service.moment(caller)
    widgets = await service.compute(caller, home_widgets(caller), moment)
    return json_response({**_when(moment), "widgets": widgets})


@router.get(
    "/dashboards",
    operation_id="dashboards_list",
    response_model=DashboardList,
    summary="Your dashboards and those shared with one of your roles, by name",
    responses=problem_responses(401, 403),
)
async def list_dashboards(caller: READ, service: Dashboards) -> Response:
    return json_response({"items": await service.list(caller)})


@router.post(
    "/dashboards",
    operation_id="dashboards_create",
    status_code=201,
    response_model=DashboardOut,
    summary="Save a dashboard",
    description="Sharing with roles (`shared_roles`) requires reports:manage. Layout items are built-in widgets "
    "on a 12-column grid (x + w <= 12).",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_dashboard(body: DashboardCreate, caller: CREATE, service: Dashboards) -> Response:
    return _one(await service.create(caller, body.model_dump()), 201)


@router.get(
    "/dashboards/{dashboard_id}",
    operation_id="dashboards_get",
    response_model=DashboardOut,
    summary="A dashboard of yours or shared with one of your roles",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_dashboard(dashboard_id: DashboardId, caller: READ, service: Dashboards) -> Response:
    return _one(await service.get(caller, dashboard_id))


@router.get(
    "/dashboards/{dashboard_id}/data",
    operation_id="dashboards_data",
    response_model=DashboardDataOut,
    summary="A dashboard's widgets computed for you, within your data ranges",
    description="Each item as Home gives it; an item whose permissions you lack is `denied` (no data).",
    responses=problem_responses(401, 403, 404, 422),
)
async def dashboard_data(dashboard_id: DashboardId, caller: READ, service: Dashboards, home: Home) -> Response:
    dashboard = await service.get(caller, dashboard_id)
    moment = await home.moment(caller)
    computed = await home.compute(caller, [Widget(item["widget"]) for item in dashboard.layout], moment)
    items = [{**item, **data} for item, data in zip(dashboard.layout, computed, strict=True)]
    return json_response({"dashboard_id": dashboard.id, **_when(moment), "items": items})


@router.patch(
    "/dashboards/{dashboard_id}",
    operation_id="dashboards_update",
    response_model=DashboardOut,
    summary="Change a dashboard of yours",
    description="If-Match: the ETag of the read (412 when stale). A dashboard shared with you is read-only (403).",
    responses=problem_responses(401, 403, 404, 412, 413, 422),
)
async def update_dashboard(
    dashboard_id: DashboardId, body: DashboardPatch, caller: UPDATE, service: Dashboards, if_match: IfMatch = None
) -> Response:
    updated = await service.update(caller, dashboard_id, body.changes(), expected_version=expected_version(if_match))
    return _one(updated)


@router.delete(
    "/dashboards/{dashboard_id}",
    operation_id="dashboards_delete",
    status_code=204,
    response_class=Response,
    summary="Delete a dashboard of yours (soft)",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_dashboard(dashboard_id: DashboardId, caller: DELETE, service: Dashboards) -> Response:
    await service.delete(caller, dashboard_id)
    return Response(status_code=204)


@router.post(
    "/dashboards/{dashboard_id}/restore",
    operation_id="dashboards_restore",
    response_model=DashboardOut,
    summary="Restore a deleted dashboard of yours",
    responses=problem_responses(401, 403, 404, 422),
)
async def restore_dashboard(dashboard_id: DashboardId, caller: DELETE, service: Dashboards) -> Response:
    return _one(await service.restore(caller, dashboard_id))
