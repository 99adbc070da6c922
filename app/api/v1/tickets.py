"""/api/v1/tickets: thin HTTP shapes around TicketService."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Tickets, TicketStatistics
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import (
    IfMatch,
    custom_filters,
    expected_version,
    owner_filter,
    page_body,
)
from app.api.v1.schemas.sync import FEED_DESCRIPTION
from app.api.v1.schemas.tickets import (
    CommentCreate,
    CommentList,
    CommentOut,
    CreateLeadBody,
    CreateLeadResult,
    EscalateBody,
    EscalationList,
    HistoryList,
    TicketCreate,
    TicketListParams,
    TicketOut,
    TicketPage,
    TicketPatch,
    TicketStatsOut,
)
from app.auth.principal import Principal
from app.domain.shared.clock import utcnow
from app.domain.tickets.durations import ACCURACY
from app.domain.tickets.entities import TicketQuery
from app.domain.tickets.stats import GroupBy

router = APIRouter(route_class=IdempotentRoute, tags=["tickets"])

READ = Annotated[Principal, requires("tickets:read")]
CREATE = Annotated[Principal, requires("tickets:create")]
UPDATE = Annotated[Principal, requires("tickets:update")]

_one = partial(record_response, collection="tickets")


@router.get(
    "/tickets",
    operation_id="tickets_list",
    response_model=TicketPage,
    summary="List tickets in your data range, each with its SLA block",
    description="Filters combine with AND: `owner=me` (my inbox), `owner=none` (the unassigned queue), `team`, "
    "`status`, `open`, `priority`, `kind`, `channel`, `category`, `customer`, `tag`, `due_before` (the resolution "
    "is due before), `breaching_before` (breaching soon: a running first-response or resolution clock is due "
    "before the instant, overdue ones included), `q`; `custom.<key>=<value>` on a custom field." + FEED_DESCRIPTION,
    responses=problem_responses(401, 403, 410, 422),
)
async def list_tickets(
    request: Request, caller: READ, service: Tickets, params: Annotated[TicketListParams, Query()]
) -> Response:
    unassigned = params.owner == "none"
    query = TicketQuery(
        owner_id=None if unassigned else owner_filter(params.owner, caller),
        assigned=False if unassigned else None,
        department_id=params.team,
        status=params.status,
        is_open=params.open,
        priority=params.priority,
        kind=params.kind,
        channel=params.channel,
        category_id=params.category,
        customer_id=params.customer,
        tag=params.tag,
        resolution_due_to=params.due_before,
        breaching_before=params.breaching_before,
        created_from=params.created_from,
        created_to=params.created_to,
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
    "/tickets",
    operation_id="tickets_create",
    status_code=201,
    response_model=TicketOut,
    summary="Open a ticket",
    description="Numbered per tenant without gaps (T000001). Its SLA targets come from the policy for its "
    "priority (and the customer's level) on the tenant's business calendar. The assignee: `owner_id`, or the "
    "ticket assignment rules, or the caller; an explicit `owner_id: null` leaves it in the team's queue when "
    "no rule takes it.",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_ticket(body: TicketCreate, caller: CREATE, service: Tickets) -> Response:
    values = body.model_dump()
    values["queue"] = "owner_id" in body.model_fields_set and body.owner_id is None
    return _one(await service.create(caller, values), 201)


@router.get(
    "/tickets/stats",
    operation_id="tickets_stats",
    response_model=TicketStatsOut,
    summary="Complaints analysis over a period, within your data range",
    description="Tickets created in [from, to) (default: the last 30 days, at most 366): counts by kind, "
    "category, channel, priority, status, assignee and customer (the 50 largest of each), repeat complainers "
    "(customers with two or more complaints), median and p90 minutes to first response and to resolution "
    f"(elapsed time, {ACCURACY}), SLA breach rate (among tickets with targets) and reopen rate (among "
    "resolved tickets). "
    "With `group_by` (day, week, month) also `volume`: tickets, complaints and breaches per UTC period, "
    "empty periods included.",
    responses=problem_responses(401, 403, 422),
)
async def ticket_stats(
    caller: READ,
    service: TicketStatistics,
    start: Annotated[AwareDatetime | None, Query(alias="from", description="With a UTC offset.")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to", description="With a UTC offset.")] = None,
    group_by: Annotated[GroupBy | None, Query(description="Also the volume over time, per day, week or month.")] = None,
) -> Response:
    now = utcnow()
    end = end or now
    start = start or end - timedelta(days=30)
    return json_response(await service.stats(caller, start, end, now, group_by))


@router.get(
    "/tickets/{ticket_id}",
    operation_id="tickets_get",
    response_model=TicketOut,
    summary="Get a ticket with its SLA block (due times, business minutes remaining, breached, paused)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_ticket(ticket_id: UUID, caller: READ, service: Tickets) -> Response:
    return _one(await service.get(caller, ticket_id))


@router.patch(
    "/tickets/{ticket_id}",
    operation_id="tickets_update",
    response_model=TicketOut,
    summary="Change some fields of a ticket, or move its status",
    description="An impossible status move or a reopen after the window is a 409; resolving without a "
    "solution a 422. Pending stops the resolution clock; leaving pending moves the due time by the paused "
    "business time. A priority change recomputes the due times.",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_ticket(
    ticket_id: UUID, body: TicketPatch, caller: UPDATE, service: Tickets, if_match: IfMatch = None
) -> Response:
    updated = await service.update(caller, ticket_id, body.changes(), expected_version=expected_version(if_match))
    return _one(updated)


@router.get(
    "/tickets/{ticket_id}/comments",
    operation_id="tickets_comments_list",
    response_model=CommentList,
    summary="The ticket's conversation, oldest first",
    description="`visibility=public` leaves out internal notes: what a customer may be shown.",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_comments(
    ticket_id: UUID,
    caller: READ,
    service: Tickets,
    visibility: Annotated[Literal["public", "internal"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 500,
) -> Response:
    return json_response({"items": await service.list_comments(caller, ticket_id, visibility, limit)})


@router.post(
    "/tickets/{ticket_id}/comments",
    operation_id="tickets_comments_create",
    status_code=201,
    response_model=CommentOut,
    summary="Reply publicly or add an internal note, with attachment metadata",
    description="The first public reply records the first response (and opens a new ticket). Attachments are "
    "metadata of files already uploaded; one over 25 MiB is a 422.",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
async def add_comment(ticket_id: UUID, body: CommentCreate, caller: UPDATE, service: Tickets) -> Response:
    return json_response(await service.add_comment(caller, ticket_id, body.model_dump()), 201)


@router.post(
    "/tickets/{ticket_id}/escalate",
    operation_id="tickets_escalate",
    response_model=TicketOut,
    summary="Escalate: raise the priority and/or hand the ticket to its team's manager",
    description="Without `priority` or `to_manager` the priority goes up one step. Recorded with its level.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def escalate(ticket_id: UUID, body: EscalateBody, caller: UPDATE, service: Tickets) -> Response:
    done = await service.escalate(
        caller, ticket_id, reason=body.reason, priority=body.priority, to_manager=body.to_manager
    )
    return _one(done)


@router.get(
    "/tickets/{ticket_id}/escalations",
    operation_id="tickets_escalations_list",
    response_model=EscalationList,
    summary="The ticket's escalations, oldest first",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_escalations(ticket_id: UUID, caller: READ, service: Tickets) -> Response:
    return json_response({"items": await service.escalations(caller, ticket_id)})


@router.get(
    "/tickets/{ticket_id}/history",
    operation_id="tickets_history",
    response_model=HistoryList,
    summary="The ticket's history, oldest first: status moves, assignments, priority changes, escalations",
    description="Each status move says who moved it, when, and how long the ticket stayed in the status it "
    "left (elapsed and business time on the tenant's calendar). Escalations by a rule carry its `rule_id`.",
    responses=problem_responses(401, 403, 404, 422),
)
async def ticket_history(ticket_id: UUID, caller: READ, service: Tickets) -> Response:
    return json_response({"items": await service.history(caller, ticket_id)})


@router.post(
    "/tickets/{ticket_id}/create-lead",
    operation_id="tickets_create_lead",
    status_code=201,
    response_model=CreateLeadResult,
    summary="Hand a buying interest to sales: a lead linked to the ticket (and back)",
    description="The lead assignment rules choose its owner; a second call is a 409 naming the lead.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_lead(ticket_id: UUID, body: CreateLeadBody, caller: UPDATE, service: Tickets) -> Response:
    ticket, lead_id = await service.create_lead(caller, ticket_id, body.model_dump())
    return json_response({"ticket": ticket, "lead_id": lead_id}, 201)


lifecycle_routes(router, "tickets", "ticket", Tickets, TicketOut, base="/tickets")
