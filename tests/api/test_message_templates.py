"""Message templates over HTTP: create, read with ETag, list with filters, edit with If-Match,
soft delete and restore, names unique among live templates, audit and outbox; the checks on save
(syntax, unknown variables, sandbox escapes, sizes) as 422 naming the part; previews of a saved
and an unsaved template for a contact, a lead and a campaign within the caller's ranges (404
outside them), with variables HTML-escaped; and who may do what."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.tables import audit_log, campaign_sessions, campaigns, outbox
from app.settings import Settings
from tests.api.identity_support import bearer, login
from tests.builders import Factory, World

BASE = "/api/v1/message-templates"

INVITATION = {
    "name": "Launch invitation",
    "channel": "email",
    "default_locale": "zh-CN",
    "content": {
        "zh-CN": {
            "subject": "{{ contact.name }}，诚邀您参加{{ campaign.name | default('发布会') }}",
            "html": "<p>尊敬的{{ contact.name }}：</p><p>{{ customer.name }} 级别 {{ customer.level }}</p>"
            '<p><a href="{{ links.unsubscribe }}">退订</a></p>',
        },
        "en": {
            "subject": "{{ contact.name }}, join us at {{ campaign.name | default('our launch') }}",
            "html": "<p>Dear {{ contact.name }},</p><p>{{ owner.name }} ({{ owner.email }})</p>",
            "text": "Dear {{ contact.name }}, {{ owner.name }} will be there.",
        },
    },
}


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def create(client: httpx.AsyncClient, headers: dict[str, str], **overrides: object) -> dict:  # type: ignore[type-arg]
    body = {**INVITATION, "name": f"Template {uuid.uuid4().hex[:6]}", **overrides}
    r = await client.post(BASE, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def unsaved(body: dict) -> dict:  # type: ignore[type-arg]
    """A template's body as an unsaved preview takes it (no name or description)."""
    return {k: v for k, v in body.items() if k not in ("name", "description")}


