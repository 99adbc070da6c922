"""/api/v1/campaigns: campaigns, their sessions and members (thin HTTP shapes around
app/domain/marketing/campaigns.py). Registration settings, sends and statistics have routers of
their own under the same path."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import etag_for, json_response, record_response
from app.api.services import CampaignMembers, Campaigns, CampaignSessions
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import IfMatch, custom_filters, expected_version, owner_filter, page_body
from app.api.v1.schemas.campaigns import (
    CampaignCreate,
    CampaignFunnel,
    CampaignListParams,
    CampaignMemberListParams,
    CampaignMemberOut,
    CampaignMemberPage,
    CampaignMemberPatch,
    CampaignMembersAdd,
    CampaignMembersAdded,
    CampaignOut,
    CampaignPage,
    CampaignPatch,
    CampaignSessionCreate,
    CampaignSessionList,
    CampaignSessionOut,
    CampaignSessionPatch,
)
from app.api.v1.schemas.sync import FEED_DESCRIPTION
from app.auth.principal import Principal
from app.domain.marketing.campaign_entities import CampaignQuery, MemberQuery

router = APIRouter(route_class=IdempotentRoute, prefix="/campaigns", tags=["campaigns"])

READ = Annotated[Principal, requires("campaigns:read")]
CREATE = Annotated[Principal, requires("campaigns:create")]
UPDATE = Annotated[Principal, requires("campaigns:update")]

_one = partial(record_response, collection="campaigns")
MEMBERS_NOTE = " Members are contacts and leads: you see (and change) those within your contacts and leads range."


@router.get(
    "",
    operation_id="campaigns_list",
    response_model=CampaignPage,
    summary="List campaigns in your data range",
    description="Filters combine with AND. `custom.<key>=<value>` filters on a custom field. "
    + FEED_DESCRIPTION.lstrip(),
    responses=problem_responses(401, 403, 410, 422),
)
async def list_campaigns(
    request: Request, caller: READ, service: Campaigns, params: Annotated[CampaignListParams, Query()]
) -> Response:
    query = CampaignQuery(
        owner_id=owner_filter(params.owner, caller),
        department_id=params.department,
        status=params.status,
        campaign_type=params.campaign_type,
        channel=params.channel,
        parent_id=params.parent,
        tag=params.tag,
        starts_on_from=params.starts_from,
        starts_on_to=params.starts_to,
        updated_since=params.updated_since,
        sync_token=params.sync_token,
        q=params.q,
        sort=params.sort,
        limit=params.limit,
        cursor=params.cursor,
    )
    page = await service.list_page(caller, query, custom_filters(request))
    return json_response(page_body(page))


@router.post(
    "",
    operation_id="campaigns_create",
    status_code=201,
    response_model=CampaignOut,
    summary="Create a campaign",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_campaign(body: CampaignCreate, caller: CREATE, service: Campaigns) -> Response:
    return _one(await service.create(caller, body.model_dump()), 201)


@router.get(
    "/{campaign_id}",
    operation_id="campaigns_get",
    response_model=CampaignOut,
    summary="Get a campaign",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_campaign(campaign_id: UUID, caller: READ, service: Campaigns) -> Response:
    return _one(await service.get(caller, campaign_id))


@router.patch(
    "/{campaign_id}",
    operation_id="campaigns_update",
    response_model=CampaignOut,
    summary="Change some fields of a campaign",
    description="A status change follows draft -> scheduled -> running -> completed (or cancelled "
    "before it is finished); another jump is a 409.",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_campaign(
    campaign_id: UUID, body: CampaignPatch, caller: UPDATE, service: Campaigns, if_match: IfMatch = None
) -> Response:
    updated = await service.update(caller, campaign_id, body.changes(), expected_version=expected_version(if_match))
    return _one(updated)


lifecycle_routes(router, "campaigns", "campaign", Campaigns, CampaignOut)


# -- sessions --------------------------------------------------------------------------------


def _session(session: object, status_code: int = 200) -> Response:
    return json_response(session, status_code, {"ETag": etag_for(session.version)})  # type: ignore[attr-defined]


@router.get(
    "/{campaign_id}/sessions",
    operation_id="campaigns_sessions_list",
    response_model=CampaignSessionList,
    summary="The sessions of an event, webinar or trade show (by start time)",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_sessions(campaign_id: UUID, caller: READ, service: CampaignSessions) -> Response:
    return json_response({"items": await service.list(caller, campaign_id)})


@router.post(
    "/{campaign_id}/sessions",
    operation_id="campaigns_sessions_create",
    status_code=201,
    response_model=CampaignSessionOut,
    summary="Add a session (time, place or link, capacity) to an event, webinar or trade show",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def create_session(
    campaign_id: UUID, body: CampaignSessionCreate, caller: UPDATE, service: CampaignSessions
) -> Response:
    return _session(await service.create(caller, campaign_id, body.model_dump()), 201)


@router.patch(
    "/{campaign_id}/sessions/{session_id}",
    operation_id="campaigns_sessions_update",
    response_model=CampaignSessionOut,
    summary="Change a session",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_session(
    campaign_id: UUID,
    session_id: UUID,
    body: CampaignSessionPatch,
    caller: UPDATE,
    service: CampaignSessions,
    if_match: IfMatch = None,
) -> Response:
    updated = await service.update(
        caller, campaign_id, session_id, body.changes(), expected_version=expected_version(if_match)
    )
    return _session(updated)


@router.delete(
    "/{campaign_id}/sessions/{session_id}",
    operation_id="campaigns_sessions_delete",
    status_code=204,
    response_class=Response,
    summary="Remove a session (members registered for it keep their registration, for no session)",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_session(campaign_id: UUID, session_id: UUID, caller: UPDATE, service: CampaignSessions) -> Response:
    await service.delete(caller, campaign_id, session_id)
    return Response(status_code=204)


# -- members ---------------------------------------------------------------------------------


@router.get(
    "/{campaign_id}/members",
    operation_id="campaigns_members_list",
    response_model=CampaignMemberPage,
    summary="The campaign's members with their funnel status and step times",
    description="Filters combine with AND." + MEMBERS_NOTE,
    responses=problem_responses(401, 403, 404, 422),
)
async def list_members(
    campaign_id: UUID, caller: READ, service: CampaignMembers, params: Annotated[CampaignMemberListParams, Query()]
) -> Response:
    query = MemberQuery(
        status=params.status,
        kind=params.kind,
        registration_status=params.registration_status,
        session_id=params.session,
        q=params.q,
        sort=params.sort,
        limit=params.limit,
        cursor=params.cursor,
    )
    page = await service.list_page(caller, campaign_id, query, params.where)
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


@router.get(
    "/{campaign_id}/members/funnel",
    operation_id="campaigns_members_funnel",
    response_model=CampaignFunnel,
    summary="How many members are at each funnel status",
    description=MEMBERS_NOTE.strip(),
    responses=problem_responses(401, 403, 404, 422),
)
async def member_funnel(campaign_id: UUID, caller: READ, service: CampaignMembers) -> Response:
    counts = await service.funnel(caller, campaign_id)
    return json_response({"counts": counts, "total": sum(counts.values())})


@router.post(
    "/{campaign_id}/members",
    operation_id="campaigns_members_add",
    response_model=CampaignMembersAdded,
    summary="Add contacts and leads to the campaign",
    description="Each id is added, reported as already a member, or refused (unknown, deleted or outside "
    "your contacts/leads range); at most 1000 ids per call.",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def add_members(
    campaign_id: UUID, body: CampaignMembersAdd, caller: UPDATE, service: CampaignMembers
) -> Response:
    result = await service.add(caller, campaign_id, body.contact_ids, body.lead_ids)
    return json_response(result)


@router.get(
    "/{campaign_id}/members/{member_id}",
    operation_id="campaigns_members_get",
    response_model=CampaignMemberOut,
    summary="One member of the campaign",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_member(campaign_id: UUID, member_id: UUID, caller: READ, service: CampaignMembers) -> Response:
    member = await service.get(caller, campaign_id, member_id)
    return json_response(member, headers={"ETag": etag_for(member.version)})


@router.patch(
    "/{campaign_id}/members/{member_id}",
    operation_id="campaigns_members_update",
    response_model=CampaignMemberOut,
    summary="Move a member forward in the funnel (mark responded, attended, converted... by hand)",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_member(
    campaign_id: UUID,
    member_id: UUID,
    body: CampaignMemberPatch,
    caller: UPDATE,
    service: CampaignMembers,
    if_match: IfMatch = None,
) -> Response:
    member = await service.move(
        caller, campaign_id, member_id, body.status, expected_version=expected_version(if_match)
    )
    return json_response(member, headers={"ETag": etag_for(member.version)})


@router.delete(
    "/{campaign_id}/members/{member_id}",
    operation_id="campaigns_members_delete",
    status_code=204,
    response_class=Response,
    summary="Remove a member from the campaign (added again later, it keeps its history)",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_member(campaign_id: UUID, member_id: UUID, caller: UPDATE, service: CampaignMembers) -> Response:
    await service.remove(caller, campaign_id, member_id)
    return Response(status_code=204)
