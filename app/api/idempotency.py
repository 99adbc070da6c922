"""Idempotency-Key on every POST that creates or acts: a retry with the same key and body returns
the first response (status, body, Location, ETag) and changes nothing; the same key with another
request is refused (422); a duplicate sent while the first is in flight waits for it.

One mechanism for all of them: routers use `IdempotentRoute`, which wraps each POST endpoint. A
request without the header goes straight to the endpoint (one header lookup). With the header, the
wrapper runs after the caller is authenticated, on the request's transaction: it locks the key,
replays a stored response, or lets the endpoint run and stores its response before the edge
commits (app/api/deps.py), so the response is kept exactly when the change it describes is.

Keys belong to the tenant and caller (the user, or the API token); on the public routes, to the
client address. They are remembered for CRM_IDEMPOTENCY_TTL_HOURS.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import inspect
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.dependencies.utils import get_typed_signature
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncConnection

from app.api.deps import Connection
from app.api.middleware import client_address
from app.domain.shared.errors import ValidationFailed
from app.repositories.idempotency import PgIdempotencyStore, StoredResponse
from app.settings import Settings

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("location", "etag", "content-type")

# POST operations that do not take the header, and why. Everything else that POSTs does.
EXEMPT: dict[str, str] = {
    "auth_login": "starts a session: the answer carries tokens, which are never stored; a repeat starts another",
    "auth_refresh": "rotates the refresh token: the answer carries tokens, which are never stored",
    "auth_logout": "ends a session: a repeat changes nothing",
    "auth_change_password": "a repeat with the old password is refused; the answer carries nothing to replay",
    "auth_signup": "the answer carries tokens, which are never stored; a repeat is refused (409, the email is taken)",
    "api_tokens_create": "the answer carries the token's secret, which is stored only as a digest",
    "kb_render": "changes nothing: renders a preview",
    "reports_run_export": "streams a file of the report as it is now; a repeat exports again (audited each time)",
    "marketing_bounce_webhook_rotate": "the answer carries the webhook's new secret, which is never stored for replay",
}

PARAMETER: dict[str, Any] = {
    "name": HEADER.lower(),  # as the contract always spelled it (header names are case-insensitive)
    "in": "header",
    "required": False,
    "description": "Makes the POST safe to retry: the same key and body return the first response (header "
    "`Idempotent-Replayed: true`) and change nothing; the same key with another request is refused (422). "
    "Keys belong to the caller (on public routes, to the client address) and are remembered for "
    "CRM_IDEMPOTENCY_TTL_HOURS (24 by default).",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}

# Public routes have neither tenant nor caller when the key is checked: keys are per client address.
_PUBLIC_TENANT = UUID(int=0)
_ADDRESS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "crm:idempotency:address")


class IdempotentRoute(APIRoute):
    """The route class of every /api/v1 router: a POST operation not in EXEMPT takes Idempotency-Key."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        self.idempotent = "POST" in methods and kwargs.get("operation_id") not in EXEMPT
        if self.idempotent:
            endpoint = _guarded(endpoint)
            extra = dict(kwargs.get("openapi_extra") or {})
            extra["parameters"] = [*extra.get("parameters", []), PARAMETER]
            kwargs["openapi_extra"] = extra
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not self.idempotent:
            return handler

        async def remember(request: Request) -> Response:
            key = request.headers.get(HEADER)
            if key is not None and not 0 < len(key) <= MAX_KEY_LENGTH:
                # Checked before anything else, so that every such route answers it alike.
                raise ValidationFailed.one(HEADER, f"must be 1 to {MAX_KEY_LENGTH} characters")
            response = await handler(request)
            # Still inside the request's transaction: the connection commits after this returns.
            pending: _Pending | None = request.scope.get("crm.idempotency")
            if pending is not None:
                await pending.save(response)
            return response

        return remember


class _Pending:
    """A key locked for this request, whose response is stored once the endpoint answered."""

    def __init__(self, store: PgIdempotencyStore, owner: tuple[UUID, UUID], key: str, fingerprint: bytes) -> None:
        self.store = store
        self.owner = owner
        self.key = key
        self.fingerprint = fingerprint

    async def save(self, response: Response) -> None:
        body = getattr(response, "body", None)
        if not isinstance(body, bytes | memoryview):
            return  # a streamed answer is not replayable
        keep = {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
        stored = StoredResponse(self.fingerprint, response.status_code, bytes(body), keep)
        await self.store.save(*self.owner, self.key, stored)


def _guarded(endpoint: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """The endpoint with the request and its connection added (FastAPI fills them in; the
    connection is the one the endpoint's services already share)."""
    signature = get_typed_signature(endpoint)  # as FastAPI reads it: annotations resolved

    # FastAPI hands the request to one parameter only: reuse the endpoint's own if it has one.
    own = next((p.name for p in signature.parameters.values() if p.annotation is Request), None)
    request_name = own or "idempotency_request_"

    @functools.wraps(endpoint)
    async def guarded(*, idempotency_conn_: AsyncConnection, **values: Any) -> Any:
        request: Request = values[request_name] if own else values.pop(request_name)
        key = request.headers.get(HEADER)
        if key is None:
            return await endpoint(**values)
        replay = await _check(request, idempotency_conn_, key)
        if replay is not None:
            return replay
        return await endpoint(**values)

    added = [inspect.Parameter("idempotency_conn_", inspect.Parameter.KEYWORD_ONLY, annotation=Connection)]
    if not own:
        added.append(inspect.Parameter(request_name, inspect.Parameter.KEYWORD_ONLY, annotation=Request))
    guarded.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *added]
    )
    return guarded


async def _check(request: Request, conn: AsyncConnection, key: str) -> Response | None:
    """Lock the key (a concurrent duplicate waits here until the first attempt commits or rolls
    back); replay its stored response, or leave a _Pending for the route to fill."""
    settings: Settings = request.app.state.settings
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        owner = (principal.tenant_id, principal.api_token_id or principal.user_id)
    else:
        address = client_address(request.scope, settings.trust_forwarded_for) or ""
        owner = (_PUBLIC_TENANT, uuid.uuid5(_ADDRESS_NAMESPACE, address))
    request_bytes = b"%s %s?%s\n%s" % (
        request.method.encode(),
        request.url.path.encode(),
        request.url.query.encode(),
        await request.body(),
    )
    store = PgIdempotencyStore(conn)
    stored = await store.lock_and_find(*owner, key, settings.idempotency_ttl_hours)
    if stored is not None:
        # Keyed digests (a body may hold a password); any verification key matches, so a
        # rotation of the signing key does not turn a retry into a refusal.
        secrets = settings.verification_keys.values()
        if not any(hmac.compare_digest(stored.request_hash, _digest(s, request_bytes)) for s in secrets):
            raise ValidationFailed.one(HEADER, "was already used with a different request")
        headers = {**stored.headers, "Idempotent-Replayed": "true"}
        return Response(stored.body, status_code=stored.status_code, headers=headers)
    fingerprint = _digest(settings.signing_key[1], request_bytes)
    request.scope["crm.idempotency"] = _Pending(store, owner, key, fingerprint)
    return None


def _digest(secret: str, data: bytes) -> bytes:
    return hmac.new(secret.encode(), data, hashlib.sha256).digest()
