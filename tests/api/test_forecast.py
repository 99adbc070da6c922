"""Targets and the forecast over HTTP: targets per user and department, the forecast's sums per
group within the caller's range, targets and gaps, and months summing into a quarter."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.api.identity_support import bearer, login
from tests.builders import Factory, User, World

STAGES = [
    {"name": "Open", "probability": 50},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


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


async def deal(client: httpx.AsyncClient, user: User, pipeline: dict, amount: str, close: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/customers", json={"name": f"Co {amount} {close}"}, headers=user.headers)
    body = {"name": "D", "customer_id": r.json()["id"], "amount": amount, "expected_close_date": close, **extra}
    r = await client.post("/api/v1/opportunities", json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def win(client: httpx.AsyncClient, user: User, pipeline: dict, made: dict) -> None:
    won = next(s["id"] for s in pipeline["stages"] if s["kind"] == "won")
    r = await client.post(f"/api/v1/opportunities/{made['id']}/stage", json={"stage_id": won}, headers=user.headers)
    assert r.status_code == 200, r.text


async def forecast(client: httpx.AsyncClient, user: User, **params) -> dict:  # type: ignore[no-untyped-def]
    r = await client.get("/api/v1/forecast", params={"period": "2026-Q4", **params}, headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_forecast_by_owner_in_range_with_targets(client: httpx.AsyncClient, world: World, pipeline: dict) -> None:
    u = world.users
    rep1, rep2, west = u["east_rep1"], u["east_rep2"], u["west_rep1"]
    won = await deal(client, rep1, pipeline, "1000", "2026-11-15")
    await win(client, rep1, pipeline, won)
    await deal(client, rep1, pipeline, "400", "2026-12-01", forecast_category="commit")
    await deal(client, rep1, pipeline, "200", "2026-10-02", forecast_category="best_case")
    await deal(client, rep1, pipeline, "999", "2027-01-05")  # next quarter: not counted
    await deal(client, rep2, pipeline, "300", "2026-10-20")
    await deal(client, west, pipeline, "5000", "2026-11-30")
    director = u["director"]
    for user, amount in ((rep1, "3000"), (rep2, "1000")):
        r = await client.post(
            "/api/v1/targets",
            json={"user_id": str(user.id), "period": "2026-Q4", "amount": amount},
            headers=director.headers,
        )
        assert r.status_code == 201, r.text
    # Monthly targets for the west rep add up to the quarter.
    for month in ("2026-10", "2026-11", "2026-12"):
        body = {"user_id": str(west.id), "period": month, "amount": "2000"}
        assert (await client.post("/api/v1/targets", json=body, headers=director.headers)).status_code == 201

    mine = await forecast(client, rep1)
    assert [line["key"] for line in mine["lines"]] == [str(rep1.id)]
    line = mine["lines"][0]
    assert Decimal(line["closed_won"]) == 1000 and line["won_count"] == 1
    assert Decimal(line["commit"]) == 400 and Decimal(line["best_case"]) == 200 and Decimal(line["pipeline"]) == 0
    assert Decimal(line["weighted_pipeline"]) == 300 and line["open_count"] == 2
    assert Decimal(line["target"]) == 3000 and Decimal(line["gap"]) == 2000
    assert (mine["period"], mine["start"], mine["end"]) == ("2026-Q4", "2026-10-01", "2027-01-01")

    team = await forecast(client, u["east_manager"])
    assert {line["key"] for line in team["lines"]} == {str(rep1.id), str(rep2.id)}
    assert Decimal(team["total"]["pipeline"]) == 300 and Decimal(team["total"]["closed_won"]) == 1000
    # the total's target is the shown groups' targets (3000 + 1000), its gap against what they closed
    assert Decimal(team["total"]["target"]) == 4000 and Decimal(team["total"]["gap"]) == 3000

    everyone = {line["key"]: line for line in (await forecast(client, director))["lines"]}
    assert Decimal(everyone[str(west.id)]["target"]) == 6000 and Decimal(everyone[str(west.id)]["pipeline"]) == 5000

    # A target without a deal in the period: its line shows the whole target as the gap, to
    # whoever's range holds the person (the rep, their manager, the director), and to nobody else.
    subject = u["east_manager"]  # sells nothing himself
    body = {"user_id": str(subject.id), "period": "2026-Q4", "amount": "700"}
    assert (await client.post("/api/v1/targets", json=body, headers=director.headers)).status_code == 201
    for viewer, sees in ((subject, True), (director, True), (rep1, False), (west, False)):
        lines = {line["key"]: line for line in (await forecast(client, viewer))["lines"]}
        assert (str(subject.id) in lines) == sees, viewer
        if sees:
            line = lines[str(subject.id)]
            assert Decimal(line["target"]) == 700 and Decimal(line["gap"]) == 700 and Decimal(line["closed_won"]) == 0
    team = await forecast(client, u["east_manager"])
    assert [line["key"] for line in team["lines"]] == sorted(line["key"] for line in team["lines"])
    assert Decimal(team["total"]["target"]) == 4700 and Decimal(team["total"]["gap"]) == 3700

    by_category = {line["key"]: line for line in (await forecast(client, director, group_by="category"))["lines"]}
    assert set(by_category) == {"closed", "commit", "best_case", "pipeline"}
    assert by_category["closed"]["target"] is None
    assert str(pipeline["id"]) in {
        line["key"] for line in (await forecast(client, director, group_by="pipeline"))["lines"]
    }


async def test_targets_and_forecast_rules(client: httpx.AsyncClient, world: World, pipeline: dict) -> None:
    u = world.users
    body = {"user_id": str(u["east_rep1"].id), "period": "2026-11", "amount": "100"}
    assert (await client.post("/api/v1/targets", json=body, headers=u["east_manager"].headers)).status_code == 403
    r = await client.post("/api/v1/targets", json=body, headers=u["director"].headers)
    assert r.status_code == 201 and r.json()["period_kind"] == "month" and r.json()["period_start"] == "2026-11-01"
    r = await client.post("/api/v1/targets", json=body, headers=u["director"].headers)
    assert r.status_code == 409
    both = {**body, "department_id": str(world.department_ids["Sales East"])}
    assert (await client.post("/api/v1/targets", json=both, headers=u["director"].headers)).status_code == 422
    bad = {**body, "period": "2026-Q5"}
    assert (await client.post("/api/v1/targets", json=bad, headers=u["director"].headers)).status_code == 422
    listed = (await client.get("/api/v1/targets", headers=u["east_rep1"].headers)).json()["items"]
    assert [t["amount"] for t in listed] == ["100.00"]
    assert (
        await client.get("/api/v1/forecast", params={"period": "2026-13"}, headers=u["director"].headers)
    ).status_code == 422
    assert (
        await client.get("/api/v1/forecast", params={"period": "2026"}, headers=u["agent1"].headers)
    ).status_code == 403
    assert (await client.get("/api/v1/forecast", params={"period": "2026"}, headers=u["it"].headers)).status_code == 403
    by_department = await forecast(client, u["director"], group_by="department")
    assert by_department["lines"] == []


async def test_targets_follow_the_opportunities_range(client: httpx.AsyncClient, world: World) -> None:
    """Who sees which targets: a rep their own, a manager their department's people and the
    department (sub-departments included, not the parent nor a sibling), director, admin and
    analyst all. Another's target is a 404 to change for whoever does not see it."""
    u, d = world.users, world.department_ids
    subjects = {
        "rep1": {"user_id": str(u["east_rep1"].id)},
        "rep2": {"user_id": str(u["east_rep2"].id)},
        "east_manager": {"user_id": str(u["east_manager"].id)},
        "west_rep": {"user_id": str(u["west_rep1"].id)},
        "east": {"department_id": str(d["Sales East"])},
        "west": {"department_id": str(d["Sales West"])},
        "sales": {"department_id": str(d["Sales"])},
    }
    made = {}
    for name, subject in subjects.items():
        r = await client.post(
            "/api/v1/targets", json={**subject, "period": "2026-Q4", "amount": "100"}, headers=u["director"].headers
        )
        assert r.status_code == 201, r.text
        made[r.json()["id"]] = name
    expected = {
        "east_rep1": {"rep1"},
        "east_rep2": {"rep2"},
        "west_rep1": {"west_rep"},
        "east_manager": {"rep1", "rep2", "east_manager", "east"},
        "west_manager": {"west_rep", "west"},
        "director": set(subjects),
        "admin": set(subjects),
        "analyst": set(subjects),
    }
    for who, names in expected.items():
        r = await client.get("/api/v1/targets", headers=u[who].headers)
        assert r.status_code == 200, (who, r.text)
        assert {made[t["id"]] for t in r.json()["items"]} == names, who
    assert (await client.get("/api/v1/targets", headers=u["it"].headers)).status_code == 403
    # A target keeper whose deals range is their department: others' targets do not exist for
    # them, and they set none outside it.
    keeper = await world.user("keeper", [], d["Sales East"])
    role = {
        "name": "East targets",
        "permissions": ["opportunities:read", "targets:read", "targets:manage"],
        "data_ranges": {"opportunities": {"range": "department"}},
    }
    r = await client.post("/api/v1/roles", json=role, headers=u["admin"].headers)
    assert r.status_code == 201, r.text
    r = await client.patch(
        f"/api/v1/users/{keeper.id}", json={"role_ids": [r.json()["id"]]}, headers=u["admin"].headers
    )
    assert r.status_code == 200, r.text
    keeper_headers = bearer((await login(client, keeper.email))["access_token"])
    ids = {name: i for i, name in made.items()}
    assert (
        await client.patch(f"/api/v1/targets/{ids['west']}", json={"amount": "1"}, headers=keeper_headers)
    ).status_code == 404
    assert (await client.delete(f"/api/v1/targets/{ids['west_rep']}", headers=keeper_headers)).status_code == 404
    r = await client.patch(f"/api/v1/targets/{ids['rep1']}", json={"amount": "150"}, headers=keeper_headers)
    assert r.status_code == 200 and r.json()["amount"] == "150.00"
    outside = {**subjects["west_rep"], "period": "2027", "amount": "5"}
    r = await client.post("/api/v1/targets", json=outside, headers=keeper_headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "user_id"
    inside = {**subjects["rep2"], "period": "2027", "amount": "5"}
    assert (await client.post("/api/v1/targets", json=inside, headers=keeper_headers)).status_code == 201
    # The forecast's idle people with targets agree with the list.
    by_owner = await forecast(client, u["east_manager"], group_by="owner")
    assert {line["key"] for line in by_owner["lines"]} == {
        subjects[n]["user_id"] for n in ("rep1", "rep2", "east_manager")
    }
