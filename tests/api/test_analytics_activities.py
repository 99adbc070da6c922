"""GET /analytics/activities and GET /analytics/sales/reasons against a direct computation.

Activities: after inserts, edits (done <-> planned, a new owner, a new time), soft and hard deletes,
one row or many per statement, the per-rep and per-type series and the weekday x hour heat map
equal a count in Python of the live done activities, in the tenant's zone, for every range: all
and department (read from the rollups), own (rollups for the series, the activities for the heat
map), all narrowed by region (the activities). Compaction and a rebuild change nothing.
Reasons: deals won or lost in the window per reason and currency, per range and pipeline."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain, Window, bucket_start
from app.domain.shared.ids import new_id
from app.repositories.tables import activities, activity_day_rollups, opportunities
from tests.api.lead_activity_support import (
    SHANGHAI,
    Data,
    instant_near_midnight,
    local_day,
    local_today,
    money,
    params,
    setup,
    window_bounds,
    windows,
)
from tests.builders import Factory, World

KINDS = ["call", "visit", "meeting", "task", "email", "note"]
STATUSES = ["done", "done", "done", "planned", "cancelled"]


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


def activity(data: Data, i: int) -> dict[str, Any]:
    rng = data.rng
    owner, department = rng.choice(data.people)
    return {
        "tenant_id": data.world.id, "id": new_id(), "kind": rng.choice(KINDS), "subject": f"A {i}",
        "occurred_at": instant_near_midnight(rng, local_today() - timedelta(days=rng.randint(0, 130))),
        "status": rng.choice(STATUSES), "owner_id": owner, "department_id": department,
        "customer_id": rng.choice([*data.customers, None]), "deleted_at": None,
    }  # fmt: skip


async def make_activities(engine: AsyncEngine, data: Data) -> None:
    """Inserts one by one and in batches, then edits and deletes through single and multi-row
    statements: the rollups' triggers see every kind of change."""
    rows = [activity(data, i) for i in range(260)]
    a = activities
    async with engine.begin() as conn:
        await conn.execute(a.insert(), rows[:200])
        for row in rows[200:]:
            await conn.execute(a.insert().values(row))
    rng = data.rng
    ids = [row["id"] for row in rows]
    async with engine.begin() as conn:
        for activity_id in rng.sample(ids, 20):  # done <-> planned
            await conn.execute(
                a.update()
                .where(a.c.tenant_id == data.world.id, a.c.id == activity_id)
                .values(status=sa.case((a.c.status == "done", "planned"), else_="done"))
            )
        owner, department = data.people[3]
        await conn.execute(  # many rows move to another owner at once
            a.update()
            .where(a.c.tenant_id == data.world.id, a.c.id.in_(rng.sample(ids, 25)))
            .values(owner_id=owner, department_id=department)
        )
        for activity_id in rng.sample(ids, 15):  # another time, maybe another day
            await conn.execute(
                a.update()
                .where(a.c.tenant_id == data.world.id, a.c.id == activity_id)
                .values(occurred_at=a.c.occurred_at + timedelta(hours=rng.choice([-30, -5, 3, 49])))
            )
        await conn.execute(
            a.update()
            .where(a.c.tenant_id == data.world.id, a.c.id.in_(rng.sample(ids, 15)))
            .values(deleted_at=datetime.now(UTC))
        )
        await conn.execute(a.delete().where(a.c.tenant_id == data.world.id, a.c.id.in_(rng.sample(ids, 10))))


async def live_activities(engine: AsyncEngine, data: Data) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        found = await conn.execute(sa.select(activities).where(activities.c.tenant_id == data.world.id))
        return [dict(row._mapping) for row in found]


