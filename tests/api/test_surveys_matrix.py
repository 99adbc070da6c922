"""The permission matrix for surveys, stated by hand from the role descriptions (nothing here asks
the implementation): service managers (and the administrator) keep the templates (surveys:manage);
they, agents and analysts read templates and results; agents and managers log call-backs
(surveys:create); nobody else touches surveys. Results, call-backs and a ticket's invitations then
hold exactly what lies inside the caller's tickets range: an agent's own, the manager's team's,
the administrator's and the analyst's all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings
from app.worker import Worker
from tests.builders import Factory, World

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
    # Marketing reads surveys to send an event's satisfaction survey (issue 14).
    "read": {"admin", "service_manager", "service_agent", "analyst", "marketer"},
    "manage": {"admin", "service_manager"},
    "call_back": {"admin", "service_manager", "service_agent"},
}
# Whose answered tickets each reader's results, call-backs and invitations hold.
AGENTS = ("agent1", "agent2", "agent_west")
SEES = {
    "admin": set(AGENTS),
    "analyst": set(AGENTS),
    "service_manager": {"agent1", "agent2"},  # the Service team, not Service West
    "agent1": {"agent1"},
    "marketer": set(),  # no tickets range: none of the ticket surveys' answers
}
QUESTIONS = [{"id": "sat", "type": "rating", "text": "Rate us", "required": True}]


@dataclass
class Setup:
    client: httpx.AsyncClient
    world: World
    survey: dict[str, Any]
    tickets: dict[str, dict[str, Any]]  # agent -> their resolved, answered ticket


@pytest.fixture(scope="module")
async def setup(app: object, engine: AsyncEngine, settings: Settings) -> AsyncIterator[Setup]:
    world = await Factory(engine, settings).sales_world()
    await world.user("agent2", ["service_agent"], world.department_ids["Service"])
    await world.user("agent_west", ["service_agent"], await world.department("Service West"))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        body = {"name": "Matrix CSAT", "questions": QUESTIONS, "is_ticket_csat": True}
        r = await client.post("/api/v1/surveys", json=body, headers=world.users["admin"].headers)
        assert r.status_code == 201, r.text
        survey = r.json()
        tickets = {}
        for agent in AGENTS:
            headers = world.users[agent].headers
            r = await client.post("/api/v1/tickets", json={"subject": f"Case of {agent}"}, headers=headers)
            ticket = r.json()
            move = {"status": "resolved", "solution": "Done"}
            r = await client.patch(f"/api/v1/tickets/{ticket['id']}", json=move, headers=headers)
            assert r.status_code == 200, r.text
            tickets[agent] = ticket
        worker = Worker(engine, settings)
        while await worker.process_batch():
            pass
        for agent, ticket in tickets.items():
            r = await client.get(
                f"/api/v1/tickets/{ticket['id']}/survey-invitations", headers=world.users[agent].headers
            )
            (invitation,) = r.json()["items"]
            r = await client.post(f"/api/v1/public/surveys/{invitation['token']}", json={"answers": {"sat": 5}})
            assert r.status_code == 200, r.text
            call = {"ticket_id": ticket["id"], "outcome": "not_reached"}
            r = await client.post("/api/v1/call-backs", json=call, headers=world.users[agent].headers)
            assert r.status_code == 201, r.text
        yield Setup(client, world, survey, tickets)


def status(user: str, ability: str, ok: int) -> int:
    return ok if USERS[user] in ALLOWED[ability] else 403


@pytest.mark.parametrize("user", USERS)
async def test_templates(setup: Setup, user: str) -> None:
    c, headers, s = setup.client, setup.world.users[user].headers, setup.survey
    assert (await c.get("/api/v1/surveys", headers=headers)).status_code == status(user, "read", 200)
    assert (await c.get(f"/api/v1/surveys/{s['id']}", headers=headers)).status_code == status(user, "read", 200)
    r = await c.post("/api/v1/surveys", json={"name": f"By {user}", "questions": QUESTIONS}, headers=headers)
    assert r.status_code == status(user, "manage", 201)
    target = r.json()["id"] if r.status_code == 201 else s["id"]
    r = await c.patch(f"/api/v1/surveys/{target}", json={"description": f"Changed by {user}"}, headers=headers)
    assert r.status_code == status(user, "manage", 200)
    if r.status_code == 200:
        assert (await c.delete(f"/api/v1/surveys/{target}", headers=headers)).status_code == 204
    else:
        assert (await c.delete(f"/api/v1/surveys/{target}", headers=headers)).status_code == 403
    assert (await c.get(f"/api/v1/surveys/{s['id']}", headers=headers)).status_code == status(user, "read", 200)


@pytest.mark.parametrize("user", USERS)
async def test_results_hold_the_responses_in_range(setup: Setup, user: str) -> None:
    c, w = setup.client, setup.world
    r = await c.get(f"/api/v1/surveys/{setup.survey['id']}/results", params={"group_by": "agent"},
                    headers=w.users[user].headers)  # fmt: skip
    assert r.status_code == status(user, "read", 200)
    if r.status_code == 200:
        res = r.json()
        assert res["responses"] == len(SEES[user])
        assert {g["key"] for g in res["groups"]} == {str(w.users[a].id) for a in SEES[user]}


@pytest.mark.parametrize("user", USERS)
async def test_call_backs_in_range(setup: Setup, user: str) -> None:
    c, w = setup.client, setup.world
    headers = w.users[user].headers
    r = await c.get("/api/v1/call-backs", headers=headers)
    assert r.status_code == status(user, "read", 200)
    if r.status_code == 200:
        assert {i["ticket_id"] for i in r.json()["items"]} >= {setup.tickets[a]["id"] for a in SEES[user]}
        seen = {i["ticket_id"] for i in r.json()["items"]}
        assert not seen & {setup.tickets[a]["id"] for a in set(AGENTS) - SEES[user]}
    # Logging one: about a customer-less ticket of the caller's range, or (for the others) 403.
    own = setup.tickets["agent1"]["id"]
    r = await c.post("/api/v1/call-backs", json={"ticket_id": own, "outcome": "refused"}, headers=headers)
    expected = status(user, "call_back", 201)
    if expected == 201 and "agent1" not in SEES.get(user, set()):
        expected = 422
    assert r.status_code == expected, r.text
    west = setup.tickets["agent_west"]["id"]
    r = await c.post("/api/v1/call-backs", json={"ticket_id": west, "outcome": "refused"}, headers=headers)
    assert r.status_code == (422 if user in ("service_manager", "agent1") else status(user, "call_back", 201))


@pytest.mark.parametrize("user", USERS)
async def test_ticket_invitations_in_range(setup: Setup, user: str) -> None:
    c, w = setup.client, setup.world
    for agent, ticket in setup.tickets.items():
        r = await c.get(f"/api/v1/tickets/{ticket['id']}/survey-invitations", headers=w.users[user].headers)
        if USERS[user] not in ALLOWED["read"] or user == "marketer":  # marketing reads no tickets at all
            assert r.status_code == 403
        elif agent in SEES[user]:
            assert r.status_code == 200 and [i["state"] for i in r.json()["items"]] == ["answered"]
        else:
            assert r.status_code == 404
