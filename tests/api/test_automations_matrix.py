"""The permission matrix for automations, stated by hand from the role descriptions (nothing here
asks the implementation): marketing keeps the automations (and the administrator, who holds every
permission); the analyst reads them and their run log; no other role touches them. Another
tenant's automation does not exist for anyone (404)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings
from tests.builders import Factory, World

BASE = "/api/v1/automations"
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
}
ALLOWED: dict[str, set[str]] = {
    "read": {"admin", "marketer", "analyst"},
    "write": {"admin", "marketer"},
}
RULE = {"trigger": "lead.created", "actions": [{"type": "add_tag", "tag": "matrix"}]}


@dataclass
class Setup:
    client: httpx.AsyncClient
    world: World
    rule: dict[str, Any]
    foreign: dict[str, Any]  # another tenant's


@pytest.fixture(scope="module")
async def setup(app: object, engine: AsyncEngine, settings: Settings) -> AsyncIterator[Setup]:
    factory = Factory(engine, settings)
    world = await factory.sales_world()
    other = await factory.tenant()
    stranger = await other.user("marketer", ["marketer"])
    transport = httpx.ASGITransport(app=app, client=("203.0.113.11", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        r = await client.post(BASE, json={"name": "Matrix", **RULE}, headers=world.users["marketer"].headers)
        assert r.status_code == 201, r.text
        rule = r.json()
        r = await client.post(BASE, json={"name": "Theirs", **RULE}, headers=stranger.headers)
        assert r.status_code == 201, r.text
        yield Setup(client, world, rule, r.json())


def status(user: str, ability: str, ok: int) -> int:
    return ok if USERS[user] in ALLOWED[ability] else 403


@pytest.mark.parametrize("user", USERS)
async def test_automations(setup: Setup, user: str) -> None:
    c, headers, rule = setup.client, setup.world.users[user].headers, setup.rule
    r = await c.get(BASE, headers=headers)
    assert r.status_code == status(user, "read", 200)
    if r.status_code == 200:
        ids = {item["id"] for item in r.json()["items"]}
        assert rule["id"] in ids and setup.foreign["id"] not in ids
    assert (await c.get(f"{BASE}/{rule['id']}", headers=headers)).status_code == status(user, "read", 200)
    assert (await c.get(f"{BASE}/{rule['id']}/runs", headers=headers)).status_code == status(user, "read", 200)
    assert (await c.get(f"{BASE}/{setup.foreign['id']}", headers=headers)).status_code == status(user, "read", 404)
    r = await c.post(BASE, json={"name": f"By {user}", **RULE}, headers=headers)
    assert r.status_code == status(user, "write", 201)
    target = r.json()["id"] if r.status_code == 201 else rule["id"]
    r = await c.patch(f"{BASE}/{target}", json={"description": f"Changed by {user}"}, headers=headers)
    assert r.status_code == status(user, "write", 200)
    r = await c.patch(f"{BASE}/{setup.foreign['id']}", json={"description": "x"}, headers=headers)
    assert r.status_code == status(user, "write", 404)
    r = await c.post(f"{BASE}/{target}/dry-run", json={}, headers=headers)
    assert r.status_code == status(user, "write", 200)
    r = await c.delete(f"{BASE}/{target}", headers=headers)
    assert r.status_code == status(user, "write", 204)
    assert (await c.get(f"{BASE}/{rule['id']}", headers=headers)).status_code == status(user, "read", 200)
