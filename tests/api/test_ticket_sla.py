"""SLA clocks over HTTP, on a frozen clock: the business calendar (Asia/Shanghai, Monday to Friday
09:00-18:00, a Monday holiday), policies per priority and customer level, due times across the
weekend and the holiday, pending pausing the resolution clock and moving its due time by exactly
the paused business time, breached flags and remaining business minutes; and the settings' own
rules (who may keep them, bad input refused)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from app.domain.tickets import service as ticket_service
from tests.builders import Factory, World

TICKETS = "/api/v1/tickets"
CALENDAR = {
    "time_zone": "Asia/Shanghai",
    "weekdays": [0, 1, 2, 3, 4],
    "open_minute": 9 * 60,
    "close_minute": 18 * 60,
    "holidays": ["2026-12-07"],  # Monday
}


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in December 2026 given as Shanghai wall time (UTC+8, no DST)."""
    return (
        datetime(2026, 12, day, hour - 8, minute, tzinfo=UTC)
        if hour >= 8
        else datetime(2026, 12, day - 1, hour + 16, minute, tzinfo=UTC)
    )


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = shanghai(4, 17)  # Friday 17:00
        monkeypatch.setattr(ticket_service, "now", lambda: self.at)


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


@pytest.fixture
async def calendar(client: httpx.AsyncClient, world: World) -> None:
    manager = world.users["service_manager"].headers
    r = await client.put("/api/v1/ticket-calendar", json=CALENDAR, headers=manager)
    assert r.status_code == 200, r.text
    for body in (
        {"name": "Normal", "priority": "normal", "first_response_minutes": 120, "resolution_minutes": 600},
        {"name": "High", "priority": "high", "first_response_minutes": 30, "resolution_minutes": 240},
        {"name": "VIP", "priority": "normal", "customer_level": "A", "first_response_minutes": 15,
         "resolution_minutes": 60},
    ):  # fmt: skip
        r = await client.post("/api/v1/sla-policies", json=body, headers=manager)
        assert r.status_code == 201, r.text


async def get(client: httpx.AsyncClient, world: World, t: dict) -> dict:
    r = await client.get(f"{TICKETS}/{t['id']}", headers=world.users["agent1"].headers)
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


