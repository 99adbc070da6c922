"""Request quotas shared by every API process, counted locally and synced in the background.

Fixed windows: a quota of `limit` requests per `window` seconds starts afresh at every multiple of
`window` since the epoch, in every process alike. Each process counts its requests per (key,
window) in memory and decides on

    the shared total at its last sync + the requests it counted since

so a request costs a dictionary lookup, no round trip. Every `sync_seconds` (and when the process
stops) one call to the `CounterStore` (one SQL statement, or one Redis pipeline) adds every key's
local count to the shared one and reads the new totals back. Other processes' requests are thus
seen at most one sync interval late: N processes can together let through up to one interval's
worth of their traffic beyond a limit. Distributed limiters commonly trade that for not putting
the store on every request's path. A store that fails (database or Redis down) keeps the counts
for the next try and lets the processes decide on what they have seen (open, not closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("crm.quotas")


@dataclass(frozen=True, slots=True)
class Quota:
    """A policy: `limit` requests per `window` seconds, named as in the RateLimit-Policy header."""

    policy: str
    limit: int
    window: int


@dataclass(slots=True)
class Decision:
    quota: Quota
    allowed: bool
    remaining: int
    # Seconds until the window ends (and the quota is whole again), at least 1.
    reset: int


class CounterStore(Protocol):
    async def add(self, counts: Sequence[tuple[str, int, float]]) -> dict[str, int]:
        """Add each (bucket, hits, window end as epoch seconds) to the shared counts (hits may be 0:
        read only) and return every bucket's total. A bucket lives until its window ends."""
        ...


class _Count:
    __slots__ = ("bucket", "ends", "pending", "shared")

    def __init__(self, bucket: str, ends: int) -> None:
        self.bucket = bucket  # the store's name for it: "<kind>:<id>:<window>:<start>"
        self.ends = ends
        self.shared = 0  # the store's total at the last sync (this process's synced hits included)
        self.pending = 0  # hits counted here since


class QuotaCounter:
    def __init__(self, store: CounterStore, sync_seconds: float = 0.25, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.sync_seconds = sync_seconds
        self.clock = clock
        self._counts: dict[tuple[tuple[str, Hashable], int, int], _Count] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def hit(self, key: tuple[str, Hashable], quota: Quota) -> Decision:
        """Count a request of `key` (a kind and an id: ("t", token id)) under `quota` unless that
        would exceed it. A refused request is not counted: hammering at 429 does not push the
        window's end further. On every request's path: a dictionary lookup, no string built."""
        now = self.clock()
        window = quota.window
        start = int(now // window) * window
        slot = (key, window, start)
        count = self._counts.get(slot)
        if count is None:
            count = self._counts[slot] = _Count(f"{key[0]}:{key[1]}:{window}:{start}", start + window)
        reset = max(1, math.ceil(count.ends - now))
        used = count.shared + count.pending
        if used >= quota.limit:
            return Decision(quota, False, 0, reset)
        count.pending += 1
        return Decision(quota, True, quota.limit - used - 1, reset)

    async def sync(self) -> None:
        """Send the local counts to the store and take its totals (one call for all buckets)."""
        async with self._lock:
            now = self.clock()
            for slot in [s for s, c in self._counts.items() if c.ends <= now]:
                del self._counts[slot]
            if not self._counts:
                return
            live = sorted(self._counts.values(), key=lambda c: c.bucket)
            sent = [(c, c.pending) for c in live]
            try:
                totals = await self.store.add([(c.bucket, n, c.ends) for c, n in sent])
            except Exception:  # keep counting locally; the pending hits go with the next sync
                if not self._failing:  # once per outage, not four times a second
                    log.warning("rate-limit counters cannot be synced; counting locally", exc_info=True)
                self._failing = True
                return
            if self._failing:
                log.warning("rate-limit counters synced again")
                self._failing = False
            for count, n in sent:
                total = totals.get(count.bucket)
                if total is not None:
                    # Requests counted during the call stay pending for the next sync.
                    count.pending -= n
                    count.shared = total

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.sync_seconds)
            await self.sync()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop syncing in the background, after a last sync (this process's counts must not be lost)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.sync()
