"""`CounterStore` in Redis (CRM_REDIS_URL set): the API's request counters as plain integer keys,
each expiring when its window ends. One sync is one pipeline (one round trip, no MULTI: each
INCRBY is atomic on its own): INCRBY and EXPIREAT for buckets with hits to add, GET for the others."""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as redis

PREFIX = "crm:rl:"


class RedisCounterStore:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> RedisCounterStore:
        return cls(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))

    async def add(self, counts: Sequence[tuple[str, int, float]]) -> dict[str, int]:
        pipe = self.client.pipeline(transaction=False)
        for bucket, hits, ends in counts:
            if hits > 0:
                pipe.incrby(PREFIX + bucket, hits)
                # A second past the window's end: clocks of the processes differ a little.
                pipe.expireat(PREFIX + bucket, int(ends) + 1)
            else:
                pipe.get(PREFIX + bucket)
        replies = iter(await pipe.execute())
        totals: dict[str, int] = {}
        for bucket, hits, _ in counts:
            value = next(replies)
            if hits > 0:
                next(replies)  # EXPIREAT's answer
            if value is not None:
                totals[bucket] = int(value)
        return totals

    async def close(self) -> None:
        await self.client.aclose()
