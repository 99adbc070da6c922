"""Tasks and appointments over HTTP: planned by default, appointments need a span and refuse to
overlap one person's other appointments unless forced, links to leads and deals, the calendar,
and reminders sent once by the worker."""

from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.tables import activities
from app.settings import Settings
from app.worker import Worker
from tests.builders import Factory, User, World

API = "/api/v1/activities"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def customer(client: httpx.AsyncClient, user: User) -> str:
    r = await client.post("/api/v1/customers", json={"name": f"Co {uuid.uuid4().hex[:6]}"}, headers=user.headers)
    return str(r.json()["id"])


async def appointment(client: httpx.AsyncClient, user: User, start: str, end: str, **extra) -> httpx.Response:  # type: ignore[no-untyped-def]
    body = {"kind": "appointment", "subject": "Visit", "starts_at": start, "ends_at": end, **extra}
    body.setdefault("customer_id", await customer(client, user))
    return await client.post(API, json=body, headers=user.headers)


async def test_appointments_and_overlaps(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    r = await appointment(client, rep, "2026-12-01T09:00:00+08:00", "2026-12-01T10:00:00+08:00")
    first = r.json()
    assert r.status_code == 201 and first["status"] == "planned" and first["occurred_at"] == "2026-12-01T01:00:00Z"
    r = await appointment(client, rep, "2026-12-01T09:30:00+08:00", "2026-12-01T11:00:00+08:00")
    assert r.status_code == 409 and r.json()["conflicts"] == [first["id"]]
    # Back to back is no overlap; forced, an overlap is kept.
    assert (await appointment(client, rep, "2026-12-01T10:00:00+08:00", "2026-12-01T11:00:00+08:00")).status_code == 201
    body = {"kind": "appointment", "subject": "x", "starts_at": "2026-12-01T09:15:00+08:00",
            "ends_at": "2026-12-01T09:45:00+08:00", "customer_id": first["customer_id"]}  # fmt: skip
    assert (await client.post(API, params={"force": "true"}, json=body, headers=rep.headers)).status_code == 201
    # Another person's day is theirs; a cancelled appointment frees the slot.
    other = world.users["east_rep2"]
    assert (
        await appointment(client, other, "2026-12-01T09:00:00+08:00", "2026-12-01T10:00:00+08:00")
    ).status_code == 201
    await client.patch(f"{API}/{first['id']}", json={"status": "cancelled"}, headers=rep.headers)
    r = await appointment(client, rep, "2026-12-01T08:30:00+08:00", "2026-12-01T09:10:00+08:00")
    assert r.status_code == 201
    r = await appointment(client, rep, "2026-12-01T09:40:00+08:00", "2026-12-01T09:50:00+08:00")
    assert r.status_code == 409 and first["id"] not in r.json()["conflicts"] and len(r.json()["conflicts"]) == 1
    # A span the wrong way round, or none at all.
    r = await appointment(client, rep, "2026-12-02T10:00:00+08:00", "2026-12-02T09:00:00+08:00")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ends_at"
    r = await client.post(
        API, json={"kind": "appointment", "subject": "x", "customer_id": first["customer_id"]}, headers=rep.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "starts_at"


async def test_tasks_assignees_and_links(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    manager, rep = u["east_manager"], u["east_rep1"]
    lead = (await client.post("/api/v1/leads", json={"name": "Call me"}, headers=manager.headers)).json()
    r = await client.post(
        API,
        json={
            "kind": "task",
            "subject": "Call back",
            "due_at": "2026-12-03T10:00:00Z",
            "lead_id": lead["id"],
            "assignee_id": str(rep.id),
        },  # fmt: skip
        headers=manager.headers,
    )
    task = r.json()
    assert r.status_code == 201 and task["status"] == "planned" and task["occurred_at"] == "2026-12-03T10:00:00Z"
    assert task["lead_id"] == lead["id"] and task["assignee_id"] == str(rep.id) and task["owner_id"] == str(manager.id)
    r = await client.patch(
        f"{API}/{task['id']}", json={"status": "done", "evaluation": "Interested"}, headers=manager.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    # A lead out of range, a stranger as assignee, a reminder on a note: each a 422 on its field.
    west_lead = (await client.post("/api/v1/leads", json={"name": "W"}, headers=u["west_rep1"].headers)).json()
    body = {"kind": "task", "subject": "x", "lead_id": west_lead["id"]}
    r = await client.post(API, json=body, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lead_id"
    body = {"kind": "task", "subject": "x", "lead_id": lead["id"], "assignee_id": str(uuid.uuid4())}
    r = await client.post(API, json=body, headers=manager.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "assignee_id"
    body = {"kind": "note", "subject": "x", "lead_id": lead["id"], "reminder_minutes": 5}
    r = await client.post(API, json=body, headers=manager.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reminder_minutes"


async def test_a_deal_brings_its_customer(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    stages = [{"name": "o", "probability": 10}, {"name": "w", "probability": 100, "kind": "won"},
              {"name": "l", "probability": 0, "kind": "lost"}]  # fmt: skip
    await client.post("/api/v1/pipelines", json={"name": "P", "stages": stages}, headers=u["director"].headers)
    rep = u["east_rep1"]
    acme = await customer(client, rep)
    deal = (
        await client.post("/api/v1/opportunities", json={"name": "D", "customer_id": acme}, headers=rep.headers)
    ).json()
    r = await client.post(
        API, json={"kind": "call", "subject": "Pricing", "opportunity_id": deal["id"]}, headers=rep.headers
    )
    assert r.status_code == 201 and r.json()["customer_id"] == acme and r.json()["status"] == "done"
    other = await customer(client, rep)
    body = {"kind": "call", "subject": "x", "opportunity_id": deal["id"], "customer_id": other}
    r = await client.post(API, json=body, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "opportunity_id"
    listed = await client.get(API, params={"opportunity": deal["id"]}, headers=rep.headers)
    assert [a["subject"] for a in listed.json()["items"]] == ["Pricing"]


async def test_the_calendar(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    rep1, rep2 = u["east_rep1"], u["east_rep2"]
    a1 = (await appointment(client, rep1, "2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z")).json()
    a2 = (await appointment(client, rep2, "2026-12-08T09:00:00Z", "2026-12-08T10:00:00Z")).json()
    body = {"kind": "task", "subject": "Quote", "due_at": "2026-12-09T12:00:00Z", "customer_id": a1["customer_id"]}
    task = (await client.post(API, json=body, headers=rep1.headers)).json()
    await appointment(client, rep1, "2026-12-20T09:00:00Z", "2026-12-20T10:00:00Z")  # outside the week
    week = {"from": "2026-12-07T00:00:00Z", "to": "2026-12-14T00:00:00Z"}
    r = await client.get(f"{API}/calendar", params=week, headers=rep1.headers)
    assert [i["id"] for i in r.json()["items"]] == [a1["id"], task["id"]]
    r = await client.get(f"{API}/calendar", params=week, headers=u["east_manager"].headers)
    assert [i["id"] for i in r.json()["items"]] == [a1["id"], a2["id"], task["id"]]
    r = await client.get(
        f"{API}/calendar", params={**week, "assignee": str(rep2.id)}, headers=u["east_manager"].headers
    )
    assert [i["id"] for i in r.json()["items"]] == [a2["id"]]
    r = await client.get(f"{API}/calendar", params={"from": week["to"], "to": week["from"]}, headers=rep1.headers)
    assert r.status_code == 422


async def test_reminders_are_sent_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    u = world.users
    manager, rep = u["east_manager"], u["east_rep1"]
    acme = await customer(client, manager)
    body = {"kind": "task", "subject": "Send the contract", "due_at": "2026-01-01T09:00:00Z", "reminder_minutes": 30,
            "assignee_id": str(rep.id), "customer_id": acme}  # fmt: skip
    task = (await client.post(API, json=body, headers=manager.headers)).json()
    later = {**body, "subject": "Next year", "due_at": "2099-01-01T09:00:00Z"}
    assert (await client.post(API, json=later, headers=manager.headers)).status_code == 201
    worker = Worker(engine, settings)
    await worker.run_jobs()
    await worker.run_jobs()
    items = (await client.get("/api/v1/notifications", headers=rep.headers)).json()["items"]
    assert [(n["kind"], n["entity_id"]) for n in items] == [("reminder", task["id"])]
    assert items[0]["title"].startswith("Reminder: Send the contract")
    async with engine.connect() as conn:
        reminded = (
            await conn.execute(sa.select(activities.c.reminded_at).where(activities.c.id == uuid.UUID(task["id"])))
        ).scalar_one()
    assert reminded is not None