async def test_due_times_skip_the_weekend_and_the_holiday(
    client: httpx.AsyncClient, world: World, calendar: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    Clock(monkeypatch)
    agent = world.users["agent1"].headers
    t = (await client.post(TICKETS, json={"subject": "Broken", "priority": "normal"}, headers=agent)).json()
    # 60 minutes on Friday; Monday is a holiday; the rest on Tuesday.
    assert t["first_response_due_at"] == iso(shanghai(8, 10))
    assert t["resolution_due_at"] == iso(shanghai(8, 18))
    assert t["sla"]["first_response"]["remaining_minutes"] == 120
    assert t["sla"]["resolution"]["remaining_minutes"] == 600
    assert t["sla"]["first_response"]["breached"] is False
    # A customer of level A gets the level-A policy for the same priority.
    vip = await client.post(
        "/api/v1/customers", json={"name": "Big Co", "level": "A"}, headers=world.users["east_rep1"].headers
    )
    assert vip.status_code == 201, vip.text
    v = (await client.post(TICKETS, json={"subject": "VIP", "customer_id": vip.json()["id"]}, headers=agent)).json()
    assert v["first_response_due_at"] == iso(shanghai(4, 17, 15)) and v["resolution_due_at"] == iso(shanghai(4, 18))
    # No policy for low: no targets.
    low = (await client.post(TICKETS, json={"subject": "Later", "priority": "low"}, headers=agent)).json()
    assert low["sla"]["policy_id"] is None and low["resolution_due_at"] is None


async def test_pending_pauses_the_resolution_clock(
    client: httpx.AsyncClient, world: World, calendar: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    agent = world.users["agent1"].headers
    t = (await client.post(TICKETS, json={"subject": "Waiting"}, headers=agent)).json()
    url = f"{TICKETS}/{t['id']}"
    clock.at = shanghai(8, 9, 30)  # Tuesday 09:30: waiting on the customer
    r = await client.patch(url, json={"status": "pending"}, headers=agent)
    assert r.status_code == 200 and r.json()["sla"]["paused"] is True
    assert r.json()["sla"]["resolution"]["remaining_minutes"] == 510
    clock.at = shanghai(8, 10, 45)  # the clock stands still while pending
    assert (await get(client, world, t))["sla"]["resolution"]["remaining_minutes"] == 510
    clock.at = shanghai(8, 11)  # 90 business minutes later the customer answers
    r = await client.patch(url, json={"status": "open"}, headers=agent)
    body = r.json()
    assert r.status_code == 200 and body["sla"]["paused"] is False and body["sla_paused_at"] is None
    assert body["resolution_due_at"] == iso(shanghai(9, 10, 30))  # Tue 18:00 + 90 business minutes
    assert body["sla_paused_seconds"] == 90 * 60
    assert body["sla"]["resolution"]["remaining_minutes"] == 510
    # Pending again over the night: only business time counts (Tue 17:00 -> Wed 10:00 = 2 hours).
    clock.at = shanghai(8, 17)
    await client.patch(url, json={"status": "pending"}, headers=agent)
    clock.at = shanghai(9, 10)
    body = (await client.patch(url, json={"status": "open"}, headers=agent)).json()
    assert body["resolution_due_at"] == iso(shanghai(9, 12, 30)) and body["sla_paused_seconds"] == 210 * 60
    # A priority change recomputes from creation, the pauses still counted: 240 + 210 minutes.
    body = (await client.patch(url, json={"priority": "high"}, headers=agent)).json()
    assert body["first_response_due_at"] == iso(shanghai(4, 17, 30))
    assert body["resolution_due_at"] == iso(shanghai(8, 15, 30))


async def test_breached_flags(
    client: httpx.AsyncClient, world: World, calendar: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    agent = world.users["agent1"].headers
    t = (await client.post(TICKETS, json={"subject": "Slow"}, headers=agent)).json()
    clock.at = shanghai(8, 10, 1)  # a minute past the first-response target
    sla = (await get(client, world, t))["sla"]
    assert sla["first_response"]["breached"] is True and sla["first_response"]["remaining_minutes"] == -1
    assert sla["resolution"]["breached"] is False and sla["resolution"]["remaining_minutes"] == 479
    r = await client.post(
        f"{TICKETS}/{t['id']}/comments", json={"visibility": "public", "body": "Sorry"}, headers=agent
    )
    assert r.status_code == 201
    sla = (await get(client, world, t))["sla"]
    assert sla["first_response"]["completed_at"] == iso(clock.at) and sla["first_response"]["breached"] is True
    # Due times and breaches in the list too; "breaching soon" finds it before it is due.
    r = await client.get(TICKETS, params={"open": "true", "due_before": iso(shanghai(8, 19))}, headers=agent)
    assert [i["id"] for i in r.json()["items"]] == [t["id"]]
    r = await client.get(TICKETS, params={"open": "true", "due_before": iso(shanghai(8, 17))}, headers=agent)
    assert r.json()["items"] == []
    clock.at = shanghai(9, 9, 30)  # Wednesday 09:30: 30 business minutes past the resolution target
    listed = (await client.get(TICKETS, headers=agent)).json()["items"][0]["sla"]["resolution"]
    assert listed["breached"] is True and listed["remaining_minutes"] == -30
    body = (
        await client.patch(f"{TICKETS}/{t['id']}", json={"status": "resolved", "solution": "Done"}, headers=agent)
    ).json()
    assert body["sla"]["resolution"]["breached"] is True and body["sla"]["resolution"]["remaining_minutes"] is None


async def test_breaching_soon(
    client: httpx.AsyncClient, world: World, calendar: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`breaching_before`: open tickets whose running clock (first response still owed, or the
    resolution while not pending) is due before the instant; overdue ones included; in range only."""
    clock = Clock(monkeypatch)  # Friday 17:00: first response due Tuesday 10:00, resolution 18:00
    u = world.users
    agent, other, manager = (
        u["agent1"].headers,
        (await world.user("agent2", ["service_agent"], world.department_ids["Service"])).headers,
        u["service_manager"].headers,
    )
    mine = (await client.post(TICKETS, json={"subject": "Owed a reply"}, headers=agent)).json()
    solved = (await client.post(TICKETS, json={"subject": "Solved"}, headers=agent)).json()
    theirs = (await client.post(TICKETS, json={"subject": "Agent two's"}, headers=other)).json()
    r = await client.patch(f"{TICKETS}/{solved['id']}", json={"status": "resolved", "solution": "Ok"}, headers=agent)
    assert r.status_code == 200

    async def breaching(headers: dict[str, str], before: datetime) -> set[str]:
        r = await client.get(TICKETS, params={"breaching_before": iso(before)}, headers=headers)
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["items"]}

    assert await breaching(agent, shanghai(8, 9, 59)) == set()
    assert await breaching(agent, shanghai(8, 10, 30)) == {mine["id"]}  # the first response
    assert await breaching(manager, shanghai(8, 10, 30)) == {mine["id"], theirs["id"]}
    clock.at = shanghai(8, 11)  # answered late: the first-response clock no longer runs
    r = await client.post(
        f"{TICKETS}/{mine['id']}/comments", json={"visibility": "public", "body": "Hi"}, headers=agent
    )
    assert r.status_code == 201
    assert await breaching(agent, shanghai(8, 10, 30)) == set()
    assert await breaching(agent, shanghai(8, 18, 30)) == {mine["id"]}  # the resolution
    clock.at = shanghai(9, 12)  # already breached still counts as breaching
    assert await breaching(agent, shanghai(9, 12)) == {mine["id"]}
    r = await client.patch(f"{TICKETS}/{mine['id']}", json={"status": "pending"}, headers=agent)
    assert r.status_code == 200  # pending: the resolution clock stands still
    assert await breaching(agent, shanghai(31, 12)) == set()
    # Combines with the other filters; a bad instant is a 422.
    r = await client.get(TICKETS, params={"breaching_before": iso(shanghai(9, 12)), "owner": "me"}, headers=other)
    assert [i["id"] for i in r.json()["items"]] == [theirs["id"]]
    r = await client.get(TICKETS, params={"breaching_before": "soon"}, headers=agent)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


async def test_settings_who_and_bad_input(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    manager, agent = u["service_manager"].headers, u["agent1"].headers
    r = await client.get("/api/v1/ticket-calendar", headers=agent)
    assert r.status_code == 200 and r.json()["version"] == 0 and r.json()["time_zone"] == "UTC"
    assert (await client.put("/api/v1/ticket-calendar", json=CALENDAR, headers=agent)).status_code == 403
    assert (await client.get("/api/v1/ticket-calendar", headers=u["marketer"].headers)).status_code == 403
    for bad in (
        {**CALENDAR, "time_zone": "Mars/Olympus"},
        {**CALENDAR, "open_minute": 1000, "close_minute": 900},
        {**CALENDAR, "weekdays": [7]},
        {**CALENDAR, "weekdays": []},
        {**CALENDAR, "holidays": ["2026-13-01"]},
        {**CALENDAR, "extra": True},
    ):
        r = await client.put("/api/v1/ticket-calendar", json=bad, headers=manager)
        assert r.status_code == 422, (bad, r.text)
    assert (await client.get("/api/v1/ticket-calendar", headers=agent)).json()["version"] == 0
    saved = await client.put("/api/v1/ticket-calendar", json=CALENDAR, headers=manager)
    assert saved.json()["version"] == 1 and saved.json()["holidays"] == ["2026-12-07"]
    policy = {"name": "N", "priority": "normal", "first_response_minutes": 60, "resolution_minutes": 480}
    made = await client.post("/api/v1/sla-policies", json=policy, headers=manager)
    assert made.status_code == 201
    dup = await client.post("/api/v1/sla-policies", json=policy, headers=manager)
    assert dup.status_code == 409 and dup.json()["existing_id"] == made.json()["id"]
    short = {**policy, "priority": "high", "resolution_minutes": 10}
    assert (await client.post("/api/v1/sla-policies", json=short, headers=manager)).status_code == 422
    assert (await client.post("/api/v1/sla-policies", json=policy, headers=agent)).status_code == 403
    assert len((await client.get("/api/v1/sla-policies", headers=agent)).json()["items"]) == 1
    # Categories: a tree, no cycles, no unknown parent.
    root = (await client.post("/api/v1/ticket-categories", json={"name": "Hardware"}, headers=manager)).json()
    child = await client.post(
        "/api/v1/ticket-categories", json={"name": "Printer", "parent_id": root["id"]}, headers=manager
    )
    assert child.status_code == 201
    r = await client.patch(
        f"/api/v1/ticket-categories/{root['id']}", json={"parent_id": child.json()["id"]}, headers=manager
    )
    assert r.status_code == 422
    r = await client.post(
        "/api/v1/ticket-categories", json={"name": "X", "parent_id": str(uuid.uuid4())}, headers=manager
    )
    assert r.status_code == 422
    assert len((await client.get("/api/v1/ticket-categories", headers=agent)).json()["items"]) == 2


async def test_a_blank_customer_level_is_any_level(client: httpx.AsyncClient, world: World) -> None:
    """The unique index holds "" and null alike (any level): a blank level is stored as null, and a
    second "any level" policy of a priority is the 409 naming the first, on create and on change."""
    manager = world.users["service_manager"].headers
    policy = {"name": "N", "priority": "normal", "first_response_minutes": 60, "resolution_minutes": 480}
    blank = await client.post("/api/v1/sla-policies", json={**policy, "customer_level": ""}, headers=manager)
    assert blank.status_code == 201, blank.text
    assert blank.json()["customer_level"] is None
    for level in (None, "", "   "):
        dup = await client.post("/api/v1/sla-policies", json={**policy, "customer_level": level}, headers=manager)
        assert dup.status_code == 409, (level, dup.text)
        assert dup.headers["content-type"].startswith("application/problem+json")
        assert dup.json()["existing_id"] == blank.json()["id"]
    vip = await client.post("/api/v1/sla-policies", json={**policy, "customer_level": "A"}, headers=manager)
    assert vip.status_code == 201
    moved = await client.patch(f"/api/v1/sla-policies/{vip.json()['id']}", json={"customer_level": ""}, headers=manager)
    assert moved.status_code == 409 and moved.json()["existing_id"] == blank.json()["id"]
    high = await client.patch(
        f"/api/v1/sla-policies/{vip.json()['id']}", json={"priority": "high", "customer_level": ""}, headers=manager
    )
    assert high.status_code == 200 and high.json()["customer_level"] is None
