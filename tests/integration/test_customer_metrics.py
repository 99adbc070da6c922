"""The customer metrics rollup (migration 0038) against its definition (tests/customer_data.py).

- After the worker's round, every live customer's row equals the definition computed in Python
  from the source rows (purchases from orders and won deals without one, activity, complaints,
  CSAT), its scores the quintiles and segment map, its churn score the rule; the value table the
  all-time purchases per currency; the segment counts the scored rows summed.
- The same after random inserts, stage moves, cancellations, status changes, reassignments and
  (soft) deletions in many statements: the triggers note the customers, the next round recomputes
  them.
- Rescoring proportional to the change (migration 0044): between full rankings each customer's
  scores are its values placed against the boundaries stored by the last full ranking, the churn
  scores are exact at the round's time and the segment counts equal the rows summed (they move by
  deltas); a full ranking gives the exact quintiles again.
- The rebuild gives the same rows; lost_at follows the status.
- The lifecycle rollup (migration 0044) gives the live computation's figures, for the tenant and
  for departments, every grain, after every round of random changes (reassignments and status
  changes included) and after a rebuild.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Window
from app.domain.shared.clock import utcnow
from app.domain.shared.scope import DataRange, DataScope, Grant
from app.repositories.customer_analytics import PgCustomerAnalytics
from app.repositories.customer_metrics import PgCustomerMetricsJob
from app.repositories.tables import (
    customer_metrics,
    customer_metrics_dirty,
    customer_metrics_state,
    customer_monetary_bounds,
    customer_segment_counts,
    customer_values,
    customers,
)
from tests.builders import Factory, World
from tests.customer_data import CustomerData, definition, placed_scores, scores, snapshot, values

ZONE = ZoneInfo("Asia/Shanghai")
BASE = (
    "department_id", "status", "last_purchase_at", "purchases_365d", "orders_90d", "orders_prev_90d", "currency",
    "monetary_365d", "last_activity_at", "open_complaints", "latest_csat",
)  # fmt: skip
SCORES = ("recency_score", "frequency_score", "monetary_score", "rfm_segment", "churn_score")


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def run_round(engine: AsyncEngine, drift: float | None = None) -> set[UUID]:
    async with engine.begin() as conn:
        now = utcnow()
        job = PgCustomerMetricsJob(conn) if drift is None else PgCustomerMetricsJob(conn, drift=drift)
        return await job.run(now, now.date())


async def check(engine: AsyncEngine, tenant_id: UUID, exact: bool = True) -> dict[UUID, Any]:
    """The rollup against its definition; `exact`: the scores are the quintiles of a full ranking
    (otherwise they are checked against the stored boundaries only)."""
    snap = await snapshot(engine, tenant_id)
    async with engine.connect() as conn:
        rows = {
            r.customer_id: r
            for r in await conn.execute(sa.select(customer_metrics).where(customer_metrics.c.tenant_id == tenant_id))
        }
        stored_values = {
            (r.customer_id, r.currency): (r.won_value, r.purchases)
            for r in await conn.execute(sa.select(customer_values).where(customer_values.c.tenant_id == tenant_id))
        }
        counts = list(
            await conn.execute(
                sa.select(customer_segment_counts).where(customer_segment_counts.c.tenant_id == tenant_id)
            )
        )
        dirty = (
            await conn.execute(sa.select(sa.func.count()).where(customer_metrics_dirty.c.tenant_id == tenant_id))
        ).scalar()
        assert dirty == 0
        state = (
            await conn.execute(sa.select(customer_metrics_state).where(customer_metrics_state.c.tenant_id == tenant_id))
        ).one()
        scored_at = state.scored_at
        m_bounds = {
            r.currency: r.bounds
            for r in await conn.execute(
                sa.select(customer_monetary_bounds).where(customer_monetary_bounds.c.tenant_id == tenant_id)
            )
        }
    computed = {r.computed_at for r in rows.values()}
    live = {c.id for c in snap["customers"] if c.deleted_at is None}
    assert set(rows) == live
    # Each customer as of the time its row was computed (one round may span two computations).
    for at in computed:
        expected = definition(snap, at)
        for cid, row in rows.items():
            if row.computed_at == at:
                got = {k: getattr(row, k) for k in BASE}
                want = expected[cid]
                if want["monetary_365d"] is not None:
                    want["monetary_365d"] = Decimal(want["monetary_365d"]).quantize(Decimal("0.01"))
                assert got == want, (cid, got, want)
    base = {cid: {k: getattr(row, k) for k in BASE} for cid, row in rows.items()}
    want_scores = placed_scores(base, state.r_bounds, state.f_bounds, m_bounds, scored_at)
    if exact:
        assert scores(base, scored_at) == want_scores  # the boundaries place every customer at its quintile
    for cid, row in rows.items():
        assert {k: getattr(row, k) for k in SCORES} == want_scores[cid], cid
        assert (row.lost_at is not None) == (row.status == "lost"), cid
    assert stored_values == values(snap)
    summed: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for row in rows.values():
        if row.rfm_segment is not None:
            key = (row.department_id, row.recency_score, row.frequency_score, row.rfm_segment, row.currency)
            summed[key][0] += 1
            summed[key][1] += row.monetary_365d
    assert {
        (c.department_id, c.recency_score, c.frequency_score, c.rfm_segment, c.currency): [c.customers, c.monetary]
        for c in counts
    } == dict(summed)
    return rows


async def test_rollup_equals_its_definition_after_random_changes(engine: AsyncEngine, world: World) -> None:
    data = await CustomerData.build(engine, world, seed=15)
    await run_round(engine)
    rows = await check(engine, world.id)
    # The data tells the figures apart: scored and unscored customers, several segments, risks.
    assert {r.rfm_segment for r in rows.values()} - {None}
    assert len(Counter(r.churn_score for r in rows.values())) >= 3
    assert any(r.latest_csat for r in rows.values()) and any(r.open_complaints for r in rows.values())
    for _ in range(4):
        await data.churn(engine, rounds=8)
        await run_round(engine)
        rows = await check(engine, world.id)
    # A rebuild gives the same rows.
    before = {cid: tuple(getattr(r, k) for k in (*BASE, *SCORES, "lost_at")) for cid, r in rows.items()}
    async with engine.begin() as conn:
        await PgCustomerMetricsJob(conn).rebuild(world.id)
    after = await check(engine, world.id)
    assert {cid: tuple(getattr(r, k) for k in (*BASE, *SCORES, "lost_at")) for cid, r in after.items()} == before


async def test_rescoring_between_full_rankings_is_proportional(engine: AsyncEngine, world: World) -> None:
    """With the drift threshold out of reach, rounds rescore only the changed customers against the
    last full ranking's boundaries: the boundaries stay, the other customers keep their scores, and
    every figure still equals its definition; a full ranking restores the exact quintiles."""
    data = await CustomerData.build(engine, world, seed=17, n_customers=80)
    await run_round(engine)
    first = await check(engine, world.id)
    t = world.id

    async def bounds() -> tuple[Any, ...]:
        async with engine.connect() as conn:
            st = (
                await conn.execute(sa.select(customer_metrics_state).where(customer_metrics_state.c.tenant_id == t))
            ).one()
            money = (
                await conn.execute(sa.select(customer_monetary_bounds).where(customer_monetary_bounds.c.tenant_id == t))
            ).all()
        return (
            st.r_bounds,
            st.f_bounds,
            st.ranked_customers,
            sorted((r.currency, r.bounds) for r in money),
            st.changed_since_rank,
        )

    ranked = await bounds()
    assert ranked[-1] == 0 and ranked[2] == sum(1 for r in first.values() if r.recency_score is not None)
    always_exact = True
    for _ in range(5):
        await data.churn(engine, rounds=8)
        assert await run_round(engine, drift=1e9) == set()  # no full ranking
        rows = await check(engine, t, exact=False)
        now_bounds = await bounds()
        assert now_bounds[:4] == ranked[:4] and now_bounds[-1] > 0
        always_exact = always_exact and are_quintiles(rows)
    # Somewhere the placement differed from a full ranking: the checks above told the two apart.
    assert not always_exact
    # The drift threshold reached: the next round ranks in full.
    await data.churn(engine, rounds=2)
    assert await run_round(engine, drift=0.0) == {t}
    await check(engine, t, exact=True)
    assert (await bounds())[-1] == 0


async def test_churn_follows_the_clock_between_full_rankings(engine: AsyncEngine, world: World) -> None:
    """A customer whose last touch passes 90 days after the last scoring gets its "no activity"
    points in the next round though nothing of it changed (migration 0044's clock)."""
    data = await CustomerData.build(engine, world, seed=19, n_customers=40)
    await run_round(engine)
    rows = await check(engine, world.id)
    t = world.id
    last = {cid: max(x for x in (r.last_activity_at, r.last_purchase_at) if x is not None)
            for cid, r in rows.items()
            if r.status != "lost" and (r.last_activity_at or r.last_purchase_at)}  # fmt: skip
    crosser = min((cid for cid in last if last[cid] < utcnow() - timedelta(days=91)), key=lambda c: last[c])
    before = last[crosser] + timedelta(days=90) - timedelta(hours=1)  # scored just before it crossed
    async with engine.begin() as conn:
        # The state as if the last scoring ran then: the crosser did not have the points yet.
        await conn.execute(
            customer_metrics_state.update().where(customer_metrics_state.c.tenant_id == t).values(scored_at=before)
        )
        await conn.execute(
            customer_metrics.update()
            .where(customer_metrics.c.tenant_id == t, customer_metrics.c.customer_id == crosser)
            .values(churn_score=rows[crosser].churn_score - 40)
        )
        other = next(cid for cid in data.customers if cid != crosser)  # a change, so the tenant has a round
        await conn.execute(
            customers.update().where(customers.c.tenant_id == t, customers.c.id == other).values(name="y")
        )
    assert await run_round(engine, drift=1e9) == set()
    after = await check(engine, t, exact=False)
    assert after[crosser].churn_score == rows[crosser].churn_score


def are_quintiles(rows: dict[UUID, Any]) -> bool:
    """Whether the stored scores happen to be the exact quintiles of the stored values."""
    base = {cid: {k: getattr(row, k) for k in BASE} for cid, row in rows.items()}
    exact = scores(base, utcnow())
    return all(
        {k: getattr(row, k) for k in SCORES[:4]} == {k: exact[cid][k] for k in SCORES[:4]} for cid, row in rows.items()
    )


async def lifecycle_both_ways(engine: AsyncEngine, world: World) -> int:
    """The rollup's lifecycle equals the live one for the tenant and each department; returns how
    many figures were compared that are not zero."""
    today = utcnow().astimezone(ZONE).date()
    windows = [
        Window.parse(today - timedelta(days=430), today, "month", today=today),
        Window.parse(today - timedelta(days=90), today, "week", today=today),
        Window.parse(today - timedelta(days=45), today - timedelta(days=3), "day", today=today),
        Window.parse(date(today.year - 1, 1, 1), today, "quarter", today=today),
        Window.parse(date(today.year - 1, 1, 1), today, "year", today=today),
        # Windows that cut their first bucket: customers touched before the cut and within it.
        Window.parse(date(today.year - 1, 6, 15), today, "year", today=today),
        Window.parse(date(today.year - 1, 8, 20), today, "quarter", today=today),
        Window.parse((today - timedelta(days=200)).replace(day=20), today, "month", today=today),
    ]
    user = world.users["director"].id
    scopes = [DataScope(world.id, user, (), (Grant(DataRange.ALL),))] + [
        DataScope(world.id, user, (d,), (Grant(DataRange.DEPARTMENT),)) for d in world.department_ids.values()
    ]
    nonzero = 0
    async with engine.connect() as conn:
        repo = PgCustomerAnalytics(conn)
        for scope in scopes:
            source = "all" if scope.grants[0].range == DataRange.ALL else "department"
            for window in windows:
                now = utcnow()
                rolled = await repo._lifecycle_rollup(scope, source, window, "Asia/Shanghai", now)
                live = await repo._lifecycle_live(scope, window, "Asia/Shanghai", 90, now)
                assert rolled == live, (source, scope.department_ids, window.grain)
                nonzero += sum(1 for counts in live.values() for n in counts.values() if n)
    return nonzero


async def test_lifecycle_rollup_equals_the_live_count(engine: AsyncEngine, world: World) -> None:
    data = await CustomerData.build(engine, world, seed=18, n_customers=70)
    await run_round(engine)
    assert await lifecycle_both_ways(engine, world) > 30
    for _ in range(4):
        await data.churn(engine, rounds=10)
        await run_round(engine, drift=1e9)
        await lifecycle_both_ways(engine, world)
    async with engine.begin() as conn:
        await PgCustomerMetricsJob(conn).rebuild(world.id)
    await lifecycle_both_ways(engine, world)


async def test_lost_at_follows_the_status(engine: AsyncEngine, world: World) -> None:
    data = await CustomerData.build(engine, world, seed=16, n_customers=6)
    t = world.id
    async with engine.begin() as conn:
        await conn.execute(customers.update().where(customers.c.tenant_id == t).values(status="active"))
    await run_round(engine)
    started = utcnow() - timedelta(seconds=1)
    one, two = data.customers[:2]
    async with engine.begin() as conn:
        await conn.execute(
            customers.update().where(customers.c.tenant_id == t, customers.c.id.in_([one, two])).values(status="lost")
        )
    await run_round(engine)
    rows = await check(engine, t)
    assert rows[one].lost_at >= started and rows[two].lost_at >= started
    assert all(r.lost_at is None for cid, r in rows.items() if cid not in (one, two))
    # A second edit of a lost customer keeps the time it became lost; leaving "lost" clears it.
    async with engine.begin() as conn:
        await conn.execute(customers.update().where(customers.c.tenant_id == t, customers.c.id == one).values(name="x"))
        await conn.execute(
            customers.update().where(customers.c.tenant_id == t, customers.c.id == two).values(status="active")
        )
    await run_round(engine)
    again = await check(engine, t)
    assert again[one].lost_at == rows[one].lost_at
    assert again[two].lost_at is None
