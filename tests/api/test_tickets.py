"""Tickets over HTTP: numbers, create and the assignee, list filters, status moves (409 for an
impossible move or a late reopen, 422 for a resolve without solution), the conversation (first
response, internal notes kept out of the public view, attachment size limit), escalation,
the lead hand-over, and bad input that changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.tickets import service as ticket_service
from app.repositories.tables import audit_log, leads, ticket_escalations, ticket_status_changes, tickets
from tests.builders import Factory, User, World

TICKETS = "/api/v1/tickets"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def ticket(client: httpx.AsyncClient, headers: dict[str, str], **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("subject", f"Printer jam {uuid.uuid4().hex[:6]}")
    r = await client.post(TICKETS, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def patch(client: httpx.AsyncClient, t: dict, headers: dict[str, str], **body) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await client.patch(f"{TICKETS}/{t['id']}", json=body, headers=headers)


async def new_customer(client: httpx.AsyncClient, user: User, name: str) -> dict:  # type: ignore[type-arg]
    r = await client.post("/api/v1/customers", json={"name": name}, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_numbers_taken_at_once_have_no_gaps(
    client: httpx.AsyncClient, world: World, app: object, engine: AsyncEngine
) -> None:
    """Ten tickets opened at once take ten numbers in a row, each also at the head of the
    ticket's search text; a ticket row never commits without a number (migration 0022)."""
    agent = world.users["agent1"]

    async def one(n: int) -> dict:  # type: ignore[type-arg]
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as own:
            return await ticket(own, agent.headers, subject=f"Jam {n}")

    made = await asyncio.gather(*(one(n) for n in range(10)))
    assert sorted(t["number"] for t in made) == [f"T{n:06d}" for n in range(1, 11)]
    first = min(made, key=lambda t: t["number"])
    r = await client.get(TICKETS, params={"q": first["number"].lower()}, headers=agent.headers)
    assert [t["id"] for t in r.json()["items"]] == [first["id"]]
    async with engine.connect() as conn:
        text = (await conn.execute(sa.select(tickets.c.search_text).where(tickets.c.id == first["id"]))).scalar()
        assert text == f"{first['number'].lower()} {first['subject'].lower()}"
    row = {"tenant_id": world.id, "id": uuid.uuid4(), "kind": "inquiry", "channel": "web",
           "priority": "normal", "subject": "no number"}  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError, match="has no number"):
        async with engine.begin() as conn:
            await conn.execute(tickets.insert().values(row))
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(tickets.c.id).where(tickets.c.id == row["id"]))).first() is None


async def test_numbers_owner_and_the_sla_block(client: httpx.AsyncClient, world: World) -> None:
    agent = world.users["agent1"]
    first = await ticket(client, agent.headers, kind="complaint", channel="wechat", priority="high")
    second = await ticket(client, agent.headers)
    assert (first["number"], second["number"]) == ("T000001", "T000002")
    assert first["owner_id"] == str(agent.id) and first["department_id"] == str(agent.department_id)
    assert first["status"] == "new" and first["kind"] == "complaint" and first["channel"] == "wechat"
    # No SLA policy yet: no targets, nothing breached.
    assert first["sla"]["policy_id"] is None and first["sla"]["resolution"]["breached"] is False
    r = await client.get(f"{TICKETS}/{first['id']}", headers=agent.headers)
    assert r.status_code == 200 and r.headers["etag"] == 'W/"1"' and r.json()["sla"]["paused"] is False
    # Another tenant numbers from 1 too.
    other = await (await world.factory.tenant()).user("admin", ["admin"])
    assert (await ticket(client, other.headers))["number"] == "T000001"


