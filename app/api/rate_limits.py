"""Request quotas of the authenticated API (README "Rate limits").

Every authenticated request counts against one quota: its API token's when it came with one
(policy "token"), else its user's (policy "user"). The defaults come from the settings; a tenant
may set its own in its settings (`{"rate_limits": {"user": 1200, "token": 300, "window_seconds":
60}}`, each optional), read with the caller on the same statement. Past the quota: 429 with
Retry-After (the seconds until the window ends). Every answer to an authenticated request, 429
included, carries the fields of draft-ietf-httpapi-ratelimit-headers (structured fields):

    RateLimit-Policy: "user";q=100;w=10
    RateLimit: "user";r=42;t=7

The counting itself is app/domain/shared/quotas.py (local, synced to PostgreSQL or Redis).
"""

from __future__ import annotations

from typing import Any, TypeGuard
from uuid import UUID

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
        # Tenants' quotas, one object per (policy, limit, window): few, and reused by every request.
        self._quotas: dict[tuple[str, int, int], Quota] = {}

    def quota(self, token: bool, tenant: dict[str, Any] | None) -> Quota:
        default = self.token if token else self.user
        if not tenant:
            return default
        limit, window = tenant.get(default.policy), tenant.get("window_seconds")
        # A malformed entry falls back to the default rather than failing every request.
        limit = limit if _positive(limit) else default.limit
        window = window if _positive(window) else self.window
        key = (default.policy, limit, window)
        found = self._quotas.get(key)
        if found is None:
            if len(self._quotas) > 10_000:  # bounded, whatever tenants write in their settings
                self._quotas.clear()
            found = self._quotas[key] = Quota(*key)
        return found


def _positive(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# The RateLimit-Policy field of each quota, built once.
_POLICY_FIELDS: dict[Quota, bytes] = {}


def enforce(
    state: Any, counter: QuotaCounter, policies: QuotaPolicies, user_id: UUID, token_id: UUID | None, tenant: Any
) -> None:
    """Count the request or refuse it with 429. Either way the answer carries the RateLimit fields:
    `state` is the request's, whose `response_headers` RequestIdMiddleware adds to the response."""
    quota = policies.quota(token_id is not None, tenant if isinstance(tenant, dict) else None)
    decision = counter.hit(("t", token_id) if token_id is not None else ("u", user_id), quota)
    state.response_headers = headers(decision)
    if not decision.allowed:
        raise TooManyRequests(
            f"more than {quota.limit} requests in {quota.window} s for this {quota.policy}; try again later",
            retry_after=decision.reset,
            **{"violated-policies": [quota.policy]},
        )


def headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    q = decision.quota
    policy = _POLICY_FIELDS.get(q)
    if policy is None:
        if len(_POLICY_FIELDS) > 10_000:
            _POLICY_FIELDS.clear()
        policy = _POLICY_FIELDS[q] = f'"{q.policy}";q={q.limit};w={q.window}'.encode()
    return [
        (b"ratelimit-policy", policy),
        (b"ratelimit", f'"{q.policy}";r={decision.remaining};t={decision.reset}'.encode()),
    ]
