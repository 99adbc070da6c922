"""Campaign attribution over HTTP and through the domain's one `touch`: leads and deals name a live
campaign of their tenant (first and last touch), later touches move only the last one, conversion
carries both to the deal and converts the lead's members, and nothing is guessed."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa

from app.composition import build_attribution
from app.repositories.tables import audit_log, campaign_members, campaigns, outbox
from tests.builders import Factory, User, World
from tests.campaign_builders import insert_campaign, insert_member

LEADS = "/api/v1/leads"
DEALS = "/api/v1/opportunities"
STAGES = [
    {"name": "Qualify", "probability": 10},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


@pytest.fixture
async def pipeline(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/pipelines", json={"name": "P", "stages": STAGES}, headers=world.users["director"].headers
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def errors(r: httpx.Response) -> list[str]:
    assert r.status_code == 422, r.text
    return [e["field"] for e in r.json()["errors"]]


async def lead(client: httpx.AsyncClient, user: User, **body: Any) -> dict[str, Any]:
    body = {"name": f"Lead {uuid.uuid4().hex[:6]}", **body}
    r = await client.post(LEADS, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def customer(client: httpx.AsyncClient, user: User) -> str:
    r = await client.post("/api/v1/customers", json={"name": f"Co {uuid.uuid4().hex[:6]}"}, headers=user.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def touch(world: World, campaign: UUID, **who: UUID) -> list[Any]:
    async with world.factory.engine.begin() as conn:
        return await build_attribution(conn).touch(world.id, campaign, **who)


async def events(world: World, event_type: str, entity_id: str) -> list[dict[str, Any]]:
    async with world.factory.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.payload).where(
                outbox.c.tenant_id == world.id, outbox.c.event_type == event_type,
                outbox.c.entity_id == UUID(entity_id),
            )
        )  # fmt: skip
        return [row[0] for row in rows]


async def test_leads_name_a_live_campaign_first_and_last(client: httpx.AsyncClient, world: World) -> None:
    rep, marketer = world.users["east_rep1"], world.users["marketer"]
    a, b = await insert_campaign(world, marketer), await insert_campaign(world, marketer)
    gone = await insert_campaign(world, marketer, deleted=True)
    elsewhere = uuid.uuid4()
    other_world = await world.factory.tenant()
    theirs = await insert_campaign(other_world, await other_world.user("m", ["marketer"]))

    made = await lead(client, rep, campaign_id=str(a))
    assert made["campaign_id"] == str(a) and made["last_campaign_id"] == str(a)
    for bad in (elsewhere, gone, theirs):
        r = await client.post(LEADS, json={"name": "X", "campaign_id": str(bad)}, headers=rep.headers)
        assert errors(r) == ["campaign_id"]
        assert "unknown or deleted" in r.json()["detail"]
    r = await client.post(LEADS, json={"name": "X", "campaign_id": str(a), "last_campaign_id": str(gone)},
                          headers=rep.headers)  # fmt: skip
    assert errors(r) == ["last_campaign_id"]
    both = await lead(client, rep, campaign_id=str(a), last_campaign_id=str(b))
    assert (both["campaign_id"], both["last_campaign_id"]) == (str(a), str(b))

    # A first touch set later fills the empty last touch; one already set is kept.
    bare = await lead(client, rep)
    assert bare["campaign_id"] is None and bare["last_campaign_id"] is None
    r = await client.patch(f"{LEADS}/{bare['id']}", json={"campaign_id": str(b)}, headers=rep.headers)
    assert (r.json()["campaign_id"], r.json()["last_campaign_id"]) == (str(b), str(b))
    r = await client.patch(f"{LEADS}/{bare['id']}", json={"campaign_id": str(a)}, headers=rep.headers)
    assert (r.json()["campaign_id"], r.json()["last_campaign_id"]) == (str(a), str(b))
    assert errors(
        await client.patch(f"{LEADS}/{bare['id']}", json={"campaign_id": str(gone)}, headers=rep.headers)
    ) == ["campaign_id"]
    # A campaign deleted after the lead named it does not block other edits.
    async with world.factory.engine.begin() as conn:
        await conn.execute(campaigns.update().where(campaigns.c.id == b).values(deleted_at=sa.func.now()))
    r = await client.patch(f"{LEADS}/{both['id']}", json={"title": "CTO"}, headers=rep.headers)
    assert r.status_code == 200, r.text
    # The list filters on the first touch.
    r = await client.get(LEADS, params={"campaign": str(a)}, headers=rep.headers)
    assert {i["id"] for i in r.json()["items"]} == {made["id"], both["id"], bare["id"]}


async def test_touches_move_only_the_last_touch(client: httpx.AsyncClient, world: World, pipeline: dict) -> None:
    rep, marketer = world.users["east_rep1"], world.users["marketer"]
    a, b, c = [await insert_campaign(world, marketer) for _ in range(3)]
    made = await lead(client, rep, company="Acme", campaign_id=str(a))
    moved = await touch(world, b, lead_id=UUID(made["id"]))
    assert [(t.entity, str(t.id), t.before) for t in moved] == [("lead", made["id"], a)]
    now = (await client.get(f"{LEADS}/{made['id']}", headers=rep.headers)).json()
    assert (now["campaign_id"], now["last_campaign_id"]) == (str(a), str(b))
    assert now["version"] == made["version"] + 1
    assert [e["changes"] for e in await events(world, "lead.updated", made["id"])] == [
        {"last_campaign_id": {"before": str(a), "after": str(b)}}
    ]
    assert await touch(world, b, lead_id=UUID(made["id"])) == []  # already the last touch: nothing moves

    # Conversion carries both touches and converts the lead's members (in every campaign).
    member_a = await insert_member(world, a, lead_id=UUID(made["id"]), status="attended", attended_at=sa.func.now())
    member_b = await insert_member(world, b, lead_id=UUID(made["id"]), status="bounced", bounced_at=sa.func.now())
    body = {"opportunity": {"amount": "1000"}}
    r = await client.post(f"{LEADS}/{made['id']}/convert", json=body, headers=rep.headers)
    assert r.status_code == 200, r.text
    deal = r.json()["opportunity"]
    assert (deal["campaign_id"], deal["last_campaign_id"]) == (str(a), str(b))
    async with world.factory.engine.connect() as conn:
        statuses = dict((await conn.execute(sa.select(campaign_members.c.id, campaign_members.c.status))).all())
    assert statuses[member_a] == "converted" and statuses[member_b] == "bounced"  # a bounced member stays so
    converted = await events(world, "campaign_member.converted", str(member_a))
    assert converted == [{"campaign_id": str(a), "member_id": str(member_a), "contact_id": None,
                          "lead_id": made["id"], "step": "converted"}]  # fmt: skip
    assert await events(world, "campaign_member.converted", str(member_b)) == []

    # A converted lead's later touch moves its open deal's last touch; a contact's, their open deals'.
    moved = await touch(world, c, lead_id=UUID(made["id"]))
    assert [(t.entity, str(t.id)) for t in moved] == [("opportunity", deal["id"])]
    contact = r.json()["contact"]["id"]
    assert await touch(world, a, contact_id=UUID(contact)) != []
    now = (await client.get(f"{DEALS}/{deal['id']}", headers=rep.headers)).json()
    assert (now["campaign_id"], now["last_campaign_id"]) == (str(a), str(a))
    # A closed deal keeps its touches.
    won = next(s["id"] for s in pipeline["stages"] if s["name"] == "Won")
    body = {"stage_id": won, "expected_close_date": "2027-01-31"}
    assert (await client.post(f"{DEALS}/{deal['id']}/stage", json=body, headers=rep.headers)).status_code == 200
    assert await touch(world, c, contact_id=UUID(contact)) == []
    async with world.factory.engine.connect() as conn:
        audited = (
            await conn.execute(
                sa.select(sa.func.count()).where(audit_log.c.entity_id == UUID(deal["id"]),
                                                 audit_log.c.action == "opportunity.updated")
            )
        ).scalar()  # fmt: skip
    assert audited == 2


async def test_deals_take_no_guessed_campaign(client: httpx.AsyncClient, world: World, pipeline: dict) -> None:
    rep, marketer = world.users["east_rep1"], world.users["marketer"]
    a = await insert_campaign(world, marketer)
    gone = await insert_campaign(world, marketer, deleted=True)
    company = await customer(client, rep)
    r = await client.post("/api/v1/contacts", json={"name": "Ann", "customer_id": company}, headers=rep.headers)
    contact = r.json()["id"]
    await insert_member(world, a, contact_id=UUID(contact), status="registered", registered_at=sa.func.now())
    body = {"name": "D", "customer_id": company, "primary_contact_id": contact}
    r = await client.post(DEALS, json=body, headers=rep.headers)
    assert r.status_code == 201, r.text
    assert r.json()["campaign_id"] is None and r.json()["last_campaign_id"] is None
    r = await client.post(DEALS, json={**body, "campaign_id": str(a)}, headers=rep.headers)
    assert (r.json()["campaign_id"], r.json()["last_campaign_id"]) == (str(a), str(a))
    assert errors(await client.post(DEALS, json={**body, "campaign_id": str(gone)}, headers=rep.headers)) == [
        "campaign_id"
    ]
    deal = r.json()["id"]
    r = await client.patch(f"{DEALS}/{deal}", json={"last_campaign_id": str(uuid.uuid4())}, headers=rep.headers)
    assert errors(r) == ["last_campaign_id"]


async def test_lead_forms_name_a_live_campaign_and_touch_whom_they_match(
    client: httpx.AsyncClient, world: World
) -> None:
    rep, marketer = world.users["east_rep1"], world.users["marketer"]
    a, b = await insert_campaign(world, marketer), await insert_campaign(world, marketer)
    body = {"name": "Webinar form", "fields": ["name", "email"], "campaign_id": str(uuid.uuid4())}
    assert errors(await client.post("/api/v1/lead-forms", json=body, headers=marketer.headers)) == ["campaign_id"]
    r = await client.post("/api/v1/lead-forms", json={**body, "campaign_id": str(b)}, headers=marketer.headers)
    assert r.status_code == 201, r.text
    form = r.json()
    known = await lead(client, rep, email="ann@example.com", campaign_id=str(a))
    url = f"/api/v1/public/lead-forms/{form['form_key']}"
    r = await client.post(url, json={"name": "Ann", "email": "ann@example.com"})
    assert r.status_code == 202, r.text
    now = (await client.get(f"{LEADS}/{known['id']}", headers=rep.headers)).json()
    assert (now["campaign_id"], now["last_campaign_id"]) == (str(a), str(b))
    r = await client.get(LEADS, params={"campaign": str(b)}, headers=marketer.headers)
    captured = r.json()["items"]
    assert len(captured) == 1 and captured[0]["last_campaign_id"] == str(b)
    # The form's campaign deleted meanwhile: the visitor is still heard, the lead attributed to none.
    async with world.factory.engine.begin() as conn:
        await conn.execute(campaigns.update().where(campaigns.c.id == b).values(deleted_at=sa.func.now()))
    assert (await client.post(url, json={"name": "Bob", "email": "bob@example.com"})).status_code == 202
    r = await client.get(LEADS, params={"q": "bob@example.com"}, headers=marketer.headers)
    assert r.json()["items"][0]["campaign_id"] is None
