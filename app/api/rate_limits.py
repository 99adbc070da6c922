"""Request quotas of the authenticated API (README "Rate limits").

Every authenticated request counts against one quota: its API token's when it came with one
(policy "token"), else its user's (policy "user"). The defaults come from the settings; a tenant
may set its own in its settings (`{"rate_limits": {"user": 1200, "token": 300, "window_seconds":
60}}`, each optional), read with the caller on the same statement. Past the quota: 429 with
Retry-After (the seconds until the window ends). Every answer to an authenticated request, 429
included, carries the fields of draft-ietf-httpapi-ratelimit-headers (structured fields):

    RateLimit-Policy: "user";q=600;w=60
    RateLimit: "user";r=42;t=17

The counting itself is app/domain/shared/quotas.py (local, synced to PostgreSQL or Redis).
"""

from __future__ import annotations

from typing import Any, TypeGuard
from uuid import UUID

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.shared.errors import TooManyRequests
from app.domain.shared.quotas import Decision, Quota, QuotaCounter
from app.settings import Settings

USER = "user"
TOKEN = "token"


class QuotaPolicies:
    """The quota a caller's requests count against: the settings' defaults, or the tenant's."""

    def __init__(self, settings: Settings) -> None:
        self.window = settings.rate_limit_window_seconds
        self.user = Quota(USER, settings.rate_limit_per_user, self.window)
        self.token = Quota(TOKEN, settings.rate_limit_per_token, self.window)

    def quota(self, token: bool, tenant: dict[str, Any] | None) -> Quota:
        default = self.token if token else self.user
        if not tenant:
            return default
        limit, window = tenant.get(default.policy), tenant.get("window_seconds")
        # A malformed entry falls back to the default rather than failing every request.
        limit = limit if _positive(limit) else default.limit
        window = window if _positive(window) else self.window
        if limit == default.limit and window == default.window:
            return default
        return Quota(default.policy, limit, window)


def _positive(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def enforce(
    state: Any, counter: QuotaCounter, policies: QuotaPolicies, user_id: UUID, token_id: UUID | None, tenant: Any
) -> None:
    """Count the request (`state`: the request's state, where the headers middleware finds the
    decision) or refuse it with 429."""
    quota = policies.quota(token_id is not None, tenant if isinstance(tenant, dict) else None)
    key = f"t:{token_id}" if token_id is not None else f"u:{user_id}"
    decision = counter.hit(key, quota)
    state.rate_limit = decision
    if not decision.allowed:
        raise TooManyRequests(
            f"more than {quota.limit} requests in {quota.window} s for this {quota.policy}; try again later",
            retry_after=decision.reset,
            **{"violated-policies": [quota.policy]},
        )


def headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    q = decision.quota
    return [
        (b"ratelimit-policy", f'"{q.policy}";q={q.limit};w={q.window}'.encode()),
        (b"ratelimit", f'"{q.policy}";r={decision.remaining};t={decision.reset}'.encode()),
    ]


class RateLimitHeadersMiddleware:
    """Adds the RateLimit fields to the response of a request that was counted (pure ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                decision = state.get("rate_limit")
                if decision is not None:
                    message["headers"] = [*message.get("headers", ()), *headers(decision)]
            await send(message)

        await self.app(scope, receive, send_with_limits)
