"""/api/v1/customers: thin HTTP shapes around CustomerService."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Customers
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import (
    AllowDuplicate,
    IfMatch,
    custom_filters,
    expected_version,
    owner_filter,
    page_body,
)
from app.api.v1.schemas.customers import (
    CustomerCreate,
    CustomerListParams,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    MergeBody,
    TransferBody,
    TransferResult,
)
from app.api.v1.schemas.sync import FEED_DESCRIPTION
from app.auth.principal import Principal
from app.domain.customers.entities import CustomerQuery

router = APIRouter(route_class=IdempotentRoute, prefix="/customers", tags=["customers"])

READ = Annotated[Principal, requires("customers:read")]
CREATE = Annotated[Principal, requires("customers:create")]
UPDATE = Annotated[Principal, requires("customers:update")]
DELETE = Annotated[Principal, requires("customers:delete")]
ASSIGN = Annotated[Principal, requires("customers:assign")]


_one = partial(record_response, collection="customers")


@router.get(
    "",
    operation_id="customers_list",
    response_model=CustomerPage,
    summary="List customers in your data range",
    description="Filters combine with AND. `custom.<key>=<value>` filters on a custom field. "
    + FEED_DESCRIPTION.lstrip(),
    responses=problem_responses(401, 403, 410, 422),
)
async def list_customers(
    request: Request, caller: READ, service: Customers, params: Annotated[CustomerListParams, Query()]
) -> Response:
    query = CustomerQuery(
        id_in=tuple(params.ids) if params.ids else None,
        owner_id=owner_filter(params.owner, caller),
        department_id=params.department,
        region_id=params.region,
        customer_type=params.type,
        status=params.status,
        level=params.level,
        tag=params.tag,
        created_from=params.created_from,
        created_to=params.created_to,
        rfm_segment=params.rfm_segment,
        rfm_recency=params.rfm_recency,
        rfm_frequency=params.rfm_frequency,
        churn_risk=params.churn_risk,
        lost_from=params.lost_from,
        lost_to=params.lost_to,
        touched_from=params.touched_from,
        touched_to=params.touched_to,
        dormant_at=params.dormant_at,
        dormant_days=params.dormant_days,
        value_currency=params.value_currency,
        updated_since=params.updated_since,
        sync_token=params.sync_token,
        q=params.q,
        sort=params.sort,
        limit=params.limit,
        cursor=params.cursor,
    )
    page = await service.list_page(caller, query, custom_filters(request), params.where)
    return json_response(page_body(page))


@router.post(
    "",
    operation_id="customers_create",
    status_code=201,
    response_model=CustomerOut,
    summary="Create a customer",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def create_customer(
    body: CustomerCreate,
    caller: CREATE,
    service: Customers,
    allow_duplicate: AllowDuplicate = False,
) -> Response:
    return _one(await service.create(caller, body.model_dump(), allow_duplicate=allow_duplicate), 201)


@router.post(
    "/transfer",
    operation_id="customers_transfer",
    response_model=TransferResult,
    summary="Move all of one owner's customers and contacts to another (a leaving employee)",
    responses=problem_responses(401, 403, 422),
)
async def transfer_customers(body: TransferBody, caller: ASSIGN, service: Customers) -> Response:
    moved = await service.transfer(caller, body.from_owner_id, body.to_owner_id)
    return json_response(
        {
            "moved": len(moved.customer_ids),
            "customer_ids": moved.customer_ids,
            "contacts_moved": len(moved.contact_ids),
        }
    )


@router.get(
    "/{customer_id}",
    operation_id="customers_get",
    response_model=CustomerOut,
    summary="Get a customer",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_customer(customer_id: UUID, caller: READ, service: Customers) -> Response:
    return _one(await service.get(caller, customer_id))


@router.patch(
    "/{customer_id}",
    operation_id="customers_update",
    response_model=CustomerOut,
    summary="Change some fields of a customer",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_customer(
    customer_id: UUID,
    body: CustomerPatch,
    caller: UPDATE,
    service: Customers,
    if_match: IfMatch = None,
    allow_duplicate: AllowDuplicate = False,
) -> Response:
    updated = await service.update(
        caller,
        customer_id,
        body.changes(),
        expected_version=expected_version(if_match),
        allow_duplicate=allow_duplicate,
    )
    return _one(updated)


@router.post(
    "/{customer_id}/merge",
    operation_id="customers_merge",
    response_model=CustomerOut,
    summary="Merge another customer into this one",
    description="Moves the source's contacts and activities here, then soft-deletes the source.",
    responses=problem_responses(401, 403, 404, 422),
)
async def merge_customer(customer_id: UUID, body: MergeBody, caller: UPDATE, service: Customers) -> Response:
    return _one(await service.merge(caller, customer_id, body.source_id))


lifecycle_routes(router, "customers", "customer", Customers, CustomerOut)
