"""Forecast history: weekly snapshots of the quarter's forecast, taken once per tenant and week
(a rerun, a second worker, a later pass of the same week take nothing), holding what GET /forecast
showed at that moment per currency, read back within each caller's range (own, department with
its sub-departments, all, narrowed by region: nothing), of one owner or one department; the
worker's job takes the current week of every tenant that has not."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.forecast.history import take_due_snapshots, take_snapshot, week_of
from app.repositories.forecast import PgForecastRepository
from app.repositories.forecast_history import PgSnapshots
from app.settings import Settings
from app.worker import Worker
from tests.api.identity_support import bearer, login
from tests.api.lead_activity_support import local_today
from tests.api.test_forecast import STAGES, deal, win
from tests.builders import Factory, World

PERIOD = "2026-Q4"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


@pytest.fixture
async def pipeline(client: httpx.AsyncClient, world: World) -> dict:
    r = await client.post(
        "/api/v1/pipelines", json={"name": "P", "stages": STAGES}, headers=world.users["director"].headers
    )
    assert r.status_code == 201, r.text
    return r.json()


async def snapshot(engine: AsyncEngine, world: World, today: date) -> bool:
    async with engine.begin() as conn:
        return await take_snapshot(PgSnapshots(conn), PgForecastRepository(conn), world.id, today)


async def totals(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    r = await client.get("/api/v1/forecast", params={"period": PERIOD}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["total"]  # type: ignore[no-any-return]


def cny(money: list[dict[str, str]]) -> Decimal:
    return sum((Decimal(m["amount"]) for m in money if m["currency"] == "CNY"), Decimal(0))


async def test_weekly_snapshots_follow_the_forecast_within_each_range(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World, pipeline: dict
) -> None:
    u, d = world.users, world.department_ids
    rep1, rep2, west, director = u["east_rep1"], u["east_rep2"], u["west_rep1"], u["director"]
    won_later = await deal(client, rep1, pipeline, "1000", "2026-11-15", forecast_category="commit")
    await deal(client, rep1, pipeline, "400", "2026-12-01", forecast_category="best_case")
    await deal(client, rep1, pipeline, "70", "2026-12-02", forecast_category="commit", currency="USD")
    await deal(client, rep2, pipeline, "300", "2026-10-20")
    await deal(client, west, pipeline, "5000", "2026-11-30", forecast_category="commit")
    await deal(client, rep2, pipeline, "999", "2027-01-05", forecast_category="commit")  # next quarter
    for user, amount in ((rep1, "3000"), (u["east_manager"], "500")):  # the manager sells nothing
        body = {"user_id": str(user.id), "period": PERIOD, "amount": amount}
        assert (await client.post("/api/v1/targets", json=body, headers=director.headers)).status_code == 201
    region = await client.post("/api/v1/regions", json={"code": "N", "name": "North"}, headers=u["admin"].headers)
    assert region.status_code == 201, region.text
    role = {
        "name": "Regional deals",
        "permissions": ["opportunities:read", "forecast:read"],
        "data_ranges": {"opportunities": {"range": "all", "regions": [region.json()["id"]]}},
    }
    r = await client.post("/api/v1/roles", json=role, headers=u["admin"].headers)
    assert r.status_code == 201, r.text
    regional = await world.user("regional", [], d["Sales East"])
    r = await client.patch(
        f"/api/v1/users/{regional.id}", json={"role_ids": [r.json()["id"]]}, headers=u["admin"].headers
    )
    assert r.status_code == 200, r.text
    viewers = {
        "rep1": rep1.headers,
        "east_manager": u["east_manager"].headers,
        "director": director.headers,
        "west": west.headers,
        "regional": bearer((await login(client, regional.email))["access_token"]),
    }
    seen_at: dict[str, list[dict[str, Any]]] = {name: [] for name in viewers}

    assert await snapshot(engine, world, date(2026, 10, 7))  # a Wednesday: the week of 5 October
    for name, headers in viewers.items():
        seen_at[name].append(await totals(client, headers))
    assert not await snapshot(engine, world, date(2026, 10, 9))  # the same week: taken already
    await win(client, rep1, pipeline, won_later)
    await deal(client, rep2, pipeline, "250", "2026-12-20", forecast_category="best_case")
    assert await snapshot(engine, world, date(2026, 10, 12))
    for name, headers in viewers.items():
        seen_at[name].append(await totals(client, headers))

    usd_commit = {"rep1": Decimal(70), "east_manager": Decimal(70), "director": Decimal(70)}
    for name, headers in viewers.items():
        r = await client.get("/api/v1/forecast/history", params={"period": PERIOD}, headers=headers)
        assert r.status_code == 200, (name, r.text)
        body = r.json()
        assert [w["week"] for w in body["weeks"]] == ["2026-10-05", "2026-10-12"], name
        for week, shown in zip(body["weeks"], seen_at[name], strict=True):
            usd = usd_commit.get(name, Decimal(0))
            assert cny(week["commit"]) == Decimal(shown["commit"]) - usd, (name, week)
            assert cny(week["best_case"]) == Decimal(shown["best_case"]), (name, week)
            assert cny(week["pipeline"]) == Decimal(shown["pipeline"]), (name, week)
            assert cny(week["closed_won"]) == Decimal(shown["closed_won"]), (name, week)
            usd_rows = [m for m in week["commit"] if m["currency"] == "USD"]
            assert usd_rows == ([{"currency": "USD", "amount": "70.00"}] if usd else []), (name, week)
            target = None if shown["target"] is None else Decimal(shown["target"])
            assert (None if week["target"] is None else Decimal(week["target"])) == target, (name, week)
    # How commit moved for the director: 1000 + 5000 then 5000 (the 1000 was won).
    director_weeks = (
        await client.get("/api/v1/forecast/history", params={"period": PERIOD}, headers=director.headers)
    ).json()["weeks"]
    assert [cny(w["commit"]) for w in director_weeks] == [Decimal(6000), Decimal(5000)]
    assert [cny(w["closed_won"]) for w in director_weeks] == [Decimal(0), Decimal(1000)]
    assert [cny(w["best_case"]) for w in director_weeks] == [Decimal(400), Decimal(650)]
    # One owner, one department (with those below it).
    one = await client.get(
        "/api/v1/forecast/history", params={"period": PERIOD, "owner": str(west.id)}, headers=director.headers
    )
    assert [cny(w["commit"]) for w in one.json()["weeks"]] == [Decimal(5000), Decimal(5000)]
    sales = await client.get(
        "/api/v1/forecast/history", params={"period": PERIOD, "department": str(d["Sales"])}, headers=director.headers
    )
    assert [cny(w["commit"]) for w in sales.json()["weeks"]] == [Decimal(6000), Decimal(5000)]
    east = await client.get(
        "/api/v1/forecast/history",
        params={"period": PERIOD, "department": str(d["Sales East"])},
        headers=director.headers,
    )
    assert [cny(w["commit"]) for w in east.json()["weeks"]] == [Decimal(1000), Decimal(0)]
    assert [w["target"] for w in east.json()["weeks"]] == ["3500.00", "3500.00"]
    # The rep asking for another's history gets only what their range holds: nothing.
    other = await client.get(
        "/api/v1/forecast/history", params={"period": PERIOD, "owner": str(west.id)}, headers=rep1.headers
    )
    assert [w["commit"] for w in other.json()["weeks"]] == [[], []]


async def test_history_rules_and_the_worker(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World, settings: Settings, pipeline: dict
) -> None:
    u = world.users
    await deal(client, u["east_rep1"], pipeline, "100", "2026-11-15", forecast_category="commit")
    for bad in ("2026-11", "2026", "2026-Q5", "soon"):
        r = await client.get("/api/v1/forecast/history", params={"period": bad}, headers=u["director"].headers)
        assert r.status_code == 422 and "period" in r.text, (bad, r.text)
    assert (await client.get("/api/v1/forecast/history", headers=u["director"].headers)).status_code == 422
    for who, status in (("agent1", 403), ("it", 403), ("marketer", 403), ("analyst", 200), ("east_rep1", 200)):
        r = await client.get("/api/v1/forecast/history", params={"period": PERIOD}, headers=u[who].headers)
        assert r.status_code == status, (who, r.text)
    # The worker's pass takes this tenant's current week (its local Monday), once.
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        due = {t.tenant_id for t in await PgSnapshots(conn).due(now)}
    assert world.id in due
    await Worker(engine, settings).run_jobs()
    async with engine.begin() as conn:
        assert world.id not in {t.tenant_id for t in await PgSnapshots(conn).due(now)}
        assert await take_due_snapshots(PgSnapshots(conn), PgForecastRepository(conn), now) == 0
    period = f"{local_today().year}-Q{(local_today().month - 1) // 3 + 1}"
    r = await client.get("/api/v1/forecast/history", params={"period": period}, headers=u["director"].headers)
    assert [w["week"] for w in r.json()["weeks"]] == [str(week_of(local_today()))]
