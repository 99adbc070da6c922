"""Campaigns over HTTP: the owned record (ranges, If-Match, lifecycle, parents, money, custom
fields, sync feed), sessions and members (range of the contacts and leads, forward-only moves),
each write audited and published."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.tables import audit_log, outbox
from tests.builders import PASSWORD, Factory, User, World

API = "/api/v1/campaigns"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def create(client: httpx.AsyncClient, user: User, **body: Any) -> dict[str, Any]:
    body.setdefault("name", f"Campaign {uuid.uuid4().hex[:8]}")
    body.setdefault("campaign_type", "event")
    r = await client.post(API, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def ids(client: httpx.AsyncClient, user: User, **params: Any) -> set[str]:
    r = await client.get(API, params={"limit": 200, **params}, headers=user.headers)
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


async def events(engine: AsyncEngine, tenant_id: uuid.UUID, entity_id: str) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.event_type)
            .where(outbox.c.tenant_id == tenant_id, outbox.c.entity_id == uuid.UUID(entity_id))
            .order_by(outbox.c.occurred_at, outbox.c.id)
        )
        return [row[0] for row in rows]


async def audited(engine: AsyncEngine, tenant_id: uuid.UUID, entity_id: str) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(audit_log.c.action)
            .where(
                audit_log.c.tenant_id == tenant_id,
                audit_log.c.entity_id == uuid.UUID(entity_id),
                audit_log.c.entity != "permission",  # refused attempts are security events
            )
            .order_by(audit_log.c.at, audit_log.c.id)
        )
        return [row[0] for row in rows]


async def test_create_get_list_search_and_filters(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    marketer = world.users["marketer"]
    expo = await create(
        client,
        marketer,
        name="2026 上海国际工业博览会",
        campaign_type="trade_show",
        channel="offline",
        starts_on="2026-11-03",
        ends_on="2026-11-05",
        budget="150000",
        actual_cost=98000.5,
        expected_revenue="1200000.00",
        currency="CNY",
        tags=["expo", "华东"],
        description="展位 B12",
    )
    assert expo["status"] == "draft" and expo["owner_id"] == str(marketer.id)
    assert expo["department_id"] == str(world.department_ids["Marketing"])
    assert (expo["budget"], expo["actual_cost"], expo["expected_revenue"]) == ("150000.00", "98000.50", "1200000.00")
    assert expo["registration_open"] is False and expo["public_key"] is None and expo["registration_form"] == {}
    r = await client.get(f"{API}/{expo['id']}", headers=marketer.headers)
    assert r.status_code == 200 and r.headers["etag"] == 'W/"1"' and r.json() == expo
    mail = await create(client, marketer, name="Newsletter December", campaign_type="email", starts_on="2026-12-01")
    assert expo["id"] in await ids(client, marketer, q="博览")
    assert expo["id"] in await ids(client, marketer, q="华东")
    assert await ids(client, marketer, q="newsletter") == {mail["id"]}
    assert await ids(client, marketer, campaign_type="trade_show") == {expo["id"]}
    assert await ids(client, marketer, channel="offline", tag="expo", status="draft") == {expo["id"]}
    assert await ids(client, marketer, starts_from="2026-11-01", starts_to="2026-12-01") == {expo["id"]}
    assert await ids(client, marketer, starts_from="2026-12-01") == {mail["id"]}
    assert await ids(client, marketer, owner="me") == {expo["id"], mail["id"]}
    # Every seller reads campaigns (to attribute leads and deals).
    rep = world.users["east_rep1"]
    assert await ids(client, rep) == {expo["id"], mail["id"]}
    sorted_names = await client.get(API, params={"sort": "name", "limit": 1}, headers=rep.headers)
    assert sorted_names.json()["items"][0]["id"] == expo["id"] and sorted_names.json()["next_cursor"]
    nxt = await client.get(
        API, params={"sort": "name", "limit": 1, "cursor": sorted_names.json()["next_cursor"]}, headers=rep.headers
    )
    assert [c["id"] for c in nxt.json()["items"]] == [mail["id"]] and nxt.json()["next_cursor"] is None
    assert await events(engine, world.id, expo["id"]) == ["campaign.created"]
    assert await audited(engine, world.id, expo["id"]) == ["campaign.created"]


async def test_who_may_do_what(client: httpx.AsyncClient, world: World, factory: Factory) -> None:
    marketer, rep = world.users["marketer"], world.users["east_rep1"]
    campaign = await create(client, marketer)
    url = f"{API}/{campaign['id']}"
    assert (await client.get(API)).status_code == 401
    assert (await client.get(url)).status_code == 401
    body = {"name": "Mine", "campaign_type": "event"}
    assert (await client.post(API, json=body, headers=rep.headers)).status_code == 403
    assert (await client.patch(url, json={"name": "x"}, headers=rep.headers)).status_code == 403
    assert (await client.delete(url, headers=rep.headers)).status_code == 403
    assert (await client.get(API, headers=world.users["agent1"].headers)).status_code == 403
    assert (await client.get(url, headers=world.users["it"].headers)).status_code == 403
    other = await (await factory.tenant()).user("admin", ["admin"])
    assert (await client.get(url, headers=other.headers)).status_code == 404
    assert (await client.patch(url, json={"name": "x"}, headers=other.headers)).status_code == 404
    assert campaign["id"] not in await ids(client, other)
    assert (await client.get(f"{API}/{uuid.uuid4()}", headers=marketer.headers)).status_code == 404


async def test_validation(client: httpx.AsyncClient, world: World) -> None:
    marketer = world.users["marketer"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "x", "campaign_type": "billboard"}, "campaign_type"),
        ({"name": "x"}, "campaign_type"),
        ({"name": "x", "campaign_type": "event", "starts_on": "2026-05-02", "ends_on": "2026-05-01"}, "ends_on"),
        ({"name": "x", "campaign_type": "event", "budget": "-1"}, "budget"),
        ({"name": "x", "campaign_type": "event", "budget": "1.234"}, "budget"),
        ({"name": "x", "campaign_type": "event", "currency": "rmb"}, "currency"),
        ({"name": "x", "campaign_type": "event", "status": "completed"}, "status"),
        ({"name": "x", "campaign_type": "event", "parent_id": str(uuid.uuid4())}, "parent_id"),
        ({"name": "x", "campaign_type": "event", "public_key": "abc"}, "public_key"),
        ({"name": "x", "campaign_type": "event", "registration_open": True}, "registration_open"),
    ]
    for body, field in cases:
        r = await client.post(API, json=body, headers=marketer.headers)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert field in r.text, (field, r.text)
    campaign = await create(client, marketer, starts_on="2026-05-01")
    r = await client.patch(f"{API}/{campaign['id']}", json={"ends_on": "2026-04-30"}, headers=marketer.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ends_on"
    r = await client.patch(f"{API}/{campaign['id']}", json={"capacity": 10}, headers=marketer.headers)
    assert r.status_code == 422  # registration settings have their own endpoint


async def test_status_lifecycle(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    marketer = world.users["marketer"]
    campaign = await create(client, marketer)
    url = f"{API}/{campaign['id']}"
    jump = await client.patch(url, json={"status": "completed"}, headers=marketer.headers)
    assert jump.status_code == 409 and "draft campaign cannot become completed" in jump.json()["detail"]
    for status in ("scheduled", "running", "completed"):
        r = await client.patch(url, json={"status": status}, headers=marketer.headers)
        assert r.status_code == 200 and r.json()["status"] == status, r.text
    for status in ("cancelled", "running", "draft"):
        r = await client.patch(url, json={"status": status}, headers=marketer.headers)
        assert r.status_code == 409, status
    again = await client.patch(url, json={"status": "completed", "name": "Done"}, headers=marketer.headers)
    assert again.status_code == 200 and again.json()["name"] == "Done"
    other = await create(client, marketer, status="scheduled")
    r = await client.patch(f"{API}/{other['id']}", json={"status": "cancelled"}, headers=marketer.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert (await events(engine, world.id, campaign["id"])).count("campaign.status_changed") == 3


async def test_if_match_assign_delete_restore(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    marketer, admin = world.users["marketer"], world.users["admin"]
    campaign = await create(client, marketer)
    url = f"{API}/{campaign['id']}"
    ok = await client.patch(url, json={"description": "v2"}, headers={**marketer.headers, "If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == 'W/"2"'
    stale = await client.patch(url, json={"description": "v3"}, headers={**marketer.headers, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    # The owner's department follows the owner.
    rep = world.users["east_rep1"]
    moved = await client.post(f"{url}/assign", json={"owner_id": str(rep.id)}, headers=marketer.headers)
    assert moved.status_code == 200 and moved.json()["owner_id"] == str(rep.id)
    assert moved.json()["department_id"] == str(world.department_ids["Sales East"])
    assert (await client.delete(url, headers=rep.headers)).status_code == 403  # reading is all a seller does
    assert (await client.delete(url, headers=marketer.headers)).status_code == 204
    assert (await client.get(url, headers=marketer.headers)).status_code == 404
    restored = await client.post(f"{url}/restore", headers=admin.headers)
    assert restored.status_code == 200 and restored.json()["id"] == campaign["id"]
    assert await events(engine, world.id, campaign["id"]) == [
        "campaign.created",
        "campaign.updated",
        "campaign.assigned",
        "campaign.deleted",
        "campaign.restored",
    ]


async def test_parent_campaigns_never_make_a_cycle(client: httpx.AsyncClient, world: World, factory: Factory) -> None:
    marketer = world.users["marketer"]
    programme = await create(client, marketer, name="Programme 2026", campaign_type="other")
    child = await create(client, marketer, parent_id=programme["id"])
    grandchild = await create(client, marketer, parent_id=child["id"])
    assert await ids(client, marketer, parent=programme["id"]) == {child["id"]}
    for target, parent in ((programme, grandchild), (programme, child), (child, child)):
        r = await client.patch(f"{API}/{target['id']}", json={"parent_id": parent["id"]}, headers=marketer.headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "parent_id", r.text
    stranger = await (await factory.tenant()).user("admin", ["admin"])
    foreign = await create(client, stranger)
    r = await client.patch(f"{API}/{child['id']}", json={"parent_id": foreign["id"]}, headers=marketer.headers)
    assert r.status_code == 422
    r = await client.patch(f"{API}/{grandchild['id']}", json={"parent_id": None}, headers=marketer.headers)
    assert r.status_code == 200 and r.json()["parent_id"] is None


async def test_custom_fields(client: httpx.AsyncClient, world: World) -> None:
    it, marketer = world.users["it"], world.users["marketer"]
    spec = {"entity": "campaign", "key": "region_focus", "label": "区域", "type": "select", "options": ["华东", "华南"]}
    r = await client.post("/api/v1/custom-fields", json=spec, headers=it.headers)
    assert r.status_code == 201, r.text
    bad = await client.post(
        API,
        json={"name": "x", "campaign_type": "sms", "custom_fields": {"region_focus": "火星"}},
        headers=marketer.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "custom_fields.region_focus"
    good = await create(client, marketer, campaign_type="sms", custom_fields={"region_focus": "华东"})
    assert good["custom_fields"] == {"region_focus": "华东"}
    assert await ids(client, marketer, **{"custom.region_focus": "华东"}) == {good["id"]}


async def test_sync_feed_with_tombstones(client: httpx.AsyncClient, world: World) -> None:
    marketer, rep = world.users["marketer"], world.users["east_rep1"]
    kept = await create(client, marketer)
    gone = await create(client, marketer)
    r = await client.get(API, params={"updated_since": "2000-01-01T00:00:00Z"}, headers=rep.headers)
    assert r.status_code == 200 and {c["id"] for c in r.json()["items"]} == {kept["id"], gone["id"]}
    token = r.json()["next_sync_token"]
    await client.patch(f"{API}/{kept['id']}", json={"name": "Renamed"}, headers=marketer.headers)
    assert (await client.delete(f"{API}/{gone['id']}", headers=marketer.headers)).status_code == 204
    r = await client.get(API, params={"sync_token": token}, headers=rep.headers)
    assert r.status_code == 200
    items = {c["id"]: c for c in r.json()["items"]}
    assert items[kept["id"]]["name"] == "Renamed"
    assert items[gone["id"]] == {
        "id": gone["id"],
        "deleted": True,
        "reason": "deleted",
        "updated_at": items[gone["id"]]["updated_at"],
    }
    r = await client.get(API, params={"sync_token": r.json()["next_sync_token"]}, headers=rep.headers)
    assert r.json()["items"] == []
    bad = await client.get(API, params={"sync_token": "nope"}, headers=rep.headers)
    assert bad.status_code == 422


# -- sessions --------------------------------------------------------------------------------


async def test_sessions(client: httpx.AsyncClient, world: World, factory: Factory, engine: AsyncEngine) -> None:
    marketer, rep = world.users["marketer"], world.users["east_rep1"]
    event = await create(client, marketer, campaign_type="event")
    url = f"{API}/{event['id']}/sessions"
    afternoon = {
        "name": "下午场",
        "starts_at": "2026-11-03T14:00:00+08:00",
        "ends_at": "2026-11-03T17:00:00+08:00",
        "location": "上海国际会议中心 3F",
        "capacity": 120,
    }
    morning = {"name": "Morning", "starts_at": "2026-11-03T09:00:00+08:00", "online_url": "https://live.example.com/a"}
    created = []
    for body in (afternoon, morning):
        r = await client.post(url, json=body, headers=marketer.headers)
        assert r.status_code == 201, r.text
        created.append(r.json())
    listed = await client.get(url, headers=rep.headers)
    assert listed.status_code == 200
    assert [s["name"] for s in listed.json()["items"]] == ["Morning", "下午场"]
    assert listed.json()["items"][1]["capacity"] == 120
    session_url = f"{url}/{created[0]['id']}"
    patched = await client.patch(
        session_url, json={"capacity": 150, "location": None}, headers={**marketer.headers, "If-Match": 'W/"1"'}
    )
    assert patched.status_code == 200 and patched.json()["capacity"] == 150 and patched.json()["location"] is None
    stale = await client.patch(session_url, json={"capacity": 1}, headers={**marketer.headers, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    backwards = await client.patch(session_url, json={"ends_at": "2026-11-03T13:00:00+08:00"}, headers=marketer.headers)
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "ends_at"
    bad = await client.post(url, json={**morning, "ends_at": "2026-11-02T09:00:00+08:00"}, headers=marketer.headers)
    assert bad.status_code == 422
    assert (await client.post(url, json=morning, headers=rep.headers)).status_code == 403
    assert (await client.delete(session_url, headers=rep.headers)).status_code == 403
    mail = await create(client, marketer, campaign_type="email")
    r = await client.post(f"{API}/{mail['id']}/sessions", json=morning, headers=marketer.headers)
    assert r.status_code == 422
    stranger = await (await factory.tenant()).user("admin", ["admin"])
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.post(url, json=morning, headers=stranger.headers)).status_code == 404
    assert (await client.delete(f"{url}/{uuid.uuid4()}", headers=marketer.headers)).status_code == 404
    assert (await client.delete(session_url, headers=marketer.headers)).status_code == 204
    assert [s["name"] for s in (await client.get(url, headers=rep.headers)).json()["items"]] == ["Morning"]
    assert (await client.patch(session_url, json={"capacity": 1}, headers=marketer.headers)).status_code == 404
    assert await audited(engine, world.id, event["id"]) == [
        "campaign.created",
        "campaign_session.created",
        "campaign_session.created",
        "campaign_session.updated",
        "campaign_session.deleted",
    ]
    assert await events(engine, world.id, created[0]["id"]) == [
        "campaign_session.created",
        "campaign_session.updated",
        "campaign_session.deleted",
    ]


# -- members ---------------------------------------------------------------------------------


async def _people(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """A customer with a contact for each of two reps, and a lead each (made by the admin)."""
    admin = world.users["admin"]
    made: dict[str, str] = {}
    for rep, name, company, phone in (
        ("east_rep1", "李雷", "星辰贸易", "13800138000"),
        ("west_rep1", "韩梅梅", "远航科技", "13900139000"),
    ):
        owner = str(world.users[rep].id)
        customer = await client.post(
            "/api/v1/customers", json={"name": company, "owner_id": owner}, headers=admin.headers
        )
        assert customer.status_code == 201, customer.text
        contact = await client.post(
            "/api/v1/contacts",
            json={
                "name": name,
                "customer_id": customer.json()["id"],
                "owner_id": owner,
                "emails": [f"{rep}@example.cn"],
                "phones": [phone],
            },
            headers=admin.headers,
        )
        assert contact.status_code == 201, contact.text
        made[f"{rep}_contact"] = contact.json()["id"]
        lead = await client.post(
            "/api/v1/leads",
            json={
                "name": f"Lead of {rep}",
                "company": f"{company} 分公司",
                "owner_id": owner,
                "email": f"l.{rep}@x.cn",
            },
            headers=admin.headers,
        )
        assert lead.status_code == 201, lead.text
        made[f"{rep}_lead"] = lead.json()["id"]
    return made


async def test_members(client: httpx.AsyncClient, world: World, factory: Factory, engine: AsyncEngine) -> None:
    marketer, rep = world.users["marketer"], world.users["east_rep1"]
    people = await _people(client, world)
    campaign = await create(client, marketer)
    url = f"{API}/{campaign['id']}/members"
    unknown = str(uuid.uuid4())
    body = {
        "contact_ids": [people["east_rep1_contact"], people["west_rep1_contact"], people["east_rep1_contact"], unknown],
        "lead_ids": [people["east_rep1_lead"]],
    }
    r = await client.post(url, json=body, headers=marketer.headers)
    assert r.status_code == 200, r.text
    result = r.json()
    assert len(result["added"]) == 3 and result["already"] == []
    assert result["refused"] == [{"id": unknown, "kind": "contact", "reason": "not_found"}]
    again = await client.post(
        url, json={"contact_ids": [people["west_rep1_contact"]], "lead_ids": [people["west_rep1_lead"]]},
        headers=marketer.headers,
    )  # fmt: skip
    assert again.status_code == 200
    assert again.json()["already"] == [people["west_rep1_contact"]] and len(again.json()["added"]) == 1

    listed = await client.get(url, params={"kind": "contact"}, headers=marketer.headers)
    assert listed.status_code == 200
    by_name = {m["name"]: m for m in listed.json()["items"]}
    assert set(by_name) == {"李雷", "韩梅梅"}
    lilei = by_name["李雷"]
    assert (lilei["company"], lilei["email"], lilei["phone"]) == ("星辰贸易", "east_rep1@example.cn", "13800138000")
    assert lilei["status"] == "targeted" and lilei["targeted_at"] and lilei["responded_at"] is None
    assert lilei["kind"] == "contact" and lilei["source"] == "manual"
    leads_only = await client.get(url, params={"kind": "lead", "q": "远航"}, headers=marketer.headers)
    assert [m["lead_id"] for m in leads_only.json()["items"]] == [people["west_rep1_lead"]]
    assert leads_only.json()["items"][0]["company"] == "远航科技 分公司"
    # A seller sees only the members among their own contacts and leads.
    mine = await client.get(url, headers=rep.headers)
    assert mine.status_code == 200
    assert {m["contact_id"] or m["lead_id"] for m in mine.json()["items"]} == {
        people["east_rep1_contact"],
        people["east_rep1_lead"],
    }
    assert (
        await client.post(url, json={"lead_ids": [people["east_rep1_lead"]]}, headers=rep.headers)
    ).status_code == 403

    # Forward only, by hand.
    member_url = f"{url}/{lilei['id']}"
    r = await client.patch(member_url, json={"status": "responded"}, headers=marketer.headers)
    assert r.status_code == 200 and r.json()["status"] == "responded" and r.json()["responded_at"]
    responded_at = r.json()["responded_at"]
    back = await client.patch(member_url, json={"status": "opened"}, headers=marketer.headers)
    assert back.status_code == 409 and "only moves forward" in back.json()["detail"]
    same = await client.patch(member_url, json={"status": "responded"}, headers=marketer.headers)
    assert same.status_code == 200 and same.json()["responded_at"] == responded_at
    assert (await client.patch(member_url, json={"status": "targeted"}, headers=marketer.headers)).status_code == 422
    r = await client.patch(member_url, json={"status": "converted"}, headers={**marketer.headers, "If-Match": 'W/"1"'})
    assert r.status_code == 412
    r = await client.patch(member_url, json={"status": "converted"}, headers=marketer.headers)
    assert r.status_code == 200 and r.json()["status"] == "converted" and r.json()["responded_at"] == responded_at
    assert (await client.patch(member_url, json={"status": "attended"}, headers=rep.headers)).status_code == 403
    hanmeimei = by_name["韩梅梅"]
    r = await client.patch(f"{url}/{hanmeimei['id']}", json={"status": "bounced"}, headers=marketer.headers)
    assert r.status_code == 200 and r.json()["status"] == "bounced"
    r = await client.patch(f"{url}/{hanmeimei['id']}", json={"status": "converted"}, headers=marketer.headers)
    assert r.status_code == 409
    # Not the seller's contact: it does not exist for them.
    assert (await client.get(f"{url}/{hanmeimei['id']}", headers=rep.headers)).status_code == 404
    assert (await client.get(f"{url}/{lilei['id']}", headers=rep.headers)).status_code == 200

    funnel = await client.get(f"{url}/funnel", headers=marketer.headers)
    assert funnel.status_code == 200
    assert funnel.json()["total"] == 4
    assert {k: v for k, v in funnel.json()["counts"].items() if v} == {"targeted": 2, "converted": 1, "bounced": 1}
    assert (await client.get(f"{url}/funnel", headers=rep.headers)).json()["total"] == 2
    filtered = await client.get(url, params={"status": "converted"}, headers=marketer.headers)
    assert [m["id"] for m in filtered.json()["items"]] == [lilei["id"]]

    # Removed, then added again: it comes back with its history.
    assert (await client.delete(member_url, headers=rep.headers)).status_code == 403
    assert (await client.delete(member_url, headers=marketer.headers)).status_code == 204
    assert (await client.get(member_url, headers=marketer.headers)).status_code == 404
    back_again = await client.post(url, json={"contact_ids": [people["east_rep1_contact"]]}, headers=marketer.headers)
    assert back_again.json()["added"] == [
        {"id": lilei["id"], "contact_id": people["east_rep1_contact"], "lead_id": None}
    ]
    assert (await client.get(member_url, headers=marketer.headers)).json()["status"] == "converted"

    stranger = await (await factory.tenant()).user("admin", ["admin"])
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.post(url, json=body, headers=stranger.headers)).status_code == 404
    assert (await client.post(url, json={}, headers=marketer.headers)).status_code == 422
    assert (await client.get(f"{API}/{uuid.uuid4()}/members", headers=marketer.headers)).status_code == 404

    assert await events(engine, world.id, lilei["id"]) == [
        "campaign_member.added",
        "campaign_member.responded",
        "campaign_member.converted",
        "campaign_member.removed",
        "campaign_member.added",
    ]
    async with engine.connect() as conn:
        payload = (
            await conn.execute(
                sa.select(outbox.c.payload).where(
                    outbox.c.tenant_id == world.id,
                    outbox.c.entity_id == uuid.UUID(lilei["id"]),
                    outbox.c.event_type == "campaign_member.converted",
                )
            )
        ).scalar_one()
    assert payload == {
        "campaign_id": campaign["id"],
        "member_id": lilei["id"],
        "contact_id": people["east_rep1_contact"],
        "step": "converted",
    }
    assert "campaign_member.added" in await audited(engine, world.id, campaign["id"])


async def test_deleted_contacts_are_refused_and_hidden(client: httpx.AsyncClient, world: World) -> None:
    marketer, admin = world.users["marketer"], world.users["admin"]
    people = await _people(client, world)
    campaign = await create(client, marketer, campaign_type="email")
    url = f"{API}/{campaign['id']}/members"
    r = await client.post(url, json={"contact_ids": [people["east_rep1_contact"]]}, headers=marketer.headers)
    assert len(r.json()["added"]) == 1
    assert (
        await client.delete(f"/api/v1/contacts/{people['east_rep1_contact']}", headers=admin.headers)
    ).status_code == 204
    assert (await client.get(url, headers=marketer.headers)).json()["items"] == []
    r = await client.post(url, json={"contact_ids": [people["east_rep1_contact"]]}, headers=marketer.headers)
    assert r.json()["refused"] == [{"id": people["east_rep1_contact"], "kind": "contact", "reason": "not_found"}]


async def test_a_campaign_leaving_an_own_range_is_an_out_of_range_tombstone(
    client: httpx.AsyncClient, world: World
) -> None:
    """No system role reads campaigns by owner; a tenant's own role can ("my campaigns")."""
    admin, marketer = world.users["admin"], world.users["marketer"]
    body = {
        "name": "Own campaigns",
        "permissions": ["campaigns:read", "campaigns:update"],
        "data_ranges": {"campaigns": {"range": "own"}},
    }
    role = await client.post("/api/v1/roles", json=body, headers=admin.headers)
    assert role.status_code == 201, role.text
    world.role_ids["own_campaigns"] = uuid.UUID(role.json()["id"])
    local = await world.user("local_marketer", ["own_campaigns"], world.department_ids["Marketing"])
    login = await client.post("/api/v1/auth/login", json={"email": local.email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    mine = await create(client, marketer, owner_id=str(local.id))
    theirs = await create(client, marketer)
    r = await client.get(API, params={"updated_since": "2000-01-01T00:00:00Z"}, headers=headers)
    assert r.status_code == 200 and [c["id"] for c in r.json()["items"]] == [mine["id"]]
    token = r.json()["next_sync_token"]
    assert (await client.get(f"{API}/{theirs['id']}", headers=headers)).status_code == 404
    assert (await client.patch(f"{API}/{mine['id']}", json={"description": "mine"}, headers=headers)).status_code == 200
    moved = await client.post(
        f"{API}/{mine['id']}/assign", json={"owner_id": str(marketer.id)}, headers=marketer.headers
    )
    assert moved.status_code == 200
    r = await client.get(API, params={"sync_token": token}, headers=headers)
    assert [(c["id"], c.get("reason")) for c in r.json()["items"]] == [(mine["id"], "out_of_range")]
    assert (await client.get(f"{API}/{mine['id']}", headers=headers)).status_code == 404
