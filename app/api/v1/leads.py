"""/api/v1/leads: thin HTTP shapes around LeadService."""

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
from app.api.services import Leads
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import (
    AllowDuplicate,
    IfMatch,
    custom_filters,
    expected_version,
    owner_filter,
    page_body,
)
from app.api.v1.schemas.leads import (
    ConvertBody,
    ConvertResult,
    LeadBatch,
    LeadBatchResult,
    LeadCreate,
    LeadListParams,
    LeadOut,
    LeadPage,
    LeadPatch,
)
from app.api.v1.schemas.sync import FEED_DESCRIPTION
from app.auth.principal import Principal
from app.domain.leads.entities import LeadQuery

router = APIRouter(route_class=IdempotentRoute, tags=["leads"])

READ = Annotated[Principal, requires("leads:read")]
CREATE = Annotated[Principal, requires("leads:create")]
UPDATE = Annotated[Principal, requires("leads:update")]
DELETE = Annotated[Principal, requires("leads:delete")]
ASSIGN = Annotated[Principal, requires("leads:assign")]


_one = partial(record_response, collection="leads")


@router.get(
    "/leads",
    operation_id="leads_list",
    response_model=LeadPage,
    summary="List leads in your data range",
    description="Filters combine with AND. `custom.<key>=<value>` filters on a custom field. "
    + FEED_DESCRIPTION.lstrip(),
    responses=problem_responses(401, 403, 410, 422),
)
async def list_leads(
    request: Request, caller: READ, service: Leads, params: Annotated[LeadListParams, Query()]
) -> Response:
    unassigned = params.owner == "none"
    query = LeadQuery(
        owner_id=None if unassigned else owner_filter(params.owner, caller),
        unassigned=unassigned or None,
        department_id=params.department,
        region_id=params.region,
        status=params.status,
        source=params.source,
        rating=params.rating,
        campaign_id=params.campaign,
        last_campaign_id=params.last_campaign,
        channel=params.channel,
        last_channel=params.last_channel,
        tag=params.tag,
        created_from=params.created_from,
        created_to=params.created_to,
        score_from=params.score_from,
        score_to=params.score_to,
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
    "/leads",
    operation_id="leads_create",
    status_code=201,
    response_model=LeadOut,
    summary="Capture a lead",
    description="Scored by the tenant's rules. A lead, contact or customer with the same normalized email "
    "or phone is a 409 listing what matched, unless `allow_duplicate=true`. The owner is the caller, or "
    "another user (leads:assign), or with `auto_assign=true` whom the assignment rules choose.",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def create_lead(
    body: LeadCreate,
    caller: CREATE,
    service: Leads,
    allow_duplicate: AllowDuplicate = False,
    auto_assign: Annotated[
        bool, Query(description="Let the tenant's assignment rules choose the owner (or leave it in the queue).")
    ] = False,
) -> Response:
    values = body.model_dump()
    made = await service.create(caller, values, allow_duplicate=allow_duplicate, auto_assign=auto_assign)
    return _one(made, 201)


@router.post(
    "/leads/batch",
    operation_id="leads_batch_create",
    status_code=201,
    response_model=LeadBatchResult,
    summary="Capture up to 500 leads at once, all or nothing (for scripts and imports)",
    description="The first refused item is named (`items.<n>.<field>` in a 422, `index` in a 409) and no lead "
    "of the batch is kept. `allow_duplicate` and `auto_assign` apply to every item.",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def create_leads(
    body: LeadBatch,
    caller: CREATE,
    service: Leads,
    allow_duplicate: AllowDuplicate = False,
    auto_assign: Annotated[bool, Query(description="Let the assignment rules choose each owner.")] = False,
) -> Response:
    batch = [item.model_dump() for item in body.items]
    made = await service.create_many(caller, batch, allow_duplicate=allow_duplicate, auto_assign=auto_assign)
    return json_response({"items": made}, 201)


@router.get(
    "/leads/{lead_id}",
    operation_id="leads_get",
    response_model=LeadOut,
    summary="Get a lead, with the scoring rules that fired",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_lead(lead_id: UUID, caller: READ, service: Leads) -> Response:
    return _one(await service.get(caller, lead_id))


@router.patch(
    "/leads/{lead_id}",
    operation_id="leads_update",
    response_model=LeadOut,
    summary="Change some fields of a lead (rescored)",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_lead(
    lead_id: UUID,
    body: LeadPatch,
    caller: UPDATE,
    service: Leads,
    if_match: IfMatch = None,
    allow_duplicate: AllowDuplicate = False,
) -> Response:
    updated = await service.update(
        caller, lead_id, body.changes(), expected_version=expected_version(if_match), allow_duplicate=allow_duplicate
    )
    return _one(updated)


@router.post(
    "/leads/{lead_id}/route",
    operation_id="leads_route",
    response_model=LeadOut,
    summary="Run the assignment rules on a lead again (one waiting in the queue, say)",
    description="A lead that no rule takes is returned unchanged.",
    responses=problem_responses(401, 403, 404, 422),
)
async def route_lead(lead_id: UUID, caller: ASSIGN, service: Leads) -> Response:
    return _one(await service.route(caller, lead_id))


@router.post(
    "/leads/{lead_id}/convert",
    operation_id="leads_convert",
    response_model=ConvertResult,
    summary="Convert a lead into a customer, a contact and optionally a deal, in one transaction",
    description="The lead keeps links to what it became; converting twice is a 409. New records are made "
    "from the lead's fields, with the body's overrides, and need customers:create / contacts:create "
    "(and opportunities:create for a deal).",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def convert_lead(lead_id: UUID, body: ConvertBody, caller: UPDATE, service: Leads) -> Response:
    done = await service.convert(
        caller,
        lead_id,
        customer_id=body.customer_id,
        customer=body.customer.changes() if body.customer else None,
        contact_id=body.contact_id,
        contact=body.contact.changes() if body.contact else None,
        create_contact=body.create_contact,
        allow_duplicate=body.allow_duplicate,
        opportunity=body.opportunity.changes() if body.opportunity else None,
    )
    body_out = {
        "lead": done.lead,
        "customer": done.customer,
        "contact": done.contact,
        "opportunity": done.opportunity,
    }
    return json_response(body_out)


lifecycle_routes(router, "leads", "lead", Leads, LeadOut, base="/leads")
