"""The worker's SLA job: a ticket past 80% of its first-response target is warned about, one past
the target is breached; each publishes its event and notifies the assignee and the team's manager
once, however often the job runs; a pending ticket's resolution clock is left alone."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.clock import utcnow
from app.domain.tickets import service as ticket_service
from app.repositories.tables import notifications, outbox
from app.settings import Settings
from app.worker import Worker
from tests.builders import Factory, World

ROUND_THE_CLOCK = {"time_zone": "UTC", "weekdays": [0, 1, 2, 3, 4, 5, 6], "open_minute": 0, "close_minute": 1440}


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def made_ago(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch, minutes: int, **body: object
) -> dict:
    """A ticket of agent1's created `minutes` ago (the SLA clock's start moved back)."""
    at = utcnow() - timedelta(minutes=minutes)
    monkeypatch.setattr(ticket_service, "now", lambda: at)
    r = await client.post("/api/v1/tickets", json={"subject": "Clock", **body}, headers=world.users["agent1"].headers)
    monkeypatch.undo()
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def alerts_of(engine: AsyncEngine, ticket_id: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(events as (type, target), notifications as (kind, user)) about the ticket."""
    tid = uuid.UUID(ticket_id)
    async with engine.connect() as conn:
        events = await conn.execute(
            sa.select(outbox.c.event_type, outbox.c.payload["target"].astext)
            .where(outbox.c.entity_id == tid, outbox.c.event_type.like("ticket.sla_%"))
            .order_by(outbox.c.event_type, outbox.c.payload["target"].astext)
        )
        told = await conn.execute(
            sa.select(notifications.c.kind, notifications.c.user_id)
            .where(notifications.c.entity_id == tid)
            .order_by(notifications.c.kind, notifications.c.user_id)
        )
        return [tuple(e) for e in events], [(k, str(u)) for k, u in told]  # type: ignore[misc]


async def test_warning_breach_once_each(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    u = world.users
    manager = u["service_manager"].headers
    assert (await client.put("/api/v1/ticket-calendar", json=ROUND_THE_CLOCK, headers=manager)).status_code == 200
    policy = {"name": "N", "priority": "normal", "first_response_minutes": 100, "resolution_minutes": 1000}
    assert (await client.post("/api/v1/sla-policies", json=policy, headers=manager)).status_code == 201
    warned = await made_ago(client, world, monkeypatch, 90)  # past 80 of 100 minutes, not yet due
    late = await made_ago(client, world, monkeypatch, 900)  # first response missed, resolution at 90%
    paused = await made_ago(client, world, monkeypatch, 950)
    r = await client.patch(f"/api/v1/tickets/{paused['id']}", json={"status": "pending"}, headers=u["agent1"].headers)
    assert r.status_code == 200
    worker = Worker(engine, settings)
    for _ in range(2):  # the second run finds nothing new
        await worker.run_jobs()
    agent, boss = str(u["agent1"].id), str(u["service_manager"].id)
    people = sorted([agent, boss])
    events, told = await alerts_of(engine, warned["id"])
    assert events == [("ticket.sla_warning", "first_response")]
    assert told == [("sla_warning", p) for p in people]
    events, told = await alerts_of(engine, late["id"])
    assert events == [
        ("ticket.sla_breached", "first_response"),
        ("ticket.sla_warning", "first_response"),
        ("ticket.sla_warning", "resolution"),
    ]
    # Each alert tells both people once: a breach, and a warning per target.
    assert sorted(told) == sorted([("sla_breached", p) for p in people] + [("sla_warning", p) for p in people] * 2)
    # Pending: the resolution clock stands still, only the unanswered first response is told.
    events, _ = await alerts_of(engine, paused["id"])
    assert events == [("ticket.sla_breached", "first_response"), ("ticket.sla_warning", "first_response")]
