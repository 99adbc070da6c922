"""Surveys over HTTP: templates (questions checked per type, fixed once answered, one ticket CSAT
survey), the invitation the worker makes when a ticket is resolved (once per resolution, the
earlier link revoked on a re-resolution), the public link (answered once, expiring, only its
answers, 404/409/410/422), call-backs (answers taken by phone count as channel call_back), and
results arithmetic (CSAT %, NPS, distributions, groups, comments) within the caller's range."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.surveys import service as survey_service
from app.repositories.tables import outbox, survey_responses
from app.settings import Settings
from app.worker import Worker
from tests.builders import Factory, World

SURVEYS = "/api/v1/surveys"
PUBLIC = "/api/v1/public/surveys"
CALL_BACKS = "/api/v1/call-backs"

CSAT_QUESTIONS: list[dict[str, Any]] = [
    {"id": "sat", "type": "rating", "text": "How satisfied are you?", "required": True},
    {"id": "nps", "type": "nps", "text": "Would you recommend us?"},
    {"id": "fast", "type": "single", "text": "Was it fast?", "choices": ["Yes", "No"]},
    {"id": "good", "type": "multiple", "text": "What was good?", "choices": ["Speed", "Friendliness", "Result"]},
    {"id": "say", "type": "text", "text": "Anything else?"},
]


@pytest.fixture
async def world(factory: Factory) -> World:
    w = await factory.sales_world()
    service = w.department_ids["Service"]
    await w.user("agent2", ["service_agent"], service)
    other_team = await w.department("Service West")
    await w.user("agent_west", ["service_agent"], other_team)
    return w


async def make_survey(client: httpx.AsyncClient, world: World, **body: Any) -> dict[str, Any]:
    body.setdefault("name", f"CSAT {uuid.uuid4().hex[:6]}")
    body.setdefault("questions", CSAT_QUESTIONS)
    r = await client.post(SURVEYS, json=body, headers=world.users["service_manager"].headers)
    assert r.status_code == 201, r.text
    return r.json()


async def resolved_ticket(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("subject", f"Printer jam {uuid.uuid4().hex[:6]}")
    r = await client.post("/api/v1/tickets", json=body, headers=headers)
    assert r.status_code == 201, r.text
    t = r.json()
    r = await client.patch(
        f"/api/v1/tickets/{t['id']}", json={"status": "resolved", "solution": "Fixed"}, headers=headers
    )
    assert r.status_code == 200, r.text
    return t


async def drain(engine: AsyncEngine, settings: Settings) -> None:
    worker = Worker(engine, settings)
    while await worker.process_batch():
        pass


async def invitations(client: httpx.AsyncClient, ticket: dict[str, Any], headers: dict[str, str]) -> list[dict]:
    r = await client.get(f"/api/v1/tickets/{ticket['id']}/survey-invitations", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


async def link_for(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, agent: str = "agent1"
) -> tuple[dict[str, Any], str]:
    """A resolved ticket of `agent` and the token of its invitation."""
    headers = world.users[agent].headers
    t = await resolved_ticket(client, headers)
    await drain(engine, settings)
    items = await invitations(client, t, headers)
    assert len(items) == 1 and items[0]["state"] == "pending"
    return t, items[0]["token"]


# -- templates ---------------------------------------------------------------------------------


async def test_templates_are_checked_per_question_type(client: httpx.AsyncClient, world: World) -> None:
    manager = world.users["service_manager"].headers
    made = await make_survey(client, world, questions=[*CSAT_QUESTIONS, {"type": "rating", "text": "Again?"}])
    assert [q["id"] for q in made["questions"]][:5] == ["sat", "nps", "fast", "good", "say"]
    assert made["questions"][5]["id"].startswith("q_") and made["questions"][0]["choices"] == []
    assert made["active"] is True and made["is_ticket_csat"] is False and made["link_valid_days"] == 14
    r = await client.get(f"{SURVEYS}/{made['id']}", headers=world.users["agent1"].headers)
    assert r.status_code == 200 and r.json()["questions"] == made["questions"]
    bad = [
        ([{"type": "single", "text": "Pick", "choices": ["Only one"]}], "questions.0.choices"),
        ([{"type": "multiple", "text": "Pick", "choices": ["A", "A"]}], "questions.0.choices"),
        ([{"type": "rating", "text": "Rate", "choices": ["A", "B"]}], "questions.0.choices"),
        ([{"id": "x", "type": "text", "text": "A"}, {"id": "x", "type": "text", "text": "B"}], "questions.1.id"),
        ([{"id": "no spaces", "type": "text", "text": "A"}], "questions.0.id"),
        ([], "questions"),
    ]
    for questions, field in bad:
        r = await client.post(SURVEYS, json={"name": "Bad", "questions": questions}, headers=manager)
        assert r.status_code == 422, (questions, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], r.json()
    for body in (
        {"name": "Bad", "questions": [{"type": "stars", "text": "A"}]},
        {"name": "Bad", "questions": [{"type": "text", "text": "A", "colour": "red"}]},
        {"name": "Bad", "questions": [{"type": "text", "text": "A"}], "tenant_id": str(uuid.uuid4())},
        {"name": "x" * 201, "questions": [{"type": "text", "text": "A"}]},
    ):
        assert (await client.post(SURVEYS, json=body, headers=manager)).status_code == 422
    r = await client.get(SURVEYS, headers=manager)
    assert [s["id"] for s in r.json()["items"]] == [made["id"]]  # nothing else was made
    r = await client.patch(f"{SURVEYS}/{made['id']}", json={"active": False, "name": "Renamed"}, headers=manager)
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["version"] == 2
    assert (await client.delete(f"{SURVEYS}/{made['id']}", headers=manager)).status_code == 204
    assert (await client.get(f"{SURVEYS}/{made['id']}", headers=manager)).status_code == 404


async def test_one_ticket_csat_survey_per_tenant(client: httpx.AsyncClient, world: World) -> None:
    manager = world.users["service_manager"].headers
    first = await make_survey(client, world, is_ticket_csat=True)
    second = await make_survey(client, world, is_ticket_csat=True)
    marks = {s["id"]: s["is_ticket_csat"] for s in (await client.get(SURVEYS, headers=manager)).json()["items"]}
    assert marks == {first["id"]: False, second["id"]: True}
    r = await client.patch(f"{SURVEYS}/{first['id']}", json={"is_ticket_csat": True}, headers=manager)
    assert r.status_code == 200
    marks = {s["id"]: s["is_ticket_csat"] for s in (await client.get(SURVEYS, headers=manager)).json()["items"]}
    assert marks == {first["id"]: True, second["id"]: False}


async def test_questions_of_an_answered_survey_are_fixed(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    manager = world.users["service_manager"].headers
    survey = await make_survey(client, world, is_ticket_csat=True)
    new_questions = {"questions": [{"type": "rating", "text": "Rate us"}]}
    r = await client.patch(f"{SURVEYS}/{survey['id']}", json=new_questions, headers=manager)
    assert r.status_code == 200 and len(r.json()["questions"]) == 1  # no responses yet: free to change
    _, token = await link_for(client, world, engine, settings)
    r = await client.post(f"{PUBLIC}/{token}", json={"answers": {r.json()["questions"][0]["id"]: 5}})
    assert r.status_code == 200, r.text
    r = await client.patch(f"{SURVEYS}/{survey['id']}", json={"questions": CSAT_QUESTIONS}, headers=manager)
    assert r.status_code == 409
    r = await client.patch(f"{SURVEYS}/{survey['id']}", json={"name": "Still renamable"}, headers=manager)
    assert r.status_code == 200 and len(r.json()["questions"]) == 1


# -- invitations -------------------------------------------------------------------------------


async def test_resolving_a_ticket_invites_once_per_resolution(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    agent = world.users["agent1"]
    r = await client.post("/api/v1/customers", json={"name": "Acme"}, headers=world.users["admin"].headers)
    customer = r.json()
    # No CSAT survey yet: a resolution invites nobody.
    before = await resolved_ticket(client, agent.headers, customer_id=customer["id"])
    await drain(engine, settings)
    assert await invitations(client, before, agent.headers) == []

    survey = await make_survey(client, world, is_ticket_csat=True, link_valid_days=7)
    t = await resolved_ticket(client, agent.headers, customer_id=customer["id"])
    await drain(engine, settings)
    await drain(engine, settings)  # nothing new: still one
    (first,) = await invitations(client, t, agent.headers)
    assert first["survey_id"] == survey["id"] and first["customer_id"] == customer["id"]
    assert first["owner_id"] == str(agent.id) and first["department_id"] == str(agent.department_id)
    assert first["path"] == f"/survey/{first['token']}" and len(first["token"]) >= 40
    expires = datetime.fromisoformat(first["expires_at"]) - datetime.fromisoformat(first["created_at"])
    assert timedelta(days=6, hours=23) < expires <= timedelta(days=7, minutes=1)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(outbox.c.payload).where(
                    outbox.c.tenant_id == world.id, outbox.c.event_type == "survey.invitation_created"
                )
            )
        ).all()
    assert [row.payload["path"] for row in rows] == [first["path"]]
    assert rows[0].payload["ticket_id"] == t["id"] and rows[0].payload["customer_id"] == customer["id"]

    # A reopen and a new resolution: a new link; the old one is revoked (410).
    r = await client.patch(f"/api/v1/tickets/{t['id']}", json={"status": "open"}, headers=agent.headers)
    assert r.status_code == 200
    r = await client.patch(f"/api/v1/tickets/{t['id']}", json={"status": "resolved"}, headers=agent.headers)
    assert r.status_code == 200
    await drain(engine, settings)
    second, old = await invitations(client, t, agent.headers)
    assert (second["state"], old["state"], old["id"]) == ("pending", "revoked", first["id"])
    assert (await client.get(f"{PUBLIC}/{old['token']}")).status_code == 410
    assert (await client.get(f"{PUBLIC}/{second['token']}")).status_code == 200

    # Another agent's ticket stays out of reach; sales reps have no surveys permission.
    assert (await client.get(f"/api/v1/tickets/{t['id']}/survey-invitations",
                             headers=world.users["agent_west"].headers)).status_code == 404  # fmt: skip
    r = await client.get(f"/api/v1/tickets/{t['id']}/survey-invitations", headers=world.users["east_rep1"].headers)
    assert r.status_code == 403


async def test_a_ticket_reopened_before_the_worker_ran_is_not_invited(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    agent = world.users["agent1"].headers
    await make_survey(client, world, is_ticket_csat=True)
    t = await resolved_ticket(client, agent)
    assert (await client.patch(f"/api/v1/tickets/{t['id']}", json={"status": "open"}, headers=agent)).status_code == 200
    await drain(engine, settings)
    assert await invitations(client, t, agent) == []


# -- the public link ---------------------------------------------------------------------------


async def test_the_public_link_shows_only_the_questions_and_answers_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    survey = await make_survey(client, world, is_ticket_csat=True, description="Two minutes")
    t, token = await link_for(client, world, engine, settings)
    r = await client.get(f"{PUBLIC}/{token}")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"organization", "subject", "name", "description", "questions", "expires_at"}
    assert body["subject"] == t["subject"] and body["name"] == survey["name"]
    assert body["questions"] == survey["questions"]

    answers = {"sat": 4, "nps": 9, "fast": "Yes", "good": ["Speed", "Result"], "say": "  Quick and kind  "}
    r = await client.post(f"{PUBLIC}/{token}", json={"answers": answers})
    assert r.status_code == 200 and r.json() == {"status": "answered"}
    r = await client.post(f"{PUBLIC}/{token}", json={"answers": answers})
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{PUBLIC}/{token}")).status_code == 409
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(survey_responses).where(survey_responses.c.tenant_id == world.id))).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.answers == {**answers, "say": "Quick and kind"} and row.channel == "link"
    assert (row.ticket_id, row.owner_id) == (uuid.UUID(t["id"]), world.users["agent1"].id)
    (invitation,) = await invitations(client, t, world.users["agent1"].headers)
    assert invitation["state"] == "answered" and invitation["answered_at"] is not None


async def test_bad_answers_are_refused_and_change_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    await make_survey(client, world, is_ticket_csat=True)
    _, token = await link_for(client, world, engine, settings)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"answers": {"nps": 10}}, "answers.sat"),  # the required rating is missing
        ({"answers": {"sat": 6}}, "answers.sat"),
        ({"answers": {"sat": 0}}, "answers.sat"),
        ({"answers": {"sat": "5"}}, "answers.sat"),
        ({"answers": {"sat": True}}, "answers.sat"),
        ({"answers": {"sat": 4.5}}, "answers.sat"),
        ({"answers": {"sat": 5, "nps": 11}}, "answers.nps"),
        ({"answers": {"sat": 5, "fast": "Maybe"}}, "answers.fast"),
        ({"answers": {"sat": 5, "fast": ["Yes"]}}, "answers.fast"),
        ({"answers": {"sat": 5, "good": ["Speed", "Speed"]}}, "answers.good"),
        ({"answers": {"sat": 5, "good": "Speed"}}, "answers.good"),
        ({"answers": {"sat": 5, "say": 7}}, "answers.say"),
        ({"answers": {"sat": 5, "unknown": 1}}, "answers.unknown"),
    ]
    for body, field in cases:
        r = await client.post(f"{PUBLIC}/{token}", json=body)
        assert r.status_code == 422, (body, r.text)
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), (body, r.json())
    # Only answers: anything else is a 422 naming it.
    for body in (
        {"answers": {"sat": 5}, "owner_id": str(uuid.uuid4())},
        {"answers": {"sat": 5}, "tenant_id": str(uuid.uuid4())},
        {"sat": 5},
        {"answers": {"sat": 5, "say": "x" * 2001}},
    ):
        assert (await client.post(f"{PUBLIC}/{token}", json=body)).status_code == 422, body
    assert (await client.get(f"{PUBLIC}/{token}")).status_code == 200  # still unanswered
    r = await client.post(f"{PUBLIC}/{token}", json={"answers": {"sat": 5}})
    assert r.status_code == 200


async def test_unknown_and_expired_links(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await make_survey(client, world, is_ticket_csat=True)
    _, token = await link_for(client, world, engine, settings)
    unknown = "A" * 43
    assert (await client.get(f"{PUBLIC}/{unknown}")).status_code == 404
    assert (await client.post(f"{PUBLIC}/{unknown}", json={"answers": {"sat": 5}})).status_code == 404
    assert (await client.get(f"{PUBLIC}/short")).status_code == 422
    assert (await client.get(f"{PUBLIC}/{'x' * 30}%20or%201=1")).status_code == 422
    later = datetime.now(UTC) + timedelta(days=15)
    monkeypatch.setattr(survey_service, "now", lambda: later)
    assert (await client.get(f"{PUBLIC}/{token}")).status_code == 410
    r = await client.post(f"{PUBLIC}/{token}", json={"answers": {"sat": 5}})
    assert r.status_code == 410 and r.headers["content-type"] == "application/problem+json"


async def test_answers_are_rate_limited_per_link_and_address(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(survey_service, "ANSWERS_PER_WINDOW", 2)
    token = uuid.uuid4().hex * 2
    statuses = [(await client.post(f"{PUBLIC}/{token}", json={"answers": {}})).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    assert (await client.post(f"{PUBLIC}/{uuid.uuid4().hex * 2}", json={"answers": {}})).status_code == 404


# -- call-backs --------------------------------------------------------------------------------


async def customer(client: httpx.AsyncClient, world: World, name: str = "Acme") -> dict[str, Any]:
    r = await client.post("/api/v1/customers", json={"name": name}, headers=world.users["admin"].headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_call_backs_log_the_follow_up_and_its_answers(client: httpx.AsyncClient, world: World) -> None:
    survey = await make_survey(client, world)
    agent1, agent2 = world.users["agent1"], world.users["agent2"]
    acme = await customer(client, world)
    t = await resolved_ticket(client, agent1.headers, customer_id=acme["id"])
    # agent2 calls about agent1's ticket? It is outside agent2's tickets range: refused.
    body = {"ticket_id": t["id"], "outcome": "reached"}
    r = await client.post(CALL_BACKS, json=body, headers=agent2.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ticket_id"
    # agent1 calls the customer and takes the answers; they are rated to the ticket's agent.
    body = {
        "ticket_id": t["id"],
        "survey_id": survey["id"],
        "answers": {"sat": 2, "say": "Took too long"},
        "outcome": "reached",
        "notes": "Customer unhappy with the wait",
        "next_action": "Offer a discount",
        "next_action_at": "2026-12-05T09:00:00Z",
    }
    r = await client.post(CALL_BACKS, json=body, headers=agent1.headers)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["customer_id"] == acme["id"] and made["owner_id"] == str(agent1.id) and made["response_id"]
    assert made["next_action"] == "Offer a discount" and made["outcome"] == "reached"
    # A call that did not reach anyone, about the customer only.
    r = await client.post(
        CALL_BACKS, json={"customer_id": acme["id"], "outcome": "not_reached"}, headers=agent2.headers
    )
    assert r.status_code == 201 and r.json()["response_id"] is None
    bad = [
        ({"customer_id": acme["id"], "outcome": "not_reached", "survey_id": survey["id"], "answers": {"sat": 5}},
         "outcome"),
        ({"customer_id": acme["id"], "outcome": "reached", "answers": {"sat": 5}}, "survey_id"),
        ({"customer_id": acme["id"], "outcome": "reached", "survey_id": survey["id"], "answers": {"nps": 5}},
         "answers.sat"),
        ({"customer_id": str(uuid.uuid4()), "outcome": "reached"}, "customer_id"),
        ({"outcome": "reached"}, "customer_id"),
        ({"customer_id": acme["id"], "outcome": "reached", "survey_id": str(uuid.uuid4())}, "survey_id"),
        ({"customer_id": acme["id"], "outcome": "maybe"}, "outcome"),
        ({"customer_id": acme["id"], "outcome": "reached", "owner_id": str(agent2.id)}, "owner_id"),
    ]  # fmt: skip
    for body, field in bad:
        r = await client.post(CALL_BACKS, json=body, headers=agent1.headers)
        assert r.status_code == 422, (body, r.text)
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), (body, r.json())
    other = await customer(client, world, "Other Co")
    r = await client.post(CALL_BACKS, json={"ticket_id": t["id"], "customer_id": other["id"], "outcome": "reached"},
                          headers=agent1.headers)  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"

    # Lists: an agent sees their own calls, the manager the team's, filters by customer and ticket.
    async def listed(who: str, **params: str) -> list[str]:
        r = await client.get(CALL_BACKS, params=params, headers=world.users[who].headers)
        assert r.status_code == 200, r.text
        return [c["outcome"] for c in r.json()["items"]]

    assert await listed("agent1") == ["reached"]
    assert await listed("agent2") == ["not_reached"]
    assert sorted(await listed("service_manager")) == ["not_reached", "reached"]
    assert await listed("service_manager", ticket=t["id"]) == ["reached"]
    assert sorted(await listed("admin", customer=acme["id"])) == ["not_reached", "reached"]
    assert await listed("agent_west") == []
    assert (await client.get(CALL_BACKS, params={"cursor": "nonsense"}, headers=agent1.headers)).status_code == 422
    page = (await client.get(CALL_BACKS, params={"limit": 1}, headers=world.users["admin"].headers)).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = await client.get(CALL_BACKS, params={"limit": 1, "cursor": page["next_cursor"]},
                            headers=world.users["admin"].headers)  # fmt: skip
    assert len(rest.json()["items"]) == 1 and rest.json()["items"][0]["id"] != page["items"][0]["id"]

    # The answers count in the survey's results, channel call_back, rated to agent1.
    r = await client.get(f"{SURVEYS}/{survey['id']}/results", params={"channel": "call_back"},
                         headers=world.users["service_manager"].headers)  # fmt: skip
    res = r.json()
    assert res["responses"] == 1 and res["csat"] == {"answered": 1, "satisfied": 0, "percent": 0.0}
    assert res["comments"][0]["text"] == "Took too long" and res["comments"][0]["owner_id"] == str(agent1.id)


# -- results -----------------------------------------------------------------------------------

# (agent, rating, nps, fast, good, comment)
ANSWERS: list[tuple[str, int, int | None, str | None, list[str], str | None]] = [
    ("agent1", 5, 10, "Yes", ["Speed", "Result"], "Great"),
    ("agent1", 4, 9, "Yes", ["Speed"], None),
    ("agent1", 3, 8, "No", [], "Meh"),
    ("agent2", 1, 3, "No", ["Friendliness"], "Bad"),
    ("agent2", 5, 0, None, [], None),
    ("agent_west", 2, None, "Yes", ["Result"], "Far away"),
]


async def answered_world(client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings) -> dict:
    survey = await make_survey(client, world, is_ticket_csat=True)
    for agent, sat, nps, fast, good, say in ANSWERS:
        _, token = await link_for(client, world, engine, settings, agent)
        given: dict[str, Any] = {"sat": sat, "nps": nps, "fast": fast, "good": good, "say": say}
        r = await client.post(
            f"{PUBLIC}/{token}", json={"answers": {k: v for k, v in given.items() if v not in (None, [])}}
        )
        assert r.status_code == 200, r.text
    return survey


async def test_results_arithmetic_and_ranges(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    survey = await answered_world(client, world, engine, settings)
    url = f"{SURVEYS}/{survey['id']}/results"
    r = await client.get(url, headers=world.users["admin"].headers)
    assert r.status_code == 200, r.text
    res = r.json()
    # Ratings 5,4,3,1,5,2: 3 of 6 satisfied. NPS 10,9,8,3,0 (one skipped): 2 promoters, 1 passive, 2 detractors.
    assert res["responses"] == 6 and res["csat_question_id"] == "sat" and res["nps_question_id"] == "nps"
    assert res["csat"] == {"answered": 6, "satisfied": 3, "percent": 50.0}
    assert res["nps"] == {"answered": 5, "promoters": 2, "passives": 1, "detractors": 2, "score": 0.0}
    assert res["average_rating"] == round(20 / 6, 2)
    by_id = {q["id"]: q for q in res["questions"]}
    assert [d["count"] for d in by_id["sat"]["distribution"]] == [1, 1, 1, 1, 2]  # values 1..5
    assert by_id["sat"]["answered"] == 6 and by_id["sat"]["average"] == round(20 / 6, 2)
    assert [(d["value"], d["count"]) for d in by_id["nps"]["distribution"]][8:] == [(8, 1), (9, 1), (10, 1)]
    assert by_id["nps"]["answered"] == 5
    assert by_id["fast"]["distribution"] == [{"value": "Yes", "count": 3}, {"value": "No", "count": 2}]
    assert by_id["good"]["distribution"] == [
        {"value": "Speed", "count": 2},
        {"value": "Friendliness", "count": 1},
        {"value": "Result", "count": 2},
    ]
    assert by_id["good"]["answered"] == 4 and by_id["say"]["answered"] == 4
    assert [c["text"] for c in res["comments"]] == ["Far away", "Bad", "Meh", "Great"]  # newest first
    assert res["groups"] == []

    r = await client.get(url, params={"group_by": "agent"}, headers=world.users["admin"].headers)
    groups = {g["label"]: g for g in r.json()["groups"]}
    assert set(groups) == {"Agent1", "Agent2", "Agent_West"}
    # agent1: ratings 5, 4, 3 (2 of 3 satisfied); NPS 10, 9, 8 (2 promoters of 3, no detractor).
    assert groups["Agent1"]["csat"]["percent"] == 66.7 and groups["Agent1"]["nps"]["score"] == 66.7
    assert groups["Agent2"]["csat"] == {"answered": 2, "satisfied": 1, "percent": 50.0}
    assert groups["Agent2"]["nps"]["score"] == -100.0 and groups["Agent_West"]["nps"]["score"] is None
    r = await client.get(url, params={"group_by": "month"}, headers=world.users["admin"].headers)
    (month,) = r.json()["groups"]
    assert month["key"] == datetime.now(UTC).date().replace(day=1).isoformat() and month["responses"] == 6
    r = await client.get(url, params={"group_by": "team"}, headers=world.users["admin"].headers)
    assert {g["label"]: g["responses"] for g in r.json()["groups"]} == {"Service": 5, "Service West": 1}

    # Filters: agent, team, period, channel.
    async def total(who: str, **params: str) -> int:
        r = await client.get(url, params=params, headers=world.users[who].headers)
        assert r.status_code == 200, r.text
        return r.json()["responses"]  # type: ignore[no-any-return]

    assert await total("admin", agent=str(world.users["agent2"].id)) == 2
    assert await total("admin", team=str(world.department_ids["Service West"])) == 1
    assert await total("admin", to="2020-01-01T00:00:00Z") == 0
    assert await total("admin", **{"from": "2020-01-01T00:00:00Z"}) == 6
    assert await total("admin", channel="call_back") == 0
    # Ranges: an agent their own, the manager the team's, the analyst all.
    assert await total("agent1") == 3
    assert await total("agent_west") == 1
    assert await total("service_manager") == 5
    assert await total("analyst") == 6
    r = await client.get(url, params={"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
                         headers=world.users["admin"].headers)  # fmt: skip
    assert r.status_code == 422
    assert (await client.get(url, params={"group_by": "year"}, headers=world.users["admin"].headers)).status_code == 422
    assert (
        await client.get(f"{SURVEYS}/{uuid.uuid4()}/results", headers=world.users["admin"].headers)
    ).status_code == 404
    r = await client.get(url, params={"comments": 0}, headers=world.users["admin"].headers)
    assert r.json()["comments"] == []
    # Another tenant's admin finds no such survey.
    other = await (await world.factory.tenant()).user("admin", ["admin"])
    assert (await client.get(url, headers=other.headers)).status_code == 404


async def test_results_of_a_survey_without_rating_or_nps_questions(client: httpx.AsyncClient, world: World) -> None:
    """No CSAT question (NPS only) and no NPS question (choices only): the headline says so."""
    acme = await customer(client, world)
    for questions, answers in (
        ([{"id": "rec", "type": "nps", "text": "Recommend?"}], {"rec": 9}),
        ([{"id": "pick", "type": "single", "text": "Pick", "choices": ["A", "B"]}], {"pick": "B"}),
    ):
        survey = await make_survey(client, world, questions=questions)
        body = {"customer_id": acme["id"], "survey_id": survey["id"], "answers": answers, "outcome": "reached"}
        r = await client.post(CALL_BACKS, json=body, headers=world.users["agent1"].headers)
        assert r.status_code == 201, r.text
        for group_by in (None, "agent", "week"):
            params = {"group_by": group_by} if group_by else {}
            r = await client.get(f"{SURVEYS}/{survey['id']}/results", params=params,
                                 headers=world.users["service_manager"].headers)  # fmt: skip
            assert r.status_code == 200, r.text
            res = r.json()
            assert res["responses"] == 1 and res["csat"]["percent"] is None and res["average_rating"] is None
            assert res["nps"]["score"] == (100.0 if "rec" in answers else None)
