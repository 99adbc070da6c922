"""Append-only audit log and transactional outbox: both written on the caller's connection, so
they commit or roll back with the change they describe. Every write runs these, so the
statements are prepared once (app/repositories/prepared.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.principal import Principal
from app.domain.shared.ids import new_id
from app.repositories.prepared import Prepared
from app.repositories.tables import audit_log, outbox

_AUDIT = Prepared.insert(
    audit_log,
    ("tenant_id", "id", "actor_id", "api_token_id", "action", "entity", "entity_id", "changes", "request_id", "ip"),
)
_OUTBOX = Prepared.insert(outbox, ("tenant_id", "id", "event_type", "entity", "entity_id", "payload"))


class PgAuditTrail:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record(
        self,
        principal: Principal | None,
        action: str,
        entity: str,
        entity_id: UUID | None,
        changes: dict[str, Any] | None = None,
        *,
        tenant_id: UUID | None = None,
    ) -> None:
        tid = tenant_id or (principal.tenant_id if principal else None)
        assert tid is not None, "an audit entry needs a tenant"
        await _AUDIT.rows(
            self.conn,
            {
                "tenant_id": tid,
                "id": new_id(),
                "actor_id": principal.user_id if principal else None,
                "api_token_id": principal.api_token_id if principal else None,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "changes": changes or {},
                "request_id": principal.request_id if principal else None,
                "ip": principal.ip if principal else None,
            },
        )


class PgEventOutbox:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def publish(
        self,
        tenant_id: UUID,
        event_type: str,
        entity: str,
        entity_id: UUID,
        payload: dict[str, Any],
    ) -> None:
        await _OUTBOX.rows(
            self.conn,
            {
                "tenant_id": tenant_id,
                "id": new_id(),
                "event_type": event_type,
                "entity": entity,
                "entity_id": entity_id,
                "payload": payload,
            },
        )
