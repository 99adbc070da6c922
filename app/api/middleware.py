"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs a task per request)."""

from __future__ import annotations

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import headers as h
from app.api.errors import problem


class RequestIdMiddleware:
    """Every response carries X-Request-ID: the client's (if sane) or a fresh one, plus whatever
    the request's handling left in `state["response_headers"]` (the RateLimit fields, also on an
    error's answer): one wrapper of `send` for both, as each layer costs every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        raw = request_id.encode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", raw), *state.get("response_headers", ())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class SecurityHeadersMiddleware:
    """The headers of app/api/headers.py on every response, errors included (the outermost
    layer; a 500 is answered outside all middleware, so app/api/errors.py adds them there)."""

    def __init__(self, app: ASGIApp, *, force_hsts: bool, no_csp_paths: frozenset[str]) -> None:
        self.app = app
        self.force_hsts = force_hsts
        # Paths whose pages need scripts from elsewhere (the interactive docs).
        self.no_csp_paths = no_csp_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = h.common(self.force_hsts or scope.get("scheme") == "https")
        csp = scope["path"] not in self.no_csp_paths
        authenticated = any(name == b"authorization" for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                has_csp = has_cache = False
                for name, _ in headers:
                    if name == b"content-security-policy":
                        has_csp = True
                    elif name == b"cache-control":
                        has_cache = True
                headers.extend(added)
                if csp and not has_csp:
                    headers.append(h.API_CSP)
                if authenticated and not has_cache:
                    headers.append(h.NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413, by Content-Length or by counting a streamed body."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and not length.isdigit():
            response = problem(400, "Bad request", "Content-Length must be a number of bytes.", "bad-request")
            await response(scope, receive, send)
            return
        if length is not None and int(length) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "Request body too large",
            f"The body must be at most {self.max_bytes} bytes.",
            "request-body-too-large",
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def client_address(scope: Scope, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = dict(scope["headers"]).get(b"x-forwarded-for")
        if forwarded:
            return str(forwarded.decode("latin-1")).split(",")[0].strip()
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