def fields(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return {e["field"]: e["message"] for e in r.json()["errors"]}


async def test_create_read_edit_delete_restore(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    marketer = world.users["marketer"].headers
    r = await client.post(BASE, json=INVITATION, headers=marketer)
    assert r.status_code == 201, r.text
    made = r.json()
    assert r.headers["location"] == f"{BASE}/{made['id']}" and r.headers["etag"] == 'W/"1"'
    assert made["channel"] == "email" and made["default_locale"] == "zh-CN" and made["version"] == 1
    assert made["content"]["en"]["text"].startswith("Dear") and "text" not in made["content"]["zh-CN"]
    assert made["variables"] == [
        "campaign.name", "contact.name", "customer.level", "customer.name", "links.unsubscribe", "owner.email",
        "owner.name",
    ]  # fmt: skip
    assert made["sms_length"] is None
    r = await client.get(f"{BASE}/{made['id']}", headers=marketer)
    assert r.status_code == 200 and r.headers["etag"] == 'W/"1"' and r.json()["content"] == made["content"]

    # If-Match: stale is 412 and changes nothing; current edits.
    stale = await client.patch(f"{BASE}/{made['id']}", json={"name": "x"}, headers={**marketer, "If-Match": 'W/"9"'})
    assert stale.status_code == 412
    sms_en = {"en": {"text": "Hi {{ contact.name }}"}}
    r = await client.patch(
        f"{BASE}/{made['id']}",
        json={"name": "Launch invitation 2027", "default_locale": "en", "content": {"en": INVITATION["content"]["en"]}},  # type: ignore[index]
        headers={**marketer, "If-Match": 'W/"1"'},
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["version"] == 2 and list(edited["content"]) == ["en"] and edited["default_locale"] == "en"
    # The channel stays what it was.
    assert (await client.patch(f"{BASE}/{made['id']}", json={"channel": "sms"}, headers=marketer)).status_code == 422
    # The default language must keep content.
    r = await client.patch(f"{BASE}/{made['id']}", json={"default_locale": "zh-CN"}, headers=marketer)
    assert fields(r) == {"default_locale": "the template has no zh-CN content"}
    # Sending the same values again is no change.
    same = await client.patch(f"{BASE}/{made['id']}", json={"name": "Launch invitation 2027"}, headers=marketer)
    assert same.json()["version"] == 2

    # A live name is unique (any case): 409 naming the holder; a deleted one frees it.
    sms = await create(client, marketer, name="Reminder", channel="sms", default_locale="en", content=sms_en)
    r = await client.post(BASE, json={**INVITATION, "name": "launch INVITATION 2027"}, headers=marketer)
    assert r.status_code == 409 and r.json()["existing_id"] == made["id"]
    r = await client.patch(f"{BASE}/{sms['id']}", json={"name": "Launch Invitation 2027"}, headers=marketer)
    assert r.status_code == 409 and r.json()["existing_id"] == made["id"]

    assert (await client.delete(f"{BASE}/{made['id']}", headers=marketer)).status_code == 204
    assert (await client.get(f"{BASE}/{made['id']}", headers=marketer)).status_code == 404
    assert (await client.delete(f"{BASE}/{made['id']}", headers=marketer)).status_code == 404
    listed = (await client.get(BASE, headers=marketer)).json()["items"]
    assert [t["id"] for t in listed] == [sms["id"]]
    namesake = await create(client, marketer, name="Launch invitation 2027")
    r = await client.post(f"{BASE}/{made['id']}/restore", headers=marketer)
    assert r.status_code == 409 and r.json()["existing_id"] == namesake["id"]
    assert (await client.delete(f"{BASE}/{namesake['id']}", headers=marketer)).status_code == 204
    r = await client.post(f"{BASE}/{made['id']}/restore", headers=marketer)
    assert r.status_code == 200 and r.json()["version"] == 4
    assert (await client.post(f"{BASE}/{made['id']}/restore", headers=marketer)).status_code == 404

    async with engine.connect() as conn:
        actions = (
            await conn.execute(
                sa.select(audit_log.c.action, audit_log.c.changes)
                .where(audit_log.c.entity_id == uuid.UUID(made["id"]))
                .order_by(audit_log.c.id)
            )
        ).all()
        events = (
            await conn.execute(
                sa.select(outbox.c.event_type).where(outbox.c.entity_id == uuid.UUID(made["id"])).order_by(outbox.c.id)
            )
        ).scalars()
        assert list(events) == [
            "message_template.created", "message_template.updated", "message_template.deleted",
            "message_template.restored",
        ]  # fmt: skip
    assert [a for a, _ in actions] == [
        "message_template.created", "message_template.updated", "message_template.deleted", "message_template.restored",
    ]  # fmt: skip
    # The edit's change set holds the parts that changed, not every body twice.
    changed = actions[1][1]
    assert set(changed) == {"name", "default_locale", "content.zh-CN.subject", "content.zh-CN.html"}
    assert changed["content.zh-CN.html"]["after"] is None


async def test_list_filters_and_pages(client: httpx.AsyncClient, world: World) -> None:
    marketer = world.users["marketer"].headers
    sms = {"zh-CN": {"text": "【示例】{{ contact.name }}您好"}}
    a = await create(client, marketer, name="春季促销 SMS", channel="sms", content=sms)
    b = await create(client, marketer, name="Spring promo e-mail")
    c = await create(client, marketer, name="Webinar follow-up", default_locale="en")
    r = await client.get(BASE, params={"channel": "sms"}, headers=marketer)
    assert [t["id"] for t in r.json()["items"]] == [a["id"]]
    summary = r.json()["items"][0]
    assert summary["locales"] == ["zh-CN"] and summary["subject"] is None and "content" not in summary
    r = await client.get(BASE, params={"q": "PROMO"}, headers=marketer)
    assert {t["id"] for t in r.json()["items"]} == {b["id"]}
    assert [t["id"] for t in (await client.get(BASE, params={"q": "促销"}, headers=marketer)).json()["items"]] == [
        a["id"]
    ]
    by_email = (await client.get(BASE, params={"channel": "email", "sort": "name"}, headers=marketer)).json()["items"]
    assert [t["id"] for t in by_email] == [b["id"], c["id"]]
    assert by_email[1]["subject"].startswith("{{ contact.name }}, join us") and by_email[1]["locales"] == [
        "zh-CN",
        "en",
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(BASE, params=params, headers=marketer)).json()
        seen += [t["id"] for t in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [c["id"], b["id"], a["id"]]
    assert fields(await client.get(BASE, params={"sort": "subject"}, headers=marketer)).keys() == {"sort"}
    assert (await client.get(BASE, params={"channel": "fax"}, headers=marketer)).status_code == 422
    assert fields(await client.get(BASE, params={"cursor": "nonsense"}, headers=marketer)).keys() == {"cursor"}


async def test_sms_length_is_shown(client: httpx.AsyncClient, world: World) -> None:
    made = await create(
        client,
        world.users["marketer"].headers,
        channel="sms",
        content={"zh-CN": {"text": "您" * 71}, "en": {"text": "a" * 160}},
    )
    assert made["sms_length"] == {
        "zh-CN": {"characters": 71, "encoding": "ucs2", "segments": 2},
        "en": {"characters": 160, "encoding": "gsm7", "segments": 1},
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"en": {"subject": "Hi {{ contact.name }", "text": "x"}}, {"content.en.subject": "line 1: syntax error"}),
        (
            {"en": {"subject": "s", "html": "<p>\n{{ contact.nickname }}</p>"}},
            {"content.en.html": "line 2: unknown variable contact.nickname"},
        ),
        ({"en": {"subject": "{{ ''.__class__ }}", "text": "x"}}, {"content.en.subject": "line 1: only variables"}),
        (
            {"en": {"subject": "s", "text": "{{ cycler.__init__.__globals__ }}"}},
            {"content.en.text": "line 1: unknown variable cycler.__init__.__globals__"},
        ),
        (
            {"en": {"subject": "s", "text": "{{ ''.__class__.__mro__[1].__subclasses__() }}"}},
            {"content.en.text": "line 1: calls (name(...)) cannot be used"},
        ),
        (
            {"en": {"subject": "s", "html": "{{ contact.name | safe }}"}},
            {"content.en.html": "line 1: unknown filter safe"},
        ),
        ({"en": {"subject": "s", "text": "{% for c in contact %}{% endfor %}"}}, {"content.en.text": "line 1: loops"}),
        ({"en": {"subject": "s"}}, {"content.en.html": "an e-mail needs an HTML or a text body"}),
        ({"en": {"html": "<p>x</p>"}}, {"content.en.subject": "an e-mail needs a subject"}),
        ({"en": {"subject": "s" * 301, "text": "x"}}, {"content.en.subject": "String should have at most 300"}),
        ({"en": {"subject": "s", "text": "x", "body": "x"}}, {"content.en": "Extra inputs are not permitted"}),
        ({"fr": {"subject": "s", "text": "x"}}, {"content.fr.[key]": "Input should be 'zh-CN' or 'en'"}),
        ({}, {"content": "Dictionary should have at least 1 item"}),
        ({"en": {"subject": " ", "text": ""}}, {"content": "write the message in at least one language"}),
    ],
)
async def test_bad_content_is_a_422_naming_the_part(
    client: httpx.AsyncClient,
    world: World,
    content: dict,
    expected: dict[str, str],  # type: ignore[type-arg]
) -> None:
    marketer = world.users["marketer"].headers
    body = {**INVITATION, "default_locale": "en", "content": content}
    for url, sent in ((BASE, body), (f"{BASE}/preview", unsaved(body))):
        r = await client.post(url, json=sent, headers=marketer)
        got = fields(r)
        assert got.keys() == expected.keys(), got
        for field, start in expected.items():
            assert start in got[field], (field, got[field])
    assert (await client.get(BASE, headers=marketer)).json()["items"] == []


async def test_sms_rules(client: httpx.AsyncClient, world: World) -> None:
    marketer = world.users["marketer"].headers
    body = {"name": "sms", "channel": "sms", "content": {"en": {"text": "x" * 1001, "subject": "no"}}}
    assert fields(await client.post(BASE, json=body, headers=marketer)) == {
        "content.en.subject": "a sms template has no subject",
        "content.en.text": "is longer than 1000 characters",
    }
    body = {"name": "sms", "channel": "sms", "default_locale": "zh-CN", "content": {"en": {"text": "hi"}}}
    assert fields(await client.post(BASE, json=body, headers=marketer)) == {
        "default_locale": "the template has no zh-CN content"
    }
    # Without a default language: the first written.
    body = {"name": "sms", "channel": "sms", "content": {"en": {"text": "hi"}}}
    assert (await client.post(BASE, json=body, headers=marketer)).json()["default_locale"] == "en"


async def _contact(client: httpx.AsyncClient, admin: dict[str, str], owner: uuid.UUID, name: str) -> tuple[str, str]:
    r = await client.post(
        "/api/v1/customers",
        json={"name": f"{name} & Co <b>", "level": "A", "owner_id": str(owner)},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    customer = r.json()["id"]
    r = await client.post(
        "/api/v1/contacts",
        json={
            "name": name,
            "customer_id": customer,
            "emails": [f"{uuid.uuid4().hex[:8]}@example.com"],
            "owner_id": str(owner),
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    return customer, r.json()["id"]


async def test_preview_for_a_contact_escapes_html_and_not_text(client: httpx.AsyncClient, world: World) -> None:
    admin, marketer = world.users["admin"].headers, world.users["marketer"].headers
    owner = world.users["east_rep1"]
    _, contact = await _contact(client, admin, owner.id, '<script>alert("x")</script>')
    made = await create(client, marketer)
    r = await client.post(f"{BASE}/{made['id']}/preview", json={"contact_id": contact}, headers=marketer)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["locale"] == "zh-CN" and out["sample"] is False and out["channel"] == "email"
    assert out["subject"] == '<script>alert("x")</script>，诚邀您参加发布会'  # a subject is text, not HTML
    assert "<script>" not in out["html"]
    assert out["html"].startswith("<p>尊敬的&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;：</p>")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co &lt;b&gt; 级别 A" in out["html"]
    assert '/unsubscribe/preview">退订</a>' in out["html"]
    # No text written: made from the HTML, unescaped.
    assert out["text"].startswith('尊敬的<script>alert("x")</script>：')
    assert out["missing"] == ["campaign.name"] and out["sms_length"] is None
    r = await client.post(
        f"{BASE}/{made['id']}/preview", json={"contact_id": contact, "locale": "en"}, headers=marketer
    )
    en = r.json()
    # The owner is the customer's: east_rep1 (named by the test world after its label).
    assert en["locale"] == "en" and en["text"] == 'Dear <script>alert("x")</script>, East_Rep1 will be there.'
    assert f"East_Rep1 ({owner.email})" in en["html"] and en["missing"] == ["campaign.name"]


async def test_preview_for_a_lead_and_a_campaign(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    marketer = world.users["marketer"]
    r = await client.post(
        "/api/v1/leads",
        json={"name": "Ann Lee", "company": "Beta Ltd", "email": "ann@beta.example", "source": "web_form"},
        headers=marketer.headers,
    )
    assert r.status_code == 201, r.text
    lead = r.json()["id"]
    campaign_id, session_id = uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            campaigns.insert().values(
                tenant_id=world.id, id=campaign_id, name="2027 发布会", campaign_type="event", owner_id=marketer.id,
                department_id=marketer.department_id, starts_on=date(2027, 3, 1), public_key=f"k{uuid.uuid4().hex}",
                registration_open=True,
            )
        )  # fmt: skip
        await conn.execute(
            campaign_sessions.insert().values(
                tenant_id=world.id, id=session_id, campaign_id=campaign_id, name="Main",
                starts_at=datetime(2027, 3, 1, 6, 0, tzinfo=UTC), location="北京国际会议中心",
            )
        )  # fmt: skip
        key = (await conn.execute(sa.select(campaigns.c.public_key).where(campaigns.c.id == campaign_id))).scalar()
    sms = {
        "zh-CN": {
            "text": "{% if lead %}{{ lead.company }}的{% endif %}{{ contact.name }}您好，{{ campaign.name }}于"
            "{{ campaign.starts_at }}在{{ campaign.location }}举行，报名：{{ links.registration }}"
        }
    }
    made = await create(client, marketer.headers, channel="sms", content=sms)
    body = {"lead_id": lead, "campaign_id": str(campaign_id), "timezone": "Asia/Shanghai"}
    r = await client.post(f"{BASE}/{made['id']}/preview", json=body, headers=marketer.headers)
    assert r.status_code == 200, r.text
    out = r.json()
    link = f"{settings.public_url.rstrip('/')}/e/{key}"
    assert out["text"] == f"Beta Ltd的Ann Lee您好，2027 发布会于2027年3月1日 14:00在北京国际会议中心举行，报名：{link}"
    assert out["subject"] is None and out["html"] is None and out["missing"] == []
    assert out["sms_length"]["encoding"] == "ucs2" and out["sms_length"]["characters"] == len(out["text"])
    # Without a record or campaign: sample values.
    r = await client.post(f"{BASE}/{made['id']}/preview", json={}, headers=marketer.headers)
    assert r.json()["sample"] is True and r.json()["text"].startswith("北京科技有限公司的张伟您好")
    # Bad choices.
    both = {"lead_id": lead, "contact_id": str(uuid.uuid4())}
    assert fields(await client.post(f"{BASE}/{made['id']}/preview", json=both, headers=marketer.headers)).keys() == {
        "lead_id"
    }
    bad_zone = {"lead_id": lead, "timezone": "Mars/Olympus"}
    r = await client.post(f"{BASE}/{made['id']}/preview", json=bad_zone, headers=marketer.headers)
    assert fields(r).keys() == {"timezone"}
    r = await client.post(
        f"{BASE}/{made['id']}/preview", json={"campaign_id": str(uuid.uuid4())}, headers=marketer.headers
    )
    assert r.status_code == 404


async def test_unsaved_preview(client: httpx.AsyncClient, world: World) -> None:
    marketer = world.users["marketer"].headers
    body = {
        "channel": "email",
        "content": {"en": {"subject": "Hi {{ contact.name | upper }}", "html": "<b>{{ customer.name }}</b>"}},
    }
    r = await client.post(f"{BASE}/preview", json=body, headers=marketer)
    assert r.status_code == 200, r.text
    assert r.json() | {"missing": []} == {
        "channel": "email", "locale": "en", "subject": "Hi 张伟", "html": "<b>北京科技有限公司</b>",
        "text": "北京科技有限公司", "sms_length": None, "missing": [], "sample": True,
    }  # fmt: skip
    # Nothing is stored.
    assert (await client.get(BASE, headers=marketer)).json()["items"] == []


async def test_preview_out_of_range_is_404(client: httpx.AsyncClient, world: World) -> None:
    """A reader whose contacts and leads range is their own: another's contact or lead, and one
    of another tenant, do not exist for them."""
    admin = world.users["admin"].headers
    role = {
        "name": "Own-book template reader",
        "permissions": ["message_templates:read", "contacts:read", "leads:read", "customers:read"],
        "data_ranges": {r: {"range": "own"} for r in ("contacts", "leads", "customers")},
    }
    r = await client.post("/api/v1/roles", json=role, headers=admin)
    assert r.status_code == 201, r.text
    reader = world.users["east_rep1"]
    r = await client.patch(f"/api/v1/users/{reader.id}", json={"role_ids": [r.json()["id"]]}, headers=admin)
    assert r.status_code == 200, r.text
    headers = bearer((await login(client, reader.email))["access_token"])
    _, mine = await _contact(client, admin, reader.id, "Mine")
    _, theirs = await _contact(client, admin, world.users["west_rep1"].id, "Theirs")
    r = await client.post("/api/v1/leads", json={"name": "Their lead", "owner_id": str(world.users["west_rep1"].id)},
                          headers=admin)  # fmt: skip
    their_lead = r.json()["id"]
    other = await Factory(world.factory.engine, world.factory.settings).tenant()
    stranger = await other.user("admin", ["admin"])
    _, foreign = await _contact(client, stranger.headers, stranger.id, "Foreign")
    made = await create(client, world.users["marketer"].headers)
    url = f"{BASE}/{made['id']}/preview"
    r = await client.post(url, json={"contact_id": mine, "locale": "en"}, headers=headers)
    assert r.status_code == 200 and r.json()["text"].startswith("Dear Mine,")
    for body in (
        {"contact_id": theirs},
        {"contact_id": foreign},
        {"lead_id": their_lead},
        {"contact_id": str(uuid.uuid4())},
    ):
        r = await client.post(url, json=body, headers=headers)
        assert r.status_code == 404, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    r = await client.post(f"{BASE}/preview", json={**unsaved(INVITATION), "contact_id": theirs}, headers=headers)
    assert r.status_code == 404
    # Another tenant's template does not exist either.
    foreign_template = await create(client, stranger.headers)
    r = await client.get(f"{BASE}/{foreign_template['id']}", headers=world.users["marketer"].headers)
    assert r.status_code == 404
    r = await client.post(f"{BASE}/{foreign_template['id']}/preview", json={}, headers=world.users["marketer"].headers)
    assert r.status_code == 404


async def test_a_customer_outside_the_range_stays_out_of_the_message(client: httpx.AsyncClient, world: World) -> None:
    """A reader of the contact who may not read its customer gets the contact's own values only."""
    admin = world.users["admin"].headers
    role = {
        "name": "Contacts-only template reader",
        "permissions": ["message_templates:read", "contacts:read"],
        "data_ranges": {"contacts": {"range": "all"}},
    }
    r = await client.post("/api/v1/roles", json=role, headers=admin)
    reader = world.users["east_rep2"]
    await client.patch(f"/api/v1/users/{reader.id}", json={"role_ids": [r.json()["id"]]}, headers=admin)
    headers = bearer((await login(client, reader.email))["access_token"])
    _, contact = await _contact(client, admin, world.users["west_rep1"].id, "Zhou")
    text = "{{ contact.name }}|{{ contact.company }}|{{ customer.name }}"
    body = {"channel": "sms", "content": {"en": {"text": text}}, "contact_id": contact}
    r = await client.post(f"{BASE}/preview", json=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["text"] == "Zhou||" and r.json()["missing"] == ["contact.company", "customer.name"]


# Who holds what, from the role descriptions: marketing keeps the templates, the analyst reads
# them, the administrator does everything; nobody else sees them.
TEMPLATE_ROLES = {
    "admin": {"read", "create", "update", "delete"},
    "marketer": {"read", "create", "update", "delete"},
    "analyst": {"read"},
}


@pytest.mark.parametrize(
    "user", ["admin", "director", "east_manager", "east_rep1", "service_manager", "agent1", "marketer", "analyst", "it"]
)
async def test_who_may_do_what(client: httpx.AsyncClient, world: World, user: str) -> None:
    role = world.users[user].roles[0]
    allowed = TEMPLATE_ROLES.get(role, set())
    headers = world.users[user].headers
    made = await create(client, world.users["marketer"].headers)
    url = f"{BASE}/{made['id']}"

    def status(ok: int, action: str) -> int:
        return ok if action in allowed else 403

    assert (await client.get(BASE, headers=headers)).status_code == status(200, "read")
    assert (await client.get(url, headers=headers)).status_code == status(200, "read")
    assert (await client.get(f"{BASE}/variables", headers=headers)).status_code == status(200, "read")
    assert (await client.post(f"{url}/preview", json={}, headers=headers)).status_code == status(200, "read")
    assert (await client.post(f"{BASE}/preview", json=unsaved(INVITATION), headers=headers)).status_code == status(
        200, "read"
    )
    r = await client.post(BASE, json={**INVITATION, "name": f"by {user}"}, headers=headers)
    assert r.status_code == status(201, "create")
    assert (await client.patch(url, json={"description": "d"}, headers=headers)).status_code == status(200, "update")
    assert (await client.delete(url, headers=headers)).status_code == status(204, "delete")
    restored = await client.post(f"{url}/restore", headers=headers)
    assert restored.status_code == (status(200, "delete") if "delete" in allowed else 403)
    assert (await client.get(f"{BASE}/{uuid.uuid4()}", headers=headers)).status_code == status(404, "read")
    assert (await client.get(BASE)).status_code == 401


async def test_variables_catalogue(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get(f"{BASE}/variables", headers=world.users["analyst"].headers)
    assert r.status_code == 200
    groups = {g["name"]: g for g in r.json()["items"]}
    assert list(groups) == ["contact", "lead", "customer", "owner", "campaign", "links"]
    assert {"path": "links.unsubscribe", "label_en": "Unsubscribe link", "label_zh": "退订链接"} in groups["links"][
        "fields"
    ]
    assert "safe" not in r.json()["filters"] and "default" in r.json()["filters"]


async def test_a_sends_batch_reads_many_recipients_in_one_statement_within_the_range(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """PgRecipientDirectory.contacts / .leads (what a send's batch calls): in-range records only."""
    from app.domain.shared.scope import DataRange, DataScope, Grant
    from app.repositories.message_templates import PgRecipientDirectory

    admin = world.users["admin"].headers
    rep, other = world.users["east_rep1"], world.users["west_rep1"]
    _, mine = await _contact(client, admin, rep.id, "Mine")
    _, theirs = await _contact(client, admin, other.id, "Theirs")
    r = await client.post("/api/v1/leads", json={"name": "My lead", "owner_id": str(rep.id)}, headers=admin)
    my_lead = r.json()["id"]
    r = await client.post("/api/v1/leads", json={"name": "Their lead", "owner_id": str(other.id)}, headers=admin)
    their_lead = r.json()["id"]
    own = DataScope(world.id, rep.id, (), (Grant(DataRange.OWN),))
    async with engine.connect() as conn:
        directory = PgRecipientDirectory(conn)
        found = await directory.contacts(own, [uuid.UUID(mine), uuid.UUID(theirs)], customers_scope=own)
        assert list(found) == [uuid.UUID(mine)]
        facts = found[uuid.UUID(mine)]
        assert facts.name == "Mine" and facts.customer is not None and facts.customer.level == "A"
        assert facts.owner is not None and facts.owner.email == rep.email
        leads_found = await directory.leads(own, [uuid.UUID(my_lead), uuid.UUID(their_lead)])
        assert [f.name for f in leads_found.values()] == ["My lead"]
        assert await directory.contacts(own, [], customers_scope=own) == {}
