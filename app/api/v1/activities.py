"""/api/v1/activities: thin HTTP shapes around ActivityService."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Activities
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import (
    CursorParam,
    IfMatch,
    Limit,
    SyncTokenParam,
    WhereParam,
    expected_version,
    owner_filter,
    page_body,
)
from app.api.v1.schemas.activities import (
    ActivityCreate,
    ActivityOut,
    ActivityPage,
    ActivityPatch,
    CalendarOut,
    Kind,
    Status,
)
from app.api.v1.schemas.sync import FEED_DESCRIPTION, UPDATED_SINCE_DOC
from app.auth.principal import Principal
from app.domain.activities.entities import DEFAULT_SORT, ActivityQuery
from app.domain.shared.paging import DEFAULT_LIMIT

Force = Annotated[bool, Query(description="Keep an appointment even if it overlaps another of the same person.")]

router = APIRouter(route_class=IdempotentRoute, prefix="/activities", tags=["activities"])

READ = Annotated[Principal, requires("activities:read")]
CREATE = Annotated[Principal, requires("activities:create")]
UPDATE = Annotated[Principal, requires("activities:update")]
DELETE = Annotated[Principal, requires("activities:delete")]
ASSIGN = Annotated[Principal, requires("activities:assign")]


_one = partial(record_response, collection="activities")


@router.get(
    "",
    operation_id="activities_list",
    response_model=ActivityPage,
    summary="List activities in your data range",
    description="Filters combine with AND; newest first by default." + FEED_DESCRIPTION,
    responses=problem_responses(401, 403, 410, 422),
)
async def list_activities(
    caller: READ,
    service: Activities,
    customer: Annotated[UUID | None, Query(description="Activities of this customer")] = None,
    contact: Annotated[UUID | None, Query(description="Activities with this contact")] = None,
    lead: Annotated[UUID | None, Query(description="Activities about this lead")] = None,
    opportunity: Annotated[UUID | None, Query(description="Activities about this deal")] = None,
    owner: Annotated[str | None, Query(max_length=36, description="`me` or a user id")] = None,
    assignee: Annotated[str | None, Query(max_length=36, description="`me` or a user id")] = None,
    kind: Kind | None = None,
    status: Status | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
    updated_since: Annotated[datetime | None, Query(description=UPDATED_SINCE_DOC)] = None,
    sync_token: SyncTokenParam = None,
    sort: Annotated[
        str,
        Query(max_length=20, description="occurred_at, updated_at or created_at; prefix - for descending"),
    ] = DEFAULT_SORT,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    where: WhereParam = None,
) -> Response:
    query = ActivityQuery(
        customer_id=customer,
        contact_id=contact,
        lead_id=lead,
        opportunity_id=opportunity,
        owner_id=owner_filter(owner, caller),
        assignee_id=owner_filter(assignee, caller),
        kind=kind,
        status=status,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        updated_since=updated_since,
        sync_token=sync_token,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    page = await service.list_page(caller, query, where=where)
    return json_response(page_body(page))


@router.post(
    "",
    operation_id="activities_create",
    status_code=201,
    response_model=ActivityOut,
    summary="Log an activity, or plan a task or an appointment",
    description="An appointment overlapping another planned appointment of the same person is a 409 "
    "naming the conflicts, unless `force=true`.",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def create_activity(body: ActivityCreate, caller: CREATE, service: Activities, force: Force = False) -> Response:
    return _one(await service.create(caller, body.model_dump(), allow_duplicate=force), 201)


@router.get(
    "/calendar",
    operation_id="activities_calendar",
    response_model=CalendarOut,
    summary="Tasks due and appointments happening in a span, in your data range",
    description="At most 500, earliest first. `assignee=me` (or an id): that person's work only.",
    responses=problem_responses(401, 403, 422),
)
async def calendar(
    caller: READ,
    service: Activities,
    start: Annotated[AwareDatetime, Query(alias="from", description="Start of the span (with a UTC offset).")],
    end: Annotated[AwareDatetime, Query(alias="to", description="End of the span (exclusive).")],
    assignee: Annotated[str | None, Query(max_length=36, description="`me` or a user id")] = None,
) -> Response:
    return json_response({"items": await service.calendar(caller, start, end, owner_filter(assignee, caller))})


@router.get(
    "/{activity_id}",
    operation_id="activities_get",
    response_model=ActivityOut,
    summary="Get an activity",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_activity(activity_id: UUID, caller: READ, service: Activities) -> Response:
    return _one(await service.get(caller, activity_id))


@router.patch(
    "/{activity_id}",
    operation_id="activities_update",
    response_model=ActivityOut,
    summary="Change some fields of an activity (mark a task done, move an appointment...)",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_activity(
    activity_id: UUID,
    body: ActivityPatch,
    caller: UPDATE,
    service: Activities,
    if_match: IfMatch = None,
    force: Force = False,
) -> Response:
    updated = await service.update(
        caller, activity_id, body.changes(), expected_version=expected_version(if_match), allow_duplicate=force
    )
    return _one(updated)


lifecycle_routes(router, "activities", "activity", Activities, ActivityOut)
