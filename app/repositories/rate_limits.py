"""Sliding-window rate limits in PostgreSQL (DESIGN.md section 10: the API is stateless; the
counters live in the database). A hit is one call of `rate_limit_hit` (migration 0016) on a
connection of its own (the composition root hands in the autocommit engine, whose pool is not the
request's), outside the request's transaction, so a request that then fails still counts.

The hit's implicit transaction commits asynchronously (`synchronous_commit` off for it alone): the
caller does not wait for its WAL flush, which a public form's request would otherwise wait for
twice (here and at its own commit). A crash can forget the last fraction of a second of hits,
that is let a few more submissions through, never refuse one."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.prepared import Prepared

# One autocommitted statement: set_config(..., true) lasts until the end of its own transaction.
_HIT = Prepared.of(
    sa.text("SELECT rate_limit_hit(:bucket, :limit, :window), set_config('synchronous_commit', 'off', true)")
    .bindparams(
        sa.bindparam("bucket", type_=sa.Text),
        sa.bindparam("limit", type_=sa.Integer),
        sa.bindparam("window", type_=sa.Integer),
    )
    .columns(retry=sa.Integer, sync=sa.Text)
)


class PgRateLimiter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def hit(self, bucket: str, limit: int, window_seconds: int) -> int | None:
        """None when allowed (the hit is counted), else the seconds to wait."""
        async with self.engine.connect() as conn:
            # Autocommit: the function's statement is its own transaction, no BEGIN/COMMIT trips.
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            rows = await _HIT.rows(auto, {"bucket": bucket, "limit": limit, "window": window_seconds})
        retry = rows[0][0]
        return None if retry is None else int(retry)
