"""Consent per contact/lead and channel (range and permission of the record, audit, events, the
domain recorder other modules use) and the suppression list (normalized addresses, campaigns:manage)."""

from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.composition import build_consent_recorder
from app.domain.marketing.consent import Subject
from app.repositories.tables import audit_log
from tests.api.marketing_support import create_record, events
from tests.builders import Factory, World

SUPPRESSIONS = "/api/v1/suppressions"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


def consents(kind: str, record_id: str, channel: str | None = None) -> str:
    base = f"/api/v1/{kind}s/{record_id}/consents"
    return f"{base}/{channel}" if channel else base


async def test_record_and_read_consent_with_time_actor_audit_and_event(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    rep = world.users["east_rep1"]
    contact = await create_record(client, rep, "contact", emails=["wang@example.cn"])
    url = consents("contact", contact["id"])
    empty = await client.get(url, headers=rep.headers)
    assert empty.status_code == 200 and empty.json() == {"items": []}

    body = {"status": "granted", "source": "form", "proof": "订阅我们的活动通知 / Subscribe to event news"}
    r = await client.put(f"{url}/email", json=body, headers=rep.headers)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["channel"], got["status"], got["source"], got["proof"]) == ("email", "granted", "form", body["proof"])
    assert got["contact_id"] == contact["id"] and got["lead_id"] is None
    assert got["recorded_by"] == str(rep.id) and got["recorded_at"]
    listed = (await client.get(url, headers=rep.headers)).json()["items"]
    assert listed == [got]

    # The same again changes nothing; a withdrawal is a change.
    assert (await client.put(f"{url}/email", json=body, headers=rep.headers)).json() == got
    r = await client.put(f"{url}/email", json={"status": "withdrawn", "source": "phone"}, headers=rep.headers)
    assert r.json()["status"] == "withdrawn" and r.json()["id"] == got["id"] and r.json()["proof"] is None
    await client.put(f"{url}/sms", json={"status": "granted"}, headers=rep.headers)
    assert [c["channel"] for c in (await client.get(url, headers=rep.headers)).json()["items"]] == ["email", "sms"]

    changed = await events(engine, world.id, "marketing_consent.")
    assert [p["status"] for _, p in changed] == ["granted", "withdrawn", "granted"]
    assert changed[0][1] == {"contact_id": contact["id"], "lead_id": None, "channel": "email", "status": "granted",
                             "source": "form"}  # fmt: skip
    async with engine.connect() as conn:
        audited = (
            await conn.execute(
                sa.select(audit_log.c.actor_id, audit_log.c.changes)
                .where(audit_log.c.tenant_id == world.id, audit_log.c.action == "marketing_consent.changed")
                .order_by(audit_log.c.id)
            )
        ).all()
    assert len(audited) == 3 and all(a.actor_id == rep.id for a in audited)
    assert audited[1].changes["status"] == {"before": "granted", "after": "withdrawn"}


