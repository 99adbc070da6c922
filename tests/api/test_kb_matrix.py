"""The permission matrix of the knowledge base, every system role x every action, stated by hand
from the role descriptions: the service manager (and the administrator) keep the knowledge base;
agents and analysts read it; sellers, marketers and IT see none of it. Readers see published
articles only (a draft answers 404); suggestions and links need the ticket within the caller's
tickets range (out of range: 404) and, for links, tickets:update."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.builders import Factory, World

KB = "/api/v1/kb/articles"
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
READERS = {"admin", "service_manager", "service_agent", "analyst"}
EDITORS = {"admin", "service_manager"}


@pytest.fixture
async def world(factory: Factory) -> World:
    w = await factory.sales_world()
    await w.user("agent2", ["service_agent"], w.department_ids["Service"])
    return w


async def _setup(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    editor = world.users["service_manager"].headers
    ids: dict[str, str] = {}
    for name, status in (("published", "published"), ("draft", "draft")):
        r = await client.post(KB, json={"title": f"打印机卡纸 {name}", "status": status}, headers=editor)
        ids[name] = r.json()["id"]
    tickets = "/api/v1/tickets"
    ids["own_ticket"] = (
        await client.post(tickets, json={"subject": "打印机卡纸"}, headers=world.users["agent1"].headers)
    ).json()["id"]
    ids["team_ticket"] = (
        await client.post(tickets, json={"subject": "打印机卡纸"}, headers=world.users["agent2"].headers)
    ).json()["id"]
    r = await client.post(tickets, json={"subject": "打印机卡纸", "owner_id": str(world.users["east_rep1"].id)},
                          headers=world.users["admin"].headers)  # fmt: skip
    ids["sales_ticket"] = r.json()["id"]
    return ids


@pytest.mark.parametrize("user", sorted(ROLES))
async def test_articles(client: httpx.AsyncClient, world: World, user: str) -> None:
    ids = await _setup(client, world)
    role, headers = ROLES[user], world.users[user].headers
    reads, edits = role in READERS, role in EDITORS

    r = await client.get(KB, headers=headers)
    assert r.status_code == (200 if reads else 403)
    if reads:
        expected = {ids["published"], ids["draft"]} if edits else {ids["published"]}
        assert {a["id"] for a in r.json()["items"]} == expected
    assert (await client.get(f"{KB}/{ids['published']}", headers=headers)).status_code == (200 if reads else 403)
    draft_status = 200 if edits else 404 if reads else 403
    assert (await client.get(f"{KB}/{ids['draft']}", headers=headers)).status_code == draft_status
    r = await client.post(f"{KB}/{ids['published']}/feedback", json={"helpful": True}, headers=headers)
    assert r.status_code == (200 if reads else 403)
    assert (await client.get("/api/v1/kb/categories", headers=headers)).status_code == (200 if reads else 403)

    allowed = 200 if edits else 403
    assert (await client.post(KB, json={"title": "new"}, headers=headers)).status_code == (201 if edits else 403)
    assert (await client.patch(f"{KB}/{ids['draft']}", json={"body": "x"}, headers=headers)).status_code == allowed
    assert (await client.get(f"{KB}/{ids['draft']}/versions", headers=headers)).status_code == allowed
    assert (await client.post(f"{KB}/{ids['draft']}/publish", headers=headers)).status_code == allowed
    assert (await client.post(f"{KB}/{ids['published']}/archive", headers=headers)).status_code == allowed
    r = await client.post("/api/v1/kb/categories", json={"name": "c"}, headers=headers)
    assert r.status_code == (201 if edits else 403)
    assert (await client.delete(f"{KB}/{ids['draft']}", headers=headers)).status_code == (204 if edits else 403)


# Which of the three tickets each role's tickets range holds (agent1's own, agent2's in the same
# team, and one of a sales rep's in Sales East); roles without kb:read get 403 whatever the ticket.
TICKETS_SEEN = {
    "admin": {"own_ticket", "team_ticket", "sales_ticket"},
    "service_manager": {"own_ticket", "team_ticket"},
    "service_agent": {"own_ticket"},
    "analyst": {"own_ticket", "team_ticket", "sales_ticket"},
}
LINKERS = {"admin", "service_manager", "service_agent"}  # tickets:update as well as kb:read


@pytest.mark.parametrize("user", sorted(ROLES))
async def test_ticket_suggestions_and_links(client: httpx.AsyncClient, world: World, user: str) -> None:
    ids = await _setup(client, world)
    role, headers = ROLES[user], world.users[user].headers
    for ticket in ("own_ticket", "team_ticket", "sales_ticket"):
        base = f"/api/v1/tickets/{ids[ticket]}"
        seen = ticket in TICKETS_SEEN.get(role, set())
        expected = 403 if role not in READERS else 200 if seen else 404
        r = await client.get(f"{base}/kb-suggestions", headers=headers)
        assert r.status_code == expected, (ticket, r.text)
        if expected == 200:
            assert [s["article"]["id"] for s in r.json()["items"]] == [ids["published"]]  # never the draft
        assert (await client.get(f"{base}/kb-links", headers=headers)).status_code == expected
        link_expected = 403 if role not in LINKERS else 201 if seen else 404
        r = await client.post(f"{base}/kb-links", json={"article_id": ids["published"]}, headers=headers)
        assert r.status_code == link_expected, (ticket, r.text)
        r = await client.delete(f"{base}/kb-links/{ids['published']}", headers=headers)
        assert r.status_code == {201: 204, 404: 404, 403: 403}[link_expected]
    r = await client.get(f"/api/v1/tickets/{uuid.uuid4()}/kb-suggestions", headers=headers)
    assert r.status_code == (404 if role in READERS else 403)