async def check_activities(client: httpx.AsyncClient, data: Data, rows: list[dict[str, Any]]) -> int:
    checked = 0
    for viewer in data.viewers:
        if "activities" not in viewer.ranges:
            continue
        in_range = viewer.ranges["activities"]
        for window in windows():
            start, to = window_bounds(window[0], window[1])
            grain = Grain(window[2] or "month")
            buckets = Window(start, to + timedelta(days=1), grain).buckets()
            counted = [
                row for row in rows
                if row["deleted_at"] is None and row["status"] == "done" and in_range(row)
                and start <= local_day(row["occurred_at"]) <= to
            ]  # fmt: skip
            heat: dict[tuple[int, int], int] = defaultdict(int)
            for row in counted:
                local = row["occurred_at"].astimezone(SHANGHAI)
                heat[(local.isoweekday(), local.hour)] += 1
            for by in ("owner", "type"):
                r = await client.get(
                    "/api/v1/analytics/activities", params=params(*window, by=by), headers=viewer.headers
                )
                assert r.status_code == 200, (viewer.name, r.text)
                body = r.json()
                want: dict[str, dict[str, Any]] = {}
                for row in counted:
                    key = str(row["owner_id"]) if by == "owner" else row["kind"]
                    figures = want.setdefault(key, {"done": 0, "kinds": defaultdict(int), "buckets": defaultdict(int)})
                    figures["done"] += 1
                    figures["kinds"][row["kind"]] += 1
                    figures["buckets"][bucket_start(local_day(row["occurred_at"]), grain)] += 1
                got = {row["key"]: row for row in body["rows"]}
                context = (viewer.name, window, by)
                assert set(got) == set(want), context
                for key, figures in want.items():
                    assert got[key]["done"] == figures["done"], (context, key)
                    assert [p["bucket"] for p in got[key]["series"]] == [str(b) for b in buckets]
                    assert {p["bucket"]: p["done"] for p in got[key]["series"]} == {
                        str(b): figures["buckets"].get(b, 0) for b in buckets
                    }, (context, key)
                    if by == "owner":
                        assert {k["kind"]: k["done"] for k in got[key]["kinds"]} == dict(figures["kinds"]), (
                            context,
                            key,
                        )
                assert body["total"] == len(counted)
                assert {(c["weekday"], c["hour"]): c["done"] for c in body["heat_map"] if c["done"]} == dict(heat), (
                    context
                )
                assert len(body["heat_map"]) == 7 * 24
                checked += 1
    return checked


