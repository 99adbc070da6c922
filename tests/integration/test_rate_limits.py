"""The PostgreSQL sliding-window rate limiter (migration 0016) under a concurrent burst, and the
API's request counters (migration 0026)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

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


async def test_concurrent_syncs_of_the_same_counters_add_up(engine: AsyncEngine) -> None:
    """Processes syncing the same buckets at once (each in its own order of arrival) neither
    deadlock nor lose a hit: the statement upserts in bucket order."""
    from app.repositories.rate_limits import PgCounterStore

    store, ends = PgCounterStore(engine), time.time() + 60
    buckets = [f"test:{uuid.uuid4()}" for _ in range(5)]
    await asyncio.gather(*(store.add([(b, 1, ends) for b in sorted(buckets)]) for _ in range(20)))
    assert await store.add([(b, 0, ends) for b in sorted(buckets)]) == dict.fromkeys(buckets, 20)


async def test_housekeeping_deletes_ended_windows(engine: AsyncEngine) -> None:
    from app.repositories.outbox_queue import PgHousekeeping
    from app.repositories.rate_limits import PgCounterStore

    store, ended, live = PgCounterStore(engine), f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"
    await store.add([(ended, 3, time.time() - 1), (live, 2, time.time() + 60)])
    async with engine.begin() as conn:
        purged = await PgHousekeeping(conn).purge(timedelta(hours=24), timedelta(days=30))
    assert purged["rate_limit_counters"] >= 1
    assert await store.add([(ended, 0, 0), (live, 0, 0)]) == {live: 2}
