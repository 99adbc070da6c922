"""/api/v1/suppressions: addresses no campaign message may reach (app/domain/marketing/suppressions.py),
and /api/v1/marketing/bounce-webhook: the provider callback's URL and secret. Both need
campaigns:manage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, page_response
from app.api.services import Suppressions, WebhookSecrets
from app.api.v1.params import CursorParam, Limit
from app.api.v1.schemas.marketing_consent import (
    BounceWebhookOut,
    BounceWebhookSecretOut,
    Channel,
    Reason,
    SuppressionCreate,
    SuppressionOut,
    SuppressionPage,
)
from app.auth.principal import Principal
from app.domain.marketing.suppressions import SuppressionQuery
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, tags=["suppressions"])

MANAGE = Annotated[Principal, requires("campaigns:manage")]


@router.get(
    "/suppressions",
    operation_id="suppressions_list",
    response_model=SuppressionPage,
    summary="The suppression list, newest first",
    description="`q` finds any part of the (normalized) address.",
    responses=problem_responses(401, 403, 422),
)
async def list_suppressions(
    caller: MANAGE,
    service: Suppressions,
    channel: Channel | None = None,
    reason: Reason | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    page = await service.list(caller, SuppressionQuery(channel, reason, q, limit, cursor))
    return page_response(page.items, page.next_cursor)


@router.post(
    "/suppressions",
    operation_id="suppressions_create",
    status_code=201,
    response_model=SuppressionOut,
    summary="Add an address to the suppression list (reason manual)",
    description="The address is normalized as the duplicate rules do (`Foo@Example.com` is `foo@example.com`, "
    "`+86 138-0013-8000` is `13800138000`); 409 when it is already listed, 422 when it is not an address.",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def add_suppression(body: SuppressionCreate, caller: MANAGE, service: Suppressions) -> Response:
    return json_response(await service.add(caller, body.channel, body.address, body.detail), 201)


@router.delete(
    "/suppressions/{channel}/{address}",
    operation_id="suppressions_delete",
    status_code=204,
    summary="Take an address off the suppression list",
    description="Messages reach it again (if its consent allows). The address is normalized first.",
    responses=problem_responses(401, 403, 404, 422),
)
async def remove_suppression(
    channel: Channel, address: Annotated[str, Path(min_length=1, max_length=254)], caller: MANAGE, service: Suppressions
) -> Response:
    await service.remove(caller, channel, address)
    return Response(status_code=204)


def _webhook_url(request: Request, caller: Principal) -> str:
    base = request.app.state.settings.public_url.rstrip("/")
    return f"{base}/api/v1/public/marketing/bounces/{caller.tenant_id}"


@router.get(
    "/marketing/bounce-webhook",
    operation_id="marketing_bounce_webhook_get",
    response_model=BounceWebhookOut,
    summary="Where a mail provider posts bounces and complaints, and whether its secret is set",
    responses=problem_responses(401, 403),
)
async def get_bounce_webhook(request: Request, caller: MANAGE, service: WebhookSecrets) -> Response:
    return json_response({"url": _webhook_url(request, caller), "configured": await service.configured(caller)})


@router.post(
    "/marketing/bounce-webhook/secret",
    operation_id="marketing_bounce_webhook_rotate",
    response_model=BounceWebhookSecretOut,
    summary="Set or rotate the bounce webhook's secret (shown once)",
    description="The previous secret stops working at once.",
    responses=problem_responses(401, 403),
)
async def rotate_bounce_webhook_secret(request: Request, caller: MANAGE, service: WebhookSecrets) -> Response:
    secret = await service.rotate(caller)
    return json_response({"url": _webhook_url(request, caller), "secret": secret})
