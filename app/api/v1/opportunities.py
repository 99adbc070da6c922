"""/api/v1/opportunities: thin HTTP shapes around OpportunityService."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import etag_for, json_response, record_response
from app.api.services import Opportunities
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import (
    IfMatch,
    custom_filters,
    expected_version,
    owner_filter,
    page_body,
)
from app.api.v1.schemas.opportunities import (
    OpportunityCreate,
    OpportunityDetailOut,
    OpportunityListParams,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatch,
    StageBody,
)
from app.api.v1.schemas.sync import FEED_DESCRIPTION
from app.auth.principal import Principal
from app.domain.opportunities.entities import OpportunityQuery

router = APIRouter(route_class=IdempotentRoute, prefix="/opportunities", tags=["opportunities"])

READ = Annotated[Principal, requires("opportunities:read")]
CREATE = Annotated[Principal, requires("opportunities:create")]
UPDATE = Annotated[Principal, requires("opportunities:update")]
DELETE = Annotated[Principal, requires("opportunities:delete")]
ASSIGN = Annotated[Principal, requires("opportunities:assign")]


_one = partial(record_response, collection="opportunities")


@router.get(
    "",
    operation_id="opportunities_list",
    response_model=OpportunityPage,
    summary="List opportunities in your data range",
    description="Filters combine with AND. `custom.<key>=<value>` filters on a custom field. "
    + FEED_DESCRIPTION.lstrip(),
    responses=problem_responses(401, 403, 410, 422),
)
async def list_opportunities(
    request: Request, caller: READ, service: Opportunities, params: Annotated[OpportunityListParams, Query()]
) -> Response:
    query = OpportunityQuery(
        owner_id=owner_filter(params.owner, caller),
        department_id=params.department,
        customer_id=params.customer,
        pipeline_id=params.pipeline,
        stage_id=params.stage,
        forecast_category=params.forecast_category,
        expected_close_date_from=params.close_from,
        expected_close_date_to=params.close_to,
        created_from=params.created_from,
        created_to=params.created_to,
        source=params.source,
        campaign=params.campaign,
        region=params.region,
        customer_level=params.customer_level,
        customer_type=params.customer_type,
        product=params.product,
        reached_stage=params.reached_stage,
        furthest_stage=params.furthest_stage,
        passed_stage=params.passed_stage,
        closed_from=params.closed_from,
        closed_to=params.closed_to,
        status=params.status,
        won_reason=params.won_reason,
        lost_reason=params.lost_reason,
        tag=params.tag,
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
    operation_id="opportunities_create",
    status_code=201,
    response_model=OpportunityOut,
    summary="Create an opportunity",
    description="In the pipeline's first open stage unless a stage is named; line items, when given, make "
    "the amount. The stage's required fields must be present.",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_opportunity(body: OpportunityCreate, caller: CREATE, service: Opportunities) -> Response:
    values = body.model_dump()
    if values["line_items"] is None:
        values.pop("line_items")
    return _one(await service.create(caller, values), 201)


@router.get(
    "/{opportunity_id}",
    operation_id="opportunities_get",
    response_model=OpportunityDetailOut,
    summary="Get an opportunity with its line items and stage history",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_opportunity(opportunity_id: UUID, caller: READ, service: Opportunities) -> Response:
    detail = await service.detail(caller, opportunity_id)
    body = {**asdict(detail.opportunity), "line_items": detail.line_items, "stage_history": detail.stage_history}
    return json_response(body, headers={"ETag": etag_for(detail.opportunity.version)})


@router.patch(
    "/{opportunity_id}",
    operation_id="opportunities_update",
    response_model=OpportunityOut,
    summary="Change some fields of an opportunity (the stage moves with POST .../stage)",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_opportunity(
    opportunity_id: UUID, body: OpportunityPatch, caller: UPDATE, service: Opportunities, if_match: IfMatch = None
) -> Response:
    changes = body.changes()
    if "line_items" in changes and changes["line_items"] is not None:
        changes["line_items"] = [item.model_dump() for item in body.line_items]
    return _one(await service.update(caller, opportunity_id, changes, expected_version=expected_version(if_match)))


@router.post(
    "/{opportunity_id}/stage",
    operation_id="opportunities_change_stage",
    response_model=OpportunityOut,
    summary="Move a deal to another stage of its pipeline",
    description="Checks the stage's required fields; a won or lost stage needs the close date, lost a reason. "
    "Records the stage history (from, to, who, when, time spent in the stage).",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def change_stage(
    opportunity_id: UUID, body: StageBody, caller: UPDATE, service: Opportunities, if_match: IfMatch = None
) -> Response:
    moved = await service.change_stage(
        caller,
        opportunity_id,
        body.stage_id,
        expected_close_date=body.expected_close_date,
        lost_reason=body.lost_reason,
        won_reason=body.won_reason,
        expected_version=expected_version(if_match),
    )
    return _one(moved)


lifecycle_routes(router, "opportunities", "opportunity", Opportunities, OpportunityOut)
