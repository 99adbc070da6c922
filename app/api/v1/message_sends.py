"""Campaign sends: /api/v1/campaigns/{id}/sends (create, list), /api/v1/sends/{id} (progress) and
its cancel; the tenant's SMS provider at /api/v1/settings/sms-provider. Thin HTTP shapes around
SendService (app/domain/marketing/sends.py) and SmsSettingsService; the worker delivers."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Sends, SmsSettings
from app.api.v1.schemas.message_sends import SendCreate, SendList, SendOut, SmsProviderIn, SmsProviderOut
from app.auth.principal import Principal

router = APIRouter(route_class=IdempotentRoute, tags=["sends"])

READ = Annotated[Principal, requires("campaigns:read")]
SEND = Annotated[Principal, requires("campaigns:update", "message_templates:read")]
CANCEL = Annotated[Principal, requires("campaigns:update")]
MANAGE = Annotated[Principal, requires("settings:manage")]
CampaignId = Annotated[UUID, Path()]
SendId = Annotated[UUID, Path()]

_one = partial(record_response, collection="sends")


@router.post(
    "/campaigns/{campaign_id}/sends",
    operation_id="campaigns_sends_create",
    status_code=201,
    response_model=SendOut,
    summary="Send a message template to the campaign's members or a segment, now or later",
    description="Needs campaigns:update on the campaign (404 outside your range) and message_templates:read "
    "(segments:read for a segment). The worker starts it at `scheduled_at`: recipients are then taken within "
    "YOUR contacts and leads ranges; those without an address, without granted consent for the channel, on the "
    "suppression list or repeating an address are skipped and counted by reason.",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def create_send(campaign_id: CampaignId, body: SendCreate, caller: SEND, service: Sends) -> Response:
    return _one(await service.create(caller, campaign_id, body.model_dump()), 201)


@router.get(
    "/campaigns/{campaign_id}/sends",
    operation_id="campaigns_sends_list",
    response_model=SendList,
    summary="The campaign's sends with their progress, newest first",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_sends(campaign_id: CampaignId, caller: READ, service: Sends) -> Response:
    return json_response({"items": await service.list(caller, campaign_id)})


@router.get(
    "/sends/{send_id}",
    operation_id="sends_get",
    response_model=SendOut,
    summary="A send's progress: queued, sent, failed, skipped by reason, status and times",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_send(send_id: SendId, caller: READ, service: Sends) -> Response:
    return _one(await service.get(caller, send_id))


@router.post(
    "/sends/{send_id}/cancel",
    operation_id="sends_cancel",
    response_model=SendOut,
    summary="Stop a scheduled or running send",
    description="Messages not yet claimed are skipped (`cancelled`); those a worker is sending finish. 409 when "
    "the send has already ended.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cancel_send(send_id: SendId, caller: CANCEL, service: Sends) -> Response:
    return _one(await service.cancel(caller, send_id))


@router.get(
    "/settings/sms-provider",
    operation_id="settings_sms_provider_get",
    response_model=SmsProviderOut | None,
    summary="The tenant's SMS provider (secret masked); null when SMS go to the development log",
    responses=problem_responses(401, 403),
)
async def get_sms_provider(caller: MANAGE, service: SmsSettings) -> Response:
    configured = await service.get(caller)
    return json_response(configured.public() if configured else None)


@router.put(
    "/settings/sms-provider",
    operation_id="settings_sms_provider_set",
    response_model=SmsProviderOut,
    summary="Set the tenant's SMS provider: an HTTP endpoint taking a JSON body with the phone and text",
    description="The secret (`auth_value`) is stored and never shown again in full; omit it to keep the stored one.",
    responses=problem_responses(401, 403, 413, 422),
)
async def set_sms_provider(body: SmsProviderIn, caller: MANAGE, service: SmsSettings) -> Response:
    return json_response((await service.set(caller, body.model_dump())).public())


@router.delete(
    "/settings/sms-provider",
    operation_id="settings_sms_provider_delete",
    status_code=204,
    response_class=Response,
    summary="Remove the tenant's SMS provider",
    responses=problem_responses(401, 403),
)
async def delete_sms_provider(caller: MANAGE, service: SmsSettings) -> Response:
    await service.remove(caller)
    return Response(status_code=204)
