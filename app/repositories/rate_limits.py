"""Sliding-window rate limits in PostgreSQL (DESIGN.md section 10: the API is stateless; the
counters live in the database). Hits are written in their own transaction, so a request that
then fails still counts."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.tables import rate_limit_hits

h = rate_limit_hits


class PgRateLimiter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def hit(self, bucket: str, limit: int, window_seconds: int) -> int | None:
        window = timedelta(seconds=window_seconds)
        async with self.engine.begin() as conn:
            # One bucket's hits are counted one at a time, so a burst cannot slip past the limit.
            await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(bucket, 0))))
            await conn.execute(h.delete().where(h.c.bucket == bucket, h.c.at <= sa.func.now() - window))
            recent = (
                (await conn.execute(sa.select(h.c.at).where(h.c.bucket == bucket).order_by(h.c.at).limit(limit)))
                .scalars()
                .all()
            )
            if len(recent) >= limit:
                oldest = recent[0]
                now = (await conn.execute(sa.select(sa.func.now()))).scalar_one()
                return max(1, int((oldest + window - now).total_seconds()) + 1)
            await conn.execute(h.insert().values(bucket=bucket))
        return None
