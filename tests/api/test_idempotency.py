"""Idempotency-Key on every POST that creates or acts (app/api/idempotency.py): over all POST
operations of the app, the header is documented and handled; on a few that create and a few that
act, a retry returns the first response and does nothing twice (rows counted)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.idempotency import EXEMPT, HEADER, MAX_KEY_LENGTH
from app.api.v1.routers import API_PREFIX, ROUTERS
from app.repositories.tables import (
    customers,
    leads,
    opportunity_stage_history,
    pipelines,
    sales_plans,
    ticket_comments,
    ticket_escalations,
)
from tests.builders import Factory, World

POSTS = sorted(
    (route.operation_id or route.name, API_PREFIX + route.path)
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute) and "POST" in route.methods
)
STAGES = [
    {"name": "Qualify", "probability": 10},
    {"name": "Proposal", "probability": 50},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return {**headers, HEADER: key or uuid.uuid4().hex}


async def count(engine: AsyncEngine, query: sa.Select[Any]) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(query) or 0)


def test_every_post_operation_is_covered() -> None:
    assert len(POSTS) > 60  # the enumeration found the routers' operations
    assert set(EXEMPT) <= {op for op, _ in POSTS}, "an exemption names an operation that no longer exists"
    assert all(len(reason) > 20 for reason in EXEMPT.values())


@pytest.mark.parametrize(("operation", "path"), POSTS, ids=[op for op, _ in POSTS])
async def test_post_operation_takes_the_header(
    client: httpx.AsyncClient, document: dict[str, Any], operation: str, path: str
) -> None:
    params = document["paths"][path]["post"].get("parameters", [])
    documented = [p for p in params if p["in"] == "header" and p["name"].lower() == HEADER.lower()]
    url = path.replace("{form_key}", "lf_unknown-form-key").replace("{token}", "t" * 24)
    url = url.replace("{", "").replace("}", "")  # other ids: no match is needed, the key is checked first
    url = "/".join(str(uuid.uuid4()) if part.endswith("_id") else part for part in url.split("/"))
    r = await client.post(url, json={}, headers={HEADER: "k" * (MAX_KEY_LENGTH + 1)})
    if operation in EXEMPT:
        assert documented == []
        assert r.status_code != 422 or all(e["field"] != HEADER for e in r.json().get("errors", []))
    else:
        assert len(documented) == 1 and documented[0]["required"] is False
        assert r.status_code == 422 and r.json()["errors"] == [
            {"field": HEADER, "message": f"must be 1 to {MAX_KEY_LENGTH} characters"}
        ]


async def test_sales_plan_retry_creates_one(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    rep = world.users["east_rep1"]
    name = f"Plan {uuid.uuid4().hex[:8]}"
    headers = keyed(rep.headers)
    body = {"name": name, "period": "2026-12"}
    first = await client.post("/api/v1/sales-plans", json=body, headers=headers)
    again = await client.post("/api/v1/sales-plans", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    for header in ("location", "etag", "content-type"):
        assert again.headers.get(header) == first.headers.get(header)
    assert await count(engine, sa.select(sa.func.count()).where(sales_plans.c.name == name)) == 1
    other = await client.post("/api/v1/sales-plans", json={**body, "name": "else"}, headers=headers)
    assert other.status_code == 422 and other.headers["content-type"] == "application/problem+json"
    assert other.json()["errors"][0]["field"] == HEADER


async def test_pipeline_retries_at_once_create_one(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    # Sent together: the second waits for the first to commit, then replays it.
    headers = keyed(world.users["director"].headers)
    name = f"Pipe {uuid.uuid4().hex[:8]}"
    body = {"name": name, "stages": STAGES}
    responses = await asyncio.gather(*(client.post("/api/v1/pipelines", json=body, headers=headers) for _ in range(3)))
    assert [r.status_code for r in responses] == [201] * 3
    assert len({r.json()["id"] for r in responses}) == 1
    assert sorted(r.headers.get("idempotent-replayed", "") for r in responses) == ["", "true", "true"]
    assert await count(engine, sa.select(sa.func.count()).where(pipelines.c.name == name)) == 1


async def test_keys_belong_to_the_caller(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    key = uuid.uuid4().hex
    name = f"Plan {uuid.uuid4().hex[:8]}"
    body = {"name": name, "period": "2026-12"}
    mine = await client.post("/api/v1/sales-plans", json=body, headers=keyed(world.users["east_rep1"].headers, key))
    theirs = await client.post("/api/v1/sales-plans", json=body, headers=keyed(world.users["east_rep2"].headers, key))
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]
    assert await count(engine, sa.select(sa.func.count()).where(sales_plans.c.name == name)) == 2


async def test_escalation_retry_escalates_once(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    agent = world.users["agent1"].headers
    made = await client.post(
        "/api/v1/tickets", json={"subject": "Printer on fire", "priority": "normal"}, headers=agent
    )
    ticket = made.json()
    url = f"/api/v1/tickets/{ticket['id']}/escalate"
    headers = keyed(agent)
    first = await client.post(url, json={"reason": "Called twice"}, headers=headers)
    again = await client.post(url, json={"reason": "Called twice"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and first.json()["escalation_level"] == 1
    query = sa.select(sa.func.count()).where(ticket_escalations.c.ticket_id == uuid.UUID(ticket["id"]))
    assert await count(engine, query) == 1
    # A new key is a new escalation.
    assert (await client.post(url, json={"reason": "Called again"}, headers=keyed(agent))).json()[
        "escalation_level"
    ] == 2


async def test_comment_retry_adds_one(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    agent = world.users["agent1"].headers
    ticket = (await client.post("/api/v1/tickets", json={"subject": "Jam"}, headers=agent)).json()
    url = f"/api/v1/tickets/{ticket['id']}/comments"
    headers = keyed(agent)
    body = {"visibility": "public", "body": "We are on it"}
    first = await client.post(url, json=body, headers=headers)
    again = await client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    query = sa.select(sa.func.count()).where(ticket_comments.c.ticket_id == uuid.UUID(ticket["id"]))
    assert await count(engine, query) == 1


async def test_lead_convert_retry_converts_once(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    rep = world.users["east_rep1"].headers
    company = f"Company {uuid.uuid4().hex[:8]}"
    lead = (await client.post("/api/v1/leads", json={"name": "Li Lei", "company": company}, headers=rep)).json()
    url = f"/api/v1/leads/{lead['id']}/convert"
    headers = keyed(rep)
    first = await client.post(url, json={}, headers=headers)
    again = await client.post(url, json={}, headers=headers)
    # Without the key a second conversion is a 409; with it, the first answer again.
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert await count(engine, sa.select(sa.func.count()).where(customers.c.name == company)) == 1
    assert (await client.post(url, json={}, headers=rep)).status_code == 409


async def test_stage_move_retry_moves_once(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    u = world.users
    pipeline = (
        await client.post("/api/v1/pipelines", json={"name": "Sales", "stages": STAGES}, headers=u["director"].headers)
    ).json()
    proposal = next(s["id"] for s in pipeline["stages"] if s["name"] == "Proposal")
    rep = u["east_rep1"].headers
    customer = (await client.post("/api/v1/customers", json={"name": f"Co {uuid.uuid4().hex[:6]}"}, headers=rep)).json()
    body = {"name": "Deal", "customer_id": customer["id"], "pipeline_id": pipeline["id"]}
    deal = (await client.post("/api/v1/opportunities", json=body, headers=rep)).json()
    query = sa.select(sa.func.count()).where(opportunity_stage_history.c.opportunity_id == uuid.UUID(deal["id"]))
    before = await count(engine, query)
    url = f"/api/v1/opportunities/{deal['id']}/stage"
    headers = keyed(rep)
    first = await client.post(url, json={"stage_id": proposal}, headers=headers)
    again = await client.post(url, json={"stage_id": proposal}, headers=headers)
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert again.headers.get("etag") == first.headers.get("etag")
    assert await count(engine, query) == before + 1


async def test_a_refused_request_is_not_remembered(client: httpx.AsyncClient, world: World) -> None:
    # A refusal rolls back, stores nothing: the same key may be tried again once the input is fixed.
    rep = world.users["east_rep1"].headers
    headers = keyed(rep)
    body = {"name": "x", "period": "2026-Q4", "target_lead_ids": [str(uuid.uuid4())]}
    assert (await client.post("/api/v1/sales-plans", json=body, headers=headers)).status_code == 422
    body = {"name": "x", "period": "2026-Q4"}
    assert (await client.post("/api/v1/sales-plans", json=body, headers=headers)).status_code == 201


async def test_public_lead_form_retry_captures_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    body = {"name": "Website", "fields": ["name", "email"]}
    form = (await client.post("/api/v1/lead-forms", json=body, headers=world.users["marketer"].headers)).json()
    name = f"Visitor {uuid.uuid4().hex[:8]}"
    url = f"/api/v1/public/lead-forms/{form['form_key']}"
    headers = {HEADER: uuid.uuid4().hex}
    first = await client.post(url, json={"name": name}, headers=headers)
    again = await client.post(url, json={"name": name}, headers=headers)
    assert first.status_code == again.status_code == 202 and again.headers["idempotent-replayed"] == "true"
    query = sa.select(sa.func.count()).where(leads.c.tenant_id == world.id, leads.c.name == name)
    assert await count(engine, query) == 1
