"""The outbox as a work queue (DESIGN.md section 5): events claimed with FOR UPDATE SKIP LOCKED,
so any number of workers can run side by side without two taking one event; an event stays
claimed only for its worker's transaction, so a worker that dies mid-job loses nothing."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.notifications.entities import OutboxEvent
from app.repositories.tables import (
    XID8,
    idempotency_keys,
    login_failures,
    outbox,
    rate_limit_counters,
    rate_limit_hits,
    revoked_access_tokens,
    sync_departures,
    sync_horizons,
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
    old rate-limit hits and counters, old login failures, events processed long ago, and sync
    feeds' departures past retention."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def purge(
        self, idempotency_ttl: timedelta, keep_events: timedelta, keep_departures: timedelta = timedelta(days=30)
    ) -> dict[str, int]:
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
        done["sync_departures"] = await self._purge_departures(keep_departures)
        return done

    async def _purge_departures(self, keep: timedelta) -> int:
        """Sync feeds' `out_of_range` tombstones older than `keep`; each tenant's horizon keeps
        the newest purged transaction id, so a sync token at or below it answers 410 Gone."""
        d, h = sync_departures, sync_horizons
        gone = (
            d.delete().where(d.c.occurred_at < sa.func.now() - keep).returning(d.c.tenant_id, d.c.sync_xid).cte("gone")
        )
        newest = sa.select(gone.c.tenant_id, sa.func.max(gone.c.sync_xid, type_=XID8())).group_by(gone.c.tenant_id)
        horizon = insert(h).from_select(["tenant_id", "purged_xid"], newest)
        horizon = horizon.on_conflict_do_update(
            index_elements=[h.c.tenant_id],
            set_={"purged_xid": sa.func.greatest(h.c.purged_xid, horizon.excluded.purged_xid, type_=XID8())},
        )
        stmt = sa.select(sa.func.count()).select_from(gone).add_cte(horizon.cte("horizon"))
        return int((await self.conn.execute(stmt)).scalar_one())
