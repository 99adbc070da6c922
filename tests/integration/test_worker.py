"""The worker on a real PostgreSQL: events become notifications, two workers never process one
event twice, a worker killed mid-batch loses nothing, a failing handler is retried later, and the
rotting-deal job tells each owner once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app import worker as worker_module
from app.domain.notifications.entities import OutboxEvent
from app.repositories.tables import notifications, opportunities, outbox
from app.settings import Settings
from app.worker import Worker
from tests.builders import Factory, World


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def drain(worker: Worker) -> None:
    while await worker.process_batch():
        pass


async def pending(engine: AsyncEngine, tenant_id: uuid.UUID) -> int:
    async with engine.connect() as conn:
        stmt = sa.select(sa.func.count()).where(outbox.c.tenant_id == tenant_id, outbox.c.processed_at.is_(None))
        return int((await conn.execute(stmt)).scalar_one())


async def test_an_assignment_notifies_the_new_owner(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    u = world.users
    r = await client.post("/api/v1/leads", json={"name": "Hot lead"}, headers=u["east_manager"].headers)
    lead = r.json()
    r = await client.post(
        f"/api/v1/leads/{lead['id']}/assign",
        json={"owner_id": str(u["east_rep2"].id)},
        headers=u["east_manager"].headers,
    )
    assert r.status_code == 200
    assert (await client.get("/api/v1/notifications", headers=u["east_rep2"].headers)).json()["items"] == []
    await drain(Worker(engine, settings))
    assert await pending(engine, world.id) == 0
    items = (await client.get("/api/v1/notifications", headers=u["east_rep2"].headers)).json()["items"]
    assert [(n["kind"], n["entity"], n["entity_id"]) for n in items] == [("assigned", "lead", lead["id"])]
    assert items[0]["title"] == "A lead was assigned to you" and items[0]["read_at"] is None

    async def unread(user: str) -> int:
        r = await client.get("/api/v1/notifications/unread-count", headers=u[user].headers)
        assert r.status_code == 200
        return int(r.json()["unread"])

    assert (await unread("east_rep2"), await unread("east_rep1")) == (1, 0)
    # Nobody else sees it; marking read is one's own.
    assert (await client.get("/api/v1/notifications", headers=u["east_rep1"].headers)).json()["items"] == []
    r = await client.post("/api/v1/notifications/read", json={}, headers=u["east_rep1"].headers)
    assert r.json() == {"marked": 0}
    r = await client.post("/api/v1/notifications/read", json={"ids": [items[0]["id"]]}, headers=u["east_rep2"].headers)
    assert r.json() == {"marked": 1}
    left = await client.get("/api/v1/notifications", params={"unread": "true"}, headers=u["east_rep2"].headers)
    assert left.json()["items"] == []
    assert await unread("east_rep2") == 0
    assert (await client.get("/api/v1/notifications")).status_code == 401
    assert (await client.get("/api/v1/notifications/unread-count")).status_code == 401


async def _create_many(client: httpx.AsyncClient, world: World, count: int) -> None:
    u = world.users
    for i in range(count):
        r = await client.post(
            "/api/v1/customers", json={"name": f"C{i}", "owner_id": str(u["east_rep1"].id)}, headers=u["admin"].headers
        )
        assert r.status_code == 201


async def test_two_workers_never_process_one_event_twice(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _create_many(client, world, 30)
    seen: Counter[uuid.UUID] = Counter()

    async def record(event: OutboxEvent, conn: AsyncConnection) -> None:
        if event.tenant_id == world.id:
            seen[event.id] += 1
        await asyncio.sleep(0.001)  # let the other worker run meanwhile

    monkeypatch.setattr(worker_module, "handlers_for", lambda event_type: [record])
    first, second = Worker(engine, settings, batch=4), Worker(engine, settings, batch=4)
    await asyncio.gather(drain(first), drain(second))
    assert len(seen) == 30 and set(seen.values()) == {1}  # every customer.created, each once
    assert await pending(engine, world.id) == 0


async def test_a_worker_killed_mid_batch_loses_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await drain(Worker(engine, settings))  # start from an empty queue
    await _create_many(client, world, 3)
    started = asyncio.Event()

    async def hang(event: OutboxEvent, conn: AsyncConnection) -> None:
        started.set()
        await asyncio.sleep(3600)

    monkeypatch.setattr(worker_module, "handlers_for", lambda event_type: [hang])
    doomed = asyncio.create_task(Worker(engine, settings).process_batch())
    await started.wait()
    doomed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert await pending(engine, world.id) == 3
    monkeypatch.undo()
    await drain(Worker(engine, settings))
    assert await pending(engine, world.id) == 0


async def test_a_failing_handler_is_retried_later(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await drain(Worker(engine, settings))
    await _create_many(client, world, 2)

    async def flaky(event: OutboxEvent, conn: AsyncConnection) -> None:
        if event.event_type == "customer.created":
            raise RuntimeError("webhook down")

    monkeypatch.setattr(worker_module, "handlers_for", lambda event_type: [flaky])
    await drain(Worker(engine, settings))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(
                    outbox.c.event_type,
                    outbox.c.processed_at,
                    outbox.c.attempts,
                    outbox.c.last_error,
                    outbox.c.available_at > sa.func.now(),
                ).where(outbox.c.tenant_id == world.id)  # fmt: skip
            )
        ).all()
    created = [r for r in rows if r[0] == "customer.created"]
    assert len(created) == 2 and all(r[1] is None and r[2] == 1 and "webhook down" in r[3] and r[4] for r in created)
    assert all(r[1] is not None for r in rows if r[0] != "customer.created")
    assert worker_module.retry_delay(0) == timedelta(seconds=10) and worker_module.retry_delay(20) == timedelta(hours=1)


async def test_rotting_deals_are_flagged_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    u = world.users
    stages = [
        {"name": "Talk", "probability": 20, "rotting_days": 5},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ]
    await client.post("/api/v1/pipelines", json={"name": "P", "stages": stages}, headers=u["director"].headers)
    rep = u["east_rep1"]
    customer = (await client.post("/api/v1/customers", json={"name": "Idle Co"}, headers=rep.headers)).json()
    made = []
    for name in ("Stale", "Fresh"):
        body = {"name": name, "customer_id": customer["id"]}
        made.append((await client.post("/api/v1/opportunities", json=body, headers=rep.headers)).json())
    stale, fresh = made
    async with engine.begin() as conn:
        await conn.execute(
            opportunities.update()
            .where(opportunities.c.tenant_id == world.id, opportunities.c.id == uuid.UUID(stale["id"]))
            .values(stage_entered_at=sa.func.now() - timedelta(days=6))
        )
    worker = Worker(engine, settings)
    await worker.run_jobs()
    await worker.run_jobs()
    async with engine.connect() as conn:
        found = (
            await conn.execute(
                sa.select(notifications.c.user_id, notifications.c.entity_id).where(
                    notifications.c.tenant_id == world.id, notifications.c.kind == "rotting"
                )
            )
        ).all()
    assert [(r.user_id, str(r.entity_id)) for r in found] == [(rep.id, stale["id"])]
    assert fresh["id"] != stale["id"]


async def test_serve_runs_a_worker_inside(database_url: str, settings: Settings, world: World) -> None:
    from app.main import create_app

    inside = settings.model_copy(update={"worker_in_serve": True, "worker_poll_seconds": 0.05})
    app = create_app(inside, database_url=database_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await _create_many(client, world, 1)
            engine = app.state.engine
            for _ in range(200):  # the worker polls every 50 ms; give it up to 10 s on a busy machine
                if await pending(engine, world.id) == 0:
                    break
                await asyncio.sleep(0.05)
            assert await pending(engine, world.id) == 0
        running = [t for t in asyncio.all_tasks() if "Worker.run" in repr(t)]
        assert len(running) == 1 and not running[0].done()
    # Leaving the lifespan stopped the worker.
    assert running[0].done()


async def test_a_scoring_rule_change_rescores_open_leads_in_batches(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.domain.leads import rescoring

    monkeypatch.setattr(rescoring, "BATCH", 2)  # five leads: three batches, each queueing the next
    admin = world.users["admin"].headers
    made = []
    for name, phone, status in (
        ("A", "13800138000", "new"),
        ("B", None, "new"),
        ("C", "13900139000", "contacted"),
        ("D", "13700137000", "qualified"),
        ("E", "13600136000", "unqualified"),
    ):
        body = {"name": name, "phone": phone, "status": status}
        if status == "unqualified":
            body["unqualified_reason"] = "no budget"
        r = await client.post("/api/v1/leads", json=body, headers=admin)
        assert r.status_code == 201, r.text
        made.append(r.json())
    await drain(Worker(engine, settings))
    r = await client.post(
        "/api/v1/lead-scoring-rules",
        json={"label": "Has a phone", "field": "phone", "op": "present", "points": 5},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    rule = r.json()

    async def scores() -> dict[str, tuple[int, int, str]]:
        found = {}
        for lead in made:
            body = (await client.get(f"/api/v1/leads/{lead['id']}", headers=admin)).json()
            found[body["name"]] = (body["score"], body["version"], body["updated_at"])
        return found

    before = await scores()
    assert {k: v[0] for k, v in before.items()} == dict.fromkeys("ABCDE", 0)
    await drain(Worker(engine, settings))
    after = await scores()
    assert {k: v[0] for k, v in after.items()} == {"A": 5, "B": 0, "C": 5, "D": 5, "E": 0}
    # Rewritten leads get a new version (a new ETag) but keep their updated_at; others are untouched.
    assert after["A"][1] == before["A"][1] + 1 and after["A"][2] == before["A"][2]
    assert after["B"][1:] == before["B"][1:] and after["E"][1:] == before["E"][1:]
    reasons = (await client.get(f"/api/v1/leads/{made[0]['id']}", headers=admin)).json()["score_reasons"]
    assert [(x["rule_id"], x["points"]) for x in reasons] == [(rule["id"], 5)]
    async with engine.connect() as conn:
        batches = await conn.execute(
            sa.select(sa.func.count()).where(outbox.c.tenant_id == world.id, outbox.c.event_type == "leads.rescore")
        )
        assert batches.scalar_one() == 3

    r = await client.delete(f"/api/v1/lead-scoring-rules/{rule['id']}", headers=admin)
    assert r.status_code == 204
    await drain(Worker(engine, settings))
    assert {k: v[0] for k, v in (await scores()).items()} == dict.fromkeys("ABCDE", 0)
