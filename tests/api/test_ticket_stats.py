"""GET /tickets/stats: counts per dimension, repeat complainers, median/p90 times, breach and
reopen rates, over the period and within the caller's data range only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.domain.shared.clock import utcnow
from app.domain.tickets import service as ticket_service
from tests.builders import Factory, World

ROUND_THE_CLOCK = {"time_zone": "UTC", "weekdays": [0, 1, 2, 3, 4, 5, 6], "open_minute": 0, "close_minute": 1440}


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def test_stats(client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    u = world.users
    agent, manager = u["agent1"].headers, u["service_manager"].headers
    assert (await client.put("/api/v1/ticket-calendar", json=ROUND_THE_CLOCK, headers=manager)).status_code == 200
    policy = {"name": "N", "priority": "normal", "first_response_minutes": 60, "resolution_minutes": 600}
    assert (await client.post("/api/v1/sla-policies", json=policy, headers=manager)).status_code == 201
    mine = (await client.post("/api/v1/customers", json={"name": "C1"}, headers=u["east_rep1"].headers)).json()
    theirs = (await client.post("/api/v1/customers", json={"name": "C2"}, headers=u["west_rep1"].headers)).json()
    start = utcnow() - timedelta(days=1)
    clock = {"at": start}
    monkeypatch.setattr(ticket_service, "now", lambda: clock["at"])

    async def at(minutes: int) -> None:
        clock["at"] = start + timedelta(minutes=minutes)

    async def make(kind: str, customer: dict) -> str:
        body = {"subject": kind, "kind": kind, "channel": "email", "customer_id": customer["id"]}
        r = await client.post("/api/v1/tickets", json=body, headers=agent)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def reply(ticket: str) -> None:
        body = {"visibility": "public", "body": "On it"}
        assert (await client.post(f"/api/v1/tickets/{ticket}/comments", json=body, headers=agent)).status_code == 201

    async def move(ticket: str, **body: str) -> None:
        assert (await client.patch(f"/api/v1/tickets/{ticket}", json=body, headers=agent)).status_code == 200

    a, b = await make("complaint", mine), await make("complaint", mine)
    await make("inquiry", theirs)
    await at(30)
    await reply(a)
    await at(90)
    await reply(b)  # 30 minutes late
    await at(120)
    await move(a, status="resolved", solution="Fixed")
    await at(300)
    await move(b, status="resolved", solution="Fixed")
    await at(320)
    await move(b, status="open")  # reopened
    await at(400)
    await move(b, status="resolved", solution="Fixed again")
    # The inquiry is never answered: its first response is overdue by now.

    r = await client.get("/api/v1/tickets/stats", headers=manager)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["total"] == 3
    assert s["by_kind"] == [
        {"key": "complaint", "count": 2, "complaints": 2},
        {"key": "inquiry", "count": 1, "complaints": 0},
    ]
    assert s["by_channel"] == [{"key": "email", "count": 3, "complaints": 2}]
    assert {i["key"]: i["count"] for i in s["by_status"]} == {"resolved": 2, "new": 1}
    assert s["by_owner"] == [{"key": str(u["agent1"].id), "count": 3, "complaints": 2}]
    assert s["repeat_complainers"] == [{"customer_id": mine["id"], "complaints": 2}]
    # Times are read back from 2% buckets above 50 minutes (app/domain/tickets/durations.py): 30 stays
    # 30, 90 reads 89.68, 120 reads 120.69 and 400 reads 403.91 (exact: 60 / 84 and 260 / 372).
    assert s["first_response_minutes"] == {"median": 59.8, "p90": 83.7}
    assert s["resolution_minutes"] == {"median": 262.3, "p90": 375.6}
    assert s["sla"] == {"with_targets": 3, "breached": 2, "breach_rate": 0.6667}
    assert s["reopen"] == {"resolved": 2, "reopened": 1, "reopen_rate": 0.5}
    # Within the caller's range: the rep follows their customer's tickets only.
    rep = (await client.get("/api/v1/tickets/stats", headers=u["east_rep1"].headers)).json()
    assert rep["total"] == 2 and rep["by_customer"] == [{"key": mine["id"], "count": 2, "complaints": 2}]
    assert (await client.get("/api/v1/tickets/stats", headers=u["west_manager"].headers)).json()["total"] == 1
    assert (await client.get("/api/v1/tickets/stats", headers=u["marketer"].headers)).status_code == 403
    # The period: before the tickets, nothing; bad periods are 422.
    early = {"from": (start - timedelta(days=3)).isoformat(), "to": (start - timedelta(days=2)).isoformat()}
    assert (await client.get("/api/v1/tickets/stats", params=early, headers=manager)).json()["total"] == 0
    backwards = {"from": early["to"], "to": early["from"]}
    assert (await client.get("/api/v1/tickets/stats", params=backwards, headers=manager)).status_code == 422
    long = {"from": (start - timedelta(days=400)).isoformat(), "to": start.isoformat()}
    assert (await client.get("/api/v1/tickets/stats", params=long, headers=manager)).status_code == 422
    assert (await client.get("/api/v1/tickets/stats", params={"from": "yesterday"}, headers=manager)).status_code == 422


async def test_volume_over_time(client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """`group_by`: one point per UTC period, empty periods as zero, breaches and complaints counted,
    within the caller's range."""
    u = world.users
    agent, manager = u["agent1"].headers, u["service_manager"].headers
    assert (await client.put("/api/v1/ticket-calendar", json=ROUND_THE_CLOCK, headers=manager)).status_code == 200
    policy = {"name": "N", "priority": "normal", "first_response_minutes": 60, "resolution_minutes": 600}
    assert (await client.post("/api/v1/sla-policies", json=policy, headers=manager)).status_code == 201
    day = datetime(2026, 11, 2, 10, tzinfo=UTC)  # a Monday
    clock = {"at": day}
    monkeypatch.setattr(ticket_service, "now", lambda: clock["at"])
    other = (await world.user("agent2", ["service_agent"], world.department_ids["Service"])).headers
    r = await client.post("/api/v1/ticket-categories", json={"name": "Billing"}, headers=manager)
    billing = r.json()["id"]
    for offset, kind, headers in ((0, "complaint", agent), (0, "inquiry", agent), (2, "complaint", other),
                                  (9, "inquiry", agent)):  # fmt: skip
        clock["at"] = day + timedelta(days=offset)
        body = {"subject": kind, "kind": kind, "category_id": billing}
        assert (await client.post("/api/v1/tickets", json=body, headers=headers)).status_code == 201
    period = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-12T00:00:00Z"}

    async def volume(headers: dict[str, str], group_by: str) -> list[dict]:
        r = await client.get("/api/v1/tickets/stats", params={**period, "group_by": group_by}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["group_by"] == group_by
        return r.json()["volume"]  # type: ignore[no-any-return]

    days = await volume(manager, "day")
    assert len(days) == 10 and days[0]["period"] == "2026-11-02T00:00:00Z"
    counts = {p["period"][:10]: (p["count"], p["complaints"], p["breached"]) for p in days if p["count"]}
    # Never answered: all four are past their first-response target by now.
    assert counts == {"2026-11-02": (2, 1, 2), "2026-11-04": (1, 1, 1), "2026-11-11": (1, 0, 1)}
    assert days[1] == {"period": "2026-11-03T00:00:00Z", "count": 0, "complaints": 0, "breached": 0}
    weeks = await volume(manager, "week")
    assert [(p["period"][:10], p["count"]) for p in weeks] == [("2026-11-02", 3), ("2026-11-09", 1)]
    months = await volume(manager, "month")
    assert [(p["period"][:10], p["count"]) for p in months] == [("2026-11-01", 4)]
    # Top complaint categories: each category's count says how many were complaints.
    stats = (await client.get("/api/v1/tickets/stats", params=period, headers=manager)).json()
    assert stats["by_category"] == [{"key": billing, "count": 4, "complaints": 2}]
    # The agent's own range: agent2's ticket is not counted.
    assert sum(p["count"] for p in await volume(agent, "week")) == 3
    r = await client.get("/api/v1/tickets/stats", params=period, headers=manager)
    assert r.json()["volume"] is None and r.json()["group_by"] is None
    r = await client.get("/api/v1/tickets/stats", params={**period, "group_by": "hour"}, headers=manager)
    assert r.status_code == 422


async def test_a_ticket_put_on_hold_after_its_due_time_counts_as_breached(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stats judge a pending ticket where its clock stopped, as the ticket's own `sla` block does:
    on hold after its resolution due time is a breach, on hold before it is none (however late it
    is now), whether the figures come from the rollups (the manager) or live (the agent)."""
    u = world.users
    agent, manager = u["agent1"].headers, u["service_manager"].headers
    assert (await client.put("/api/v1/ticket-calendar", json=ROUND_THE_CLOCK, headers=manager)).status_code == 200
    policy = {"name": "N", "priority": "normal", "first_response_minutes": 60, "resolution_minutes": 600}
    assert (await client.post("/api/v1/sla-policies", json=policy, headers=manager)).status_code == 201
    start = utcnow() - timedelta(days=1)
    clock = {"at": start}
    monkeypatch.setattr(ticket_service, "now", lambda: clock["at"])
    late, early = [
        (await client.post("/api/v1/tickets", json={"subject": s}, headers=agent)).json()["id"] for s in ("L", "E")
    ]
    for ticket in (late, early):
        body = {"visibility": "public", "body": "On it"}  # answered in time
        assert (await client.post(f"/api/v1/tickets/{ticket}/comments", json=body, headers=agent)).status_code == 201
    clock["at"] = start + timedelta(minutes=300)
    assert (await client.patch(f"/api/v1/tickets/{early}", json={"status": "pending"}, headers=agent)).is_success
    clock["at"] = start + timedelta(minutes=700)  # past the 600-minute resolution target
    assert (await client.patch(f"/api/v1/tickets/{late}", json={"status": "pending"}, headers=agent)).is_success
    clock["at"] = utcnow()
    sla = {t: (await client.get(f"/api/v1/tickets/{t}", headers=agent)).json()["sla"] for t in (late, early)}
    assert sla[late]["paused"] and sla[late]["resolution"]["breached"]
    assert sla[early]["paused"] and not sla[early]["resolution"]["breached"]
    for headers in (manager, agent):
        r = await client.get("/api/v1/tickets/stats", params={"group_by": "day"}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["sla"] == {"with_targets": 2, "breached": 1, "breach_rate": 0.5}
        assert sum(p["breached"] for p in r.json()["volume"]) == 1