async def test_consent_range_and_permission_matrix(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    contact = await create_record(client, u["east_rep1"], "contact")
    lead = await create_record(client, u["east_rep1"], "lead")
    put = {"status": "granted"}
    # (user, contact GET, contact PUT, lead GET, lead PUT)
    expected = {
        "east_rep1": (200, 200, 200, 200),  # the owner
        "east_rep2": (404, 404, 404, 404),  # a colleague with "own" range
        "east_manager": (200, 200, 200, 200),  # the department
        "west_manager": (404, 404, 404, 404),  # another department
        "director": (200, 200, 200, 200),
        "marketer": (200, 403, 200, 200),  # reads contacts, manages leads
        "analyst": (200, 403, 200, 403),  # reads everything, writes nothing
        "it": (403, 403, 403, 403),  # no business data
    }
    for label, (cg, cp, lg, lp) in expected.items():
        h = u[label].headers
        got = (
            (await client.get(consents("contact", contact["id"]), headers=h)).status_code,
            (await client.put(consents("contact", contact["id"], "email"), json=put, headers=h)).status_code,
            (await client.get(consents("lead", lead["id"]), headers=h)).status_code,
            (await client.put(consents("lead", lead["id"], "sms"), json=put, headers=h)).status_code,
        )
        assert got == (cg, cp, lg, lp), label
    # Unknown records, no credentials, bad input.
    rep = u["east_rep1"].headers
    assert (await client.get(consents("contact", str(uuid.uuid4())), headers=rep)).status_code == 404
    assert (await client.get(consents("lead", contact["id"]), headers=rep)).status_code == 404  # not a lead
    assert (await client.get(consents("contact", contact["id"]))).status_code == 401
    for bad_url, bad_body in (
        (consents("contact", contact["id"], "fax"), put),
        (consents("contact", contact["id"], "email"), {"status": "maybe"}),
        (consents("contact", contact["id"], "email"), {"status": "granted", "recorded_by": str(uuid.uuid4())}),
        (consents("contact", contact["id"], "email"), {"status": "granted", "source": "Robert'); DROP TABLE--"}),
        (consents("contact", contact["id"], "email"), {"status": "granted", "proof": "x" * 2001}),
    ):
        r = await client.put(bad_url, json=bad_body, headers=rep)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", bad_body


async def test_other_modules_record_consent_through_the_domain_recorder(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """As the public registration records its consent checkboxes: no caller, in its transaction."""
    rep = world.users["east_rep1"]
    lead = await create_record(client, rep, "lead", email="reg@example.cn")
    subject = Subject("lead", uuid.UUID(lead["id"]))
    async with engine.begin() as conn:
        recorder = build_consent_recorder(conn)
        first = await recorder.record(
            world.id, subject, "email", "granted", source="registration", proof="I agree to receive event news"
        )
        again = await recorder.record(
            world.id, subject, "email", "granted", source="registration", proof="I agree to receive event news"
        )
    assert first is not None and first.recorded_by is None and again is None
    items = (await client.get(consents("lead", lead["id"]), headers=rep.headers)).json()["items"]
    assert [(c["source"], c["recorded_by"]) for c in items] == [("registration", None)]
    assert len(await events(engine, world.id, "marketing_consent.")) == 1


# -- suppressions --------------------------------------------------------------------------------


async def test_suppression_list_normalizes_filters_and_pages(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    h = world.users["marketer"].headers
    r = await client.post(SUPPRESSIONS, json={"channel": "email", "address": "  Li.Na@Example.COM "}, headers=h)
    assert r.status_code == 201, r.text
    assert (r.json()["address"], r.json()["reason"], r.json()["created_by"]) == (
        "li.na@example.com", "manual", str(world.users["marketer"].id)
    )  # fmt: skip
    dup = await client.post(SUPPRESSIONS, json={"channel": "email", "address": "li.na@example.com"}, headers=h)
    assert dup.status_code == 409 and dup.json()["address"] == "li.na@example.com"
    r = await client.post(
        SUPPRESSIONS, json={"channel": "sms", "address": "+86 138-0013-8000", "detail": "asked"}, headers=h
    )
    assert r.status_code == 201 and r.json()["address"] == "13800138000"
    assert (
        await client.post(SUPPRESSIONS, json={"channel": "sms", "address": "13800138000"}, headers=h)
    ).status_code == 409
    for bad in (
        {"channel": "email", "address": "not-an-address"},
        {"channel": "email", "address": "@"},
        {"channel": "sms", "address": "12"},
        {"channel": "fax", "address": "a@b.cn"},
        {"channel": "email", "address": "a@b.cn", "reason": "hard_bounce"},  # the reason is not the caller's
    ):
        r = await client.post(SUPPRESSIONS, json=bad, headers=h)
        assert r.status_code == 422, bad
    await client.post(SUPPRESSIONS, json={"channel": "email", "address": "zhao@example.cn"}, headers=h)

    async def addresses(**params: str | int) -> list[str]:
        r = await client.get(SUPPRESSIONS, params=params, headers=h)
        assert r.status_code == 200, r.text
        return [s["address"] for s in r.json()["items"]]

    assert await addresses() == ["zhao@example.cn", "13800138000", "li.na@example.com"]
    assert await addresses(channel="sms") == ["13800138000"]
    assert await addresses(q="EXAMPLE.COM") == ["li.na@example.com"]
    assert await addresses(reason="manual", channel="email") == ["zhao@example.cn", "li.na@example.com"]
    assert await addresses(reason="hard_bounce") == []
    page1 = (await client.get(SUPPRESSIONS, params={"limit": 2}, headers=h)).json()
    page2 = (await client.get(SUPPRESSIONS, params={"limit": 2, "cursor": page1["next_cursor"]}, headers=h)).json()
    assert [s["address"] for s in page1["items"] + page2["items"]] == await addresses()
    assert page2["next_cursor"] is None
    assert (await client.get(SUPPRESSIONS, params={"cursor": "bm9wZQ"}, headers=h)).status_code == 422

    # Deleting normalizes the path's address the same way.
    assert (await client.delete(f"{SUPPRESSIONS}/email/LI.NA@example.com", headers=h)).status_code == 204
    assert (await client.delete(f"{SUPPRESSIONS}/email/li.na@example.com", headers=h)).status_code == 404
    assert (await client.delete(f"{SUPPRESSIONS}/sms/+86%20138%200013%208000", headers=h)).status_code == 204
    assert await addresses() == ["zhao@example.cn"]
    async with engine.connect() as conn:
        actions = (
            await conn.execute(
                sa.select(audit_log.c.action).where(
                    audit_log.c.tenant_id == world.id, audit_log.c.entity == "marketing_suppression"
                )
            )
        ).scalars()
        assert sorted(actions) == ["marketing_suppression.created"] * 3 + ["marketing_suppression.deleted"] * 2


async def test_suppressions_need_campaigns_manage_and_stay_in_their_tenant(
    client: httpx.AsyncClient, world: World, factory: Factory
) -> None:
    body = {"channel": "email", "address": "x@example.cn"}
    for label in ("east_rep1", "director", "analyst", "it", "agent1"):
        h = world.users[label].headers
        assert (await client.get(SUPPRESSIONS, headers=h)).status_code == 403, label
        assert (await client.post(SUPPRESSIONS, json=body, headers=h)).status_code == 403, label
        assert (await client.delete(f"{SUPPRESSIONS}/email/x@example.cn", headers=h)).status_code == 403, label
    assert (await client.get(SUPPRESSIONS)).status_code == 401
    assert (await client.post(SUPPRESSIONS, json=body, headers=world.users["admin"].headers)).status_code == 201
    other = await factory.sales_world()
    oh = other.users["marketer"].headers
    assert (await client.get(SUPPRESSIONS, headers=oh)).json()["items"] == []
    assert (await client.delete(f"{SUPPRESSIONS}/email/x@example.cn", headers=oh)).status_code == 404
    assert (await client.post(SUPPRESSIONS, json=body, headers=oh)).status_code == 201
