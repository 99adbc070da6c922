"""The three routes every owned record has alike: soft delete, restore and assign
(`/{resource}/{<noun>_id}`, `.../restore`, `.../assign`), registered on the resource's router
with the same operation ids, summaries and path parameter names as if written out."""

# No `from __future__ import annotations` here: the routes' annotations are the closure's
# arguments, which FastAPI can only see when they are evaluated where the routes are defined.

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.responses import record_response
from app.api.v1.schemas.customers import AssignBody
from app.auth.principal import Principal


def lifecycle_routes(
    router: APIRouter,
    resource: str,
    noun: str,
    service: Any,
    item: type[BaseModel],
    base: str = "",
    tags: list[str | Any] | None = None,
) -> None:
    """`base` is the path under the router's prefix (empty when the prefix is the resource's);
    `tags` for a router that has none of its own."""
    id_name = f"{noun}_id"
    record_path = f"{base}/{{{id_name}}}"
    RecordId = Annotated[UUID, Path(alias=id_name)]
    deleter = Annotated[Principal, requires(f"{resource}:delete")]
    assigner = Annotated[Principal, requires(f"{resource}:assign")]

    one = partial(record_response, collection=resource)

    async def delete(record_id: RecordId, caller: deleter, records: service) -> Response:
        await records.delete(caller, record_id)
        return Response(status_code=204)

    async def restore(record_id: RecordId, caller: deleter, records: service) -> Response:
        return one(await records.restore(caller, record_id))

    async def assign(record_id: RecordId, body: AssignBody, caller: assigner, records: service) -> Response:
        return one(await records.assign(caller, record_id, body.owner_id))

    router.add_api_route(
        record_path, delete, methods=["DELETE"], status_code=204, response_class=Response,
        operation_id=f"{resource}_delete", summary=f"Soft-delete {_a(noun)} (restorable)", tags=tags,
        responses=problem_responses(401, 403, 404, 422),
    )  # fmt: skip
    router.add_api_route(
        f"{record_path}/restore", restore, methods=["POST"], operation_id=f"{resource}_restore", tags=tags,
        response_model=item, summary="Undo a soft delete", responses=problem_responses(401, 403, 404, 422),
    )  # fmt: skip
    router.add_api_route(
        f"{record_path}/assign", assign, methods=["POST"], operation_id=f"{resource}_assign", tags=tags,
        response_model=item,
        summary=f"Give {_a(noun)} to another owner", responses=problem_responses(401, 403, 404, 422),
    )  # fmt: skip


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"
