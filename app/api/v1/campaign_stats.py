"""/api/v1/campaigns/{id}/stats, /campaigns/analysis/channels and /campaigns/{id}/survey: what
campaigns brought, and an event's satisfaction survey (app/domain/marketing/stats.py,
app/domain/marketing/satisfaction.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response
from app.api.services import CampaignStats, CampaignSurveys
from app.api.v1.schemas.campaign_stats import CampaignStatsOut, ChannelAnalysisOut, SurveySendBody, SurveySent
from app.auth.principal import Principal
from app.domain.marketing.stats import ChannelGrouping

router = APIRouter(route_class=IdempotentRoute, prefix="/campaigns", tags=["campaigns"])

READ = Annotated[Principal, requires("campaigns:read")]
UPDATE = Annotated[Principal, requires("campaigns:update")]


@router.get(
    "/analysis/channels",
    operation_id="campaigns_channel_analysis",
    response_model=ChannelAnalysisOut,
    summary="Campaign figures per channel, campaign type or lead source, over a period, within your ranges",
    description="`group_by=channel|campaign_type`: the campaigns in your range starting within [from, to] "
    "(dates, both included; no bound: all), grouped, with the figures of GET /campaigns/{id}/stats. "
    "`group_by=source`: the leads in your range created within [from, to] (UTC days) per lead source, their "
    "conversions and the deals made from them (both touches are the source; no costs). At most 3 years.",
    responses=problem_responses(401, 403, 422),
)
async def channel_analysis(
    caller: READ,
    service: CampaignStats,
    group_by: Annotated[ChannelGrouping, Query()] = ChannelGrouping.CHANNEL,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    return json_response(await service.channels(caller, group_by, start, end))


@router.get(
    "/{campaign_id}/stats",
    operation_id="campaigns_stats",
    response_model=CampaignStatsOut,
    summary="A campaign's funnel, attribution, costs, ROI and event satisfaction",
    description="Members by status and by step reached, registrations, attendance; leads, converted leads, "
    "deals and won deals by first and by last touch, counting only the leads and deals in your own ranges; "
    "won amounts and costs per currency, cost per lead and ROI = (won - cost) / cost (null when not "
    "computable in one currency). `include_children=true` rolls up the child campaigns in your range.",
    responses=problem_responses(401, 403, 404, 422),
)
async def campaign_stats(
    campaign_id: UUID,
    caller: READ,
    service: CampaignStats,
    include_children: Annotated[bool, Query(description="Roll up the child campaigns (all levels).")] = False,
) -> Response:
    return json_response(await service.campaign(caller, campaign_id, include_children=include_children))


@router.post(
    "/{campaign_id}/survey",
    operation_id="campaigns_send_survey",
    response_model=SurveySent,
    summary="Send a satisfaction survey to the event's attendees",
    description="Each attending contact in your contacts range gets a one-time survey link (published as "
    "`survey.invitation_created`), once per survey; leads have no contact and are skipped and counted. The "
    "campaign keeps the survey: its stats show the responses and the average score. Needs surveys:read.",
    responses=problem_responses(401, 403, 404, 422),
)
async def send_survey(campaign_id: UUID, body: SurveySendBody, caller: UPDATE, service: CampaignSurveys) -> Response:
    return json_response(await service.send_survey(caller, campaign_id, body.survey_id))
