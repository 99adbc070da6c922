"""/api/v1/custom-fields: the tenant's field definitions for customers and contacts."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import etag_for, json_response
from app.api.services import CustomFields
from app.api.v1.schemas.custom_fields import (
    CustomFieldCreate,
    CustomFieldList,
    CustomFieldOut,
    CustomFieldPatch,
    EntityName,
)
from app.auth.principal import Principal

router = APIRouter(route_class=IdempotentRoute, prefix="/custom-fields", tags=["custom_fields"])


@router.get(
    "",
    operation_id="custom_fields_list",
    response_model=CustomFieldList,
    summary="List custom-field definitions",
    responses=problem_responses(401, 403, 422),
)
async def list_fields(
    caller: Annotated[Principal, requires("custom_fields:read")],
    service: CustomFields,
    entity: EntityName | None = None,
) -> Response:
    return json_response({"items": await service.list_all(caller, entity)})


@router.post(
    "",
    operation_id="custom_fields_create",
    status_code=201,
    response_model=CustomFieldOut,
    summary="Define a custom field",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_field(
    body: CustomFieldCreate,
    caller: Annotated[Principal, requires("custom_fields:create")],
    service: CustomFields,
) -> Response:
    created = await service.create(caller, body.model_dump())
    return json_response(
        created,
        201,
        {"Location": f"/api/v1/custom-fields/{created.id}", "ETag": etag_for(created.version)},
    )


@router.get(
    "/{field_id}",
    operation_id="custom_fields_get",
    response_model=CustomFieldOut,
    summary="Get a custom field",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_field(
    field_id: UUID,
    caller: Annotated[Principal, requires("custom_fields:read")],
    service: CustomFields,
) -> Response:
    return json_response(await service.get(caller, field_id))


@router.patch(
    "/{field_id}",
    operation_id="custom_fields_update",
    response_model=CustomFieldOut,
    summary="Change a custom field's label, options, required flag or position (key and type are fixed)",
    responses=problem_responses(401, 403, 404, 422),
)
async def update_field(
    field_id: UUID,
    body: CustomFieldPatch,
    caller: Annotated[Principal, requires("custom_fields:update")],
    service: CustomFields,
) -> Response:
    return json_response(await service.update(caller, field_id, body.changes()))


@router.delete(
    "/{field_id}",
    operation_id="custom_fields_delete",
    status_code=204,
    response_class=Response,
    summary="Remove a custom field definition",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_field(
    field_id: UUID,
    caller: Annotated[Principal, requires("custom_fields:delete")],
    service: CustomFields,
) -> Response:
    await service.delete(caller, field_id)
    return Response(status_code=204)
