"""/api/v1/roles: permission sets with data ranges."""

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
from app.api.services import Roles
from app.api.v1.params import CursorParam, IfMatch, Limit, expected_version
from app.api.v1.schemas.identity import RoleCreate, RoleOut, RolePage, RolePatch
from app.auth.principal import Principal
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/roles", tags=["roles"])

READ = Annotated[Principal, requires("roles:read")]
CREATE = Annotated[Principal, requires("roles:create")]
UPDATE = Annotated[Principal, requires("roles:update")]
DELETE = Annotated[Principal, requires("roles:delete")]


_one = partial(record_response, collection="roles")


@router.get(
    "",
    operation_id="roles_list",
    response_model=RolePage,
    summary="List roles by key",
    responses=problem_responses(401, 403, 422),
)
async def list_roles(
    caller: READ, service: Roles, limit: Limit = DEFAULT_LIMIT, cursor: CursorParam = None
) -> Response:
    page = await service.list(caller, limit, cursor)
    return page_response(page.items, page.next_cursor)


@router.post(
    "",
    operation_id="roles_create",
    status_code=201,
    response_model=RoleOut,
    summary="Create a custom role",
    description="Permissions are `<resource>:<action>`. A role granting anything on a ranged resource (customers, "
    "contacts, activities, leads, opportunities, quotes, orders, sales_plans, tickets) needs a data range for it.",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_role(body: RoleCreate, caller: CREATE, service: Roles) -> Response:
    role = await service.create(
        caller, key=body.key, name=body.name, description=body.description, permissions=body.permissions,
        data_ranges=body.ranges(),
    )  # fmt: skip
    return _one(role, 201)


@router.get(
    "/{role_id}",
    operation_id="roles_get",
    response_model=RoleOut,
    summary="Get a role",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_role(role_id: UUID, caller: READ, service: Roles) -> Response:
    return _one(await service.get(caller, role_id))


@router.patch(
    "/{role_id}",
    operation_id="roles_update",
    response_model=RoleOut,
    summary="Change a role",
    description="Takes effect on the holders' next request. System roles: only name and description change (409).",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_role(
    role_id: UUID, body: RolePatch, caller: UPDATE, service: Roles, if_match: IfMatch = None
) -> Response:
    return _one(await service.update(caller, role_id, body.changes(), expected_version(if_match)))


@router.delete(
    "/{role_id}",
    operation_id="roles_delete",
    status_code=204,
    response_class=Response,
    summary="Delete a custom role no user holds",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_role(role_id: UUID, caller: DELETE, service: Roles) -> Response:
    await service.delete(caller, role_id)
    return Response(status_code=204)
