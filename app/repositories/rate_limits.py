"""Sliding-window rate limits in PostgreSQL (DESIGN.md section 10: the API is stateless; the
counters live in the database). A hit is one call of `rate_limit_hit` (migration 0016) on a
connection of its own (the composition root hands in the autocommit engine, whose pool is not the
request's), outside the request's transaction, so a request that then fails still counts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

HIT = sa.text("SELECT rate_limit_hit(:bucket, :limit, :window)")


class PgRateLimiter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def hit(self, bucket: str, limit: int, window_seconds: int) -> int | None:
        """None when allowed (the hit is counted), else the seconds to wait."""
        async with self.engine.connect() as conn:
            # Autocommit: the function's statement is its own transaction, no BEGIN/COMMIT trips.
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            retry = (await auto.execute(HIT, {"bucket": bucket, "limit": limit, "window": window_seconds})).scalar()
        return None if retry is None else int(retry)
