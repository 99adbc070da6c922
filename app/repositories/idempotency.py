"""Stored first responses for Idempotency-Key retries, in the caller's transaction: the response
is kept only if the change it describes commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories.tables import idempotency_keys as t


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_hash: bytes
    status_code: int
    body: bytes
    headers: dict[str, str]


class PgIdempotencyStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lock_and_find(
        self, tenant_id: UUID, principal_id: UUID, key: str, ttl_hours: int
    ) -> StoredResponse | None:
        """Take a transaction lock on the key (a concurrent retry waits for the first attempt to
        finish), then return the stored response if one is still fresh."""
        await self.conn.execute(
            sa.select(
                sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"idem:{tenant_id}:{principal_id}:{key}", 0))
            )
        )
        row = (
            await self.conn.execute(
                sa.select(t.c.request_hash, t.c.status_code, t.c.body, t.c.headers).where(
                    t.c.tenant_id == tenant_id,
                    t.c.principal_id == principal_id,
                    t.c.key == key,
                    t.c.created_at > sa.func.now() - sa.func.make_interval(0, 0, 0, 0, ttl_hours),
                )
            )
        ).first()
        return StoredResponse(row.request_hash, row.status_code, row.body, row.headers) if row else None

    async def save(self, tenant_id: UUID, principal_id: UUID, key: str, response: StoredResponse) -> None:
        values: dict[str, Any] = {
            "request_hash": response.request_hash,
            "status_code": response.status_code,
            "body": response.body,
            "headers": response.headers,
            "created_at": sa.func.now(),
        }
        stmt = insert(t).values(tenant_id=tenant_id, principal_id=principal_id, key=key, **values)
        # An expired entry under the same key is replaced.
        await self.conn.execute(
            stmt.on_conflict_do_update(index_elements=[t.c.tenant_id, t.c.principal_id, t.c.key], set_=values)
        )
