"""The worker's job that keeps `customer_metrics` current (migration 0038 explains the design).

Each round, in one transaction:
1. claims the customers the triggers noted (`customer_metrics_dirty`, in batches; one round runs
   at a time, the other workers skip theirs) and recomputes them (`customer_metrics_update`, migration
   0044: their metrics, their lifecycle rows and counts, their scores);
2. recomputes every customer of a tenant not refreshed whole today (the windows of 90 and 365
   days roll with the date, and a stage whose kind changed moves its deals), lifecycle included;
3. rescores: the changed customers only, against the quintile boundaries of the tenant's last full
   ranking (`customer_metrics_update`, migration 0044: the segment counts move by their deltas),
   and ranks a tenant in full (`customer_metrics_score` + `customer_metrics_bounds`) with its daily
   refresh, when it has no boundaries yet, or when the customers changed since its last ranking
   exceed `drift` of its scored customers.
A write claimed here and committed meanwhile is noted again by its trigger, so it is picked up by
the next round: nothing is lost between the claim and the refresh.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

BATCH = 5000
MAX_BATCHES = 20  # per round: a flood of writes is worked off over several minutes

_CLAIM = sa.text("""
    DELETE FROM customer_metrics_dirty d
    USING (SELECT tenant_id, customer_id FROM customer_metrics_dirty
           ORDER BY tenant_id, customer_id LIMIT :n FOR UPDATE SKIP LOCKED) x
    WHERE d.tenant_id = x.tenant_id AND d.customer_id = x.customer_id
    RETURNING d.tenant_id, d.customer_id""")
_STALE = sa.text("""
    SELECT t.id FROM tenants t LEFT JOIN customer_metrics_state s ON s.tenant_id = t.id
    WHERE s.refreshed_on IS NULL OR s.refreshed_on < :today ORDER BY t.id""")
_REFRESH = sa.text("SELECT customer_metrics_refresh(:tenant, :ids)")
_LIFECYCLE = sa.text("SELECT customer_lifecycle_refresh(:tenant, :ids)")
_MARK_REFRESHED = sa.text("""
    INSERT INTO customer_metrics_state (tenant_id, refreshed_on) VALUES (:tenant, :today)
    ON CONFLICT (tenant_id) DO UPDATE SET refreshed_on = excluded.refreshed_on""")
# One round at a time across workers: the rounds move the tenant-wide counts by deltas and rewrite
# them on a full ranking, which two rounds of one tenant side by side would trip over (a key
# inserted twice). A worker that finds a round running skips its own: the noted customers wait.
_ROUND_LOCK = sa.text("SELECT pg_try_advisory_xact_lock(hashtextextended('customer_metrics_round', 0))")
_UPDATE = sa.text("SELECT customer_metrics_update(:tenant, :ids, :now)")
_SCORE = sa.text("SELECT customer_metrics_score(:tenant, :now)")
_BOUNDS = sa.text("SELECT customer_metrics_bounds(:tenant)")
# Tenants whose boundaries are missing or drifted: ranked in full this round.
_DRIFTED = sa.text("""
    SELECT t.id FROM unnest(CAST(:tenants AS uuid[])) AS t(id)
    LEFT JOIN customer_metrics_state s ON s.tenant_id = t.id
    WHERE s.r_bounds IS NULL OR s.changed_since_rank > CAST(:drift AS float8) * greatest(s.ranked_customers, 1)""")
DRIFT = 0.02  # a full ranking once the changed customers pass 2% of the scored ones


class PgCustomerMetricsJob:
    def __init__(self, conn: AsyncConnection, drift: float = DRIFT) -> None:
        self.conn = conn
        self.drift = drift

    async def run(self, now: datetime, today: date) -> set[UUID]:
        """One round; returns the tenants ranked in full."""
        if not (await self.conn.execute(_ROUND_LOCK)).scalar():
            return set()
        touched: set[UUID] = set()
        full: set[UUID] = set()
        for _ in range(MAX_BATCHES):
            claimed = (await self.conn.execute(_CLAIM, {"n": BATCH})).all()
            by_tenant: dict[UUID, list[UUID]] = defaultdict(list)
            for tenant_id, customer_id in claimed:
                by_tenant[tenant_id].append(customer_id)
            for tenant_id, ids in sorted(by_tenant.items()):
                await self.conn.execute(_UPDATE, {"tenant": tenant_id, "ids": sorted(ids), "now": now})
                touched.add(tenant_id)
            if len(claimed) < BATCH:
                break
        for (tenant_id,) in (await self.conn.execute(_STALE, {"today": today})).all():
            await self.conn.execute(_REFRESH, {"tenant": tenant_id, "ids": None})
            await self.conn.execute(_LIFECYCLE, {"tenant": tenant_id, "ids": None})
            await self.conn.execute(_MARK_REFRESHED, {"tenant": tenant_id, "today": today})
            full.add(tenant_id)
        if touched - full:
            drifted = await self.conn.execute(_DRIFTED, {"tenants": sorted(touched - full), "drift": self.drift})
            full |= {tenant_id for (tenant_id,) in drifted}
        for tenant_id in sorted(full):
            await self.rank(tenant_id, now)
        return full

    async def rank(self, tenant_id: UUID, now: datetime) -> None:
        """The full ranking: exact quintiles, the segment counts rewritten, new boundaries."""
        await self.conn.execute(_SCORE, {"tenant": tenant_id, "now": now})
        await self.conn.execute(_BOUNDS, {"tenant": tenant_id})

    async def rebuild(self, tenant_id: UUID) -> None:
        await self.conn.execute(sa.text("SELECT customer_metrics_rebuild(:tenant)"), {"tenant": tenant_id})
        await self.conn.execute(_LIFECYCLE, {"tenant": tenant_id, "ids": None})
        await self.conn.execute(_BOUNDS, {"tenant": tenant_id})
