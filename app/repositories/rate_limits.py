"""Rate limits in PostgreSQL: the public endpoints' sliding windows (`PgRateLimiter`) and the API's
request counters (`PgCounterStore`).

The public endpoints' limits are sliding windows (DESIGN.md section 10: the API is stateless;
the counters live in the database). A hit is one call of `rate_limit_hit` (migration 0016) on a
connection of its own (the composition root hands in the autocommit engine, whose pool is not the
request's), outside the request's transaction, so a request that then fails still counts.

The hit's implicit transaction commits asynchronously (`synchronous_commit` off for it alone): the
caller does not wait for its WAL flush, which a public form's request would otherwise wait for
twice (here and at its own commit). A crash can forget the last fraction of a second of hits,
that is let a few more submissions through, never refuse one."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
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


# The API's request counters (app/domain/shared/quotas.py): every bucket's local count added in
# one statement, the totals read back; buckets with nothing to add are only read. Rows in a fixed
# order, so two processes' upserts of the same buckets cannot deadlock.
_ADD_COUNTS = sa.text(
    """
    WITH input AS (
        SELECT * FROM unnest(:buckets, :hits, :ends) WITH ORDINALITY AS i(bucket, hits, ends, n)
    ), added AS (
        INSERT INTO rate_limit_counters AS c (bucket, hits, expires_at)
        SELECT bucket, hits, to_timestamp(ends) FROM input WHERE hits > 0 ORDER BY n
        ON CONFLICT (bucket) DO UPDATE SET hits = c.hits + excluded.hits
        RETURNING c.bucket, c.hits
    )
    SELECT bucket, hits FROM added
    UNION ALL
    SELECT c.bucket, c.hits FROM rate_limit_counters c JOIN input i ON i.bucket = c.bucket WHERE i.hits = 0
    """
).bindparams(
    sa.bindparam("buckets", type_=ARRAY(sa.Text)),
    sa.bindparam("hits", type_=ARRAY(sa.Integer)),
    sa.bindparam("ends", type_=ARRAY(sa.Float)),
)


class PgCounterStore:
    """`CounterStore` in PostgreSQL (rate_limit_counters, migration 0026), on the autocommit
    engine: one statement, its own transaction. The worker's housekeeping deletes ended windows."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, counts: Sequence[tuple[str, int, float]]) -> dict[str, int]:
        params = {
            "buckets": [c[0] for c in counts],
            "hits": [c[1] for c in counts],
            "ends": [c[2] for c in counts],
        }
        async with self.engine.begin() as conn:  # a no-op BEGIN/COMMIT on the autocommit engine
            rows = (await conn.execute(_ADD_COUNTS, params)).all()
        return {bucket: hits for bucket, hits in rows}
