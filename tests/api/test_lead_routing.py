"""Lead routing and capture: assignment rules (a user, a department in turn or by fewest open
leads, the queue when none takes a lead), auto-assigned creates, re-routing a queued lead, and
the public web form (allow-list, honeypot, per-address limit, duplicates tagged, not told)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.main import create_app
from app.repositories.tables import audit_log, leads, outbox
from app.settings import Settings
from app.worker import Worker
from tests.builders import Factory, World

LEADS = "/api/v1/leads"
RULES = "/api/v1/lead-assignment-rules"
FORMS = "/api/v1/lead-forms"
PUBLIC = "/api/v1/public/lead-forms"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def rule(client: httpx.AsyncClient, world: World, **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("name", f"Rule {uuid.uuid4().hex[:6]}")
    r = await client.post(RULES, json=body, headers=world.users["director"].headers)
    assert r.status_code == 201, r.text
    return r.json()


async def auto(client: httpx.AsyncClient, world: World, **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("name", f"Lead {uuid.uuid4().hex[:8]}")
    r = await client.post(LEADS, params={"auto_assign": "true"}, json=body, headers=world.users["marketer"].headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_rules_in_order_round_robin_and_the_queue(client: httpx.AsyncClient, world: World) -> None:
    u, east = world.users, world.department_ids["Sales East"]
    await rule(client, world, source="referral", user_id=str(u["west_rep1"].id), position=10)
    await rule(client, world, source="event", department_id=str(east), method="round_robin", position=20)
    referral = await auto(client, world, source="referral")
    assert referral["owner_id"] == str(u["west_rep1"].id)
    assert referral["department_id"] == str(u["west_rep1"].department_id)
    # Sales East's users who work leads, in turn: the manager and both reps.
    owners = [(await auto(client, world, source="event"))["owner_id"] for _ in range(6)]
    east_people = {str(u[k].id) for k in ("east_manager", "east_rep1", "east_rep2")}
    assert set(owners[:3]) == east_people and owners[:3] == owners[3:]
    # No rule takes a web-form lead: the queue (no owner), seen by "all" ranges only.
    queued = await auto(client, world, source="web_form")
    assert queued["owner_id"] is None and queued["department_id"] is None
    assert (await client.get(f"{LEADS}/{queued['id']}", headers=u["director"].headers)).status_code == 200
    assert (await client.get(f"{LEADS}/{queued['id']}", headers=u["east_manager"].headers)).status_code == 404
    # auto_assign decides the owner: naming one as well is a contradiction.
    r = await client.post(
        LEADS, params={"auto_assign": "true"}, json={"name": "x", "owner_id": str(u["east_rep1"].id)},
        headers=u["marketer"].headers,
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "owner_id"


async def test_least_open_leads_and_min_score(client: httpx.AsyncClient, world: World) -> None:
    u, east = world.users, world.department_ids["Sales East"]
    # east_rep1 and the manager already hold open leads; east_rep2 holds none.
    for owner in ("east_rep1", "east_rep1", "east_manager"):
        r = await client.post(LEADS, json={"name": "busy"}, headers=u[owner].headers)
        assert r.status_code == 201
    score = {"label": "Hot", "field": "rating", "op": "equals", "value": "hot", "points": 50}
    assert (
        await client.post("/api/v1/lead-scoring-rules", json=score, headers=u["director"].headers)
    ).status_code == 201
    await rule(client, world, min_score=40, department_id=str(east), method="least_open")
    hot = await auto(client, world, rating="hot")
    assert hot["owner_id"] == str(u["east_rep2"].id)
    cold = await auto(client, world, rating="cold")
    assert cold["owner_id"] is None


async def test_routing_is_audited_and_a_queued_lead_can_be_routed_later(
    client: httpx.AsyncClient, world: World
) -> None:
    u = world.users
    queued = await auto(client, world, source="event")
    assert queued["owner_id"] is None
    made = await rule(client, world, source="event", user_id=str(u["east_rep2"].id))
    # A rep may not route; a manager of the range may.
    assert (await client.post(f"{LEADS}/{queued['id']}/route", headers=u["east_rep1"].headers)).status_code == 403
    r = await client.post(f"{LEADS}/{queued['id']}/route", headers=u["director"].headers)
    assert r.status_code == 200 and r.json()["owner_id"] == str(u["east_rep2"].id)
    async with world.factory.engine.connect() as conn:
        entries = (
            await conn.execute(
                sa.select(audit_log.c.action, audit_log.c.changes)
                .where(audit_log.c.tenant_id == world.id, audit_log.c.entity_id == uuid.UUID(queued["id"]))
                .order_by(audit_log.c.id)
            )
        ).all()
    # The rep's refused attempt is a security event on the lead too (app/api/errors.py).
    assert [e.action for e in entries] == ["lead.created", "permission.denied", "lead.assigned"]
    entries = [e for e in entries if e.action != "permission.denied"]
    assert entries[1].changes["assignment_rule"]["after"] == {"id": made["id"], "name": made["name"]}
    # Nothing takes it any more: routing again changes nothing.
    await client.patch(f"{RULES}/{made['id']}", json={"active": False}, headers=u["director"].headers)
    r = await client.post(f"{LEADS}/{queued['id']}/route", headers=u["director"].headers)
    assert r.status_code == 200 and r.json()["version"] == 2


async def test_assignment_rules_are_checked_and_kept_by_managers(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    bad = {"name": "both", "user_id": str(u["east_rep1"].id), "department_id": str(world.department_ids["Sales"])}
    r = await client.post(RULES, json=bad, headers=u["director"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "user_id"
    r = await client.post(RULES, json={"name": "none"}, headers=u["director"].headers)
    assert r.status_code == 422
    r = await client.post(RULES, json={"name": "ghost", "user_id": str(uuid.uuid4())}, headers=u["director"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "user_id"
    ok = {"name": "ok", "user_id": str(u["east_rep1"].id)}
    assert (await client.post(RULES, json=ok, headers=u["east_rep1"].headers)).status_code == 403
    first = await rule(client, world, **ok)
    second = await rule(client, world, **ok)
    assert second["position"] > first["position"]
    listed = (await client.get(RULES, headers=u["east_rep1"].headers)).json()["items"]
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert (await client.delete(f"{RULES}/{first['id']}", headers=u["director"].headers)).status_code == 204
    assert (await client.delete(f"{RULES}/{first['id']}", headers=u["director"].headers)).status_code == 404


async def _form(client: httpx.AsyncClient, world: World, **body) -> dict:  # type: ignore[no-untyped-def]
    body = {"name": "Website", "fields": ["name", "company", "email", "phone"], "tags": ["website"], **body}
    r = await client.post(FORMS, json=body, headers=world.users["marketer"].headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _leads_named(world: World, name: str) -> list[sa.Row]:
    async with world.factory.engine.connect() as conn:
        return list(
            (
                await conn.execute(
                    sa.select(leads.c.id, leads.c.owner_id, leads.c.source, leads.c.tags, leads.c.created_by).where(
                        leads.c.tenant_id == world.id, leads.c.name == name
                    )
                )
            ).all()
        )


async def test_a_public_form_captures_and_the_worker_routes(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    u = world.users
    form = await _form(client, world)
    assert form["form_key"].startswith("lf_")
    await rule(client, world, source="web_form", user_id=str(u["east_rep1"].id))
    name = f"Visitor {uuid.uuid4().hex[:6]}"
    r = await client.post(f"{PUBLIC}/{form['form_key']}", json={"name": name, "email": "visitor@example.org"})
    assert r.status_code == 202 and r.json() == {"status": "received"}
    (row,) = await _leads_named(world, name)
    assert row.owner_id is None and row.source == "web_form" and row.tags == ["website"]  # queued
    assert row.created_by is None
    # Audited as nobody's doing, with its origin; published (the whole lead) and queued for routing.
    async with engine.connect() as conn:
        (entry,) = (await conn.execute(sa.select(audit_log).where(audit_log.c.entity_id == row.id))).all()
        events = (
            await conn.execute(
                sa.select(outbox.c.event_type, outbox.c.entity, outbox.c.payload)
                .where(outbox.c.tenant_id == world.id, outbox.c.entity_id == row.id)
                .order_by(outbox.c.id)
            )
        ).all()
    assert (entry.action, entry.entity, entry.actor_id, entry.tenant_id) == ("lead.created", "leads", None, world.id)
    assert entry.changes["name"]["after"] == name and entry.changes["origin"]["after"]["lead_form"] == form["id"]
    assert [(e.event_type, e.entity) for e in events] == [("lead.created", "lead"), ("lead.routing_requested", "lead")]
    assert events[0].payload["name"] == name and events[1].payload == {"id": str(row.id)}
    worker = Worker(engine, settings)
    while await worker.process_batch():
        pass
    (row,) = await _leads_named(world, name)
    assert row.owner_id == u["east_rep1"].id
    # ... audited as the rule's doing, and the new owner is told.
    r = await client.get("/api/v1/notifications", headers=u["east_rep1"].headers)
    assert [n["kind"] for n in r.json()["items"]] == ["assigned"]
    # Known already: still 202, the lead is kept and tagged for a person to look at.
    r = await client.post(f"{PUBLIC}/{form['form_key']}", json={"name": name + " 2", "email": "VISITOR@example.org"})
    assert r.status_code == 202 and r.json() == {"status": "received"}
    (twin,) = await _leads_named(world, name + " 2")
    assert twin.tags == ["website", "possible-duplicate"]


async def test_a_public_form_takes_only_its_fields_and_drops_bots(client: httpx.AsyncClient, world: World) -> None:
    form = await _form(client, world, fields=["name", "email"])
    url = f"{PUBLIC}/{form['form_key']}"
    r = await client.post(url, json={"name": "Eve", "phone": "13800000000"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "phone"
    r = await client.post(url, json={"name": "Mallory", "owner_id": str(world.users["admin"].id)})
    assert r.status_code == 422
    bot = f"Bot {uuid.uuid4().hex[:6]}"
    r = await client.post(url, json={"name": bot, "website": "http://spam.example"})
    assert r.status_code == 202 and await _leads_named(world, bot) == []
    assert (await client.post(f"{PUBLIC}/lf_no-such-form-key", json={"name": "x"})).status_code == 404
    await client.patch(f"{FORMS}/{form['id']}", json={"active": False}, headers=world.users["marketer"].headers)
    assert (await client.post(url, json={"name": "late"})).status_code == 404


async def test_a_public_form_limits_each_address(app: object, world: World, client: httpx.AsyncClient) -> None:
    form = await _form(client, world)
    url = f"{PUBLIC}/{form['form_key']}"
    statuses = [(await client.post(url, json={"name": f"Flood {i}"})).status_code for i in range(6)]
    assert statuses == [202] * 5 + [429]
    r = await client.post(url, json={"name": "Flood 7"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # Another address is not held back.
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        assert (await other.post(url, json={"name": "Neighbour"})).status_code == 202


async def test_lead_forms_are_for_lead_managers(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    assert (await client.get(FORMS, headers=u["east_rep1"].headers)).status_code == 403
    body = {"name": "x", "fields": ["email"]}
    r = await client.post(FORMS, json=body, headers=u["marketer"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "fields"
    form = await _form(client, world)
    assert [f["id"] for f in (await client.get(FORMS, headers=u["marketer"].headers)).json()["items"]] == [form["id"]]


async def test_a_burst_of_submissions_beyond_the_pool_completes(
    client: httpx.AsyncClient, world: World, database_url: str, settings: Settings
) -> None:
    """Each submission holds a write connection for its transaction; its rate-limit hit must not
    wait for a second one from the same pool (with 2 connections, 8 posts at once would each
    hold one and wait for another until the pool's 30 s timeout)."""
    form = await _form(client, world)
    small = create_app(settings.model_copy(update={"db_pool_size": 2, "db_max_overflow": 0}), database_url=database_url)
    async with small.router.lifespan_context(small):

        async def post(i: int) -> int:
            address = (f"198.51.100.{100 + i}", 40000)
            transport = httpx.ASGITransport(app=small, client=address)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as visitor:
                r = await visitor.post(f"{PUBLIC}/{form['form_key']}", json={"name": f"Burst {i}"})
                return r.status_code

        statuses = await asyncio.wait_for(asyncio.gather(*(post(i) for i in range(8))), timeout=20)
    assert statuses == [202] * 8