async def test_queue_and_list_filters(client: httpx.AsyncClient, world: World) -> None:
    u, service = world.users, world.department_ids["Service"]
    manager = u["service_manager"].headers
    mine = await ticket(client, u["agent1"].headers, priority="urgent", tags=["vip"], subject="蓝屏 after update")
    queued = await ticket(client, manager, owner_id=None, department_id=str(service), kind="inquiry")
    assert queued["owner_id"] is None and queued["department_id"] == str(service)

    async def ids(headers: dict[str, str], **params: str) -> set[str]:
        r = await client.get(TICKETS, params=params, headers=headers)
        assert r.status_code == 200, r.text
        return {t["id"] for t in r.json()["items"]}

    assert await ids(manager, owner="none") == {queued["id"]}
    assert await ids(manager, owner=str(u["agent1"].id)) == {mine["id"]}
    assert await ids(u["agent1"].headers, owner="me") == {mine["id"]}
    assert await ids(u["agent1"].headers) == {mine["id"]}  # the queue is not an agent's own
    assert await ids(manager, team=str(service)) == {mine["id"], queued["id"]}
    assert await ids(manager, priority="urgent") == {mine["id"]}
    assert await ids(manager, kind="inquiry") == {queued["id"]}
    assert await ids(manager, tag="vip") == {mine["id"]}
    assert await ids(manager, q="蓝屏") == {mine["id"]}
    assert await ids(manager, q=mine["number"].lower()) == {mine["id"]}
    assert await ids(manager, status="new", open="true") == {mine["id"], queued["id"]}
    assert await ids(manager, open="false") == set()
    r = await client.get(TICKETS, params={"owner": "nobody"}, headers=manager)
    assert r.status_code == 422


async def test_status_moves(client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = world.users["agent1"].headers
    t = await ticket(client, agent)
    assert (await patch(client, t, agent, status="closed")).status_code == 409  # new -> closed
    r = await patch(client, t, agent, status="resolved")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "solution"
    assert (await client.get(f"{TICKETS}/{t['id']}", headers=agent)).json()["version"] == 1  # nothing changed
    r = await patch(client, t, agent, status="resolved", solution="Replaced the toner")
    assert r.status_code == 200 and r.json()["resolved_at"] is not None
    assert (await patch(client, t, agent, status="pending")).status_code == 409  # resolved -> pending
    r = await patch(client, t, agent, status="open")  # a reopen within the window
    assert r.status_code == 200 and r.json()["reopen_count"] == 1 and r.json()["resolved_at"] is None
    r = await patch(client, t, agent, status="resolved", solution="Replaced the drum")
    r = await patch(client, t, agent, status="closed")
    assert r.status_code == 200 and r.json()["closed_at"] is not None
    assert (await patch(client, t, agent, subject="late edit")).status_code == 409  # closed is final
    # Eight days later the reopen window (7 days by default) has passed.
    later = datetime.now(UTC) + timedelta(days=8)
    monkeypatch.setattr(ticket_service, "now", lambda: later)
    r = await patch(client, t, agent, status="open")
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"


async def test_status_history_is_recorded(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    agent = world.users["agent1"].headers
    t = await ticket(client, agent)
    await patch(client, t, agent, status="pending")
    await patch(client, t, agent, status="resolved", solution="Done")
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(ticket_status_changes.c.from_status, ticket_status_changes.c.to_status)
                .where(ticket_status_changes.c.ticket_id == uuid.UUID(t["id"]))
                .order_by(ticket_status_changes.c.changed_at, ticket_status_changes.c.to_status)
            )
        ).all()
    assert [tuple(r) for r in rows] == [(None, "new"), ("new", "pending"), ("pending", "resolved")]


async def test_comments(client: httpx.AsyncClient, world: World) -> None:
    agent = world.users["agent1"].headers
    t = await ticket(client, agent)
    url = f"{TICKETS}/{t['id']}/comments"
    note = await client.post(url, json={"visibility": "internal", "body": "Customer sounds upset"}, headers=agent)
    assert note.status_code == 201
    after_note = (await client.get(f"{TICKETS}/{t['id']}", headers=agent)).json()
    assert after_note["first_responded_at"] is None and after_note["status"] == "new"  # a note answers nobody
    attachment = {"name": "log.txt", "size": 1200, "content_type": "text/plain", "storage_key": "t/1/log.txt"}
    reply = await client.post(
        url, json={"visibility": "public", "body": "We are on it", "attachments": [attachment]}, headers=agent
    )
    assert reply.status_code == 201 and reply.json()["attachments"] == [attachment]
    now = (await client.get(f"{TICKETS}/{t['id']}", headers=agent)).json()
    assert now["first_responded_at"] == reply.json()["created_at"] and now["status"] == "open"
    assert now["sla"]["first_response"]["completed_at"] == reply.json()["created_at"]
    everything = (await client.get(url, headers=agent)).json()["items"]
    assert [c["visibility"] for c in everything] == ["internal", "public"]
    public = (await client.get(url, params={"visibility": "public"}, headers=agent)).json()["items"]
    assert [c["body"] for c in public] == ["We are on it"]
    # A later reply does not move the first response.
    await client.post(url, json={"visibility": "public", "body": "Fixed?"}, headers=agent)
    again = (await client.get(f"{TICKETS}/{t['id']}", headers=agent)).json()
    assert again["first_responded_at"] == now["first_responded_at"]
    # Too large an attachment, an unknown field, an empty body: 422, nothing added.
    huge = {**attachment, "size": 25 * 1024 * 1024 + 1}
    r = await client.post(url, json={"visibility": "public", "body": "x", "attachments": [huge]}, headers=agent)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attachments.0.size"
    assert (
        await client.post(url, json={"visibility": "public", "body": "x", "pin": 1}, headers=agent)
    ).status_code == 422
    assert (await client.post(url, json={"visibility": "secret", "body": "x"}, headers=agent)).status_code == 422
    assert len((await client.get(url, headers=agent)).json()["items"]) == 3
    # Read-only callers see the conversation of tickets in range, cannot add to it.
    stranger = world.users["east_rep1"].headers
    assert (await client.get(url, headers=stranger)).status_code == 404
    assert (await client.post(url, json={"visibility": "public", "body": "x"}, headers=stranger)).status_code == 403


