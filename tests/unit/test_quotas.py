"""QuotaCounter: local counting in fixed windows, synced through a CounterStore (here an in-memory
one standing for PostgreSQL or Redis; tests/api/test_rate_limits.py uses the real ones)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from app.domain.shared.quotas import Quota, QuotaCounter

T0 = 1_800_000_010.0
QUOTA = Quota("user", 5, 60)


class MemoryStore:
    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.calls: list[list[tuple[str, int, float]]] = []
        self.failing = False
        self.during: asyncio.Event | None = None  # set: the call waits for it

    async def add(self, counts: Sequence[tuple[str, int, float]]) -> dict[str, int]:
        self.calls.append(list(counts))
        if self.during is not None:
            await self.during.wait()
        if self.failing:
            raise ConnectionError("store down")
        for bucket, hits, _ in counts:
            if hits or bucket in self.totals:
                self.totals[bucket] = self.totals.get(bucket, 0) + hits
        return {b: self.totals[b] for b, _, _ in counts if b in self.totals}


def counter(store: MemoryStore, now: float = T0) -> QuotaCounter:
    return QuotaCounter(store, sync_seconds=3600, clock=lambda: now)


async def test_a_store_that_fails_keeps_the_counts_for_the_next_sync() -> None:
    store = MemoryStore()
    one = counter(store)
    for _ in range(3):
        assert one.hit(("u", 1), QUOTA).allowed
    store.failing = True
    await one.sync()  # logged, not raised
    assert one.hit(("u", 1), QUOTA).remaining == 1  # still decided locally
    store.failing = False
    await one.sync()
    assert store.totals == {"u:1:60:1800000000": 4}


async def test_hits_counted_while_a_sync_is_on_the_way_are_sent_with_the_next() -> None:
    store = MemoryStore()
    one = counter(store)
    one.hit(("u", 1), QUOTA)
    store.during = asyncio.Event()
    syncing = asyncio.create_task(one.sync())
    await asyncio.sleep(0)
    one.hit(("u", 1), QUOTA)  # during the call
    store.during.set()
    await syncing
    store.during = None
    assert store.totals["u:1:60:1800000000"] == 1
    assert one.hit(("u", 1), QUOTA).remaining == 2  # 1 shared + 1 pending + this one
    await one.sync()
    assert store.totals["u:1:60:1800000000"] == 3


async def test_other_processes_counts_arrive_with_the_sync() -> None:
    store = MemoryStore()
    one, two = counter(store), counter(store)
    for _ in range(4):
        two.hit(("u", 1), QUOTA)
    one.hit(("u", 1), QUOTA)
    await two.sync()
    await one.sync()
    decision = one.hit(("u", 1), QUOTA)
    assert not decision.allowed and decision.remaining == 0 and decision.reset == 50


async def test_ended_windows_are_forgotten_and_stop_syncs_a_last_time() -> None:
    store = MemoryStore()
    now = [T0]
    one = QuotaCounter(store, sync_seconds=3600, clock=lambda: now[0])
    one.hit(("u", 1), QUOTA)
    now[0] = T0 + 60  # the next window
    one.hit(("u", 2), QUOTA)
    one.start()
    await one.stop()
    assert store.calls == [[("u:2:60:1800000060", 1, 1800000120)]]
    await one.sync()  # nothing pending, one bucket to read
    assert store.calls[-1] == [("u:2:60:1800000060", 0, 1800000120)]
