"""/api/v1/regions: sales regions (code unique per tenant)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import page_response, record_response
from app.api.services import Regions
from app.api.v1.params import CursorParam, IfMatch, Limit, expected_version
from app.api.v1.schemas.identity import RegionCreate, RegionOut, RegionPage, RegionPatch
from app.auth.principal import Principal
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/regions", tags=["regions"])

READ = Annotated[Principal, requires("regions:read")]
CREATE = Annotated[Principal, requires("regions:create")]
UPDATE = Annotated[Principal, requires("regions:update")]
DELETE = Annotated[Principal, requires("regions:delete")]


_one = partial(record_response, collection="regions")


@router.get(
    "",
    operation_id="regions_list",
    response_model=RegionPage,
    summary="List regions by code",
    responses=problem_responses(401, 403, 422),
)
async def list_regions(
    caller: READ, service: Regions, limit: Limit = DEFAULT_LIMIT, cursor: CursorParam = None
) -> Response:
    page = await service.list(caller, limit, cursor)
    return page_response(page.items, page.next_cursor)


@router.post(
    "",
    operation_id="regions_create",
    status_code=201,
    response_model=RegionOut,
    summary="Create a region",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_region(body: RegionCreate, caller: CREATE, service: Regions) -> Response:
    return _one(await service.create(caller, body.code, body.name), 201)


@router.get(
    "/{region_id}",
    operation_id="regions_get",
    response_model=RegionOut,
    summary="Get a region",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_region(region_id: UUID, caller: READ, service: Regions) -> Response:
    return _one(await service.get(caller, region_id))


@router.patch(
    "/{region_id}",
    operation_id="regions_update",
    response_model=RegionOut,
    summary="Change a region's code or name",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_region(
    region_id: UUID, body: RegionPatch, caller: UPDATE, service: Regions, if_match: IfMatch = None
) -> Response:
    return _one(await service.update(caller, region_id, body.changes(), expected_version(if_match)))


@router.delete(
    "/{region_id}",
    operation_id="regions_delete",
    status_code=204,
    response_class=Response,
    summary="Delete a region no user, customer or role refers to",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_region(region_id: UUID, caller: DELETE, service: Regions) -> Response:
    await service.delete(caller, region_id)
    return Response(status_code=204)
