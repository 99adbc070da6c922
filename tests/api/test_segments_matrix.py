"""The permission matrix of segments, every system role x every action, stated by hand: the
marketer (and the administrator) keep segments and freeze them into campaigns; the analyst reads
and previews them; nobody else sees them. A preview counts within the caller's own contacts and
leads ranges: a custom role with a department range on contacts, its own leads and a region
narrowing counts exactly those."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.conditions import parse, schema_for
from app.domain.shared.ids import new_id
from app.repositories.tables import campaigns
from tests.api.identity_support import bearer, login
from tests.builders import Factory, World
from tests.segment_data import build, holds

SEGMENTS = "/api/v1/segments"
ROLES = {
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
READERS = {"admin", "marketer", "analyst"}
KEEPERS = {"admin", "marketer"}
EMPTY = {"op": "and", "conditions": []}


@pytest.fixture
async def world(factory: Factory) -> World:
    w = await factory.sales_world()
    await w.user("security", ["security_admin"])
    await w.user("auditor", ["audit_admin"])
    return w


@pytest.mark.parametrize("user", [*sorted(ROLES), "security", "auditor"])
async def test_segments(client: httpx.AsyncClient, world: World, engine: AsyncEngine, user: str) -> None:
    role = ROLES.get(user, user)
    headers = world.users[user].headers
    reads, keeps = role in READERS, role in KEEPERS
    marketer = world.users["marketer"]
    seg = (await client.post(SEGMENTS, json={"name": "All", "conditions": EMPTY}, headers=marketer.headers)).json()
    campaign = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            campaigns.insert().values(
                tenant_id=world.id, id=campaign, name="C", campaign_type="event", owner_id=marketer.id
            )
        )
    read = 200 if reads else 403
    assert (await client.get(SEGMENTS, headers=headers)).status_code == read
    assert (await client.get(f"{SEGMENTS}/{seg['id']}", headers=headers)).status_code == read
    assert (await client.get(f"{SEGMENTS}/fields", headers=headers)).status_code == read
    assert (await client.post(f"{SEGMENTS}/{seg['id']}/preview", headers=headers)).status_code == read
    assert (await client.post(f"{SEGMENTS}/preview", json={"conditions": EMPTY}, headers=headers)).status_code == read
    r = await client.post(f"{SEGMENTS}/{seg['id']}/freeze", json={"campaign_id": str(campaign)}, headers=headers)
    assert r.status_code == (200 if keeps else 403)
    r = await client.post(SEGMENTS, json={"name": "Mine", "conditions": EMPTY}, headers=headers)
    assert r.status_code == (201 if keeps else 403)
    r = await client.patch(f"{SEGMENTS}/{seg['id']}", json={"name": "Renamed"}, headers=headers)
    assert r.status_code == (200 if keeps else 403)
    assert (await client.delete(f"{SEGMENTS}/{seg['id']}", headers=headers)).status_code == (204 if keeps else 403)
    if not keeps:
        await client.delete(f"{SEGMENTS}/{seg['id']}", headers=marketer.headers)
    r = await client.post(f"{SEGMENTS}/{seg['id']}/restore", headers=headers)
    assert r.status_code == (200 if keeps else 403)


async def test_a_preview_counts_within_the_callers_ranges(
    client: httpx.AsyncClient, engine: AsyncEngine, factory: Factory
) -> None:
    data = await build(engine, factory, seed=99)
    admin = await data.world.user("admin", ["admin"])
    east, region = data.departments[0], data.regions[0]
    role = {
        "name": "Regional marketer",
        "permissions": ["segments:read", "contacts:read", "leads:read"],
        "data_ranges": {
            "contacts": {"range": "department", "regions": [str(region)]},
            "leads": {"range": "own"},
        },
    }
    r = await client.post("/api/v1/roles", json=role, headers=admin.headers)
    assert r.status_code == 201, r.text
    person = await data.world.user("regional", [], east)
    r = await client.patch(f"/api/v1/users/{person.id}", json={"role_ids": [r.json()["id"]]}, headers=admin.headers)
    assert r.status_code == 200, r.text
    headers = bearer((await login(client, person.email))["access_token"])
    conditions = {"op": "or", "conditions": [{"field": "tags", "op": "has_any", "value": ["vip", "newsletter"]},
                                             {"field": "email", "op": "is_null", "value": False}]}  # fmt: skip
    tree = parse(conditions, schema_for(("contacts", "leads")))
    expected = {
        str(c.id) for c in data.live("contacts")
        if c.department_id == east and c.region_id == region and any(holds(x, c) for x in tree.conditions)
    } | {
        str(lead.id) for lead in data.live("leads")
        if lead.owner_id == person.id and any(holds(x, lead) for x in tree.conditions)
    }  # fmt: skip
    r = await client.post(f"{SEGMENTS}/preview", json={"audience": "both", "conditions": conditions}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["count"] == len(expected) and {s["id"] for s in r.json()["sample"]} <= expected
    # The whole tenant, as the administrator sees it, is more.
    r = await client.post(f"{SEGMENTS}/preview", json={"audience": "both", "conditions": conditions},
                          headers=admin.headers)  # fmt: skip
    assert r.json()["count"] > len(expected)
    # Without campaigns:update, no freeze.
    seg = (await client.post(SEGMENTS, json={"name": "S", "conditions": EMPTY}, headers=admin.headers)).json()
    r = await client.post(f"{SEGMENTS}/{seg['id']}/freeze", json={"campaign_id": str(new_id())}, headers=headers)
    assert r.status_code == 403
