"""/api/v1/quotes and /api/v1/orders: the same routes around QuoteService and OrderService,
registered by `document_routes` (list, create, get, change) and `lifecycle_routes` (delete,
restore, assign)."""

# No `from __future__ import annotations` here: the routes' annotations are the closure's
# arguments, which FastAPI can only see when they are evaluated where the routes are defined.

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Orders, Quotes
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import CursorParam, IfMatch, Limit, expected_version, owner_filter
from app.api.v1.schemas.common import RequestModel
from app.api.v1.schemas.documents import (
    OrderCreate,
    OrderOut,
    OrderPage,
    OrderPatch,
    QuoteCreate,
    QuoteOut,
    QuotePage,
    QuotePatch,
)
from app.auth.principal import Principal
from app.domain.quotes.entities import DocumentQuery
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute)


def document_routes(
    resource: str,
    noun: str,
    service: Any,
    bodies: tuple[type[RequestModel], type[RequestModel]],
    shapes: tuple[type[BaseModel], type[BaseModel]],
) -> None:
    create_body, patch_body = bodies
    item, page = shapes
    base = f"/{resource}"
    read, create, update = (Annotated[Principal, requires(f"{resource}:{a}")] for a in ("read", "create", "update"))
    id_name = f"{noun}_id"
    RecordId = Annotated[UUID, Path(alias=id_name)]

    one = partial(record_response, collection=resource)

    async def list_all(
        caller: read,  # type: ignore[valid-type]
        records: service,
        owner: Annotated[str | None, Query(max_length=36, description="`me` or a user id")] = None,
        opportunity: UUID | None = None,
        customer: UUID | None = None,
        status: Annotated[str | None, Query(max_length=20)] = None,
        sort: Annotated[str, Query(max_length=20, description="updated_at, created_at or number")] = "-updated_at",
        limit: Limit = DEFAULT_LIMIT,
        cursor: CursorParam = None,
    ) -> Response:
        query = DocumentQuery(
            owner_id=owner_filter(owner, caller), opportunity_id=opportunity, customer_id=customer, status=status,
            sort=sort, limit=limit, cursor=cursor,
        )  # fmt: skip
        found = await records.list_page(caller, query)
        return json_response({"items": found.items, "next_cursor": found.next_cursor})

    async def create_one(body: create_body, caller: create, records: service) -> Response:  # type: ignore[valid-type]
        return one(await records.create(caller, body.model_dump()), 201)  # type: ignore[attr-defined]

    async def get_one(record_id: RecordId, caller: read, records: service) -> Response:  # type: ignore[valid-type]
        return one(await records.get(caller, record_id))

    async def update_one(
        record_id: RecordId,
        body: patch_body,  # type: ignore[valid-type]
        caller: update,  # type: ignore[valid-type]
        records: service,
        if_match: IfMatch = None,
    ) -> Response:
        changes = body.changes()  # type: ignore[attr-defined]
        return one(await records.update(caller, record_id, changes, expected_version=expected_version(if_match)))

    tags: list[str | Any] = [resource]
    add = router.add_api_route
    add(base, list_all, methods=["GET"], operation_id=f"{resource}_list", response_model=page, tags=tags,
        summary=f"List {noun}s in your data range", responses=problem_responses(401, 403, 422))  # fmt: skip
    add(base, create_one, methods=["POST"], status_code=201, operation_id=f"{resource}_create", response_model=item,
        tags=tags, summary=f"Create a {noun}", responses=problem_responses(401, 403, 409, 413, 422))  # fmt: skip
    add(f"{base}/{{{id_name}}}", get_one, methods=["GET"], operation_id=f"{resource}_get", response_model=item,
        tags=tags, summary=f"Get a {noun}", responses=problem_responses(401, 403, 404, 422))  # fmt: skip
    add(f"{base}/{{{id_name}}}", update_one, methods=["PATCH"], operation_id=f"{resource}_update",
        response_model=item, tags=tags, summary=f"Change a {noun}",
        responses=problem_responses(401, 403, 404, 409, 412, 422))  # fmt: skip


document_routes("quotes", "quote", Quotes, (QuoteCreate, QuotePatch), (QuoteOut, QuotePage))
document_routes("orders", "order", Orders, (OrderCreate, OrderPatch), (OrderOut, OrderPage))
for resource, noun, service, item in (("quotes", "quote", Quotes, QuoteOut), ("orders", "order", Orders, OrderOut)):
    lifecycle_routes(router, resource, noun, service, item, base=f"/{resource}", tags=[resource])
