"""Leads end to end over HTTP: capture, data ranges, status rules, duplicates across leads,
contacts and customers, scoring rules that explain themselves, and conversion in one transaction."""

from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy as sa

from app.repositories.tables import customers, leads, outbox
from tests.builders import Factory, World
from tests.campaign_builders import insert_campaign

API = "/api/v1/leads"
RULES = "/api/v1/lead-scoring-rules"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def create(client: httpx.AsyncClient, user, **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("name", f"Lead {uuid.uuid4().hex[:8]}")
    r = await client.post(API, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def ids(client: httpx.AsyncClient, user, **params) -> set[str]:  # type: ignore[no-untyped-def]
    r = await client.get(API, params={"limit": 200, **params}, headers=user.headers)
    assert r.status_code == 200, r.text
    return {lead["id"] for lead in r.json()["items"]}


async def test_capture_get_list_and_search(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    lead = await create(
        client,
        rep,
        name="王芳",
        company="上海星辰贸易有限公司",
        title="采购经理",
        phone="+86 138-0013-8000",
        email="Wang.Fang@XingChen.cn",
        source="referral",
        rating="hot",
        tags=["expo", "expo"],
    )
    assert lead["owner_id"] == str(rep.id) and lead["status"] == "new" and lead["tags"] == ["expo"]
    r = await client.get(f"{API}/{lead['id']}", headers=rep.headers)
    assert r.status_code == 200 and r.headers["etag"] == 'W/"1"' and r.json() == lead
    assert lead["id"] in await ids(client, rep, q="星辰")
    assert lead["id"] in await ids(client, rep, q="13800138000")
    assert lead["id"] in await ids(client, rep, source="referral", rating="hot", status="new")
    assert lead["id"] not in await ids(client, rep, source="event")


async def test_data_ranges(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    east = await create(client, u["east_rep1"])
    west = await create(client, u["west_rep1"])
    assert east["id"] in await ids(client, u["east_rep1"]) and west["id"] not in await ids(client, u["east_rep1"])
    assert {east["id"]} <= await ids(client, u["east_manager"]) and west["id"] not in await ids(
        client, u["east_manager"]
    )
    assert {east["id"], west["id"]} <= await ids(client, u["director"])
    assert {east["id"], west["id"]} <= await ids(client, u["marketer"])
    assert (await client.get(f"{API}/{west['id']}", headers=u["east_rep1"].headers)).status_code == 404
    assert (await client.get(API, headers=u["agent1"].headers)).status_code == 403
    assert (await client.get(API, headers=u["it"].headers)).status_code == 403
    # Analysts read everything and write nothing.
    assert west["id"] in await ids(client, u["analyst"])
    assert (await client.post(API, json={"name": "x"}, headers=u["analyst"].headers)).status_code == 403


async def test_status_rules(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    lead = await create(client, rep)
    url = f"{API}/{lead['id']}"
    r = await client.patch(url, json={"status": "unqualified"}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unqualified_reason"
    r = await client.patch(url, json={"status": "unqualified", "unqualified_reason": "no budget"}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["unqualified_reason"] == "no budget"
    r = await client.patch(url, json={"status": "qualified"}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["unqualified_reason"] is None
    r = await client.patch(url, json={"status": "converted"}, headers=rep.headers)
    assert r.status_code == 422
    r = await client.post(API, json={"name": "x", "status": "converted"}, headers=rep.headers)
    assert r.status_code == 422


async def test_duplicates_across_leads_contacts_and_customers(client: httpx.AsyncClient, world: World) -> None:
    rep, other = world.users["east_rep1"], world.users["west_rep1"]
    first = await create(client, rep, email="dup@example.com")
    r = await client.post(API, json={"name": "again", "email": " DUP@example.com "}, headers=other.headers)
    assert r.status_code == 409
    body = r.json()
    assert body["existing_id"] == first["id"] and body["matches"] == [{"entity": "lead", "id": first["id"]}]
    contact = await client.post(
        "/api/v1/contacts", json={"name": "c", "phones": ["+86 139 1122 3344"]}, headers=rep.headers
    )
    customer = await client.post("/api/v1/customers", json={"name": "k", "phone": "13911223344"}, headers=rep.headers)
    r = await client.post(API, json={"name": "p", "phone": "139-1122-3344"}, headers=rep.headers)
    assert r.status_code == 409
    assert {(m["entity"], m["id"]) for m in r.json()["matches"]} == {
        ("contact", contact.json()["id"]),
        ("customer", customer.json()["id"]),
    }
    r = await client.post(
        API, params={"allow_duplicate": "true"}, json={"name": "p", "phone": "13911223344"}, headers=rep.headers
    )
    assert r.status_code == 201
    # A patch that keeps its own email is no duplicate of itself.
    r = await client.patch(
        f"{API}/{first['id']}", json={"email": "dup@example.com", "title": "CEO"}, headers=rep.headers
    )
    assert r.status_code == 200


async def test_scoring_rules_fire_and_explain(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    rules = [
        {"label": "Referral", "field": "source", "op": "equals", "value": "referral", "points": 20},
        {"label": "Has a phone", "field": "phone", "op": "present", "points": 5},
        {"label": "Manager", "field": "title", "op": "contains", "value": "经理", "points": 10},
        {"label": "Manager (en)", "field": "title", "op": "contains", "value": "manager", "points": 10},
    ]
    made = []
    for rule in rules:
        r = await client.post(RULES, json=rule, headers=u["director"].headers)
        assert r.status_code == 201, r.text
        made.append(r.json())
    assert (await client.post(RULES, json=rules[0], headers=u["east_rep1"].headers)).status_code == 403
    r = await client.post(RULES, json={**rules[0], "field": "password"}, headers=u["director"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "field"
    r = await client.post(RULES, json={**rules[0], "value": None}, headers=u["director"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "value"

    rep = u["east_rep1"]
    lead = await create(client, rep, source="referral", title="销售经理", phone="13800000001")
    assert lead["score"] == 35
    assert sorted(reason["label"] for reason in lead["score_reasons"]) == ["Has a phone", "Manager", "Referral"]
    # Every change rescores; the explanation follows.
    r = await client.patch(f"{API}/{lead['id']}", json={"title": "Sales Manager", "phone": None}, headers=rep.headers)
    assert r.json()["score"] == 30
    assert sorted(reason["label"] for reason in r.json()["score_reasons"]) == ["Manager (en)", "Referral"]
    # A deactivated rule stops counting at the next change.
    referral = made[0]["id"]
    r = await client.patch(f"{RULES}/{referral}", json={"active": False}, headers=u["director"].headers)
    assert r.status_code == 200 and r.json()["active"] is False
    r = await client.patch(f"{API}/{lead['id']}", json={"rating": "warm"}, headers=rep.headers)
    assert r.json()["score"] == 10
    assert (await client.delete(f"{RULES}/{referral}", headers=u["director"].headers)).status_code == 204
    listed = (await client.get(RULES, headers=rep.headers)).json()["items"]
    assert {rule["label"] for rule in listed} == {"Has a phone", "Manager", "Manager (en)"}


async def test_convert_into_a_new_customer_and_contact(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    lead = await create(
        client, rep, name="李雷", company="北京光年科技", title="CTO", phone="+86 137 0000 1111", email="li@gn.cn"
    )
    r = await client.post(f"{API}/{lead['id']}/convert", json={"customer": {"level": None}}, headers=rep.headers)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["customer"]["name"] == "北京光年科技" and done["customer"]["kind"] == "company"
    assert done["customer"]["owner_id"] == str(rep.id) and done["customer"]["source"] == "lead:other"
    assert done["contact"]["name"] == "李雷" and done["contact"]["customer_id"] == done["customer"]["id"]
    assert done["contact"]["emails"] == ["li@gn.cn"] and done["contact"]["title"] == "CTO"
    converted = done["lead"]
    assert converted["status"] == "converted" and converted["converted_customer_id"] == done["customer"]["id"]
    assert converted["converted_contact_id"] == done["contact"]["id"] and converted["converted_at"]
    # Twice: 409, naming what it became.
    r = await client.post(f"{API}/{lead['id']}/convert", json={}, headers=rep.headers)
    assert r.status_code == 409 and r.json()["customer_id"] == done["customer"]["id"]
    # A converted lead is closed to edits.
    assert (await client.patch(f"{API}/{lead['id']}", json={"title": "x"}, headers=rep.headers)).status_code == 409
    async with world.factory.engine.connect() as conn:
        events = (
            (
                await conn.execute(
                    sa.select(outbox.c.event_type)
                    .where(outbox.c.tenant_id == world.id, outbox.c.entity_id == uuid.UUID(lead["id"]))
                    .order_by(outbox.c.id)
                )
            )
            .scalars()
            .all()
        )
    assert events == ["lead.created", "lead.converted"]


async def test_convert_into_an_existing_customer_without_a_contact(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    existing = (await client.post("/api/v1/customers", json={"name": "Acme"}, headers=rep.headers)).json()
    lead = await create(client, rep, company="Acme Ltd")
    body = {"customer_id": existing["id"], "create_contact": False}
    r = await client.post(f"{API}/{lead['id']}/convert", json=body, headers=rep.headers)
    assert r.status_code == 200, r.text
    assert r.json()["customer"]["id"] == existing["id"] and r.json()["contact"] is None


async def test_a_refused_conversion_leaves_nothing_behind(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    rep = u["east_rep1"]
    west_customer = (await client.post("/api/v1/customers", json={"name": "W"}, headers=u["west_rep1"].headers)).json()
    lead = await create(client, rep, company="Orbit", email="buyer@orbit.example")
    # Out of the caller's range: a 422 on the field, not a 404 of the lead.
    r = await client.post(f"{API}/{lead['id']}/convert", json={"customer_id": west_customer["id"]}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"
    # The new customer would duplicate an existing one: the whole conversion is refused.
    await client.post("/api/v1/customers", json={"name": "Orbit twin", "email": "x@orbit.example"}, headers=rep.headers)
    r = await client.post(
        f"{API}/{lead['id']}/convert",
        json={"customer": {"email": "x@orbit.example"}},
        headers=rep.headers,
    )
    assert r.status_code == 409
    async with world.factory.engine.connect() as conn:
        made = (
            await conn.execute(
                sa.select(sa.func.count()).where(customers.c.tenant_id == world.id, customers.c.name == "Orbit")
            )
        ).scalar_one()
        status = (
            await conn.execute(
                sa.select(leads.c.status).where(leads.c.tenant_id == world.id, leads.c.id == uuid.UUID(lead["id"]))
            )
        ).scalar_one()
    assert made == 0 and status == "new"


async def test_converting_needs_customer_and_contact_create(client: httpx.AsyncClient, world: World) -> None:
    # A marketer may work leads but not create customers: the conversion is refused whole.
    marketer = world.users["marketer"]
    lead = await create(client, marketer)
    r = await client.post(f"{API}/{lead['id']}/convert", json={}, headers=marketer.headers)
    assert r.status_code == 403
    r = await client.get(f"{API}/{lead['id']}", headers=marketer.headers)
    assert r.json()["status"] == "new"


async def test_custom_fields_on_leads(client: httpx.AsyncClient, world: World) -> None:
    admin, rep = world.users["admin"], world.users["east_rep1"]
    r = await client.post(
        "/api/v1/custom-fields",
        json={"entity": "lead", "key": "budget", "label": "Budget", "type": "number"},
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    lead = await create(client, rep, custom_fields={"budget": 50000})
    assert lead["custom_fields"] == {"budget": 50000}
    r = await client.post(API, json={"name": "x", "custom_fields": {"budget": "lots"}}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "custom_fields.budget"
    assert lead["id"] in await ids(client, rep, **{"custom.budget": "50000"})


async def test_convert_with_a_deal(client: httpx.AsyncClient, world: World) -> None:
    from decimal import Decimal

    director, rep = world.users["director"], world.users["east_rep1"]
    stages = [
        {"name": "Discovery", "probability": 20},
        {"name": "Commit", "probability": 90, "required_fields": ["next_step"]},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ]
    r = await client.post("/api/v1/pipelines", json={"name": "New", "stages": stages}, headers=director.headers)
    pipeline = r.json()
    commit = next(s["id"] for s in pipeline["stages"] if s["name"] == "Commit")
    campaign = str(await insert_campaign(world, world.users["marketer"]))
    lead = await create(client, rep, company="Nova Ltd", campaign_id=campaign)
    url = f"{API}/{lead['id']}/convert"
    # The deal cannot enter "Commit" without a next step: nothing at all is made.
    r = await client.post(url, json={"opportunity": {"stage_id": commit}}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "next_step"
    assert (await client.get(f"{API}/{lead['id']}", headers=rep.headers)).json()["status"] == "new"
    body = {"opportunity": {"amount": "50000", "expected_close_date": "2027-01-31"}}
    r = await client.post(url, json=body, headers=rep.headers)
    assert r.status_code == 200, r.text
    done = r.json()
    deal = done["opportunity"]
    assert deal["customer_id"] == done["customer"]["id"] and deal["primary_contact_id"] == done["contact"]["id"]
    assert deal["source_lead_id"] == lead["id"] and deal["campaign_id"] == campaign
    assert Decimal(deal["amount"]) == Decimal("50000.00") and deal["pipeline_id"] == pipeline["id"]
    assert deal["name"] == f"Nova Ltd - {lead['name']}" and deal["owner_id"] == str(rep.id)
    assert done["lead"]["converted_opportunity_id"] == deal["id"]


async def test_a_batch_is_all_or_nothing(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    tag = uuid.uuid4().hex[:8]
    items = [{"name": f"{tag} {i}", "email": f"{tag}.{i}@example.org"} for i in range(3)]
    r = await client.post(f"{API}/batch", json={"items": items}, headers=rep.headers)
    assert r.status_code == 201 and [lead["name"] for lead in r.json()["items"]] == [i["name"] for i in items]
    # A bad third item: a 422 naming it, and none of the batch kept.
    bad = [{"name": f"{tag} x"}, {"name": f"{tag} y"}, {"name": f"{tag} z", "custom_fields": {"nope": 1}}]
    r = await client.post(f"{API}/batch", json={"items": bad}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"].startswith("items.2.custom_fields")
    # Two items for one person: the second is the duplicate.
    twins = [{"name": "a", "email": f"{tag}.twin@example.org"}, {"name": "b", "email": f"{tag}.TWIN@example.org"}]
    r = await client.post(f"{API}/batch", json={"items": twins}, headers=rep.headers)
    assert r.status_code == 409 and r.json()["index"] == 1
    found = (await client.get(API, params={"q": tag, "limit": 200}, headers=rep.headers)).json()["items"]
    assert sorted(lead["name"] for lead in found) == sorted(i["name"] for i in items)
    too_many = [{"name": str(i)} for i in range(501)]
    assert (await client.post(f"{API}/batch", json={"items": too_many}, headers=rep.headers)).status_code == 422


async def test_filter_the_unassigned_queue_and_a_score_range(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    director = u["director"]
    r = await client.post(
        RULES,
        json={"label": "Referral", "field": "source", "op": "equals", "value": "referral", "points": 20},
        headers=director.headers,
    )
    assert r.status_code == 201, r.text
    # No assignment rule takes it: the lead waits in the queue.
    r = await client.post(
        API, params={"auto_assign": "true"}, json={"name": "Queued", "source": "referral"}, headers=director.headers
    )
    assert r.status_code == 201 and r.json()["owner_id"] is None and r.json()["score"] == 20, r.text
    queued = r.json()
    owned = await create(client, director, source="event")
    assert owned["owner_id"] is not None and owned["score"] == 0
    in_queue = await ids(client, director, owner="none")
    assert queued["id"] in in_queue and owned["id"] not in in_queue
    assert await ids(client, director, owner="none", score_from=20, score_to=21) >= {queued["id"]}
    assert queued["id"] not in await ids(client, director, score_from=21)
    assert owned["id"] not in await ids(client, director, score_from=1)
    assert queued["id"] not in await ids(client, director, score_to=20)
    assert owned["id"] in await ids(client, director, score_to=20)
    r = await client.get(API, params={"score_from": "many"}, headers=director.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "score_from"
