"""Campaign sends end to end through a real SMTP server (aiosmtpd) and a real HTTP SMS provider:
exactly the eligible recipients, with the right headers and both parts; skips counted by reason;
a 5xx recipient bounced and suppressed, a 4xx one retried; two workers on one send; a worker killed
mid-send and another finishing; recipients outside the sender's range never sent; cancel; the SMS
provider setting (secret masked) and an SMS through it."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.jwt_tokens import issue_access_token
from app.composition import build_delivery_runner
from app.domain.marketing.links import CLICK, OPEN, UNSUBSCRIBE, LinkSigner
from app.domain.shared.ids import new_id
from app.mail import SmtpMailer
from app.repositories.tables import (
    campaign_members,
    marketing_suppressions,
    message_deliveries,
    outbox,
    roles,
    user_roles,
    user_sessions,
)
from app.settings import Settings
from tests.api.sends_support import (
    Sink,
    SmsServer,
    add_members,
    make_campaign,
    make_contact,
    make_lead,
    make_template,
    rows,
    sink,
    sms_server,
    suppress,
)
from tests.builders import Factory, World

__all__ = ["sink", "sms_server"]  # fixtures


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


def runner_for(engine: AsyncEngine, settings: Settings, sink: Sink, name: str, tenant: UUID) -> Any:
    """A worker's send runner for one tenant's sends (other tests' sends share the database)."""
    runner = build_delivery_runner(engine, settings, mailer=SmtpMailer(sink.url, settings.mail_from), worker_id=name)
    runner.store.only_tenant = tenant
    return runner


async def run_until_done(engine: AsyncEngine, settings: Settings, sink: Sink, tenant: UUID, name: str = "w1") -> None:
    runner = runner_for(engine, settings, sink, name, tenant)
    try:
        while await runner.run_once():
            pass
    finally:
        await runner.close()
        await runner.store.close()


async def create_send(client: httpx.AsyncClient, world: World, campaign: UUID, **body: Any) -> dict[str, Any]:
    r = await client.post(f"/api/v1/campaigns/{campaign}/sends", json=body, headers=world.users["marketer"].headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def get_send(client: httpx.AsyncClient, world: World, send_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/v1/sends/{send_id}", headers=world.users["marketer"].headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_a_send_reaches_exactly_the_eligible_recipients(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, sink: Sink
) -> None:
    marketer = world.users["marketer"]
    t = world.id
    campaign = await make_campaign(engine, t, marketer.id)
    template = await make_template(engine, t)
    wang = await make_contact(engine, t, marketer.id, name="王芳", email="Wang.Fang@Example.com", locale="zh-CN")
    ann = await make_contact(engine, t, marketer.id, name="Ann", email="ann@example.com")
    no_consent = await make_contact(engine, t, marketer.id, name="Nope", email="nope@example.com", consent=())
    no_address = await make_contact(engine, t, marketer.id, name="Ghost")
    suppressed = await make_contact(engine, t, marketer.id, name="Gone", email="gone@example.com")
    twin = await make_contact(engine, t, marketer.id, name="Twin", email="wang.fang@example.com ")
    lead = await make_lead(engine, t, marketer.id, name="Lee", email="lee@example.com")
    await suppress(engine, t, "gone@example.com")
    members = await add_members(engine, t, campaign, [wang, ann, no_consent, no_address, suppressed, twin], [lead])

    send = await create_send(client, world, campaign, template_id=str(template))
    assert send["status"] == "scheduled" and send["channel"] == "email"
    await run_until_done(engine, settings, sink, world.id)

    progress = await get_send(client, world, send["id"])
    assert progress["status"] == "completed"
    assert (progress["queued"], progress["sent"], progress["failed"], progress["skipped"]) == (0, 3, 0, 4)
    assert progress["skipped_reasons"] == {"no_consent": 1, "no_address": 1, "suppressed": 1, "duplicate": 1}
    assert progress["started_at"] and progress["completed_at"]

    assert sorted(str(m["To"]) for m in sink.messages) == sorted(
        ["王芳 <Wang.Fang@Example.com>", "Ann <ann@example.com>", "Lee <lee@example.com>"]
    )
    deliveries = await rows(
        engine,
        sa.select(message_deliveries.c.id, message_deliveries.c.contact_id, message_deliveries.c.status).where(
            message_deliveries.c.tenant_id == t, message_deliveries.c.status == "sent"
        ),
    )
    by_subject = {r.contact_id: r.id for r in deliveries}
    assert set(sink.message_ids()) == {f"<{r.id}@crm.delivery>" for r in deliveries}

    signer = LinkSigner(settings.verification_keys, settings.signing_key[0])
    mail = next(m for m in sink.messages if "Wang" in str(m["To"]))
    assert mail["Subject"] == "王芳，您好"  # her locale
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(mail["List-Unsubscribe"]).strip("<>").split(">")[0]
    assert unsubscribe.startswith(f"{settings.public_url}/api/v1/public/unsubscribe/")
    target = signer.verify(UNSUBSCRIBE, unsubscribe.rsplit("/", 1)[1])
    assert target is not None and target.delivery_id == by_subject[wang] and target.tenant_id == t
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and "您好 王芳" in text.get_content()
    assert html is not None
    body = html.get_content()
    assert "https://example.com/offer" not in body  # rewritten to the click redirect
    click = body.split("/api/v1/public/t/c/")[1].split('"')[0]
    clicked = signer.verify(CLICK, click)
    assert clicked is not None and clicked.url == "https://example.com/offer?a=1&b=2"
    pixel = body.split("/api/v1/public/t/o/")[1].split('"')[0]
    assert signer.verify(OPEN, pixel) is not None
    assert unsubscribe in body  # the unsubscribe link itself is not a tracked click
    english = next(m for m in sink.messages if "ann@" in str(m["To"]))
    assert english["Subject"] == "News for Ann"

    statuses = dict(
        (r.id, r.status)
        for r in await rows(
            engine, sa.select(campaign_members.c.id, campaign_members.c.status).where(campaign_members.c.tenant_id == t)
        )
    )
    assert statuses[members[wang]] == statuses[members[ann]] == statuses[members[lead]] == "sent"
    assert statuses[members[no_consent]] == "targeted"
    events = await rows(
        engine,
        sa.select(outbox.c.event_type, outbox.c.entity_id).where(
            outbox.c.tenant_id == t, outbox.c.event_type.like("%sen%")
        ),
    )
    kinds = Counter(e.event_type for e in events)
    assert kinds["campaign_member.sent"] == 3
    assert kinds["message_send.created"] == kinds["message_send.started"] == 1
    completed = await rows(
        engine, sa.select(outbox.c.id).where(outbox.c.tenant_id == t, outbox.c.event_type == "message_send.completed")
    )
    assert len(completed) == 1

    # Another pass sends nothing again.
    before = len(sink.messages)
    await run_until_done(engine, settings, sink, world.id, "w2")
    assert len(sink.messages) == before


async def test_a_refused_recipient_bounces_and_is_suppressed_a_deferred_one_waits(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, sink: Sink
) -> None:
    marketer = world.users["marketer"]
    t = world.id
    campaign = await make_campaign(engine, t, marketer.id)
    template = await make_template(engine, t)
    ok = await make_contact(engine, t, marketer.id, name="Ok", email="ok@example.com")
    bad = await make_contact(engine, t, marketer.id, name="Bad", email="Bounce.Me@example.com")
    later = await make_contact(engine, t, marketer.id, name="Later", email="later@example.com")
    members = await add_members(engine, t, campaign, [ok, bad, later])
    send = await create_send(client, world, campaign, template_id=str(template))
    await run_until_done(engine, settings, sink, world.id)

    progress = await get_send(client, world, send["id"])
    assert (progress["sent"], progress["failed"], progress["queued"]) == (1, 1, 1)
    assert progress["status"] == "sending"  # the deferred one waits for its retry
    suppressed = await rows(engine, sa.select(marketing_suppressions).where(marketing_suppressions.c.tenant_id == t))
    assert [(s.address, s.reason) for s in suppressed] == [("bounce.me@example.com", "hard_bounce")]
    member = await rows(engine, sa.select(campaign_members.c.status).where(campaign_members.c.id == members[bad]))
    assert member[0].status == "bounced"
    deferred = await rows(
        engine,
        sa.select(message_deliveries.c.status, message_deliveries.c.lease_until, message_deliveries.c.error).where(
            message_deliveries.c.tenant_id == t, message_deliveries.c.contact_id == later
        ),
    )
    assert deferred[0].status == "queued" and deferred[0].lease_until > datetime.now(UTC)
    assert deferred[0].error.startswith("451")
    # A later send skips the bounced address.
    second = await create_send(client, world, campaign, template_id=str(template))
    await run_until_done(engine, settings, sink, world.id)
    assert (await get_send(client, world, second["id"]))["skipped_reasons"].get("suppressed") == 1


async def _big_send(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, n: int
) -> tuple[dict[str, Any], list[UUID]]:
    marketer = world.users["marketer"]
    campaign = await make_campaign(engine, world.id, marketer.id)
    template = await make_template(engine, world.id)
    people = [
        await make_contact(engine, world.id, marketer.id, name=f"P{i}", email=f"p{i}@example.com") for i in range(n)
    ]
    await add_members(engine, world.id, campaign, people)
    return await create_send(client, world, campaign, template_id=str(template)), people


async def test_two_workers_deliver_each_message_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, sink: Sink
) -> None:
    send, people = await _big_send(client, world, engine, 60)
    first, second = runner_for(engine, settings, sink, "a", world.id), runner_for(engine, settings, sink, "b", world.id)
    first.batch = second.batch = 7
    try:
        assert await first.store.prepare_due(5) == [UUID(send["id"])]
        await asyncio.gather(first.run_once(), second.run_once())
        while await first.run_once() or await second.run_once():
            pass
    finally:
        for r in (first, second):
            await r.close()
            await r.store.close()
    ids = sink.message_ids()
    assert len(ids) == len(set(ids)) == 60
    workers = await rows(
        engine,
        sa.select(message_deliveries.c.claimed_by, sa.func.count())
        .where(message_deliveries.c.send_id == UUID(send["id"]))
        .group_by(message_deliveries.c.claimed_by),
    )
    assert {w.claimed_by for w in workers} == {"a", "b"}  # both took part
    progress = await get_send(client, world, send["id"])
    assert (progress["sent"], progress["queued"], progress["status"]) == (60, 0, "completed")


@pytest.mark.parametrize("cut", ["task", "connection"])
async def test_a_worker_killed_mid_send_loses_and_repeats_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, sink: Sink, cut: str
) -> None:
    send, _ = await _big_send(client, world, engine, 30)
    sink.hold_at = 5  # the 5th message reaches the server; its answer is held while the worker dies
    doomed = runner_for(engine, settings, sink, "doomed", world.id)
    doomed.batch = 12
    task = asyncio.create_task(doomed.run_once())
    await asyncio.get_running_loop().run_in_executor(None, sink.held.wait, 30)
    if cut == "task":
        task.cancel()
    else:  # the connection drops under it
        session = next(iter(doomed.sessions.values()))
        session.smtp.transport.abort()
    sink.release.set()
    with pytest.raises(BaseException):  # noqa: B017, PT011 - cancelled, or its pass fails, either is a death
        await task
        raise RuntimeError("survived")
    await asyncio.sleep(0)
    await doomed.store.close()
    # Its lease expires (as time would do it).
    async with engine.begin() as conn:
        await conn.execute(
            message_deliveries.update()
            .where(message_deliveries.c.send_id == UUID(send["id"]), message_deliveries.c.claimed_by == "doomed")
            .values(lease_until=sa.func.now() - timedelta(seconds=1))
        )
    await run_until_done(engine, settings, sink, world.id, "survivor")
    ids = Counter(sink.message_ids())
    assert len(ids) == 30  # nothing lost
    assert [i for i, n in ids.items() if n > 1] == []  # nothing twice
    progress = await get_send(client, world, send["id"])
    assert (progress["sent"], progress["queued"], progress["status"]) == (30, 0, "completed")


