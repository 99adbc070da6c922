"""The outbox as a work queue (DESIGN.md section 5): events claimed with FOR UPDATE SKIP LOCKED,
so any number of workers can run side by side without two taking one event; an event stays
claimed only for its worker's transaction, so a worker that dies mid-job loses nothing."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.notifications.entities import OutboxEvent
from app.repositories.tables import (
    idempotency_keys,
    login_failures,
    outbox,
    rate_limit_counters,
    rate_limit_hits,
    revoked_access_tokens,
)

o = outbox
EVENT_COLUMNS = [o.c.tenant_id, o.c.id, o.c.event_type, o.c.entity, o.c.entity_id, o.c.payload, o.c.attempts]


class PgOutboxQueue:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def claim(self, limit: int) -> list[OutboxEvent]:
        """Due, unprocessed events, oldest first, locked for this transaction (others skip them)."""
        stmt = (
            sa.select(*EVENT_COLUMNS)
            .where(o.c.processed_at.is_(None), o.c.available_at <= sa.func.now())
            .order_by(o.c.available_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [OutboxEvent(*row) for row in await self.conn.execute(stmt)]

    async def done(self, tenant_id: UUID, event_id: UUID) -> None:
        await self.conn.execute(
            o.update().where(o.c.tenant_id == tenant_id, o.c.id == event_id).values(processed_at=sa.func.now())
        )

    async def retry_later(self, tenant_id: UUID, event_id: UUID, error: str, delay: timedelta) -> None:
        await self.conn.execute(
            o.update()
            .where(o.c.tenant_id == tenant_id, o.c.id == event_id)
            .values(attempts=o.c.attempts + 1, last_error=error[:2000], available_at=sa.func.now() + delay)
        )


class PgHousekeeping:
    """Rows that served their purpose: expired idempotency keys, revoked tokens past expiry,
    old rate-limit hits and counters, old login failures, and events processed long ago."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def purge(self, idempotency_ttl: timedelta, keep_events: timedelta) -> dict[str, int]:
        now = sa.func.now()
        done: dict[str, int] = {}
        for name, stmt in (
            (
                "idempotency_keys",
                idempotency_keys.delete().where(idempotency_keys.c.created_at < now - idempotency_ttl),
            ),
            ("revoked_access_tokens", revoked_access_tokens.delete().where(revoked_access_tokens.c.expires_at < now)),
            ("rate_limit_hits", rate_limit_hits.delete().where(rate_limit_hits.c.at < now - timedelta(days=1))),
            ("rate_limit_counters", rate_limit_counters.delete().where(rate_limit_counters.c.expires_at < now)),
            # Failures of accounts that never fail again (unknown emails of a spray) are not
            # pruned by the next failure's own clean-up (repositories/sessions.py).
            ("login_failures", login_failures.delete().where(login_failures.c.at < now - timedelta(hours=2))),
            ("outbox", o.delete().where(o.c.processed_at < now - keep_events)),
        ):
            done[name] = (await self.conn.execute(stmt)).rowcount
        return done
