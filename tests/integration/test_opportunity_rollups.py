"""The trigger-maintained opportunity rollups (migration 0010) against their definition: after any
mix of inserts, edits, moves, soft and hard deletes (one row or many per statement, concurrent
transactions, and the worker folding the rows meanwhile), a tenant's rollups equal the live deals
summed per key. And the board and forecast
give the same answer from the rollups as from the deals themselves (the path a region- or
type-narrowed data range takes)."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.forecast.periods import Period
from app.domain.forecast.service import GroupBy
from app.domain.pipelines.entities import Pipeline
from app.domain.shared.ids import new_id
from app.domain.shared.scope import DataRange, DataScope, Grant
from app.repositories import deal_sums
from app.repositories.deal_sums import PgRollupCompaction
from app.repositories.forecast import PgForecastRepository
from app.repositories.opportunities import PgOpportunityRepository
from app.repositories.pipelines import PgPipelineRepository
from app.repositories.tables import opportunities, opportunity_rollups, opportunity_stage_rollups, pipeline_stages
from tests.builders import Factory, World

STAGES = [
    {"name": "Lead in", "probability": 10},
    {"name": "Proposal", "probability": 60},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]
CATEGORIES = ["pipeline", "best_case", "commit", "omitted", "closed"]
Key = tuple[Any, ...]


async def expected(conn: Any, tenant_id: UUID) -> dict[Key, tuple[int, Decimal, Decimal]]:
    """The definition: live deals per key (their stage's kind as it is now), summed in Python."""
    o, s = opportunities, pipeline_stages
    sums: dict[Key, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    kinds = dict((await conn.execute(sa.select(s.c.id, s.c.kind).where(s.c.tenant_id == tenant_id))).all())
    rows = await conn.execute(
        sa.select(o).where(o.c.tenant_id == tenant_id, o.c.deleted_at.is_(None)),
    )
    for row in rows:
        month = row.expected_close_date.replace(day=1) if row.expected_close_date else None
        key = (row.pipeline_id, row.stage_id, kinds[row.stage_id], row.owner_id, row.department_id)
        key += (row.forecast_category, month)
        entry = sums[key]
        entry[0] += 1
        entry[1] += row.amount
        entry[2] += row.amount * row.probability / 100
    return {k: (n, a, w) for k, (n, a, w) in sums.items()}


async def stored(conn: Any, tenant_id: UUID) -> tuple[dict[Key, tuple[int, Decimal, Decimal]], int]:
    """The rollups summed per key (a key may hold several appended rows), and how many rows."""
    r = opportunity_rollups
    sums: dict[Key, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    rows = list(await conn.execute(sa.select(r).where(r.c.tenant_id == tenant_id)))
    for row in rows:
        entry = sums[(row.pipeline_id, row.kind, row.owner_id, row.department_id, row.forecast_category)
                     + (row.close_month,)]  # fmt: skip
        entry[0] += row.deals
        entry[1] += row.amount
        entry[2] += row.weighted
    return {k: (n, a, w) for k, (n, a, w) in sums.items() if (n, a, w) != (0, 0, 0)}, len(rows)


def fold(
    sums: dict[Key, tuple[int, Decimal, Decimal]], grain: Callable[[Key], Key]
) -> dict[Key, tuple[int, Decimal, Decimal]]:
    """The definition's sums folded to a rollup's grain."""
    folded: dict[Key, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for key, (n, a, w) in sums.items():
        entry = folded[grain(key)]
        entry[0] += n
        entry[1] += a
        entry[2] += w
    return {k: (n, a, w) for k, (n, a, w) in folded.items() if (n, a, w) != (0, 0, 0)}


async def stored_by_stage(conn: Any, tenant_id: UUID) -> tuple[dict[Key, tuple[int, Decimal, Decimal]], int]:
    r = opportunity_stage_rollups
    sums: dict[Key, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    rows = list(await conn.execute(sa.select(r).where(r.c.tenant_id == tenant_id)))
    for row in rows:
        entry = sums[(row.pipeline_id, row.stage_id, row.owner_id, row.department_id)]
        entry[0] += row.deals
        entry[1] += row.amount
        entry[2] += row.weighted
    return {k: (n, a, w) for k, (n, a, w) in sums.items() if (n, a, w) != (0, 0, 0)}, len(rows)


async def assert_in_step(engine: AsyncEngine, tenant_id: UUID) -> None:
    async with engine.connect() as conn:
        want, (have, _) = await expected(conn, tenant_id), await stored(conn, tenant_id)
        have_by_stage, _ = await stored_by_stage(conn, tenant_id)
    # the forecast's grain: the stage's kind, not the stage; the board's: pipeline, stage, owner, department
    assert have == fold(want, lambda key: (key[0], *key[2:]))
    assert have_by_stage == fold(want, lambda key: (key[0], key[1], key[3], key[4]))


async def compact(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await PgRollupCompaction(conn).compact()


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


@pytest.fixture
async def setup(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    director = world.users["director"]
    r = await client.post("/api/v1/pipelines", json={"name": "P", "stages": STAGES}, headers=director.headers)
    assert r.status_code == 201, r.text
    pipeline = r.json()
    customers = []
    for i in range(3):
        r = await client.post("/api/v1/customers", json={"name": f"Rollup Co {i}"}, headers=director.headers)
        customers.append(UUID(r.json()["id"]))
    owners = [
        (world.users[k].id, world.department_ids[d])
        for k, d in (("east_rep1", "Sales East"), ("east_rep2", "Sales East"), ("west_rep1", "Sales West"))
    ]
    return {
        "pipeline_id": UUID(pipeline["id"]),
        "stages": [UUID(s["id"]) for s in pipeline["stages"]],
        "customers": customers,
        "owners": owners,
    }


def new_deal(rng: random.Random, tenant_id: UUID, s: dict[str, Any]) -> dict[str, Any]:
    owner, department = rng.choice(s["owners"])
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "name": "deal",
        "customer_id": rng.choice(s["customers"]),
        "amount": Decimal(rng.randint(0, 10**7)) / 100,
        "currency": "CNY",
        "expected_close_date": rng.choice([None, date(2026, rng.randint(1, 12), rng.randint(1, 28))]),
        "pipeline_id": s["pipeline_id"],
        "stage_id": rng.choice(s["stages"]),
        "probability": rng.randint(0, 100),
        "forecast_category": rng.choice(CATEGORIES),
        "owner_id": owner,
        "department_id": rng.choice([department, None]),
    }


async def test_rollups_follow_every_kind_of_write(engine: AsyncEngine, world: World, setup: dict[str, Any]) -> None:
    rng = random.Random(2026)
    o = opportunities
    tenant = world.id
    ids: list[UUID] = []
    for _round in range(12):
        async with engine.begin() as conn:
            batch = [new_deal(rng, tenant, setup) for _ in range(rng.randint(1, 6))]
            await conn.execute(o.insert(), batch)
            ids += [d["id"] for d in batch]
            for _ in range(8):
                some = rng.sample(ids, k=min(len(ids), rng.randint(1, 3)))
                where = (o.c.tenant_id == tenant) & o.c.id.in_(some)
                change = rng.choice(
                    [
                        {"stage_id": rng.choice(setup["stages"])},
                        {"amount": Decimal(rng.randint(0, 10**6)) / 100},
                        {"probability": rng.randint(0, 100)},
                        {"forecast_category": rng.choice(CATEGORIES)},
                        {"expected_close_date": date(2026, rng.randint(1, 12), 15)},
                        {"owner_id": rng.choice(setup["owners"])[0]},
                        {"department_id": rng.choice(setup["owners"])[1]},
                        {"deleted_at": sa.func.now()},
                        {"deleted_at": None},
                        {"name": "renamed only"},
                    ]
                )
                await conn.execute(o.update().where(where).values(**change))
            if rng.random() < 0.3:
                gone = ids.pop(rng.randrange(len(ids)))
                await conn.execute(o.delete().where((o.c.tenant_id == tenant) & (o.c.id == gone)))
        await assert_in_step(engine, tenant)
        if _round % 4 == 3:  # the worker's fold: one row per key, the same sums
            await compact(engine)
            await assert_in_step(engine, tenant)
            async with engine.connect() as conn:
                sums, rows = await stored(conn, tenant)
                stage_sums, stage_rows = await stored_by_stage(conn, tenant)
            assert rows == len(sums) and stage_rows == len(stage_sums)
    # A rolled-back transaction leaves no trace.
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await conn.execute(o.update().where(o.c.tenant_id == tenant).values(amount=1))
            raise RuntimeError("abort")
    await assert_in_step(engine, tenant)


async def test_concurrent_moves_and_folds_keep_the_sums(
    engine: AsyncEngine, world: World, setup: dict[str, Any]
) -> None:
    rng = random.Random(7)
    o = opportunities
    tenant = world.id
    owner, department = setup["owners"][0]
    first, second = setup["stages"][:2]
    deals = []
    for stage in (first, second):
        deal = new_deal(rng, tenant, setup) | {
            "stage_id": stage,
            "owner_id": owner,
            "department_id": department,
            "forecast_category": "pipeline",
            "expected_close_date": date(2026, 11, 1),
        }
        deals.append(deal)
    async with engine.begin() as conn:
        await conn.execute(o.insert(), deals)

    async def shuttle(deal: dict[str, Any], stages: tuple[UUID, UUID]) -> None:
        for i in range(30):
            async with engine.begin() as conn:
                await conn.execute(
                    o.update()
                    .where(o.c.tenant_id == tenant, o.c.id == deal["id"])
                    .values(stage_id=stages[i % 2], amount=Decimal(i))
                )

    async def fold() -> None:
        for _ in range(10):
            await compact(engine)

    await asyncio.gather(shuttle(deals[0], (second, first)), shuttle(deals[1], (first, second)), fold(), fold())
    await assert_in_step(engine, tenant)


async def test_board_and_forecast_agree_with_and_without_rollups(
    engine: AsyncEngine, world: World, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(11)
    tenant = world.id
    async with engine.begin() as conn:
        await conn.execute(opportunities.insert(), [new_deal(rng, tenant, setup) for _ in range(60)])
    director = world.users["director"]
    east = world.department_ids["Sales East"]
    scopes = [
        DataScope(tenant, director.id, (), (Grant(DataRange.ALL),)),
        DataScope(tenant, director.id, (east,), (Grant(DataRange.DEPARTMENT),)),
        DataScope(tenant, setup["owners"][0][0], (east,), (Grant(DataRange.OWN),)),
    ]

    async def answers() -> list[Any]:
        out: list[Any] = []
        async with engine.connect() as conn:
            pipeline = await PgPipelineRepository(conn).get(tenant, setup["pipeline_id"])
            assert isinstance(pipeline, Pipeline)
            for scope in scopes:
                board = await PgOpportunityRepository(conn).board(scope, pipeline, 5)
                out.append([(c.stage_id, c.count, c.amount, c.weighted_amount) for c in board])
                for group_by in GroupBy:
                    out.append(await PgForecastRepository(conn).lines(scope, Period.parse("2026"), group_by))
        return out

    from_rollups = await answers()
    monkeypatch.setattr(deal_sums, "_narrowed", lambda scope: True)
    from_deals = await answers()
    assert from_rollups == from_deals
    assert any(column[1] for column in from_rollups[0])  # the data was not empty


async def test_a_stage_changing_kind_or_going_away_moves_its_deals_sums(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World, setup: dict[str, Any]
) -> None:
    rng = random.Random(5)
    tenant, director = world.id, world.users["director"]
    async with engine.begin() as conn:
        await conn.execute(opportunities.insert(), [new_deal(rng, tenant, setup) for _ in range(40)])
    lead_in, proposal, won, lost = setup["stages"]
    base = f"/api/v1/pipelines/{setup['pipeline_id']}/stages"

    async def forecast() -> list[Any]:
        async with engine.connect() as conn:
            repo = PgForecastRepository(conn)
            return [
                await repo.lines(DataScope(tenant, director.id, (), (Grant(DataRange.ALL),)), Period.parse("2026"), g)
                for g in GroupBy
            ]

    before = await forecast()
    for stage, kind in ((proposal, "won"), (proposal, "lost"), (lost, "open"), (lost, "lost"), (proposal, "open")):
        r = await client.patch(f"{base}/{stage}", json={"kind": kind}, headers=director.headers)
        assert r.status_code == 200, r.text
        await assert_in_step(engine, tenant)
    assert await forecast() == before  # every kind back where it was
    r = await client.patch(f"{base}/{proposal}", json={"kind": "won"}, headers=director.headers)
    assert r.status_code == 200, r.text
    moved = await forecast()
    assert moved != before
    assert sum(line.won_count for line in moved[0]) > sum(line.won_count for line in before[0])
    # A stage deleted with its deals moved to another of another kind.
    r = await client.delete(f"{base}/{proposal}", params={"move_to": str(lead_in)}, headers=director.headers)
    assert r.status_code == 200, r.text
    await assert_in_step(engine, tenant)


async def test_kind_changes_racing_deal_writes_keep_the_sums(
    engine: AsyncEngine, world: World, setup: dict[str, Any]
) -> None:
    """A deal write that read its stage's kind before a concurrent change of it committed must not
    file its delta under the kind the change moves away from (migration 0020's lock)."""
    rng = random.Random(13)
    o, s = opportunities, pipeline_stages
    tenant = world.id
    first, second = setup["stages"][:2]
    deals = [new_deal(rng, tenant, setup) | {"stage_id": rng.choice((first, second))} for _ in range(6)]
    async with engine.begin() as conn:
        await conn.execute(o.insert(), deals)

    async def shuffle(seed: int) -> None:
        moves = random.Random(seed)
        for _ in range(25):
            async with engine.begin() as conn:
                deal = moves.choice(deals)
                await conn.execute(
                    o.update()
                    .where(o.c.tenant_id == tenant, o.c.id == deal["id"])
                    .values(stage_id=moves.choice((first, second)), amount=Decimal(moves.randint(1, 10**5)))
                )
                await asyncio.sleep(0)

    async def flip() -> None:
        for i in range(25):
            async with engine.begin() as conn:
                kind = ("won", "lost", "open")[i % 3]
                await conn.execute(s.update().where(s.c.tenant_id == tenant, s.c.id == second).values(kind=kind))
                await asyncio.sleep(0)

    await asyncio.gather(shuffle(1), shuffle(2), flip(), compact(engine))
    await assert_in_step(engine, tenant)