async def test_recipients_outside_the_senders_range_are_not_sent(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, sink: Sink
) -> None:
    t = world.id
    role_id = new_id()
    permissions = ["campaigns:read", "campaigns:update", "message_templates:read", "contacts:read"]
    async with engine.begin() as conn:
        await conn.execute(
            roles.insert().values(
                tenant_id=t,
                id=role_id,
                key="own_marketer",
                name="Own marketer",
                permissions=permissions,
                data_ranges={"campaigns": {"range": "all"}, "contacts": {"range": "own"}},
            )
        )
    narrow = await world.user("narrow", [], world.department_ids["Marketing"])
    async with engine.begin() as conn:
        await conn.execute(user_roles.insert().values(tenant_id=t, user_id=narrow.id, role_id=role_id))
    token, _ = issue_access_token(
        settings,
        user_id=narrow.id,
        tenant_id=t,
        scopes=set(permissions),
        session_id=await _session_of(engine, narrow.id),
    )
    headers = {"Authorization": f"Bearer {token}"}
    other = world.users["east_rep1"]
    campaign = await make_campaign(engine, t, world.users["marketer"].id)
    template = await make_template(engine, t)
    mine = await make_contact(engine, t, narrow.id, name="Mine", email="mine@example.com")
    theirs = await make_contact(engine, t, other.id, name="Theirs", email="theirs@example.com")
    lead = await make_lead(engine, t, narrow.id, name="Lead", email="lead@example.com")  # no leads:read
    await add_members(engine, t, campaign, [mine, theirs], [lead])
    r = await client.post(f"/api/v1/campaigns/{campaign}/sends", json={"template_id": str(template)}, headers=headers)
    assert r.status_code == 201, r.text
    await run_until_done(engine, settings, sink, world.id)
    assert [str(m["To"]) for m in sink.messages] == ["Mine <mine@example.com>"]
    progress = await get_send(client, world, r.json()["id"])
    assert progress["skipped_reasons"] == {"out_of_range": 2}
    out = await rows(
        engine,
        sa.select(message_deliveries.c.address).where(
            message_deliveries.c.send_id == UUID(r.json()["id"]), message_deliveries.c.skip_reason == "out_of_range"
        ),
    )
    assert [o.address for o in out] == [None, None]  # not even their address is kept


