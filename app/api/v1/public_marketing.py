"""The public side of campaign messages, reached from a message with no credentials:

- `/public/t/o/{token}`, `/public/t/c/{token}`: the open pixel and click redirects (the hottest
  public endpoints: no principal, no dependency beyond the request, one statement);
- `/public/unsubscribe/{token}`: one-click unsubscribe (RFC 8058), GET shows, POST confirms;
- `/public/marketing/bounces/{tenant_id}`: a provider's bounce and complaint reports, signed with
  the tenant's webhook secret.

Tokens are signed links (app/domain/marketing/links.py); anything else is a 404."""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import parse_qsl
from uuid import UUID

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.middleware import client_address
from app.api.responses import json_response
from app.api.services import Bounces, Unsubscribes, signer_of
from app.api.v1.schemas.marketing_consent import BounceReport, BounceResultOut, UnsubscribeOut
from app.composition import build_tracking
from app.domain.marketing.bounces import SIGNATURE_PREFIX
from app.domain.marketing.tracking import Tracking
from app.domain.shared.errors import NotFound, ValidationFailed

router = APIRouter(route_class=IdempotentRoute, tags=["public"])

Token = Annotated[str, Path(min_length=10, max_length=4096)]

# A transparent 1x1 GIF (43 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
# Every open and click must reach the server: no cache between the reader and us keeps one.
NO_STORE = {
    "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0, private",
    "Pragma": "no-cache",
    "Expires": "0",
}
_NOT_FOUND = "no such link"


def _tracking(request: Request) -> Tracking:
    """Built once per app (the autocommit engine and the signer live as long as it does)."""
    tracking: Tracking | None = getattr(request.app.state, "tracking", None)
    if tracking is None:
        tracking = request.app.state.tracking = build_tracking(request.app.state.read_engine, signer_of(request))
    return tracking


def _client(request: Request) -> tuple[str | None, str | None]:
    settings = request.app.state.settings
    return client_address(request.scope, settings.trust_forwarded_for), request.headers.get("user-agent")


@router.get(
    "/public/t/c/{token}",
    operation_id="public_tracking_click",
    status_code=302,
    response_class=Response,
    summary="A link of a campaign message: records the click and redirects to the link's URL",
    description="Redirects only to the http(s) URL the token was signed for (the message's own link); "
    "a forged or altered token is a 404, never a redirect. A click also counts as an open.",
    responses={302: {"description": "To the link's URL (Location)"}, **problem_responses(404, 422)},
)
async def click(token: Token, request: Request) -> Response:
    ip, agent = _client(request)
    url = await _tracking(request).clicked(token, ip, agent)
    if url is None:
        raise NotFound(_NOT_FOUND)
    return Response(status_code=302, headers={"Location": url, **NO_STORE})


@router.get(
    "/public/t/o/{token}",
    operation_id="public_tracking_open",
    response_class=Response,
    summary="The open pixel of a campaign message: records an open, answers a transparent 1x1 GIF",
    description="Never cached. A token this server did not sign as an open pixel is a 404.",
    responses={
        200: {"content": {"image/gif": {}}, "description": "A transparent 1x1 GIF"},
        **problem_responses(404, 422),
    },
)
async def open_pixel(token: Token, request: Request) -> Response:
    ip, agent = _client(request)
    if not await _tracking(request).opened(token, ip, agent):
        raise NotFound(_NOT_FOUND)
    return Response(PIXEL, media_type="image/gif", headers=NO_STORE)


def _address(request: Request) -> str:
    return client_address(request.scope, request.app.state.settings.trust_forwarded_for) or ""


@router.get(
    "/public/unsubscribe/{token}",
    operation_id="public_unsubscribe_get",
    response_model=UnsubscribeOut,
    summary="What an unsubscribe link is about: the (masked) address, channel and campaign",
    description="`unsubscribed` says whether the address is already on the suppression list. 404 for a link "
    "this server did not sign; a few tries per link and client address in ten minutes (429 beyond).",
    responses=problem_responses(404, 422, 429),
)
async def view_unsubscribe(token: Token, request: Request, service: Unsubscribes) -> Response:
    found = await service.view(token, _address(request))
    return json_response(found, headers={"Cache-Control": "no-store"})


# The body RFC 8058 mail clients post, and ours.
_CONFIRM_BODY: dict[str, Any] = {
    "required": False,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {"List-Unsubscribe": {"type": "string", "enum": ["One-Click"]}},
                "required": ["List-Unsubscribe"],
            }
        },
        "application/json": {"schema": {"type": "object", "additionalProperties": False}},
    },
}


async def _check_confirm_body(request: Request) -> None:
    """Empty, `{}` (our page), or the form `List-Unsubscribe=One-Click` (RFC 8058): nothing else."""
    raw = await request.body()
    if not raw.strip():
        return
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        fields = dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
        if fields.get("List-Unsubscribe") == "One-Click" and len(fields) == 1:
            return
        raise ValidationFailed.one("List-Unsubscribe", "must be One-Click (RFC 8058), and alone")
    if kind in ("application/json", ""):
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ValidationFailed.one("body", "is not JSON")
        if parsed == {}:
            return
        raise ValidationFailed.one("body", "takes no fields")
    raise ValidationFailed.one("body", "must be empty, {} or List-Unsubscribe=One-Click")


@router.post(
    "/public/unsubscribe/{token}",
    operation_id="public_unsubscribe_confirm",
    response_model=UnsubscribeOut,
    summary="Unsubscribe at once (one-click, RFC 8058)",
    description="Takes no body, `{}`, or the form body `List-Unsubscribe=One-Click` that mail clients post. "
    "At once: the address on the suppression list (reason unsubscribed), the consent of that channel "
    "withdrawn, the campaign member unsubscribed. A repeat changes nothing and answers the same (200).",
    responses=problem_responses(404, 413, 422, 429),
    openapi_extra={"requestBody": _CONFIRM_BODY},
)
async def confirm_unsubscribe(token: Token, request: Request, service: Unsubscribes) -> Response:
    await _check_confirm_body(request)
    found = await service.confirm(token, _address(request))
    return json_response(found, headers={"Cache-Control": "no-store"})


@router.post(
    "/public/marketing/bounces/{tenant_id}",
    operation_id="public_marketing_bounces",
    response_model=BounceResultOut,
    summary="A mail provider's report of bounces or complaints",
    description="Authenticated by the tenant's webhook secret (POST /marketing/bounce-webhook/secret): "
    f"`X-CRM-Signature: {SIGNATURE_PREFIX}<hex HMAC-SHA256 of the raw body>`, or `Authorization: Bearer "
    "<secret>`; 401 otherwise. hard: the delivery and member bounced, the address suppressed (hard_bounce); "
    "complaint: the address suppressed (complaint), the member unsubscribed; soft: only noted on the delivery.",
    responses=problem_responses(401, 413, 422),
)
async def bounce_report(tenant_id: UUID, body: BounceReport, request: Request, service: Bounces) -> Response:
    bearer = request.headers.get("authorization", "")
    token = bearer[7:].strip() if bearer[:7].lower() == "bearer " else None
    await service.authenticate(tenant_id, await request.body(), request.headers.get("x-crm-signature"), token)
    result = await service.apply(tenant_id, body.type, body.message_ids, body.detail)
    return json_response(result)
