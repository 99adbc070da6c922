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
from fastapi.routing import APIRoute
from starlette.types import Receive, Scope, Send

from app.api.errors import PROBLEM, TYPE_BASE, problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.middleware import client_address
from app.api.responses import dumps, json_response
from app.api.services import Bounces, Unsubscribes, signer_of_app
from app.api.v1.schemas.marketing_consent import BounceReport, BounceResultOut, UnsubscribeOut
from app.composition import build_tracking
from app.domain.marketing.bounces import SIGNATURE_PREFIX
from app.domain.marketing.tracking import Tracking
from app.domain.shared.errors import NotFound, ValidationFailed

router = APIRouter(route_class=IdempotentRoute, tags=["public"])

TOKEN_MAX = 4096
Token = Annotated[str, Path(min_length=10, max_length=TOKEN_MAX)]

# A transparent 1x1 GIF (43 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
# Every open and click must reach the server: no cache between the reader and us keeps one.
NO_STORE = {
    "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0, private",
    "Pragma": "no-cache",
    "Expires": "0",
}
_NOT_FOUND = "no such link"


# -- the open pixel and click redirects: plain ASGI ---------------------------------------------


class PlainRoute(APIRoute):
    """A route FastAPI documents from its endpoint's signature as any other (parameters, answers),
    but whose requests `serve_<operation>` answers as plain ASGI: no dependency solving, no
    validation, no Request or Response objects, which are most of what a one-statement request
    costs (the open pixel and click redirects are the hottest public paths). The endpoint
    function is the contract only and is never called."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in (self.methods or ()):
            await _send(send, 405, [(b"allow", b"GET, HEAD")], b"")
            return
        await _SERVE[self.operation_id](scope, receive, send)  # type: ignore[index]


tracking_router = APIRouter(route_class=PlainRoute, tags=["public"])

# Every open and click must reach the server: no cache between the reader and us keeps one.
_NO_STORE = [
    (b"cache-control", b"no-store, no-cache, must-revalidate, max-age=0, private"),
    (b"pragma", b"no-cache"),
    (b"expires", b"0"),
]
_GIF = [(b"content-type", b"image/gif"), (b"content-length", str(len(PIXEL)).encode()), *_NO_STORE]
_NOT_FOUND_BODY = dumps(
    {"type": TYPE_BASE + NotFound.code, "title": NotFound.title, "status": 404, "detail": _NOT_FOUND}
)
_NOT_FOUND_HEADERS = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(_NOT_FOUND_BODY)).encode())]


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _tracking(app: Any) -> Tracking:
    """Built once per app (the autocommit engine and the signer live as long as it does)."""
    tracking: Tracking | None = getattr(app.state, "tracking", None)
    if tracking is None:
        tracking = app.state.tracking = build_tracking(app.state.read_engine, signer_of_app(app))
    return tracking


def _reader(scope: Scope) -> tuple[Tracking, str, str | None, str | None]:
    app = scope["app"]
    agent = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"user-agent"), None)
    ip = client_address(scope, app.state.settings.trust_forwarded_for)
    return _tracking(app), scope["path_params"]["token"], ip, agent


async def _serve_click(scope: Scope, receive: Receive, send: Send) -> None:
    tracking, token, ip, agent = _reader(scope)
    url = await tracking.clicked(token, ip, agent) if len(token) <= TOKEN_MAX else None
    if url is None:
        await _send(send, 404, _NOT_FOUND_HEADERS, _NOT_FOUND_BODY)
        return
    await _send(send, 302, [(b"location", url.encode()), (b"content-length", b"0"), *_NO_STORE], b"")


async def _serve_open(scope: Scope, receive: Receive, send: Send) -> None:
    tracking, token, ip, agent = _reader(scope)
    if len(token) > TOKEN_MAX or not await tracking.opened(token, ip, agent):
        await _send(send, 404, _NOT_FOUND_HEADERS, _NOT_FOUND_BODY)
        return
    await _send(send, 200, _GIF, PIXEL)


_SERVE = {"public_tracking_click": _serve_click, "public_tracking_open": _serve_open}


@tracking_router.get(
    "/public/t/c/{token}",
    operation_id="public_tracking_click",
    status_code=302,
    response_class=Response,
    summary="A link of a campaign message: records the click and redirects to the link's URL",
    description="Redirects only to the http(s) URL the token was signed for (the message's own link); "
    "a forged or altered token is a 404, never a redirect. A click also counts as an open. Never cached.",
    responses={302: {"description": "To the link's URL (Location)"}, **problem_responses(404)},
)
async def click(token: Token) -> None:
    """The contract; _serve_click answers."""


@tracking_router.get(
    "/public/t/o/{token}",
    operation_id="public_tracking_open",
    response_class=Response,
    summary="The open pixel of a campaign message: records an open, answers a transparent 1x1 GIF",
    description="Never cached. A token this server did not sign as an open pixel is a 404.",
    responses={200: {"content": {"image/gif": {}}, "description": "A transparent 1x1 GIF"}, **problem_responses(404)},
)
async def open_pixel(token: Token) -> None:
    """The contract; _serve_open answers."""


# -- one-click unsubscribe and bounces ---------------------------------------------------------


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
