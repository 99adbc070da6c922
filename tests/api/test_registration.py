"""Public event registration (issue 14): settings, the public page, registration with capacity and
waitlist, duplicates, consent, honeypot, rate limit, cancel with promotion, check-in, and the
confirmation e-mail through a real SMTP peer."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.ids import new_id
from app.repositories.tables import (
    audit_log,
    campaign_members,
    campaign_sessions,
    campaigns,
    leads,
    marketing_consents,
    outbox,
)
from app.settings import Settings
from tests.api.mail_support import Inbox, deliver
from tests.builders import Factory, User, World

pytestmark = pytest.mark.asyncio

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
FORM = {
    "fields": [
        {"key": "diet", "label": {"zh-CN": "饮食", "en": "Diet"}, "type": "select", "required": True,
         "options": ["any", "vegetarian"]},
        {"key": "note", "label": {"zh-CN": "备注", "en": "Note"}, "type": "text"},
        {"key": "parking", "label": {"zh-CN": "需要停车位", "en": "Parking"}, "type": "checkbox"},
    ],
    "consents": [
        {"key": "terms", "channel": "email", "text": {"zh-CN": "我同意活动条款", "en": "I accept the terms"},
         "required": True},
        {"key": "news", "channel": "sms", "text": {"zh-CN": "接收短信通知", "en": "Send me SMS news"}},
    ],
    "confirmation": {"zh-CN": "期待与您见面！", "en": "See you there!"},
}  # fmt: skip


@pytest.fixture
async def world(factory: Factory) -> World:
    w = await factory.tenant()
    marketing = await w.department("Marketing")
    await w.user("marketer", ["marketer"], marketing)
    await w.user("rep", ["sales_rep"], marketing)
    await w.user("admin", ["admin"])
    return w


async def make_campaign(
    engine: AsyncEngine, world: World, *, status: str = "scheduled", sessions: list[int | None] | None = None
) -> tuple[UUID, list[UUID]]:
    """A campaign straight into the tables (the campaigns API is another module's), with sessions
    of the given capacities."""
    owner = world.users["marketer"]
    campaign_id = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            campaigns.insert().values(
                tenant_id=world.id, id=campaign_id, name="AI 峰会 Summit", campaign_type="event", status=status,
                owner_id=owner.id, department_id=owner.department_id, description="Annual summit",
            )
        )  # fmt: skip
        ids = []
        for i, capacity in enumerate(sessions or []):
            session_id = new_id()
            await conn.execute(
                campaign_sessions.insert().values(
                    tenant_id=world.id, id=session_id, campaign_id=campaign_id, name=f"Day {i + 1}",
                    starts_at=datetime(2027, 3, 1 + i, 9, tzinfo=UTC), location="上海国际会议中心", capacity=capacity,
                )
            )  # fmt: skip
            ids.append(session_id)
    return campaign_id, ids


async def publish(
    client: httpx.AsyncClient, user: User, campaign_id: UUID, *, capacity: int | None = None, form: Any = None
) -> dict[str, Any]:
    body = {"open": True, "capacity": capacity, **(FORM if form is None else form)}
    r = await client.put(f"/api/v1/campaigns/{campaign_id}/registration", json=body, headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def person(n: int | str, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"访客 {n}",
        "email": f"guest{n}@visitors.example.com",
        "company": "Acme",
        "answers": {"diet": "any"},
        "consents": {"terms": True},
        **extra,
    }


@asynccontextmanager
async def visitor(app: object, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client from its own address (the public routes count per address)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def register(client: httpx.AsyncClient, key: str, body: dict[str, Any], headers: Any = EN) -> httpx.Response:
    return await client.post(f"/api/v1/public/campaigns/{key}/registrations", json=body, headers=headers)


async def members(engine: AsyncEngine, campaign_id: UUID) -> list[Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(campaign_members)
            .where(campaign_members.c.campaign_id == campaign_id)
            .order_by(campaign_members.c.registration_at)
        )
        return list(rows)


async def footprint(engine: AsyncEngine, tenant_id: UUID) -> dict[str, int]:
    """What a request could have written in the tenant."""
    async with engine.connect() as conn:
        counts = {}
        for table in (leads, campaign_members, marketing_consents, outbox, audit_log):
            counts[table.name] = (
                await conn.execute(sa.select(sa.func.count()).select_from(table).where(table.c.tenant_id == tenant_id))
            ).scalar_one()
        return counts


async def events(engine: AsyncEngine, tenant_id: UUID, event_type: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.payload).where(outbox.c.tenant_id == tenant_id, outbox.c.event_type == event_type)
        )
        return [r.payload for r in rows]


# -- settings ---------------------------------------------------------------------------------


async def test_settings_make_the_key_once_and_show_the_public_url(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    marketer, rep = world.users["marketer"], world.users["rep"]
    campaign_id, _ = await make_campaign(engine, world, sessions=[10])
    url = f"/api/v1/campaigns/{campaign_id}/registration"
    r = await client.get(url, headers=marketer.headers)
    assert r.status_code == 200 and r.json()["public_key"] is None and r.json()["public_url"] is None
    # Sellers read campaigns but may not change their registration.
    assert (await client.get(url, headers=rep.headers)).status_code in (200, 404)
    assert (await client.put(url, json={"open": True}, headers=rep.headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    body = await publish(client, marketer, campaign_id, capacity=50)
    key = body["public_key"]
    assert re.fullmatch(r"ev_[A-Za-z0-9_-]{24}", key)
    assert body["public_url"] == f"{settings.public_url.rstrip('/')}/e/{key}"
    assert body["page_live"] is True and body["capacity"] == 50
    assert [f["key"] for f in body["fields"]] == ["diet", "note", "parking"]
    assert body["sessions"][0]["seats_left"] == 10
    # Closed and opened again: the same key (links already printed keep working).
    r = await client.put(url, json={"open": False}, headers=marketer.headers)
    assert r.json()["public_key"] == key and r.json()["page_live"] is False
    r = await client.put(url, json={"open": True}, headers={**marketer.headers, "If-Match": 'W/"1"'})
    assert r.status_code == 412
    r = await client.put(url, json={"open": True}, headers=marketer.headers)
    assert r.json()["public_key"] == key
    # A form with a select without options, a key used twice, a standard field's name: 422.
    bad = {
        "open": True,
        "fields": [
            {"key": "size", "label": {"en": "Size"}, "type": "select"},
            {"key": "name", "label": {"en": "Name"}, "type": "text"},
            {"key": "size", "label": {"en": "Size"}, "type": "text"},
        ],
    }
    r = await client.put(url, json=bad, headers=marketer.headers)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"fields.0.options", "fields.1.key", "fields.2.key"}
    # Another tenant's campaign does not exist for this caller.
    other = await world.factory.tenant()
    stranger = await other.user("marketer", ["marketer"])
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.put(url, json={"open": False}, headers=stranger.headers)).status_code == 404


# -- the public page ----------------------------------------------------------------------------


async def test_public_page_shows_sessions_seats_form_and_consents(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    campaign_id, (day1, day2) = await make_campaign(engine, world, sessions=[2, None])
    key = (await publish(client, world.users["marketer"], campaign_id))["public_key"]
    r = await client.get(f"/api/v1/public/campaigns/{key}")
    assert r.status_code == 200
    page = r.json()
    assert page["name"] == "AI 峰会 Summit" and page["type"] == "event" and page["state"] == "open"
    assert [(s["id"], s["seats_left"], s["full"]) for s in page["sessions"]] == [
        (str(day1), 2, False),
        (str(day2), None, False),
    ]
    assert page["sessions"][0]["location"] == "上海国际会议中心"
    assert [c["key"] for c in page["consents"]] == ["terms", "news"] and page["consents"][0]["required"] is True
    assert page["fields"][0]["options"] == ["any", "vegetarian"]
    for i in range(2):
        assert (await register(client, key, person(i, session_id=str(day1)))).json()["status"] == "registered"
    page = (await client.get(f"/api/v1/public/campaigns/{key}")).json()
    assert (page["sessions"][0]["seats_left"], page["sessions"][0]["full"]) == (0, True)
    assert page["state"] == "open"  # day 2 has no limit


async def test_unknown_closed_draft_and_cancelled_pages_are_404(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    marketer = world.users["marketer"]
    r = await client.get("/api/v1/public/campaigns/ev_thereisnosuchkeyatall00")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert (await register(client, "ev_thereisnosuchkeyatall00", person(1))).status_code == 404
    campaign_id, _ = await make_campaign(engine, world)
    key = (await publish(client, marketer, campaign_id))["public_key"]
    url = f"/api/v1/public/campaigns/{key}"
    await client.put(f"/api/v1/campaigns/{campaign_id}/registration", json={"open": False}, headers=marketer.headers)
    assert (await client.get(url)).status_code == 404
    assert (await register(client, key, person(1))).status_code == 404
    await client.put(f"/api/v1/campaigns/{campaign_id}/registration", json={"open": True}, headers=marketer.headers)
    assert (await client.get(url)).status_code == 200
    for status in ("draft", "cancelled"):
        async with engine.begin() as conn:
            await conn.execute(campaigns.update().where(campaigns.c.id == campaign_id).values(status=status))
        assert (await client.get(url)).status_code == 404, status
        assert (await register(client, key, person(1))).status_code == 404
    # A finished event still shows, closed, and takes no registration (409).
    async with engine.begin() as conn:
        await conn.execute(campaigns.update().where(campaigns.c.id == campaign_id).values(status="completed"))
    assert (await client.get(url)).json()["state"] == "closed"
    r = await register(client, key, person(1), ZH)
    assert r.status_code == 409 and r.json()["detail"] == "本活动已停止报名"


# -- registering ------------------------------------------------------------------------------


async def test_a_new_person_becomes_a_lead_and_a_registered_member(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    campaign_id, (day1,) = await make_campaign(engine, world, sessions=[10])
    key = (await publish(client, world.users["marketer"], campaign_id))["public_key"]
    body = person("new", phone="+86 139 0000 1111", consents={"terms": True, "news": True})
    body["answers"] = {"diet": "vegetarian", "note": "靠过道的座位", "parking": True}
    r = await register(client, key, body, ZH)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["status"] == "registered" and answer["language"] == "zh-CN"
    assert answer["message"] == "期待与您见面！" and answer["already_registered"] is False
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", answer["check_in_code"])
    (member,) = await members(engine, campaign_id)
    assert member.status == "registered" and member.registration_status == "registered"
    assert member.session_id == day1 and member.source == "registration" and member.registered_at is not None
    assert member.checkin_code == answer["check_in_code"] and member.contact_id is None
    assert member.registration["answers"] == {"diet": "vegetarian", "note": "靠过道的座位", "parking": True}
    async with engine.connect() as conn:
        lead = (await conn.execute(sa.select(leads).where(leads.c.id == member.lead_id))).one()
        consents = list(
            await conn.execute(sa.select(marketing_consents).where(marketing_consents.c.lead_id == lead.id))
        )
    assert (lead.source, lead.campaign_id, lead.email) == ("event", campaign_id, "guestnew@visitors.example.com")
    assert lead.last_campaign_id == campaign_id  # a new lead: the event is its first and last touch
    assert lead.owner_id is None  # waits in the queue for the worker's routing, like a web form's lead
    assert sorted((c.channel, c.status, c.source) for c in consents) == [
        ("email", "granted", "registration"),
        ("sms", "granted", "registration"),
    ]
    proof = next(c.proof for c in consents if c.channel == "email")
    assert "我同意活动条款" in proof and "203.0.113.7" in proof
    registered = await events(world.factory.engine, world.id, "campaign_member.registered")
    assert registered == [
        {"campaign_id": str(campaign_id), "member_id": str(member.id), "lead_id": str(lead.id), "step": "registered"}
    ]
    assert len(await events(engine, world.id, "marketing_consent.changed")) == 2
    assert len(await events(engine, world.id, "campaign_member.added")) == 1


async def test_duplicates_link_to_the_existing_contact_or_lead_and_a_repeat_changes_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    admin = world.users["admin"]
    contact = await client.post(
        "/api/v1/contacts", json={"name": "张伟", "emails": ["Zhang.Wei@Example.com"]}, headers=admin.headers
    )
    lead = await client.post("/api/v1/leads", json={"name": "李娜", "phone": "13911223344"}, headers=admin.headers)
    assert contact.status_code == 201 and lead.status_code == 201
    campaign_id, _ = await make_campaign(engine, world)
    key = (await publish(client, world.users["marketer"], campaign_id))["public_key"]
    before = await footprint(engine, world.id)
    r = await register(client, key, {**person("x"), "email": " zhang.wei@example.COM "})
    assert r.json()["status"] == "registered"
    r = await register(client, key, {**person("y"), "email": None, "phone": "+86 139-1122-3344"})
    assert r.json()["status"] == "registered"
    found = {(m.contact_id, m.lead_id) for m in await members(engine, campaign_id)}
    assert found == {(UUID(contact.json()["id"]), None), (None, UUID(lead.json()["id"]))}
    assert (await footprint(engine, world.id))["leads"] == before["leads"]  # nobody new
    # The same person again: the one registration stands, its code is not handed out again.
    again = await register(client, key, {**person("x"), "email": "ZHANG.WEI@example.com", "name": "Wei"})
    assert again.status_code == 200
    assert again.json() | {"message": ""} == {
        "status": "registered", "check_in_code": None, "message": "", "language": "en", "already_registered": True,
    }  # fmt: skip
    assert len(await members(engine, campaign_id)) == 2
    # A new person becomes one new lead, once, however often they submit.
    for _ in range(2):
        await register(client, key, person("fresh"))
    assert (await footprint(engine, world.id))["leads"] == before["leads"] + 1
    assert len(await members(engine, campaign_id)) == 3


async def test_an_existing_lead_registering_takes_the_event_as_its_last_touch(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    admin = world.users["admin"]
    first, _ = await make_campaign(engine, world)
    body = {"name": "李娜", "email": "li.na@example.cn", "campaign_id": str(first)}
    lead = (await client.post("/api/v1/leads", json=body, headers=admin.headers)).json()
    assert (lead["campaign_id"], lead["last_campaign_id"]) == (str(first), str(first))
    campaign_id, _ = await make_campaign(engine, world)
    key = (await publish(client, world.users["marketer"], campaign_id))["public_key"]
    r = await register(client, key, {**person("li"), "email": "Li.Na@example.cn"})
    assert r.status_code == 200 and r.json()["status"] == "registered", r.text
    now = (await client.get(f"/api/v1/leads/{lead['id']}", headers=admin.headers)).json()
    assert (now["campaign_id"], now["last_campaign_id"]) == (str(first), str(campaign_id))
    updated = [e for e in await events(engine, world.id, "lead.updated") if e["id"] == lead["id"]]
    assert [e["changes"] for e in updated] == [{"last_campaign_id": {"before": str(first), "after": str(campaign_id)}}]


async def test_capacity_holds_under_concurrent_registrations(
    app: object, client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    campaign_id, (day1, day2) = await make_campaign(engine, world, sessions=[3, 10])
    key = (await publish(client, world.users["marketer"], campaign_id, capacity=5))["public_key"]

    async def one(n: int) -> str:
        async with visitor(app, f"198.51.100.{n}") as c:
            session = day1 if n % 2 else day2
            r = await register(c, key, person(f"c{n}", session_id=str(session)))
            assert r.status_code == 200, r.text
            return str(r.json()["status"])

    statuses = await asyncio.gather(*(one(n) for n in range(24)))
    assert statuses.count("registered") == 5 and statuses.count("waitlisted") == 19
    rows = await members(engine, campaign_id)
    registered = [m for m in rows if m.registration_status == "registered"]
    assert len(registered) == 5 and len([m for m in registered if m.session_id == day1]) <= 3
    assert len(rows) == 24 and all(m.checkin_code for m in rows)
    assert len(await events(engine, world.id, "campaign_member.waitlisted")) == 19
    page = (await client.get(f"/api/v1/public/campaigns/{key}")).json()
    assert (page["state"], page["waitlist"], page["seats_left"]) == ("full", True, 0)


async def test_waitlist_then_promotion_when_staff_cancel(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    marketer = world.users["marketer"]
    campaign_id, (day1, day2) = await make_campaign(engine, world, sessions=[1, 1])
    key = (await publish(client, marketer, campaign_id))["public_key"]
    first = await register(client, key, person("a", session_id=str(day1)))
    other_day = await register(client, key, person("b", session_id=str(day2)))
    waiting = await register(client, key, person("c", session_id=str(day1)))
    later = await register(client, key, person("d", session_id=str(day1)))
    assert [r.json()["status"] for r in (first, other_day, waiting, later)] == [
        "registered", "registered", "waitlisted", "waitlisted",
    ]  # fmt: skip
    assert waiting.json()["check_in_code"] is None
    rows = {m.registration["name"]: m for m in await members(engine, campaign_id)}
    assert rows["访客 c"].status == "targeted"  # waitlisted is no funnel step
    url = f"/api/v1/campaigns/{campaign_id}/members/{rows['访客 a'].id}/cancel-registration"
    assert (await client.post(url, headers=world.users["rep"].headers)).status_code == 403
    r = await client.post(url, headers=marketer.headers)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["member"]["registration_status"] == "cancelled"
    assert [(p["id"], p["registration_status"], p["status"]) for p in done["promoted"]] == [
        (str(rows["访客 c"].id), "registered", "registered")
    ]
    # Cancelling again changes nothing; "d" still waits (one seat freed, one taken).
    again = await client.post(url, headers=marketer.headers)
    assert again.status_code == 200 and again.json()["promoted"] == []
    now = {m.registration["name"]: m.registration_status for m in await members(engine, campaign_id)}
    assert now == {"访客 a": "cancelled", "访客 b": "registered", "访客 c": "registered", "访客 d": "waitlisted"}
    promoted = await events(engine, world.id, "campaign_member.registered")
    assert str(rows["访客 c"].id) in {e["member_id"] for e in promoted}
    assert len(await events(engine, world.id, "campaign_member.registration_cancelled")) == 1
    # A member of no campaign of this one: 404.
    r = await client.post(
        f"/api/v1/campaigns/{campaign_id}/members/{new_id()}/cancel-registration", headers=marketer.headers
    )
    assert r.status_code == 404


async def test_raising_the_capacity_promotes_the_waitlist(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    marketer = world.users["marketer"]
    campaign_id, _ = await make_campaign(engine, world)
    key = (await publish(client, marketer, campaign_id, capacity=1))["public_key"]
    statuses = [(await register(client, key, person(f"r{n}"))).json()["status"] for n in range(3)]
    assert statuses == ["registered", "waitlisted", "waitlisted"]
    body = await publish(client, marketer, campaign_id, capacity=2)
    assert (body["registered"], body["waitlisted"]) == (2, 1)
    rows = {m.registration["name"]: m.registration_status for m in await members(engine, campaign_id)}
    assert rows == {"访客 r0": "registered", "访客 r1": "registered", "访客 r2": "waitlisted"}


# -- refusals -----------------------------------------------------------------------------------


async def test_bad_input_is_422_in_the_registrants_language_and_changes_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    campaign_id, (day1, _day2) = await make_campaign(engine, world, sessions=[5, 5])
    key = (await publish(client, world.users["marketer"], campaign_id))["public_key"]
    before = await footprint(engine, world.id)
    bad = {
        "name": " ",
        "email": "not-an-address",
        "answers": {"diet": "meat", "shoe_size": "42"},
        "consents": {"news": True},
    }
    r = await register(client, key, bad, ZH)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert errors == {
        "name": "为必填项",
        "email": "不是有效的电子邮件地址",
        "session_id": "请选择本活动的一个场次",
        "answers.shoe_size": "不是此报名表的字段",
        "answers.diet": "必须是列出的选项之一",
        "consents.terms": "须勾选同意后才能报名",
    }
    assert r.json()["detail"] == "报名信息有误，请检查标出的字段"  # noqa: RUF001
    r = await register(client, key, bad, EN)
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert errors["name"] == "is required" and errors["consents.terms"] == "must be accepted to register"
    assert errors["session_id"] == "choose one of the event's sessions"
    # Neither an e-mail nor a phone; a session of another event.
    r = await register(client, key, {**person(1), "email": None, "session_id": str(new_id())}, EN)
    assert {e["field"]: e["message"] for e in r.json()["errors"]} == {
        "email": "give an e-mail address or a phone number",
        "session_id": "choose one of the event's sessions",
    }
    # What the schema refuses (a malformed id, an unknown field) is worded for the reader too.
    r = await register(client, key, {**person(1), "session_id": "x", "extra": 1}, ZH)
    assert r.status_code == 422
    assert {e["field"]: e["message"] for e in r.json()["errors"]} == {
        "session_id": "必须是有效的 UUID",
        "extra": "不是可接受的字段",
    }
    r = await register(client, key, {**person(1), "session_id": "x"}, EN)
    assert "UUID" in r.json()["errors"][0]["message"]
    assert await footprint(engine, world.id) == before
    # ... and a valid one goes through.
    assert (await register(client, key, person(1, session_id=str(day1)), EN)).status_code == 200


async def test_the_honeypot_reads_as_accepted_and_keeps_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    campaign_id, _ = await make_campaign(engine, world)
    key = (await publish(client, world.users["marketer"], campaign_id))["public_key"]
    before = await footprint(engine, world.id)
    r = await register(client, key, {**person("bot"), "website": "http://spam.example"})
    assert r.status_code == 200 and r.json()["status"] == "registered" and r.json()["check_in_code"]
    assert await footprint(engine, world.id) == before


async def test_registrations_per_address_are_limited(
    app: object, client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    campaign_id, _ = await make_campaign(engine, world)
    key = (await publish(client, world.users["marketer"], campaign_id))["public_key"]
    async with visitor(app, "192.0.2.77") as c:
        for n in range(20):
            assert (await register(c, key, person(f"rl{n}"))).status_code == 200
        r = await register(c, key, person("rl-over"), ZH)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert r.json()["detail"] == "来自此网络地址的报名过多，请稍后再试"  # noqa: RUF001
    async with visitor(app, "192.0.2.78") as c:  # another address is not held back
        assert (await register(c, key, person("rl-other"))).status_code == 200
    assert len(await members(engine, campaign_id)) == 21


# -- check-in -----------------------------------------------------------------------------------


async def test_check_in_by_code_or_id_is_idempotent_and_refuses_the_waitlist(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    marketer = world.users["marketer"]
    campaign_id, _ = await make_campaign(engine, world)
    key = (await publish(client, marketer, campaign_id, capacity=1))["public_key"]
    code = (await register(client, key, person("in"))).json()["check_in_code"]
    await register(client, key, person("wait"))
    url = f"/api/v1/campaigns/{campaign_id}/check-in"
    assert (await client.post(url, json={"code": code}, headers=world.users["rep"].headers)).status_code == 403
    r = await client.post(url, json={"code": f" {code[:4].lower()}-{code[4:]} "}, headers=marketer.headers)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["status"] == "attended" and first["already_checked_in"] is False and first["attended_at"]
    assert first["name"] == "访客 in"
    r = await client.post(url, json={"member_id": first["id"]}, headers=marketer.headers)
    assert r.json()["already_checked_in"] is True and r.json()["attended_at"] == first["attended_at"]
    assert len(await events(engine, world.id, "campaign_member.attended")) == 1
    rows = {m.registration["name"]: m for m in await members(engine, campaign_id)}
    r = await client.post(url, json={"member_id": str(rows["访客 wait"].id)}, headers=marketer.headers)
    assert r.status_code == 409 and "waiting list" in r.json()["detail"]
    assert r.json()["member_id"] == str(rows["访客 wait"].id)
    assert (await client.post(url, json={"code": "ZZZZZZZZ"}, headers=marketer.headers)).status_code == 404
    r = await client.post(url, json={"code": code, "member_id": first["id"]}, headers=marketer.headers)
    assert r.status_code == 422
    # A cancelled registration is refused too (and the waitlisted one took its seat).
    cancel = f"/api/v1/campaigns/{campaign_id}/members/{rows['访客 in'].id}/cancel-registration"
    assert (await client.post(cancel, headers=marketer.headers)).status_code == 200
    r = await client.post(url, json={"code": code}, headers=marketer.headers)
    assert r.status_code == 409 and "cancelled" in r.json()["detail"]


# -- e-mail and the public cancel link ----------------------------------------------------------


async def test_confirmation_mail_and_its_cancel_link_promote_the_waitlist(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, inbox: Inbox
) -> None:
    campaign_id, _ = await make_campaign(engine, world, sessions=[1])
    key = (await publish(client, world.users["marketer"], campaign_id))["public_key"]
    first = await register(client, key, person("mail1"), ZH)
    await register(client, key, person("mail2"), EN)
    await deliver(engine, settings, inbox)
    (confirmation,) = inbox.to("guestmail1@visitors.example.com")
    assert confirmation["Subject"] == "报名成功：AI 峰会 Summit"  # noqa: RUF001
    text = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert first.json()["check_in_code"] in text and "上海国际会议中心" in text and "期待与您见面！" in text
    (waitlisted,) = inbox.to("guestmail2@visitors.example.com")
    assert waitlisted["Subject"] == "Waiting list: AI 峰会 Summit"
    token = re.search(r"/e/cancel/(\S+)", text).group(1)  # type: ignore[union-attr]
    # The link shows what it cancels, then cancels; a forged one is 404.
    r = await client.get(f"/api/v1/public/registrations/{token}")
    assert r.status_code == 200 and r.json() | {"starts_at": None} == {
        "event": "AI 峰会 Summit", "name": "访客 mail1", "session": "Day 1", "starts_at": None, "status": "registered",
    }  # fmt: skip
    assert (await client.get(f"/api/v1/public/registrations/{token[:-3]}AAA")).status_code == 404
    assert (await client.post(f"/api/v1/public/registrations/{token}/cancel")).json() == {"status": "cancelled"}
    assert (await client.post(f"/api/v1/public/registrations/{token}/cancel")).status_code == 200
    statuses = {m.registration["name"]: m.registration_status for m in await members(engine, campaign_id)}
    assert statuses == {"访客 mail1": "cancelled", "访客 mail2": "registered"}
    await deliver(engine, settings, inbox)
    promoted = inbox.to("guestmail2@visitors.example.com")[-1]
    assert promoted["Subject"] == "A seat freed up: you are registered for AI 峰会 Summit"
    assert inbox.to("guestmail1@visitors.example.com")[-1]["Subject"] == "报名已取消：AI 峰会 Summit"  # noqa: RUF001


async def test_an_invited_member_registers_on_the_same_row_and_may_register_again_after_cancelling(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    admin, marketer = world.users["admin"], world.users["marketer"]
    contact = (
        await client.post(
            "/api/v1/contacts", json={"name": "赵敏", "emails": ["zhao@example.cn"]}, headers=admin.headers
        )
    ).json()
    campaign_id, _ = await make_campaign(engine, world)
    key = (await publish(client, marketer, campaign_id))["public_key"]
    invited = new_id()
    async with engine.begin() as conn:  # invited earlier: the e-mail was clicked
        await conn.execute(
            campaign_members.insert().values(
                tenant_id=world.id, id=invited, campaign_id=campaign_id, contact_id=UUID(contact["id"]),
                status="clicked", source="segment", clicked_at=datetime.now(UTC),
            )
        )  # fmt: skip
    r = await register(client, key, {**person("z"), "email": "ZHAO@example.cn"})
    assert r.json()["status"] == "registered" and r.json()["check_in_code"]
    (member,) = await members(engine, campaign_id)
    assert (member.id, member.status, member.source, member.registration_status) == (
        invited, "registered", "segment", "registered",
    )  # fmt: skip
    assert [e["member_id"] for e in await events(engine, world.id, "campaign_member.registered")] == [str(invited)]
    cancel = f"/api/v1/campaigns/{campaign_id}/members/{invited}/cancel-registration"
    assert (await client.post(cancel, headers=marketer.headers)).status_code == 200
    again = await register(client, key, {**person("z"), "email": "zhao@example.cn"})
    assert again.json()["status"] == "registered" and again.json()["already_registered"] is False
    (member,) = await members(engine, campaign_id)
    assert member.registration_status == "registered" and member.checkin_code == r.json()["check_in_code"]


async def seat_counters(engine: AsyncEngine, campaign_id: UUID) -> tuple[dict[UUID, int], dict[UUID, int]]:
    """(The seat counters of migration 0042, the same counted directly over the members), by scope:
    the campaign's id for its total, a session's id for that session."""
    async with engine.connect() as conn:
        kept = await conn.execute(
            sa.text("SELECT scope_id, taken FROM campaign_seats WHERE campaign_id = :c AND taken > 0"),
            {"c": campaign_id},
        )
        live = [m for m in await members(engine, campaign_id) if m.deleted_at is None]
    registered = [m for m in live if m.registration_status == "registered"]
    counted: dict[UUID, int] = {campaign_id: len(registered)} if registered else {}
    for m in registered:
        if m.session_id is not None:
            counted[m.session_id] = counted.get(m.session_id, 0) + 1
    return {r.scope_id: r.taken for r in kept}, counted


async def test_seats_never_oversold_while_registrations_cancellations_and_promotions_race(
    app: object, client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Registrations (each deciding its seat on the counter row, in the statement that inserts
    it) race with staff cancellations (which promote the waitlist, counting under the same row's
    lock): neither capacity is ever passed, and the counters end equal to the members."""
    marketer = world.users["marketer"]
    campaign_id, (day1, day2) = await make_campaign(engine, world, sessions=[4, 10])
    key = (await publish(client, marketer, campaign_id, capacity=7))["public_key"]
    first = [await register(client, key, person(f"f{n}", session_id=str(day1 if n < 3 else day2))) for n in range(6)]
    assert [r.json()["status"] for r in first] == ["registered"] * 6
    by_name = {m.registration["name"]: m.id for m in await members(engine, campaign_id)}
    cancel_ids = [by_name[f"访客 f{n}"] for n in range(3)]

    async def one(n: int) -> str:
        async with visitor(app, f"203.0.113.{n}") as c:
            r = await register(c, key, person(f"r{n}", session_id=str(day1 if n % 3 else day2)))
            assert r.status_code == 200, r.text
            return str(r.json()["status"])

    async def cancel(member_id: UUID) -> None:
        url = f"/api/v1/campaigns/{campaign_id}/members/{member_id}/cancel-registration"
        r = await client.post(url, headers=marketer.headers)
        assert r.status_code == 200, r.text

    await asyncio.gather(*(one(n) for n in range(30)), *(cancel(m) for m in cancel_ids))
    rows = [m for m in await members(engine, campaign_id) if m.registration_status == "registered"]
    # Three seats freed, promoted or taken again: the campaign is full, and no session past its own.
    assert len(rows) == 7
    assert len([m for m in rows if m.session_id == day1]) <= 4
    kept, counted = await seat_counters(engine, campaign_id)
    assert kept == counted and counted[campaign_id] == 7


async def test_seat_counters_follow_every_change_of_the_members(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Whoever writes the members (the registration, a cancel and its promotion, a member removed,
    restored, moved to another session, deleted outright), the counters equal a direct count."""
    marketer = world.users["marketer"]
    campaign_id, (day1, day2) = await make_campaign(engine, world, sessions=[2, None])
    key = (await publish(client, marketer, campaign_id))["public_key"]
    for n, day in enumerate([day1, day1, day1, day2, day2]):
        await register(client, key, person(f"s{n}", session_id=str(day)))
    by_name = {m.registration["name"]: m.id for m in await members(engine, campaign_id)}
    ids = [by_name[f"访客 s{n}"] for n in range(5)]
    assert await seat_counters(engine, campaign_id) == ({campaign_id: 4, day1: 2, day2: 2},) * 2
    url = f"/api/v1/campaigns/{campaign_id}/members/{ids[0]}/cancel-registration"
    assert (await client.post(url, headers=marketer.headers)).status_code == 200  # promotes the third
    kept, counted = await seat_counters(engine, campaign_id)
    assert kept == counted == {campaign_id: 4, day1: 2, day2: 2}
    m = campaign_members
    changes: list[Any] = [
        m.update().where(m.c.id == ids[3]).values(deleted_at=sa.func.now()),  # removed
        m.update().where(m.c.id == ids[3]).values(deleted_at=None),  # restored
        m.update().where(m.c.id == ids[4]).values(session_id=day1),  # moved (past day 1's capacity: staff)
        m.update().where(m.c.id == ids[1]).values(registration_status="waitlisted"),
        m.delete().where(m.c.id == ids[2]),
    ]
    for change in changes:
        async with engine.begin() as conn:
            await conn.execute(change)
        kept, counted = await seat_counters(engine, campaign_id)
        assert kept == counted, change
    assert counted == {campaign_id: 2, day1: 1, day2: 1}
