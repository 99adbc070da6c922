"""Sales plans over HTTP: targets the caller can read, progress as planned vs. done within the
plan's period and targets, closing with an evaluation, data ranges."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.builders import Factory, World

API = "/api/v1/sales-plans"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def test_a_plan_and_its_progress(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    rep = u["east_rep1"]
    acme = (await client.post("/api/v1/customers", json={"name": "Acme"}, headers=rep.headers)).json()
    other = (await client.post("/api/v1/customers", json={"name": "Other"}, headers=rep.headers)).json()
    body = {"name": "Grow Acme", "period": "2026-12", "goal": "Sign the renewal", "target_customer_ids": [acme["id"]],
            "planned_activities": 4}  # fmt: skip
    r = await client.post(API, json=body, headers=rep.headers)
    plan = r.json()
    assert r.status_code == 201 and (plan["period_kind"], plan["period_start"]) == ("month", "2026-12-01")
    for kind, when, customer, status in (
        ("call", "2026-12-02T10:00:00Z", acme, None),
        ("visit", "2026-12-05T10:00:00Z", acme, None),
        ("call", "2026-11-30T10:00:00Z", acme, None),  # before the period
        ("call", "2026-12-06T10:00:00Z", other, None),  # not a target
    ):
        body = {"kind": kind, "subject": "x", "occurred_at": when, "customer_id": customer["id"]}
        assert (await client.post("/api/v1/activities", json=body, headers=rep.headers)).status_code == 201
    task = {"kind": "task", "subject": "Send offer", "due_at": "2026-12-10T10:00:00Z", "customer_id": acme["id"]}
    assert (await client.post("/api/v1/activities", json=task, headers=rep.headers)).status_code == 201
    r = await client.get(f"{API}/{plan['id']}", headers=rep.headers)
    assert r.json()["progress"] == {"planned": 4, "done": 2, "scheduled": 1, "ratio": 0.5}
    r = await client.patch(
        f"{API}/{plan['id']}", json={"status": "closed", "evaluation": "Renewed"}, headers=rep.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"


async def test_targets_must_be_visible_and_plans_are_ranged(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    theirs = (await client.post("/api/v1/customers", json={"name": "W"}, headers=u["west_rep1"].headers)).json()
    body = {"name": "x", "period": "2026-Q4", "target_customer_ids": [theirs["id"]]}
    r = await client.post(API, json=body, headers=u["east_rep1"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "target_customer_ids.0"
    body = {"name": "x", "period": "2026-Q4", "target_lead_ids": [str(uuid.uuid4())]}
    assert (await client.post(API, json=body, headers=u["east_rep1"].headers)).status_code == 422
    plan = (await client.post(API, json={"name": "Mine", "period": "2026-Q4"}, headers=u["east_rep1"].headers)).json()
    assert (await client.get(f"{API}/{plan['id']}", headers=u["west_rep1"].headers)).status_code == 404
    assert (await client.get(f"{API}/{plan['id']}", headers=u["east_manager"].headers)).status_code == 200
    assert (await client.get(API, headers=u["agent1"].headers)).status_code == 403
    r = await client.post(API, json={"name": "x", "period": "2026-Q9"}, headers=u["east_rep1"].headers)
    assert r.status_code == 422