async def _session_of(engine: AsyncEngine, user_id: UUID) -> UUID:
    found = await rows(engine, sa.select(user_sessions.c.id).where(user_sessions.c.user_id == user_id))
    return found[0].id  # type: ignore[no-any-return]


async def test_who_may_send_and_cancel(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    marketer = world.users["marketer"]
    campaign = await make_campaign(engine, world.id, marketer.id)
    template = await make_template(engine, world.id)
    body = {"template_id": str(template), "scheduled_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}
    url = f"/api/v1/campaigns/{campaign}/sends"
    r = await client.post(url, json=body, headers=world.users["east_rep1"].headers)
    assert r.status_code == 403  # sellers read campaigns only
    r = await client.post(f"/api/v1/campaigns/{new_id()}/sends", json=body, headers=marketer.headers)
    assert r.status_code == 404
    r = await client.post(url, json={**body, "template_id": str(new_id())}, headers=marketer.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "template_id"
    r = await client.post(url, json={**body, "audience": "segment"}, headers=marketer.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "segment_id"
    r = await client.post(url, json={**body, "rate_per_minute": 0}, headers=marketer.headers)
    assert r.status_code == 422
    r = await client.post(url, json={**body, "surprise": 1}, headers=marketer.headers)
    assert r.status_code == 422
    send = await create_send(client, world, campaign, **body)
    listed = await client.get(url, headers=world.users["east_rep1"].headers)
    assert listed.status_code == 200 and [s["id"] for s in listed.json()["items"]] == [send["id"]]
    r = await client.post(f"/api/v1/sends/{send['id']}/cancel", headers=world.users["east_rep1"].headers)
    assert r.status_code == 403
    r = await client.post(f"/api/v1/sends/{send['id']}/cancel", headers=marketer.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = await client.post(f"/api/v1/sends/{send['id']}/cancel", headers=marketer.headers)
    assert r.status_code == 409
    other = await factory_world_send(client, engine, world)
    assert (await client.get(f"/api/v1/sends/{other}", headers=marketer.headers)).status_code == 404


async def factory_world_send(client: httpx.AsyncClient, engine: AsyncEngine, world: World) -> str:
    """A send of another tenant."""
    other = await world.factory.sales_world()
    campaign = await make_campaign(engine, other.id, other.users["marketer"].id)
    template = await make_template(engine, other.id)
    return (await create_send(client, other, campaign, template_id=str(template)))["id"]


async def test_cancelling_a_running_send_stops_it(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, sink: Sink
) -> None:
    send, _ = await _big_send(client, world, engine, 20)
    runner = runner_for(engine, settings, sink, "w", world.id)
    runner.batch = 5
    try:
        assert await runner.store.prepare_due(5) == [UUID(send["id"])]
        claimed, _ = await runner.store.claim(world.id, UUID(send["id"]), "w", 5, timedelta(minutes=5), 0)
        assert len(claimed) == 5
        r = await client.post(f"/api/v1/sends/{send['id']}/cancel", headers=world.users["marketer"].headers)
        assert r.status_code == 200
        assert r.json()["skipped_reasons"] == {"cancelled": 15} and r.json()["queued"] == 5
        assert await runner.store.claim(world.id, UUID(send["id"]), "w", 5, timedelta(minutes=5), 0) == ([], 0.0)
    finally:
        await runner.close()
        await runner.store.close()


async def test_sms_through_the_tenants_http_provider(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, sms_server: SmsServer
) -> None:
    admin = world.users["it"]
    url = "/api/v1/settings/sms-provider"
    assert (await client.get(url, headers=admin.headers)).json() is None
    body = {"url": sms_server.url, "auth_header": "Authorization", "auth_value": "Bearer s3cret-token-42"}
    r = await client.put(url, json=body, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["auth_value"] == "••••••••n-42"
    assert "s3cret" not in (await client.get(url, headers=admin.headers)).text
    assert (await client.put(url, json=body, headers=world.users["marketer"].headers)).status_code == 403
    r = await client.put(url, json={"url": "ftp://x"}, headers=admin.headers)
    assert r.status_code == 422

    marketer = world.users["marketer"]
    campaign = await make_campaign(engine, world.id, marketer.id)
    template = await make_template(engine, world.id, "sms")
    zhao = await make_contact(engine, world.id, marketer.id, name="Zhao", phone="+86 138-0013-8000", consent=("sms",))
    refused = await make_contact(engine, world.id, marketer.id, name="Bad", phone="+86 139 0000 0000", consent=("sms",))
    mail_only = await make_contact(engine, world.id, marketer.id, name="Mail", phone="13700000000")
    members = await add_members(engine, world.id, campaign, [zhao, refused, mail_only])
    sms_server.refuse.add("+86 139 0000 0000")
    send = await create_send(client, world, campaign, template_id=str(template))
    assert send["channel"] == "sms"
    runner = build_delivery_runner(engine, settings, worker_id="sms")
    runner.store.only_tenant = world.id
    try:
        while await runner.run_once():
            pass
    finally:
        await runner.close()
        await runner.store.close()
    sent = [b for _, b in sms_server.requests]
    assert sorted(b["phone"] for b in sent) == ["+86 138-0013-8000", "+86 139 0000 0000"]
    headers, first = next((h, b) for h, b in sms_server.requests if b["phone"].startswith("+86 138"))
    assert headers["authorization"] == "Bearer s3cret-token-42"
    assert first["text"] == "Hi Zhao, see you!" and first["message_id"].endswith("@crm.delivery>")
    progress = await get_send(client, world, send["id"])
    assert (progress["sent"], progress["failed"], progress["skipped_reasons"]) == (1, 1, {"no_consent": 1})
    suppressed = await rows(
        engine,
        sa.select(marketing_suppressions.c.address).where(
            marketing_suppressions.c.tenant_id == world.id, marketing_suppressions.c.channel == "sms"
        ),
    )
    assert [s.address for s in suppressed] == ["13900000000"]
    member = await rows(engine, sa.select(campaign_members.c.status).where(campaign_members.c.id == members[zhao]))
    assert member[0].status == "sent"
