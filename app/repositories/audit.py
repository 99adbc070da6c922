"""Append-only audit log and transactional outbox: both written on the caller's connection, so
they commit or roll back with the change they describe."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.principal import Principal
from app.domain.shared.ids import new_id
from app.repositories.tables import audit_log, outbox


def _jsonable(value: dict[str, Any]) -> Any:
    # Round-trip through orjson: UUIDs, dates and decimals become plain JSON values.
    return orjson.loads(orjson.dumps(value, default=str))


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
        await self.conn.execute(
            audit_log.insert().values(
                tenant_id=tid,
                id=new_id(),
                actor_id=principal.user_id if principal else None,
                api_token_id=principal.api_token_id if principal else None,
                action=action,
                entity=entity,
                entity_id=entity_id,
                changes=_jsonable(changes or {}),
                request_id=principal.request_id if principal else None,
                ip=principal.ip if principal else None,
            )
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
        await self.conn.execute(
            outbox.insert().values(
                tenant_id=tenant_id,
                id=new_id(),
                event_type=event_type,
                entity=entity,
                entity_id=entity_id,
                payload=_jsonable(payload),
            )
        )
