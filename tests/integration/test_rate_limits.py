"""The PostgreSQL sliding-window rate limiter (migration 0016) under a concurrent burst."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.rate_limits import PgRateLimiter


async def test_a_burst_gets_exactly_the_limit_through(engine: AsyncEngine) -> None:
    limiter, bucket = PgRateLimiter(engine), f"test:{uuid.uuid4()}"
    results = await asyncio.gather(*(limiter.hit(bucket, 5, 600) for _ in range(20)))
    assert sum(r is None for r in results) == 5
    # The refused wait until the first counted hit leaves the ten-minute window.
    assert all(r is not None and 590 <= r <= 601 for r in results if r is not None)
    other = await limiter.hit(f"{bucket}:other", 5, 600)
    assert other is None


async def test_hits_older_than_the_window_stop_counting(engine: AsyncEngine) -> None:
    limiter, bucket = PgRateLimiter(engine), f"test:{uuid.uuid4()}"
    assert [await limiter.hit(bucket, 2, 60) for _ in range(3)][:2] == [None, None]
    async with engine.begin() as conn:  # age the counted hits past the window
        await conn.execute(
            sa.text("UPDATE rate_limit_hits SET at = at - interval '61 seconds' WHERE bucket = :b"), {"b": bucket}
        )
    assert await limiter.hit(bucket, 2, 60) is None
    async with engine.connect() as conn:
        left = await conn.scalar(sa.text("SELECT count(*) FROM rate_limit_hits WHERE bucket = :b"), {"b": bucket})
    assert left == 1  # the expired hits were forgotten, the new one counted
