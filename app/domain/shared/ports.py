"""Ports every module's use cases share: the audit trail, the event outbox and the rate limiter
of endpoints open to anyone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from app.auth.principal import Principal


class NewEvent(NamedTuple):
    """An outbox event to publish with an audit entry: EventOutbox.publish's arguments, the tenant aside."""

    event_type: str
    entity: str
    entity_id: UUID
    payload: dict[str, Any]


class AuditTrail(Protocol):
    async def record(
        self,
        principal: Principal | None,
        action: str,
        entity: str,
        entity_id: UUID | None,
        changes: dict[str, Any] | None = None,
        *,
        tenant_id: UUID | None = None,
        events: Sequence[NewEvent] = (),
    ) -> None:
        """Append an audit entry; and publish `events` in the outbox of its tenant, in the same
        statement (one round trip where the entry and each event would take one each)."""
        ...


class EventOutbox(Protocol):
    async def publish(
        self,
        tenant_id: UUID,
        event_type: str,
        entity: str,
        entity_id: UUID,
        payload: dict[str, Any],
    ) -> None: ...


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """{field: {"before": x, "after": y}} for the fields that differ (audit change sets)."""
    before = before or {}
    after = after or {}
    return {
        k: {"before": before.get(k), "after": after.get(k)}
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


class RateLimiter(Protocol):
    async def hit(self, bucket: str, limit: int, window_seconds: int) -> int | None:
        """Count a hit; None when within the limit, else the seconds until the next is allowed.
        Counted even when the request then fails (outside its transaction)."""
        ...
