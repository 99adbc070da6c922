"""Append-only audit log and transactional outbox: both written on the caller's connection, so
they commit or roll back with the change they describe. Every write runs these, so the
statements are prepared once (app/repositories/prepared.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.auth.principal import Principal
from app.domain.shared.ids import new_id
from app.domain.shared.ports import NewEvent
from app.repositories.prepared import Prepared, StatementCache
from app.repositories.tables import audit_log, outbox

AUDIT_COLUMNS = (
    "tenant_id",
    "id",
    "actor_id",
    "api_token_id",
    "action",
    "entity",
    "entity_id",
    "changes",
    "request_id",
    "ip",
)
OUTBOX_COLUMNS = ("tenant_id", "id", "event_type", "entity", "entity_id", "payload")
_AUDIT = Prepared.insert(audit_log, AUDIT_COLUMNS)
_OUTBOX = Prepared.insert(outbox, OUTBOX_COLUMNS)


def _with_events(count: int) -> sa.ClauseElement:
    """The audit entry (bound by column name) as a CTE of the insert of `count` outbox rows
    (bound as event<i>_<column>)."""
    entry = audit_log.insert().values({c: sa.bindparam(c, type_=audit_log.c[c].type) for c in AUDIT_COLUMNS})
    rows = [{c: sa.bindparam(f"event{i}_{c}", type_=outbox.c[c].type) for c in OUTBOX_COLUMNS} for i in range(count)]
    return outbox.insert().values(rows).add_cte(entry.cte("entry"))


_WITH_EVENTS = StatementCache(8)


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
        events: Sequence[NewEvent] = (),
    ) -> None:
        tid = tenant_id or (principal.tenant_id if principal else None)
        assert tid is not None, "an audit entry needs a tenant"
        params = {
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
        }
        if not events:
            await _AUDIT.rows(self.conn, params)
            return
        for i, event in enumerate(events):
            params |= {
                f"event{i}_tenant_id": tid,
                f"event{i}_id": new_id(),
                f"event{i}_event_type": event.event_type,
                f"event{i}_entity": event.entity,
                f"event{i}_entity_id": event.entity_id,
                f"event{i}_payload": event.payload,
            }
        count = len(events)
        await _WITH_EVENTS.get(count, lambda: _with_events(count)).rows(self.conn, params)


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


DENIED = "permission.denied"


async def record_denied(
    engine: AsyncEngine, principal: Principal, target: str, target_id: UUID | None, changes: dict[str, Any]
) -> None:
    """A refused attempt, in a transaction of its own: the request's own rolls back, this stays
    (a security event the audit administrator reads: action `permission.denied`, entity
    `permission`, the target in `changes`)."""
    async with engine.begin() as conn:
        await conn.execute(
            audit_log.insert().values(
                tenant_id=principal.tenant_id, id=new_id(), actor_id=principal.user_id,
                api_token_id=principal.api_token_id, action=DENIED, entity="permission", entity_id=target_id,
                changes={"target": target, **changes}, request_id=principal.request_id, ip=principal.ip,
            )
        )  # fmt: skip
