"""/api/v1/departments: the department tree."""

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
from app.api.services import Departments
from app.api.v1.params import CursorParam, IfMatch, Limit, expected_version
from app.api.v1.schemas.identity import DepartmentCreate, DepartmentOut, DepartmentPage, DepartmentPatch
from app.auth.principal import Principal
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/departments", tags=["departments"])

READ = Annotated[Principal, requires("departments:read")]
CREATE = Annotated[Principal, requires("departments:create")]
UPDATE = Annotated[Principal, requires("departments:update")]
DELETE = Annotated[Principal, requires("departments:delete")]


_one = partial(record_response, collection="departments")


@router.get(
    "",
    operation_id="departments_list",
    response_model=DepartmentPage,
    summary="List departments in tree order (a parent before its children)",
    responses=problem_responses(401, 403, 422),
)
async def list_departments(
    caller: READ, service: Departments, limit: Limit = DEFAULT_LIMIT, cursor: CursorParam = None
) -> Response:
    page = await service.list(caller, limit, cursor)
    return page_response(page.items, page.next_cursor)


@router.post(
    "",
    operation_id="departments_create",
    status_code=201,
    response_model=DepartmentOut,
    summary="Create a department",
    responses=problem_responses(401, 403, 422),
)
async def create_department(body: DepartmentCreate, caller: CREATE, service: Departments) -> Response:
    return _one(await service.create(caller, body.name, body.parent_id), 201)


@router.get(
    "/{department_id}",
    operation_id="departments_get",
    response_model=DepartmentOut,
    summary="Get a department",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_department(department_id: UUID, caller: READ, service: Departments) -> Response:
    return _one(await service.get(caller, department_id))


@router.patch(
    "/{department_id}",
    operation_id="departments_update",
    response_model=DepartmentOut,
    summary="Rename or move a department (its sub-departments move along)",
    description="Moving a department under itself or one of its sub-departments is refused (422).",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_department(
    department_id: UUID, body: DepartmentPatch, caller: UPDATE, service: Departments, if_match: IfMatch = None
) -> Response:
    return _one(await service.update(caller, department_id, body.changes(), expected_version(if_match)))


@router.delete(
    "/{department_id}",
    operation_id="departments_delete",
    status_code=204,
    response_class=Response,
    summary="Delete an empty department",
    description="409 while it has members or sub-departments.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_department(department_id: UUID, caller: DELETE, service: Departments) -> Response:
    await service.delete(caller, department_id)
    return Response(status_code=204)
