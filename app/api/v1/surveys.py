"""/api/v1/surveys (templates: the four configured-list routes plus get and results),
/api/v1/tickets/{id}/survey-invitations and /api/v1/call-backs: thin HTTP shapes around the
survey services (app/domain/surveys/service.py)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, page_response
from app.api.services import CallBacks, Invitations, SurveyResults, Surveys
from app.api.v1.configured import configured_routes
from app.api.v1.schemas.surveys import (
    CallBackCreate,
    CallBackListParams,
    CallBackOut,
    CallBackPage,
    InvitationList,
    ResultsOut,
    SurveyCreate,
    SurveyList,
    SurveyOut,
    SurveyPatch,
)
from app.auth.principal import Principal
from app.domain.surveys.entities import CallBackQuery, GroupBy, ResultsQuery

router = APIRouter(route_class=IdempotentRoute, tags=["surveys"])

READ = Annotated[Principal, requires("surveys:read")]
CREATE = Annotated[Principal, requires("surveys:create")]

configured_routes(
    router,
    "surveys",
    "surveys",
    "satisfaction survey templates (questions of type rating, nps, single, multiple, text)",
    Surveys,
    (SurveyCreate, SurveyPatch),
    (SurveyOut, SurveyList),
    read="surveys:read",
    manage="surveys:manage",
)


@router.get(
    "/surveys/{survey_id}",
    operation_id="surveys_get",
    response_model=SurveyOut,
    summary="A survey template with its questions",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_survey(survey_id: UUID, caller: READ, service: Surveys) -> Response:
    return json_response(await service.get(caller, survey_id))


@router.get(
    "/surveys/{survey_id}/results",
    operation_id="surveys_results",
    response_model=ResultsOut,
    summary="A survey's results within your data range: distributions, CSAT %, NPS, comments, groups",
    description="Responses answered in [from, to), optionally of one agent, team or channel. CSAT % is the share "
    "of 4 and 5 among the answers to the first rating question; NPS is % promoters (9-10) minus % detractors "
    "(0-6) on the first NPS question. `group_by` adds the same headline per agent, team, or UTC day/week/month "
    "(the CSAT trend). The newest `comments` text answers (default 20, at most 200). Responses count within "
    "your tickets read range: an agent's own, a manager's team's.",
    responses=problem_responses(401, 403, 404, 422),
)
async def survey_results(
    survey_id: UUID,
    caller: READ,
    service: SurveyResults,
    start: Annotated[AwareDatetime | None, Query(alias="from", description="With a UTC offset.")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to", description="With a UTC offset.")] = None,
    agent: Annotated[UUID | None, Query()] = None,
    team: Annotated[UUID | None, Query()] = None,
    channel: Annotated[Literal["link", "call_back"] | None, Query()] = None,
    group_by: Annotated[GroupBy | None, Query()] = None,
    comments: Annotated[int, Query(ge=0, le=200)] = 20,
) -> Response:
    query = ResultsQuery(start, end, agent, team, channel, group_by, comments)
    return json_response(await service.results(caller, survey_id, query))


@router.get(
    "/tickets/{ticket_id}/survey-invitations",
    operation_id="tickets_survey_invitations_list",
    response_model=InvitationList,
    summary="The satisfaction survey invitations of a ticket (newest first), with their links",
    description="One is made for each resolution while the tenant has an active ticket CSAT survey; a new one "
    "revokes the earlier unanswered link. `path` is the web client's page for the link.",
    responses=problem_responses(401, 403, 404, 422),
)
async def ticket_invitations(ticket_id: UUID, caller: READ, service: Invitations) -> Response:
    return json_response({"items": await service.for_ticket(caller, ticket_id)})


@router.get(
    "/call-backs",
    operation_id="call_backs_list",
    response_model=CallBackPage,
    summary="Call-backs (phone follow-ups) within your data range, newest first",
    responses=problem_responses(401, 403, 422),
)
async def list_call_backs(caller: READ, service: CallBacks, params: Annotated[CallBackListParams, Query()]) -> Response:
    query = CallBackQuery(params.customer, params.ticket, params.agent, params.limit, params.cursor)
    page = await service.list_page(caller, query)
    return page_response(page.items, page.next_cursor)


@router.post(
    "/call-backs",
    operation_id="call_backs_create",
    status_code=201,
    response_model=CallBackOut,
    summary="Log a call-back: a phone follow-up, its outcome, the next action, and survey answers taken on the call",
    description="About a customer and/or a ticket (within your tickets range). With `answers` (outcome reached), "
    "a response to `survey_id` counting in its results as channel call_back, rated to the ticket's agent.",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_call_back(body: CallBackCreate, caller: CREATE, service: CallBacks) -> Response:
    return json_response(await service.create(caller, body.model_dump()), 201)
