"""The four routes of a tenant's configured list (app/domain/shared/configured.py): list,
create, change, delete, registered on a router under one path with stable operation ids."""

# No `from __future__ import annotations` here: the routes' annotations are the closure's
# arguments, which FastAPI can only see when they are evaluated where the routes are defined.

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.responses import json_response
from app.api.v1.schemas.common import RequestModel
from app.auth.principal import Principal


def configured_routes(
    router: APIRouter,
    path: str,
    name: str,
    what: str,
    service: Any,
    bodies: tuple[type[RequestModel], type[RequestModel]],
    shapes: tuple[type[BaseModel], type[BaseModel]],
    read: str,
    manage: str,
) -> None:
    """List, create, change and delete routes for one configured list at /api/v1/{path}, with
    operation ids `{name}_list` ..., `read` the permission to list and `manage` to change."""
    create_body, patch_body = bodies
    item, listing = shapes
    reader = Annotated[Principal, requires(read)]
    manager = Annotated[Principal, requires(manage)]

    async def list_all(caller: reader, records: service) -> Response:
        return json_response({"items": await records.list(caller)})

    async def create(body: create_body, caller: manager, records: service) -> Response:  # type: ignore[valid-type]
        return json_response(await records.create(caller, body.model_dump()), 201)  # type: ignore[attr-defined]

    async def update(record_id: UUID, body: patch_body, caller: manager, records: service) -> Response:  # type: ignore[valid-type]
        return json_response(await records.update(caller, record_id, body.changes()))  # type: ignore[attr-defined]

    async def delete(record_id: UUID, caller: manager, records: service) -> Response:
        await records.delete(caller, record_id)
        return Response(status_code=204)

    router.add_api_route(
        f"/{path}", list_all, methods=["GET"], operation_id=f"{name}_list", response_model=listing,
        summary=f"The tenant's {what}", responses=problem_responses(401, 403),
    )  # fmt: skip
    router.add_api_route(
        f"/{path}", create, methods=["POST"], status_code=201, operation_id=f"{name}_create", response_model=item,
        summary=f"Add to the {what}", responses=problem_responses(401, 403, 413, 422),
    )  # fmt: skip
    router.add_api_route(
        f"/{path}/{{record_id}}", update, methods=["PATCH"], operation_id=f"{name}_update", response_model=item,
        summary=f"Change one of the {what}", responses=problem_responses(401, 403, 404, 422),
    )  # fmt: skip
    router.add_api_route(
        f"/{path}/{{record_id}}", delete, methods=["DELETE"], status_code=204, response_class=Response,
        operation_id=f"{name}_delete", summary=f"Remove one of the {what}",
        responses=problem_responses(401, 403, 404, 422),
    )  # fmt: skip