async def test_escalation(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    u = world.users
    agent = u["agent1"].headers
    t = await ticket(client, agent, priority="normal")
    url = f"{TICKETS}/{t['id']}/escalate"
    r = await client.post(url, json={"reason": "Customer called twice"}, headers=agent)
    assert r.status_code == 200 and r.json()["priority"] == "high" and r.json()["escalation_level"] == 1
    r = await client.post(url, json={"reason": "x", "priority": "low"}, headers=agent)
    assert r.status_code == 422  # not higher
    r = await client.post(url, json={"reason": "Board member", "priority": "urgent", "to_manager": True}, headers=agent)
    assert r.status_code == 200
    assert r.json()["owner_id"] == str(u["service_manager"].id) and r.json()["escalation_level"] == 2
    # The agent no longer holds it: opened by them, it stays readable, no longer theirs to change
    # or escalate; the manager sees both escalations.
    assert (await client.get(f"{TICKETS}/{t['id']}", headers=agent)).status_code == 200
    assert (await client.post(url, json={"reason": "again"}, headers=agent)).status_code == 404
    listed = (await client.get(f"{TICKETS}/{t['id']}/escalations", headers=u["service_manager"].headers)).json()
    assert [(e["level"], e["from_priority"], e["to_priority"]) for e in listed["items"]] == [
        (1, "normal", "high"),
        (2, "high", "urgent"),
    ]
    assert listed["items"][1]["to_owner_id"] == str(u["service_manager"].id)
    r = await client.post(url, json={"reason": "again"}, headers=u["service_manager"].headers)
    assert r.status_code == 422  # already urgent and no manager move asked
    async with engine.connect() as conn:
        count = await conn.scalar(
            sa.select(sa.func.count()).where(ticket_escalations.c.ticket_id == uuid.UUID(t["id"]))
        )
        audited = await conn.scalar(
            sa.select(sa.func.count()).where(
                audit_log.c.entity_id == uuid.UUID(t["id"]), audit_log.c.action == "ticket.escalated"
            )
        )
    assert count == 2 and audited == 2


async def test_create_lead(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    u = world.users
    customer = await client.post("/api/v1/customers", json={"name": "北京星河科技"}, headers=u["east_rep1"].headers)
    t = await ticket(client, u["agent1"].headers, kind="inquiry", customer_id=customer.json()["id"])
    url = f"{TICKETS}/{t['id']}/create-lead"
    r = await client.post(url, json={}, headers=u["agent1"].headers)
    assert r.status_code == 201, r.text
    lead_id = r.json()["lead_id"]
    assert r.json()["ticket"]["lead_id"] == lead_id
    lead = await client.get(f"/api/v1/leads/{lead_id}", headers=u["director"].headers)
    assert lead.status_code == 200
    assert lead.json()["source_ticket_id"] == t["id"] and lead.json()["company"] == "北京星河科技"
    again = await client.post(url, json={}, headers=u["agent1"].headers)
    assert again.status_code == 409 and again.json()["existing_id"] == lead_id
    assert (await client.post(url, json={}, headers=u["east_rep1"].headers)).status_code == 403
    async with engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).where(leads.c.source_ticket_id == uuid.UUID(t["id"]))) == 1


