"""The public side of campaign messages: the open pixel and click redirects (signed links only, no
open redirect, counts and first times, the member's funnel and its events), one-click
unsubscribe (RFC 8058, idempotent), and the provider's bounce webhook (signed with the tenant's
secret)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.composition import link_signer
from app.domain.marketing.bounces import signature
from app.domain.marketing.links import CLICK, OPEN, UNSUBSCRIBE, LinkSigner, LinkTarget
from app.repositories.tables import audit_log, marketing_consents, marketing_suppressions, tracking_events
from app.settings import Settings
from tests.api.marketing_support import (
    click_path,
    create_record,
    delivery_row,
    events,
    link,
    member_row,
    open_path,
    sent,
    unsubscribe_path,
)
from tests.builders import Factory, World

PIXEL_PREFIX = b"GIF89a"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


# -- tracking ------------------------------------------------------------------------------------


async def test_open_pixel_counts_every_open_and_keeps_the_first_time(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    rep = world.users["east_rep1"]
    contact = await create_record(client, rep, "contact", emails=["li.lei@example.cn"])
    s = await sent(engine, rep, address="li.lei@example.cn", contact_id=uuid.UUID(contact["id"]))
    r = await client.get(open_path(settings, s), headers={"User-Agent": "Mail/1.0 " + "x" * 2000})
    assert r.status_code == 200 and r.headers["content-type"] == "image/gif" and r.content.startswith(PIXEL_PREFIX)
    assert "no-store" in r.headers["cache-control"]
    first = await delivery_row(engine, s)
    assert first.opens == 1 and first.opened_at is not None and first.clicks == 0
    member = await member_row(engine, s)
    assert member.status == "opened" and member.opened_at is not None
    assert await events(engine, world.id, "campaign_member.") == [
        (
            "campaign_member.opened",
            {"campaign_id": str(s.campaign_id), "member_id": str(s.member_id), "contact_id": contact["id"],
             "step": "opened"},
        )
    ]  # fmt: skip

    assert (await client.get(open_path(settings, s))).status_code == 200
    again = await delivery_row(engine, s)
    assert again.opens == 2 and again.opened_at == first.opened_at
    # The member was already "opened": no second event.
    assert len(await events(engine, world.id, "campaign_member.")) == 1
    async with engine.connect() as conn:
        logged = (
            await conn.execute(
                sa.select(tracking_events.c.kind, tracking_events.c.ip, tracking_events.c.user_agent).where(
                    tracking_events.c.tenant_id == world.id, tracking_events.c.delivery_id == s.delivery_id
                )
            )
        ).all()
    assert [row.kind for row in logged] == ["open", "open"]
    assert logged[0].ip == "203.0.113.7" and len(logged[0].user_agent) == 512


async def test_click_redirects_to_the_signed_url_counts_and_implies_an_open(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    rep = world.users["east_rep1"]
    lead = await create_record(client, rep, "lead", email="han.mei@example.cn")
    s = await sent(engine, rep, address="han.mei@example.cn", lead_id=uuid.UUID(lead["id"]))
    url = "https://example.cn/expo?utm_source=crm&lang=zh#agenda"
    r = await client.get(click_path(settings, s, url))
    assert r.status_code == 302 and r.headers["location"] == url and "no-store" in r.headers["cache-control"]
    row = await delivery_row(engine, s)
    assert (row.clicks, row.opens) == (1, 1) and row.clicked_at is not None and row.opened_at is not None
    member = await member_row(engine, s)
    assert member.status == "clicked" and member.clicked_at is not None and member.opened_at is not None
    assert await events(engine, world.id, "campaign_member.") == [
        (
            "campaign_member.clicked",
            {"campaign_id": str(s.campaign_id), "member_id": str(s.member_id), "lead_id": lead["id"],
             "step": "clicked"},
        )
    ]  # fmt: skip

    # A later open counts on the delivery but does not move the member back.
    assert (await client.get(open_path(settings, s))).status_code == 200
    assert (await client.get(click_path(settings, s, "https://example.cn/other"))).status_code == 302
    row2 = await delivery_row(engine, s)
    assert (row2.clicks, row2.opens) == (2, 2) and row2.clicked_at == row.clicked_at
    assert (await member_row(engine, s)).status == "clicked"
    assert len(await events(engine, world.id, "campaign_member.")) == 1
    async with engine.connect() as conn:
        urls = (
            await conn.execute(
                sa.select(tracking_events.c.url)
                .where(tracking_events.c.tenant_id == world.id, tracking_events.c.kind == "click")
                .order_by(tracking_events.c.id)
            )
        ).scalars()
        assert list(urls) == [url, "https://example.cn/other"]


async def test_a_member_further_along_stays_and_a_final_one_too(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    rep = world.users["east_rep1"]
    registered = await sent(engine, rep, address="a@example.cn", member_status="registered")
    assert (await client.get(click_path(settings, registered, "https://example.cn/"))).status_code == 302
    member = await member_row(engine, registered)
    # The step's time is kept, the status is not lowered, and no event says it changed.
    assert member.status == "registered" and member.clicked_at is not None and member.opened_at is not None
    gone = await sent(engine, rep, address="b@example.cn", member_status="unsubscribed")
    assert (await client.get(open_path(settings, gone))).status_code == 200
    assert (await member_row(engine, gone)).status == "unsubscribed"
    assert await events(engine, world.id, "campaign_member.") == []
    # A delivery without a member (a segment send) still counts.
    alone = await sent(engine, rep, address="c@example.cn", member_status=None)
    assert (await client.get(open_path(settings, alone))).status_code == 200
    assert (await delivery_row(engine, alone)).opens == 1


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/",
        "/relative/path",
        "https://example.cn/\r\nSet-Cookie: a=b",
        "ftp://example.cn/file",
    ],
)
async def test_click_never_redirects_to_anything_but_http(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, target: str
) -> None:
    s = await sent(engine, world.users["east_rep1"], address="d@example.cn")
    r = await client.get(click_path(settings, s, target))
    assert r.status_code == 404 and "location" not in r.headers
    assert (await delivery_row(engine, s)).clicks == 0


async def test_forged_altered_and_other_purpose_tokens_are_refused(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    s = await sent(engine, world.users["east_rep1"], address="e@example.cn")
    good = link(settings, CLICK, s, "https://example.cn/ok")
    kid, payload, mac = good.split(".")
    # The same MAC over another URL (an attacker's open redirect), and a flipped MAC bit.
    evil = link(settings, CLICK, s, "https://evil.example/")
    altered_url = f"{kid}.{evil.split('.')[1]}.{mac}"
    flipped = f"{kid}.{payload}.{('A' if mac[0] != 'A' else 'B')}{mac[1:]}"
    # Signed with a key the server does not hold.
    stranger = LinkSigner({kid: "another-secret-of-at-least-32-characters!!"}, kid).sign(
        CLICK, LinkTarget(s.tenant_id, s.delivery_id, "https://evil.example/")
    )
    for token in (altered_url, flipped, stranger, "dev.bm90LWEtdG9rZW4.bm90LWEtbWFj", "x" * 40):
        r = await client.get(f"/api/v1/public/t/c/{token}")
        assert r.status_code == 404 and "location" not in r.headers, token
        assert r.headers["content-type"] == "application/problem+json"
    # A token of another purpose: an open pixel's or an unsubscribe link's is no click link, and back.
    for purpose in (OPEN, UNSUBSCRIBE):
        assert (await client.get(f"/api/v1/public/t/c/{link(settings, purpose, s)}")).status_code == 404
    assert (
        await client.get(f"/api/v1/public/t/o/{link(settings, CLICK, s, 'https://example.cn/')}")
    ).status_code == 404
    assert (await client.get(f"/api/v1/public/t/o/{link(settings, UNSUBSCRIBE, s)}")).status_code == 404
    assert (await client.get(f"/api/v1/public/unsubscribe/{link(settings, OPEN, s)}")).status_code == 404
    # Only GET: a POST to a link is no click.
    r = await client.post(click_path(settings, s, "https://example.cn/"))
    assert r.status_code == 405 and "location" not in r.headers
    row = await delivery_row(engine, s)
    assert (row.opens, row.clicks) == (0, 0)


async def test_a_failure_to_record_never_breaks_the_redirect(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # A well-signed link of a delivery that is gone: nothing to count, the reader still gets there.
    ghost = link_signer(settings).sign(CLICK, LinkTarget(uuid.uuid4(), uuid.uuid4(), "https://example.cn/x"))
    r = await client.get(f"/api/v1/public/t/c/{ghost}")
    assert r.status_code == 302 and r.headers["location"] == "https://example.cn/x"

    class Broken:
        async def record(self, *args: object) -> None:
            raise RuntimeError("database down")

    app = client._transport.app  # type: ignore[attr-defined]
    tracking = app.state.tracking
    real = tracking.recorder
    tracking.recorder = Broken()
    try:
        with caplog.at_level(logging.ERROR, logger="crm.marketing.tracking"):
            s = await sent(engine, world.users["east_rep1"], address="f@example.cn")
            r = await client.get(click_path(settings, s, "https://example.cn/still"))
            assert r.status_code == 302 and r.headers["location"] == "https://example.cn/still"
            assert (await client.get(open_path(settings, s))).status_code == 200
    finally:
        tracking.recorder = real
    assert any("could not record a click" in m for m in caplog.messages)


# -- unsubscribe ---------------------------------------------------------------------------------


async def _consent(engine: AsyncEngine, world: World, **subject: uuid.UUID) -> list[tuple[str, str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(marketing_consents.c.channel, marketing_consents.c.status, marketing_consents.c.source).where(
                marketing_consents.c.tenant_id == world.id,
                *(marketing_consents.c[k] == v for k, v in subject.items()),
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def _suppressions(engine: AsyncEngine, world: World) -> list[tuple[str, str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(
                marketing_suppressions.c.channel, marketing_suppressions.c.address, marketing_suppressions.c.reason
            )
            .where(marketing_suppressions.c.tenant_id == world.id)
            .order_by(marketing_suppressions.c.address)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_unsubscribe_shows_then_confirms_at_once_and_a_repeat_changes_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    rep = world.users["east_rep1"]
    contact = await create_record(client, rep, "contact", emails=["Zhang.Wei@Example.CN"])
    contact_id = uuid.UUID(contact["id"])
    s = await sent(engine, rep, address="Zhang.Wei@Example.CN", contact_id=contact_id)
    path = unsubscribe_path(settings, s)
    shown = await client.get(path)
    assert shown.status_code == 200, shown.text
    assert shown.json() == {
        "channel": "email",
        "masked_address": "z***@example.cn",
        "campaign_name": "Spring expo",
        "unsubscribed": False,
    }
    # Our page posts an empty JSON object.
    r = await client.post(path, json={})
    assert r.status_code == 200 and r.json()["unsubscribed"] is True
    assert await _suppressions(engine, world) == [("email", "zhang.wei@example.cn", "unsubscribed")]
    assert await _consent(engine, world, contact_id=contact_id) == [("email", "withdrawn", "unsubscribe")]
    assert (await member_row(engine, s)).status == "unsubscribed"
    kinds = [e for e, _ in await events(engine, world.id)]
    assert kinds.count("marketing_consent.changed") == 1 and kinds.count("campaign_member.unsubscribed") == 1
    async with engine.connect() as conn:
        audited = (
            await conn.execute(
                sa.select(audit_log.c.action).where(audit_log.c.tenant_id == world.id).order_by(audit_log.c.id)
            )
        ).scalars()
        before = list(audited)
    assert {"marketing_suppression.created", "marketing_consent.changed", "campaign_member.unsubscribed"} <= set(before)

    # Again, as a mail client would: 200, the same answer, and nothing new anywhere.
    again = await client.post(
        path, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert again.status_code == 200 and again.json() == r.json()
    assert (await client.get(path)).json()["unsubscribed"] is True
    assert len(await events(engine, world.id)) == len(kinds)
    async with engine.connect() as conn:
        count = (
            await conn.execute(
                sa.select(sa.func.count()).select_from(audit_log).where(audit_log.c.tenant_id == world.id)
            )
        ).scalar()
    assert count == len(before)


async def test_concurrent_confirmations_record_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """The reader's tap and the mail client's one-click POST at the same moment."""
    rep = world.users["east_rep1"]
    lead = await create_record(client, rep, "lead", email="twice@example.cn")
    s = await sent(engine, rep, address="twice@example.cn", lead_id=uuid.UUID(lead["id"]))
    path = unsubscribe_path(settings, s)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answers = await asyncio.gather(
        client.post(path, json={}),
        client.post(path, content=b"List-Unsubscribe=One-Click", headers=form),
        client.post(path),
    )
    assert [r.status_code for r in answers] == [200, 200, 200]
    kinds = [e for e, _ in await events(engine, world.id)]
    assert kinds.count("marketing_consent.changed") == 1 and kinds.count("campaign_member.unsubscribed") == 1
    assert await _suppressions(engine, world) == [("email", "twice@example.cn", "unsubscribed")]


async def test_rfc_8058_one_click_post_from_a_mail_client(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """What Gmail and others send: a form-encoded POST, no cookies, no JavaScript."""
    rep = world.users["east_rep1"]
    lead = await create_record(client, rep, "lead", phone="+86 138-0013-8000")
    lead_id = uuid.UUID(lead["id"])
    s = await sent(engine, rep, address="+86 138-0013-8000", lead_id=lead_id, channel="sms")
    path = unsubscribe_path(settings, s)
    assert (await client.get(path)).json()["masked_address"] == "138****8000"
    r = await client.post(
        path, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 200, r.text
    assert await _suppressions(engine, world) == [("sms", "13800138000", "unsubscribed")]
    assert await _consent(engine, world, lead_id=lead_id) == [("sms", "withdrawn", "unsubscribe")]
    # An empty body does too (some clients send none).
    assert (await client.post(path)).status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"List-Unsubscribe=Maybe", "application/x-www-form-urlencoded"),
        (b"List-Unsubscribe=One-Click&extra=1", "application/x-www-form-urlencoded"),
        (b'{"address": "someone@else.cn"}', "application/json"),
        (b"not json", "application/json"),
        (b"<xml/>", "application/xml"),
    ],
)
async def test_unsubscribe_refuses_other_bodies(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, content: bytes, content_type: str
) -> None:
    s = await sent(engine, world.users["east_rep1"], address="g@example.cn")
    r = await client.post(unsubscribe_path(settings, s), content=content, headers={"Content-Type": content_type})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert await _suppressions(engine, world) == []


async def test_forged_unsubscribe_links_are_404(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    s = await sent(engine, world.users["east_rep1"], address="h@example.cn")
    token = link(settings, UNSUBSCRIBE, s)
    kid, payload, mac = token.split(".")
    other = await sent(engine, world.users["east_rep1"], address="i@example.cn")
    swapped = f"{kid}.{link(settings, UNSUBSCRIBE, other).split('.')[1]}.{mac}"
    for bad in (swapped, f"{kid}.{payload}.{mac[::-1]}", "garbage-token-1234567890"):
        for method in ("GET", "POST"):
            r = await client.request(method, f"/api/v1/public/unsubscribe/{bad}")
            assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    # Signed for a delivery that does not exist (or another tenant's id): 404 as well.
    ghost = link_signer(settings).sign(UNSUBSCRIBE, LinkTarget(world.id, uuid.uuid4()))
    assert (await client.post(f"/api/v1/public/unsubscribe/{ghost}")).status_code == 404
    assert await _suppressions(engine, world) == []


# -- bounces -------------------------------------------------------------------------------------


async def _secret(client: httpx.AsyncClient, world: World) -> tuple[str, str]:
    r = await client.post("/api/v1/marketing/bounce-webhook/secret", headers=world.users["marketer"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    return body["url"].split("/api/v1", 1)[1], body["secret"]


async def test_bounce_webhook_signed_reports(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    rep = world.users["east_rep1"]
    marketer = world.users["marketer"]
    shown = await client.get("/api/v1/marketing/bounce-webhook", headers=marketer.headers)
    assert shown.status_code == 200 and shown.json()["configured"] is False
    path, secret = await _secret(client, world)
    assert path == f"/public/marketing/bounces/{world.id}"
    assert (await client.get("/api/v1/marketing/bounce-webhook", headers=marketer.headers)).json()["configured"]
    hard = await sent(engine, rep, address="Bounce@Example.cn")
    soft = await sent(engine, rep, address="full@example.cn")
    complaint = await sent(engine, rep, address="angry@example.cn")

    async def post(report: dict[str, object], **headers: str) -> httpx.Response:
        body = json.dumps(report).encode()
        headers.setdefault("X-CRM-Signature", signature(secret, body))
        return await client.post(
            f"/api/v1{path}", content=body, headers={"Content-Type": "application/json", **headers}
        )

    r = await post(
        {"type": "hard", "message_ids": [hard.message_id, "<unknown@x>"], "detail": "550 5.1.1 no such user"}
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"matched": 1, "unknown": 1, "suppressed": 1, "members_changed": 1}
    row = await delivery_row(engine, hard)
    assert row.status == "bounced" and "550 5.1.1" in row.error
    assert (await member_row(engine, hard)).status == "bounced"

    r = await post({"type": "soft", "message_ids": [soft.message_id], "detail": "452 mailbox full"})
    assert r.json() == {"matched": 1, "unknown": 0, "suppressed": 0, "members_changed": 0}
    row = await delivery_row(engine, soft)
    assert row.status == "sent" and "452" in row.error and (await member_row(engine, soft)).status == "sent"

    # The bearer form of the secret works too.
    r = await post(
        {"type": "complaint", "message_ids": [complaint.message_id]},
        Authorization=f"Bearer {secret}",
        **{"X-CRM-Signature": ""},
    )
    assert r.status_code == 200 and r.json()["suppressed"] == 1
    assert (await member_row(engine, complaint)).status == "unsubscribed"
    assert await _suppressions(engine, world) == [
        ("email", "angry@example.cn", "complaint"),
        ("email", "bounce@example.cn", "hard_bounce"),
    ]
    kinds = [e for e, _ in await events(engine, world.id, "campaign_member.")]
    assert kinds == ["campaign_member.bounced", "campaign_member.unsubscribed"]
    # A repeated report changes nothing more.
    r = await post({"type": "hard", "message_ids": [hard.message_id]})
    assert r.json() == {"matched": 1, "unknown": 0, "suppressed": 0, "members_changed": 0}


async def test_bounce_webhook_refuses_forged_reports(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, factory: Factory
) -> None:
    rep = world.users["east_rep1"]
    s = await sent(engine, rep, address="victim@example.cn")
    url = f"/api/v1/public/marketing/bounces/{world.id}"
    body = json.dumps({"type": "hard", "message_ids": [s.message_id]}).encode()
    headers = {"Content-Type": "application/json"}
    # No secret set yet: nothing is accepted, whatever is sent.
    assert (
        await client.post(url, content=body, headers={**headers, "X-CRM-Signature": signature("", body)})
    ).status_code == 401
    path, secret = await _secret(client, world)
    for bad in (
        {},
        {"X-CRM-Signature": signature("wrong-secret", body)},
        {"X-CRM-Signature": signature(secret, body + b" ")},  # signed another body
        {"X-CRM-Signature": "sha256=00"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {secret}"},
    ):
        r = await client.post(url, content=body, headers={**headers, **bad})
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json", bad
    # The right secret of another tenant does not open this one.
    other = await factory.sales_world()
    _, other_secret = await _secret(client, other)
    r = await client.post(url, content=body, headers={**headers, "X-CRM-Signature": signature(other_secret, body)})
    assert r.status_code == 401
    # A rotated secret replaces the old one at once.
    _, new_secret = await _secret(client, world)
    assert (
        await client.post(url, content=body, headers={**headers, "X-CRM-Signature": signature(secret, body)})
    ).status_code == 401
    assert (await member_row(engine, s)).status == "sent" and await _suppressions(engine, world) == []
    r = await client.post(url, content=body, headers={**headers, "X-CRM-Signature": signature(new_secret, body)})
    assert r.status_code == 200 and (await member_row(engine, s)).status == "bounced"


async def test_bounce_webhook_secret_needs_campaigns_manage(client: httpx.AsyncClient, world: World) -> None:
    for label in ("east_rep1", "analyst", "it"):
        headers = world.users[label].headers
        assert (await client.get("/api/v1/marketing/bounce-webhook", headers=headers)).status_code == 403
        assert (await client.post("/api/v1/marketing/bounce-webhook/secret", headers=headers)).status_code == 403
    assert (await client.post("/api/v1/marketing/bounce-webhook/secret")).status_code == 401