async def test_activity_figures_equal_a_direct_computation(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    data = await setup(client, engine, world, seed=3)
    await make_activities(engine, data)
    rows = await live_activities(engine, data)
    assert await check_activities(client, data, rows) >= 4 * 4 * 2
    # Folding the deltas, or recomputing the tenant, leaves every figure as it was.
    async with engine.begin() as conn:
        before = (
            await conn.execute(sa.select(sa.func.count()).where(activity_day_rollups.c.tenant_id == world.id))
        ).scalar_one()
        await conn.execute(sa.text("SELECT activity_rollups_compact()"))
        after = (
            await conn.execute(sa.select(sa.func.count()).where(activity_day_rollups.c.tenant_id == world.id))
        ).scalar_one()
    assert after <= before
    await check_activities(client, data, rows)
    async with engine.begin() as conn:
        await conn.execute(sa.text("SELECT activity_rollups_rebuild(:t)"), {"t": world.id})
    await check_activities(client, data, rows)


async def test_activity_drill_and_permissions(client: httpx.AsyncClient, engine: AsyncEngine, world: World) -> None:
    data = await setup(client, engine, world, seed=4)
    await make_activities(engine, data)
    u = world.users
    today = local_today()
    window = params(today - timedelta(days=130), today, "month", by="owner")
    body = (await client.get("/api/v1/analytics/activities", params=window, headers=u["director"].headers)).json()
    for row in body["rows"][:3]:
        for kind in row["kinds"]:
            drill = row["drill"]  # a kind's records: the row's drill-down with the kind added
            query = {**drill["query"], "kind": kind["kind"], "limit": 200}
            listed = await client.get(drill["path"], params=query, headers=u["director"].headers)
            assert listed.status_code == 200, listed.text
            assert len(listed.json()["items"]) == kind["done"], (row["key"], kind["kind"])
    expected = {"admin": 200, "director": 200, "east_manager": 200, "east_rep1": 200, "analyst": 200,
                "service_manager": 200, "agent1": 200, "marketer": 403, "it": 403}  # fmt: skip
    for who, status in expected.items():
        r = await client.get("/api/v1/analytics/activities", headers=u[who].headers)
        assert r.status_code == status, (who, r.text)
    # The service team owns none of these: its manager sees nothing of sales' activities.
    assert (
        await client.get("/api/v1/analytics/activities", params=window, headers=u["service_manager"].headers)
    ).json()["total"] == 0
    for bad, name in (({"by": "colour"}, "by"), ({"grain": "hour"}, "grain"), ({"to": "2026-13-01"}, "to")):
        r = await client.get("/api/v1/analytics/activities", params=bad, headers=u["director"].headers)
        assert r.status_code == 422 and name in r.text, (bad, r.text)


async def test_reasons_equal_a_direct_computation(client: httpx.AsyncClient, engine: AsyncEngine, world: World) -> None:
    data = await setup(client, engine, world, seed=9)
    rng = data.rng
    stage_of = {kind: sid for sid, kind in data.stages.items()}
    r = await client.post(
        "/api/v1/pipelines",
        json={"name": "Other", "stages": [{"name": "O", "probability": 10}, {"name": "W", "probability": 100,
              "kind": "won"}, {"name": "L", "probability": 0, "kind": "lost"}]},
        headers=world.users["director"].headers,
    )  # fmt: skip
    other = r.json()
    other_stages = {s["kind"]: s["id"] for s in other["stages"]}
    deals = []
    today = local_today()
    for i in range(140):
        owner, department = rng.choice(data.people)
        kind = rng.choice(["won", "lost", "lost", "open"])
        in_other = rng.random() < 0.25
        deals.append({
            "tenant_id": world.id, "id": new_id(), "name": f"R {i}", "customer_id": rng.choice(list(data.customers)),
            "amount": Decimal(rng.randint(1, 50000)) / 100, "currency": rng.choice(["CNY", "USD"]),
            "pipeline_id": other["id"] if in_other else data.pipeline_id,
            "stage_id": other_stages[kind] if in_other else stage_of[kind], "probability": 50,
            "forecast_category": "pipeline", "owner_id": owner, "department_id": department,
            "won_reason": rng.choice(["fit", "price", None]) if kind == "won" else None,
            "lost_reason": rng.choice(["price", "competitor", "timing"]) if kind == "lost" else None,
            "closed_at": None if kind == "open" else instant_near_midnight(rng, today - timedelta(rng.randint(0, 99))),
            "deleted_at": datetime.now(UTC) if rng.random() < 0.05 else None,
        })  # fmt: skip
    async with engine.begin() as conn:
        await conn.execute(opportunities.insert(), deals)
    kinds = {stage_of["won"]: "won", stage_of["lost"]: "lost", other_stages["won"]: "won", other_stages["lost"]: "lost"}
    for viewer in data.viewers:
        in_range = viewer.ranges["opportunities"]
        for window in windows():
            for pipeline in (None, other["id"]):
                r = await client.get(
                    "/api/v1/analytics/sales/reasons",
                    params=params(window[0], window[1], None, pipeline=pipeline),
                    headers=viewer.headers,
                )
                assert r.status_code == 200, r.text
                body = r.json()
                start, to = window_bounds(window[0], window[1])
                for outcome in ("won", "lost"):
                    want: dict[Any, list[Any]] = {}
                    for deal in deals:
                        if (kinds.get(deal["stage_id"]) != outcome or deal["deleted_at"] is not None
                                or not in_range(deal) or not start <= local_day(deal["closed_at"]) <= to
                                or (pipeline and str(deal["pipeline_id"]) != pipeline)):  # fmt: skip
                            continue
                        reason = deal[f"{outcome}_reason"]
                        entry = want.setdefault(reason, [0, defaultdict(Decimal)])
                        entry[0] += 1
                        entry[1][deal["currency"]] += deal["amount"]
                    got = {row["reason"]: row for row in body[outcome]["reasons"]}
                    context = (viewer.name, window, pipeline, outcome)
                    assert set(got) == set(want), context
                    for reason, (count, amounts) in want.items():
                        assert got[reason]["deals"] == count, context
                        assert got[reason]["amount"] == money(amounts), context
                    assert body[outcome]["deals"] == sum(c for c, _ in want.values())
    # A reason's drill-down lists its deals.
    director = world.users["director"]
    today = local_today()
    body = (
        await client.get(
            "/api/v1/analytics/sales/reasons",
            params=params(today - timedelta(days=130), today, None),
            headers=director.headers,
        )
    ).json()
    for outcome in ("won", "lost"):
        for row in body[outcome]["reasons"]:
            if row["reason"] is None:
                continue
            drill = row["drill"]
            listed = await client.get(drill["path"], params={**drill["query"], "limit": 200}, headers=director.headers)
            assert listed.status_code == 200, listed.text
            assert len(listed.json()["items"]) == row["deals"], (outcome, row["reason"])
    u = world.users
    expected = {"director": 200, "east_rep1": 200, "marketer": 200, "analyst": 200, "agent1": 403, "it": 403}
    for who, status in expected.items():
        assert (await client.get("/api/v1/analytics/sales/reasons", headers=u[who].headers)).status_code == status, who
    r = await client.get("/api/v1/analytics/sales/reasons", params={"pipeline": "nope"}, headers=director.headers)
    assert r.status_code == 422 and "pipeline" in r.text
