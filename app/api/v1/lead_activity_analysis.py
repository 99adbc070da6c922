"""/api/v1/analytics/leads, /analytics/activities and /analytics/sales/reasons (Step 7): lead
conversion per source, channel, campaign or owner; activities done per rep or type with a
weekday x hour heat map; won and lost reasons (app/domain/analytics/)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.responses import json_response
from app.api.services import ActivityAnalysis, DealReasons, LeadAnalysis
from app.api.v1.params import WindowFrom, WindowGrain, WindowTo
from app.api.v1.schemas.lead_activity_analysis import ActivityAnalysisOut, LeadAnalysisOut, ReasonAnalysisOut
from app.auth.principal import Principal
from app.domain.analytics.lead_analysis import Touch
from app.domain.shared.clock import utcnow

router = APIRouter(prefix="/analytics", tags=["analytics"])

LEADS = Annotated[Principal, requires("leads:read")]
ACTIVITIES = Annotated[Principal, requires("activities:read")]
DEALS = Annotated[Principal, requires("opportunities:read")]

WINDOW_DOC = (
    " The window is in the tenant's time zone; series have one point per bucket, empty ones included. "
    "Each figure carries `drill`: the list endpoint and filters that give its records."
)


@router.get(
    "/leads",
    operation_id="analytics_leads",
    response_model=LeadAnalysisOut,
    summary="Leads by source, channel, campaign or owner: conversion, time to convert, won revenue",
    description="The leads created in [from, to] within your leads range, grouped by `by`: how many, how many "
    "converted and the rate, average and median days from creation to conversion, and the deals they became "
    "that are won (count, amount per currency; only deals within your deals range). Campaign and channel follow "
    "the lead's last touch, or its first with `touch=first`." + WINDOW_DOC,
    responses=problem_responses(401, 403, 422),
)
async def lead_analysis(
    caller: LEADS,
    service: LeadAnalysis,
    start: WindowFrom = None,
    to: WindowTo = None,
    grain: WindowGrain = None,
    by: Annotated[str, Query(max_length=20, description="source, channel, campaign or owner.")] = "source",
    touch: Annotated[Literal["first", "last"], Query(description="Which campaign touch attributes a lead.")] = "last",
) -> Response:
    return json_response(await service.analyse(caller, start, to, grain, by, Touch(touch), utcnow()))


@router.get(
    "/activities",
    operation_id="analytics_activities",
    response_model=ActivityAnalysisOut,
    summary="Activities done per rep or type and period, and a weekday x hour heat map",
    description="Activities done (status done) that happened in [from, to] within your activities range: per "
    "owner (with each kind) or per kind, per bucket; the heat map counts them per local weekday and hour." + WINDOW_DOC,
    responses=problem_responses(401, 403, 422),
)
async def activity_analysis(
    caller: ACTIVITIES,
    service: ActivityAnalysis,
    start: WindowFrom = None,
    to: WindowTo = None,
    grain: WindowGrain = None,
    by: Annotated[str, Query(max_length=20, description="owner or type.")] = "owner",
) -> Response:
    return json_response(await service.analyse(caller, start, to, grain, by, utcnow()))


@router.get(
    "/sales/reasons",
    operation_id="analytics_sales_reasons",
    response_model=ReasonAnalysisOut,
    summary="Why deals were won and lost",
    description="Deals within your range that entered a won or lost stage in [from, to] (optionally of one "
    "pipeline), per reason: how many and their amount per currency." + WINDOW_DOC,
    responses=problem_responses(401, 403, 422),
)
async def reason_analysis(
    caller: DEALS,
    service: DealReasons,
    start: WindowFrom = None,
    to: WindowTo = None,
    pipeline: Annotated[UUID | None, Query(description="Only deals of this pipeline.")] = None,
) -> Response:
    return json_response(await service.analyse(caller, start, to, pipeline, utcnow()))
