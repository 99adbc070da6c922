"""The permission matrix for the selling resources that are not owned records: pipelines (and
their board), targets and the forecast. Every system role x every action, stated by hand from the
role descriptions (nothing here asks the implementation): who sells, captures or analyses reads
the pipelines; the director and the administrator keep pipelines and targets; sellers and analysts
read targets and the forecast. The board and the forecast then hold exactly the deals inside the
caller's opportunities range: a rep's own, a manager's department's, the director's all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings
from tests.builders import Factory, World

STAGES = [
    {"name": "Open", "probability": 50},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]
# user in the world -> role
USERS = {
    "admin": "admin",
    "director": "sales_director",
    "east_manager": "sales_manager",
    "east_rep1": "sales_rep",
    "service_manager": "service_manager",
    "agent1": "service_agent",
    "marketer": "marketer",
    "analyst": "analyst",
    "it": "system_admin",
    "security": "security_admin",
    "audit": "audit_admin",
}
SELLERS = {"admin", "sales_director", "sales_manager", "sales_rep"}
ALLOWED: dict[str, set[str]] = {
    "pipelines.read": SELLERS | {"marketer", "analyst"},
    "pipelines.manage": {"admin", "sales_director"},
    # The board shows deals: opportunities read (marketing reads every deal, for campaign ROI).
    "board": SELLERS | {"analyst", "marketer"},
    "targets.read": SELLERS | {"analyst"},
    "targets.manage": {"admin", "sales_director"},
    "forecast": SELLERS | {"analyst"},
}
# Whose deals each user's board and forecast hold (the deals are made by these three sellers).
DEAL_OWNERS = ("east_rep1", "east_rep2", "west_rep1")
SEES = {
    "admin": set(DEAL_OWNERS),
    "director": set(DEAL_OWNERS),
    "analyst": set(DEAL_OWNERS),
    "marketer": set(DEAL_OWNERS),
    "east_manager": {"east_rep1", "east_rep2"},
    "east_rep1": {"east_rep1"},
}


@dataclass
class Setup:
    client: httpx.AsyncClient
    world: World
    pipeline: dict
    deal_amounts: dict[str, int]


@pytest.fixture(scope="module")
async def setup(app: object, engine: AsyncEngine, settings: Settings) -> AsyncIterator[Setup]:
    world = await Factory(engine, settings).sales_world()
    await world.user("security", ["security_admin"])
    await world.user("audit", ["audit_admin"])
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        director = world.users["director"].headers
        r = await client.post("/api/v1/pipelines", json={"name": "Matrix", "stages": STAGES}, headers=director)
        assert r.status_code == 201, r.text
        pipeline = r.json()
        amounts = {}
        for i, who in enumerate(DEAL_OWNERS):
            user = world.users[who]
            r = await client.post("/api/v1/customers", json={"name": f"Matrix Co {who}"}, headers=user.headers)
            amounts[who] = 1000 * (i + 1)
            body = {
                "name": f"Deal of {who}",
                "customer_id": r.json()["id"],
                "amount": str(amounts[who]),
                "pipeline_id": pipeline["id"],
                "expected_close_date": "2026-11-15",
            }
            r = await client.post("/api/v1/opportunities", json=body, headers=user.headers)
            assert r.status_code == 201, r.text
        yield Setup(client, world, pipeline, amounts)


def status(user: str, ability: str, ok: int) -> int:
    return ok if USERS[user] in ALLOWED[ability] else 403


@pytest.mark.parametrize("user", USERS)
async def test_pipelines(setup: Setup, user: str) -> None:
    c, headers, p = setup.client, setup.world.users[user].headers, setup.pipeline
    assert (await c.get("/api/v1/pipelines", headers=headers)).status_code == status(user, "pipelines.read", 200)
    assert (await c.get(f"/api/v1/pipelines/{p['id']}", headers=headers)).status_code == status(
        user, "pipelines.read", 200
    )
    r = await c.post("/api/v1/pipelines", json={"name": f"By {user}", "stages": STAGES}, headers=headers)
    assert r.status_code == status(user, "pipelines.manage", 201)
    if r.status_code == 201:
        made = r.json()
        r = await c.patch(
            f"/api/v1/pipelines/{made['id']}",
            json={"name": f"Renamed by {user}"},
            headers={**headers, "If-Match": f'W/"{made["version"]}"'},
        )
        assert r.status_code == 200, r.text
        assert (await c.delete(f"/api/v1/pipelines/{made['id']}", headers=headers)).status_code == 204
    else:  # nor may they change or delete an existing one
        r = await c.patch(
            f"/api/v1/pipelines/{p['id']}", json={"name": "x"}, headers={**headers, "If-Match": f'W/"{p["version"]}"'}
        )
        assert r.status_code == 403
        assert (await c.delete(f"/api/v1/pipelines/{p['id']}", headers=headers)).status_code == 403


@pytest.mark.parametrize("user", USERS)
async def test_board_holds_the_deals_in_range(setup: Setup, user: str) -> None:
    r = await setup.client.get(
        f"/api/v1/pipelines/{setup.pipeline['id']}/board", headers=setup.world.users[user].headers
    )
    assert r.status_code == status(user, "board", 200)
    if r.status_code == 200:
        columns = r.json()["columns"]
        names = {card["name"] for column in columns for card in column["cards"]}
        assert names == {f"Deal of {who}" for who in SEES[user]}
        assert sum(column["count"] for column in columns) == len(SEES[user])


@pytest.mark.parametrize("user", USERS)
async def test_targets(setup: Setup, user: str) -> None:
    c, headers = setup.client, setup.world.users[user].headers
    assert (await c.get("/api/v1/targets", headers=headers)).status_code == status(user, "targets.read", 200)
    subject = str(setup.world.users["east_rep2"].id)
    period = {"admin": "2027-01", "director": "2027-02"}.get(user, "2027-03")
    r = await c.post("/api/v1/targets", json={"user_id": subject, "period": period, "amount": "10"}, headers=headers)
    assert r.status_code == status(user, "targets.manage", 201)
    if r.status_code == 201:
        made = r.json()
        r = await c.patch(
            f"/api/v1/targets/{made['id']}",
            json={"amount": "20"},
            headers={**headers, "If-Match": f'W/"{made["version"]}"'},
        )
        assert r.status_code == 200, r.text
        assert (await c.delete(f"/api/v1/targets/{made['id']}", headers=headers)).status_code == 204


@pytest.mark.parametrize("user", USERS)
async def test_forecast_holds_the_deals_in_range(setup: Setup, user: str) -> None:
    r = await setup.client.get(
        "/api/v1/forecast", params={"period": "2026-Q4"}, headers=setup.world.users[user].headers
    )
    assert r.status_code == status(user, "forecast", 200)
    if r.status_code == 200:
        total = r.json()["total"]
        assert total["open_count"] == len(SEES[user])
        assert float(total["pipeline"]) == sum(setup.deal_amounts[who] for who in SEES[user])


def test_every_role_is_covered() -> None:
    from app.auth.permissions import SYSTEM_ROLES

    assert set(USERS.values()) == set(SYSTEM_ROLES)