async def test_bad_input_changes_nothing(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    agent = world.users["agent1"]
    bad_bodies = [
        {},
        {"subject": ""},
        {"subject": "x" * 301},
        {"subject": "ok", "priority": "extreme"},
        {"subject": "ok", "kind": "<script>"},
        {"subject": "ok", "tenant_id": str(uuid.uuid4())},
        {"subject": "ok", "number": "T999999"},
        {"subject": "ok", "customer_id": str(uuid.uuid4())},
        {"subject": "ok", "category_id": str(uuid.uuid4())},
        {"subject": "ok", "owner_id": str(world.users["east_rep1"].id)},  # needs tickets:assign
        {"subject": "ok", "custom_fields": {"nope": 1}},
        {"subject": ["a"]},
    ]
    for body in bad_bodies:
        r = await client.post(TICKETS, json=body, headers=agent.headers)
        assert r.status_code in (403, 422), (body, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    async with engine.connect() as conn:
        count = await conn.scalar(sa.select(sa.func.count()).where(tickets.c.tenant_id == world.id))
    assert count == 0
    # Gap-free: the failed attempts took no number.
    assert (await ticket(client, agent.headers))["number"] == "T000001"
    t = await ticket(client, agent.headers)
    for body in ({"status": "archived"}, {"version": 9}, {"sla_paused_at": None}, {"subject": None}):
        r = await patch(client, t, agent.headers, **body)
        assert r.status_code == 422, (body, r.text)
    r = await client.patch(
        f"{TICKETS}/{t['id']}", json={"subject": "x"}, headers={**agent.headers, "If-Match": 'W/"7"'}
    )
    assert r.status_code == 412
    assert (await client.get(f"{TICKETS}/{t['id']}", headers=agent.headers)).json()["version"] == 1
    assert (await client.get(f"{TICKETS}/not-a-uuid", headers=agent.headers)).status_code == 422
    assert (await client.get(TICKETS, params={"cursor": "garbage"}, headers=agent.headers)).status_code == 422
    assert (await client.get(TICKETS, headers={})).status_code == 401


async def test_assignment_rules_share_the_lead_routing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    u, service = world.users, world.department_ids["Service"]
    agent2 = await world.user("agent2", ["service_agent"], service)
    manager = u["service_manager"].headers
    rules = "/api/v1/ticket-assignment-rules"

    async def rule(**body: object) -> dict:
        body.setdefault("name", f"Rule {uuid.uuid4().hex[:6]}")
        r = await client.post(rules, json=body, headers=manager)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    first = await rule(channel="wechat", user_id=str(u["agent1"].id))
    await rule(priority="urgent", department_id=str(service), method="round_robin")
    await rule(kind="complaint", department_id=str(service), method="least_open")
    assert (await client.post(rules, json={"name": "x"}, headers=manager)).status_code == 422  # no target
    assert (
        await client.post(rules, json={"name": "x", "user_id": str(u["agent1"].id)}, headers=u["agent1"].headers)
    ).status_code == 403

    wechat = await ticket(client, manager, channel="wechat")
    assert wechat["owner_id"] == str(u["agent1"].id)
    # Round robin over the team's active people who work tickets: the manager and both agents.
    team = {str(u["service_manager"].id), str(u["agent1"].id), str(agent2.id)}
    owners = [(await ticket(client, manager, priority="urgent"))["owner_id"] for _ in range(6)]
    assert set(owners[:3]) == team and owners[:3] == owners[3:]
    # Least open: whoever of the team holds the fewest open tickets (ties by id).
    counts = {}
    for who in team:
        r = await client.get(TICKETS, params={"owner": who, "open": "true"}, headers=manager)
        counts[who] = len(r.json()["items"])
    expected = min(team, key=lambda who: (counts[who], uuid.UUID(who)))
    assert (await ticket(client, manager, kind="complaint"))["owner_id"] == expected
    # No rule takes it: the caller, or with an explicit null owner the team's queue.
    assert (await ticket(client, manager))["owner_id"] == str(u["service_manager"].id)
    assert (await ticket(client, manager, owner_id=None))["owner_id"] is None
    async with engine.connect() as conn:
        routed = await conn.scalar(
            sa.select(audit_log.c.changes).where(
                audit_log.c.entity_id == uuid.UUID(wechat["id"]), audit_log.c.action == "ticket.assigned"
            )
        )
    assert routed["assignment_rule"]["after"]["id"] == first["id"]
    # A manual reassignment is audited too.
    r = await client.post(f"{TICKETS}/{wechat['id']}/assign", json={"owner_id": str(agent2.id)}, headers=manager)
    assert r.status_code == 200 and r.json()["owner_id"] == str(agent2.id)
    assert (
        await client.post(
            f"{TICKETS}/{wechat['id']}/assign", json={"owner_id": str(agent2.id)}, headers=u["agent1"].headers
        )
    ).status_code == 403
    async with engine.connect() as conn:
        assigned = await conn.scalar(
            sa.select(sa.func.count()).where(
                audit_log.c.entity_id == uuid.UUID(wechat["id"]), audit_log.c.action == "ticket.assigned"
            )
        )
    assert assigned == 2


async def test_sellers_follow_their_customers_tickets_read_only(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    customer = await new_customer(client, u["east_rep1"], "Rep's Co")
    t = await ticket(client, u["agent1"].headers, customer_id=customer["id"])
    url = f"{TICKETS}/{t['id']}"
    assert (await client.get(url, headers=u["east_rep1"].headers)).status_code == 200
    assert (await client.get(url, headers=u["east_manager"].headers)).status_code == 200  # the rep's department
    assert (await client.get(url, headers=u["west_rep1"].headers)).status_code == 404
    assert (await client.get(url, headers=u["east_rep2"].headers)).status_code == 404
    assert (await client.patch(url, json={"subject": "x"}, headers=u["east_rep1"].headers)).status_code == 403
    listed = (await client.get(TICKETS, headers=u["east_rep1"].headers)).json()["items"]
    assert [i["id"] for i in listed] == [t["id"]]
    comments = await client.get(f"{url}/comments", headers=u["east_rep1"].headers)
    assert comments.status_code == 200


async def visible(client: httpx.AsyncClient, t: dict, user: User) -> bool:  # type: ignore[type-arg]
    """Whether `user` gets the ticket, by id and in the list (the two must agree)."""
    headers = user.headers
    got = (await client.get(f"{TICKETS}/{t['id']}", headers=headers)).status_code
    listed = t["id"] in {i["id"] for i in (await client.get(TICKETS, headers=headers)).json()["items"]}
    assert (got == 200) == listed, (got, listed)
    return listed


async def test_a_reassigned_customer_takes_its_tickets_along(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    customer = await new_customer(client, u["east_rep1"], "Moving Co")
    t = await ticket(client, u["agent1"].headers, customer_id=customer["id"])
    assert await visible(client, t, u["east_rep1"]) and await visible(client, t, u["east_manager"])
    assert not await visible(client, t, u["west_rep1"]) and not await visible(client, t, u["west_manager"])
    r = await client.post(
        f"/api/v1/customers/{customer['id']}/assign",
        json={"owner_id": str(u["west_rep1"].id)},
        headers=u["admin"].headers,
    )
    assert r.status_code == 200
    assert not await visible(client, t, u["east_rep1"]) and not await visible(client, t, u["east_manager"])
    assert await visible(client, t, u["west_rep1"]) and await visible(client, t, u["west_manager"])
    # A deleted customer reaches nobody's tickets; restored, it does again.
    url = f"/api/v1/customers/{customer['id']}"
    assert (await client.delete(url, headers=u["admin"].headers)).status_code == 204
    assert not await visible(client, t, u["west_rep1"]) and not await visible(client, t, u["west_manager"])
    assert (await client.post(f"{url}/restore", headers=u["admin"].headers)).status_code == 200
    assert await visible(client, t, u["west_rep1"]) and await visible(client, t, u["west_manager"])
    assert await visible(client, t, u["agent1"])  # the assignee's range is the ticket's own


async def test_a_customer_transfer_takes_the_tickets_along(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    made = [await new_customer(client, u["east_rep2"], f"Book {i}") for i in range(3)]
    tickets_made = [await ticket(client, u["agent1"].headers, customer_id=c["id"]) for c in made]
    assert all([await visible(client, t, u["east_rep2"]) for t in tickets_made])
    assert not any([await visible(client, t, u["east_rep1"]) for t in tickets_made])
    before_transfer = (
        await client.get(f"/api/v1/tickets/{tickets_made[-1]['id']}", headers=u["agent1"].headers)
    ).json()["updated_at"]
    r = await client.post(
        "/api/v1/customers/transfer",
        json={"from_owner_id": str(u["east_rep2"].id), "to_owner_id": str(u["east_rep1"].id)},
        headers=u["east_manager"].headers,
    )
    assert r.status_code == 200 and r.json()["moved"] == 3
    assert all([await visible(client, t, u["east_rep1"]) for t in tickets_made])
    assert not any([await visible(client, t, u["east_rep2"]) for t in tickets_made])
    # The new owner's sync feed since before the transfer shows them: they entered the range.
    feed = await client.get(
        "/api/v1/tickets", params={"updated_since": before_transfer, "limit": 200}, headers=u["east_rep1"].headers
    )
    assert feed.status_code == 200, feed.text
    assert {t["id"] for t in tickets_made} <= {item["id"] for item in feed.json()["items"]}


async def test_a_ticket_follows_its_new_customer(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    east = await new_customer(client, u["east_rep1"], "East Co")
    west = await new_customer(client, u["west_rep1"], "West Co")
    t = await ticket(client, u["agent1"].headers, customer_id=east["id"])
    assert await visible(client, t, u["east_rep1"]) and not await visible(client, t, u["west_rep1"])
    r = await patch(client, t, u["agent1"].headers, customer_id=west["id"])
    assert r.status_code == 200, r.text
    assert not await visible(client, t, u["east_rep1"]) and not await visible(client, t, u["east_manager"])
    assert await visible(client, t, u["west_rep1"]) and await visible(client, t, u["west_manager"])
    r = await patch(client, t, u["agent1"].headers, customer_id=None)
    assert r.status_code == 200, r.text
    assert not await visible(client, t, u["west_rep1"]) and not await visible(client, t, u["west_manager"])


async def test_custom_fields(client: httpx.AsyncClient, world: World) -> None:
    admin, agent = world.users["admin"].headers, world.users["agent1"].headers
    definition = {"entity": "ticket", "key": "serial", "label": "Serial number", "type": "text"}
    assert (await client.post("/api/v1/custom-fields", json=definition, headers=admin)).status_code == 201
    t = await ticket(client, agent, custom_fields={"serial": "SN-42"})
    assert t["custom_fields"] == {"serial": "SN-42"}
    await ticket(client, agent, custom_fields={"serial": "SN-7"})
    r = await client.get(TICKETS, params={"custom.serial": "SN-42"}, headers=agent)
    assert [i["id"] for i in r.json()["items"]] == [t["id"]]
    r = await client.post(TICKETS, json={"subject": "x", "custom_fields": {"serial": 5}}, headers=agent)
    assert r.status_code == 422


async def test_the_opener_keeps_reading_a_ticket_the_rules_send_elsewhere(
    client: httpx.AsyncClient, world: World
) -> None:
    """An agent (range own) opens a ticket that a rule gives a colleague: the opener still gets it,
    finds it in lists, reads its conversation, history and escalations, but cannot change or
    comment on it; another agent who neither holds nor opened it gets a 404."""
    u, service = world.users, world.department_ids["Service"]
    agent2 = await world.user("agent2", ["service_agent"], service)
    agent3 = await world.user("agent3", ["service_agent"], service)
    rule = {"name": "WeChat", "channel": "wechat", "user_id": str(agent2.id)}
    made = await client.post("/api/v1/ticket-assignment-rules", json=rule, headers=u["service_manager"].headers)
    assert made.status_code == 201, made.text
    opener = u["agent1"].headers
    t = await ticket(client, opener, channel="wechat")
    assert t["owner_id"] == str(agent2.id)
    got = await client.get(f"{TICKETS}/{t['id']}", headers=opener)
    assert got.status_code == 200 and got.json()["sla"] is not None
    assert t["id"] in [i["id"] for i in (await client.get(TICKETS, headers=opener)).json()["items"]]
    for tail in ("comments", "history", "escalations"):
        assert (await client.get(f"{TICKETS}/{t['id']}/{tail}", headers=opener)).status_code == 200, tail
    # Read only: changing, commenting and assigning take a range that reaches the ticket.
    assert (await patch(client, t, opener, subject="Mine now")).status_code == 404
    reply = {"visibility": "public", "body": "On it"}
    assert (await client.post(f"{TICKETS}/{t['id']}/comments", json=reply, headers=opener)).status_code == 404
    # The assignee works it; someone who neither holds nor opened it does not see it.
    assert (await patch(client, t, agent2.headers, status="open")).status_code == 200
    assert (await client.get(f"{TICKETS}/{t['id']}", headers=agent3.headers)).status_code == 404
    assert t["id"] not in [i["id"] for i in (await client.get(TICKETS, headers=agent3.headers)).json()["items"]]
