"""Automations over HTTP and through the worker: a trigger event starts one run per (automation,
record) whose actions are done as the owner (tag added, task created, member added, notification,
an e-mail delivered to a real SMTP peer); a duplicated or re-handled event and two racing workers
never run it twice; the delay is honoured (the worker's clock); a paused automation does nothing;
conditions filter; the owner's data range is enforced; a dry run changes nothing; 401/403/404/412/422."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.clock import utcnow
from app.domain.shared.ids import new_id
from app.mail import SmtpMailer
from app.repositories.tables import (
    activities,
    automation_runs,
    campaign_members,
    campaigns,
    leads,
    marketing_consents,
    marketing_suppressions,
    notifications,
    outbox,
    roles,
)
from app.settings import Settings
from app.worker import Worker
from tests.api.mail_support import Inbox
from tests.builders import Factory, World

BASE = "/api/v1/automations"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


def _worker(engine: AsyncEngine, settings: Settings, inbox: Inbox | None = None) -> Worker:
    mailer = SmtpMailer(inbox.url, settings.mail_from) if inbox else None
    return Worker(engine, settings, mailer=mailer)


async def drain(engine: AsyncEngine, settings: Settings, inbox: Inbox | None = None, **run_kw: Any) -> None:
    """Events handled (runs queued), then the due runs executed."""
    worker = _worker(engine, settings, inbox)
    while await worker.process_batch():
        pass
    await worker.process_runs(**run_kw)


async def make_lead(client: httpx.AsyncClient, user_headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("name", f"Lead {uuid.uuid4().hex[:6]}")
    r = await client.post("/api/v1/leads", json=body, headers=user_headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def make_automation(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("name", f"Rule {uuid.uuid4().hex[:6]}")
    body.setdefault("trigger", "lead.created")
    body.setdefault("actions", [{"type": "add_tag", "tag": "nurture"}])
    r = await client.post(BASE, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def runs_of(client: httpx.AsyncClient, rule: dict[str, Any], headers: dict[str, str]) -> list[dict[str, Any]]:
    r = await client.get(f"{BASE}/{rule['id']}/runs", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


async def lead_tags(engine: AsyncEngine, lead_id: str) -> list[str]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(leads.c.tags).where(leads.c.id == uuid.UUID(lead_id)))).scalar_one())


async def make_campaign(engine: AsyncEngine, world: World) -> uuid.UUID:
    marketer = world.users["marketer"]
    campaign_id = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            campaigns.insert().values(
                tenant_id=world.id, id=campaign_id, name="Spring launch", campaign_type="event",
                owner_id=marketer.id, department_id=marketer.department_id,
            )
        )  # fmt: skip
    return campaign_id


async def make_template(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    content = {
        "en": {
            "subject": "Welcome, {{ contact.name }}",
            "html": "<p>Hello {{ contact.name }}, thanks for your interest.</p>",
            "text": "Hello {{ contact.name }}, thanks for your interest.",
        },
        "zh-CN": {"subject": "欢迎 {{ contact.name }}", "html": "<p>您好 {{ contact.name }}</p>", "text": "您好"},
    }
    body = {"name": f"Welcome {uuid.uuid4().hex[:6]}", "channel": "email", "default_locale": "en", "content": content}
    r = await client.post("/api/v1/message-templates", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def grant_email_consent(engine: AsyncEngine, tenant_id: uuid.UUID, lead_id: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            marketing_consents.insert().values(
                tenant_id=tenant_id, id=new_id(), lead_id=uuid.UUID(lead_id), channel="email", status="granted",
                source="form",
            )
        )  # fmt: skip


# -- trigger -> run -> actions ----------------------------------------------------------------------


async def test_a_new_lead_runs_every_action_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, inbox: Inbox
) -> None:
    admin = world.users["admin"]
    rep = world.users["east_rep1"]
    campaign_id = await make_campaign(engine, world)
    template = await make_template(client, admin.headers)
    rule = await make_automation(
        client,
        admin.headers,
        actions=[
            {"type": "add_tag", "tag": "nurture"},
            {"type": "create_task", "subject": "Call the new lead", "due_in_days": 2},
            {"type": "add_to_campaign", "campaign_id": str(campaign_id)},
            {"type": "notify_user", "message": "A new lead arrived", "user_id": str(rep.id)},
            {"type": "assign_owner", "user_id": str(rep.id)},
            {"type": "send_template", "template_id": template["id"]},
        ],
    )
    lead = await make_lead(client, admin.headers, email="zhang.wei@example.com", name="张伟")
    await grant_email_consent(engine, world.id, lead["id"])
    await drain(engine, settings, inbox)

    [run] = await runs_of(client, rule, admin.headers)
    assert run["status"] == "done", run
    assert run["record_kind"] == "lead" and run["record_id"] == lead["id"]
    assert [s["result"] for s in run["actions_done"]] == ["done"] * 6, run["actions_done"]
    assert "nurture" in await lead_tags(engine, lead["id"])
    lead_id = uuid.UUID(lead["id"])
    async with engine.connect() as conn:
        tasks = (await conn.execute(sa.select(activities.c.subject).where(activities.c.lead_id == lead_id))).all()
        members = (
            await conn.execute(
                sa.select(campaign_members.c.source).where(
                    campaign_members.c.campaign_id == campaign_id, campaign_members.c.lead_id == lead_id
                )
            )
        ).all()
        notes = (
            await conn.execute(
                sa.select(notifications.c.title).where(
                    notifications.c.user_id == rep.id, notifications.c.kind == "automation"
                )
            )
        ).all()
        owner = (await conn.execute(sa.select(leads.c.owner_id).where(leads.c.id == lead_id))).scalar_one()
    assert [t.subject for t in tasks] == ["Call the new lead"]
    assert [m.source for m in members] == ["automation"]
    assert [n.title for n in notes] == ["A new lead arrived"]
    assert owner == rep.id
    [mail] = inbox.to("zhang.wei@example.com")
    assert mail["Subject"] == "Welcome, 张伟"
    assert "thanks for your interest" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_no_consent_or_suppressed_skips_the_mail_only(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings, inbox: Inbox
) -> None:
    admin = world.users["admin"]
    template = await make_template(client, admin.headers)
    rule = await make_automation(
        client, admin.headers,
        actions=[{"type": "send_template", "template_id": template["id"]}, {"type": "add_tag", "tag": "mailed"}],
    )  # fmt: skip
    silent = await make_lead(client, admin.headers, email="no.consent@example.com")
    suppressed = await make_lead(client, admin.headers, email="Gone@Example.com")
    await grant_email_consent(engine, world.id, suppressed["id"])
    async with engine.begin() as conn:
        await conn.execute(
            marketing_suppressions.insert().values(
                tenant_id=world.id, channel="email", address="gone@example.com", reason="unsubscribed"
            )
        )
    await drain(engine, settings, inbox)
    runs = {r["record_id"]: r for r in await runs_of(client, rule, admin.headers)}
    for lead, why in ((silent, "no e-mail consent"), (suppressed, "suppressed")):
        steps = runs[lead["id"]]["actions_done"]
        assert runs[lead["id"]]["status"] == "done"
        assert steps[0]["result"] == "skipped" and why in steps[0]["detail"], steps
        assert steps[1]["result"] == "done"
    assert inbox.messages == []


# -- once per record and trigger ----------------------------------------------------------------------


async def test_a_duplicated_or_rehandled_event_runs_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    admin = world.users["admin"]
    rule = await make_automation(client, admin.headers, actions=[{"type": "create_task", "subject": "Once only"}])
    lead = await make_lead(client, admin.headers)
    await drain(engine, settings)
    lead_id = uuid.UUID(lead["id"])
    async with engine.begin() as conn:
        # The same event handled again (a worker that died before marking it), and a copy of it.
        await conn.execute(
            outbox.update()
            .where(outbox.c.entity_id == lead_id, outbox.c.event_type == "lead.created")
            .values(processed_at=None)
        )
        await conn.execute(
            outbox.insert().values(
                tenant_id=world.id, id=new_id(), event_type="lead.created", entity="lead", entity_id=lead_id,
                payload={"id": str(lead_id)},
            )
        )  # fmt: skip
    await drain(engine, settings)
    runs = await runs_of(client, rule, admin.headers)
    assert len(runs) == 1 and runs[0]["status"] == "done"
    async with engine.connect() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).where(activities.c.lead_id == lead_id))).scalar()
    assert count == 1


async def test_two_workers_racing_run_each_run_once(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    admin = world.users["admin"]
    rule = await make_automation(client, admin.headers, actions=[{"type": "create_task", "subject": "Raced"}])
    made = [await make_lead(client, admin.headers) for _ in range(6)]
    one, two = _worker(engine, settings), _worker(engine, settings)
    await asyncio.gather(one.process_batch(), two.process_batch())
    await asyncio.gather(one.process_batch(), two.process_batch())
    await asyncio.gather(one.process_runs(), two.process_runs())
    runs = await runs_of(client, rule, admin.headers)
    assert sorted(r["record_id"] for r in runs) == sorted(m["id"] for m in made)
    assert {r["status"] for r in runs} == {"done"}
    ids = [uuid.UUID(m["id"]) for m in made]
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(activities.c.lead_id).where(activities.c.lead_id.in_(ids)))).all()
    assert sorted(r.lead_id for r in rows) == sorted(ids)


# -- delay, pause, conditions -----------------------------------------------------------------------


async def test_a_delayed_run_waits_for_its_time(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    admin = world.users["admin"]
    rule = await make_automation(client, admin.headers, delay_amount=2, delay_unit="hours")
    lead = await make_lead(client, admin.headers)
    await drain(engine, settings)
    [run] = await runs_of(client, rule, admin.headers)
    assert run["status"] == "pending" and "nurture" not in await lead_tags(engine, lead["id"])
    await drain(engine, settings, now=utcnow() + timedelta(hours=1))
    assert (await runs_of(client, rule, admin.headers))[0]["status"] == "pending"
    await drain(engine, settings, now=utcnow() + timedelta(hours=2, minutes=1))
    [run] = await runs_of(client, rule, admin.headers)
    assert run["status"] == "done" and "nurture" in await lead_tags(engine, lead["id"])


async def test_a_paused_automation_does_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    admin = world.users["admin"]
    rule = await make_automation(client, admin.headers, status="paused")
    lead = await make_lead(client, admin.headers)
    await drain(engine, settings)
    assert await runs_of(client, rule, admin.headers) == []
    assert "nurture" not in await lead_tags(engine, lead["id"])
    # Paused while a run waits: the run is skipped, saying why.
    waiting = await make_automation(client, admin.headers, delay_amount=1, delay_unit="days")
    later = await make_lead(client, admin.headers)
    await drain(engine, settings)
    r = await client.patch(
        f"{BASE}/{waiting['id']}", json={"status": "paused"}, headers={**admin.headers, "If-Match": 'W/"1"'}
    )
    assert r.status_code == 200, r.text
    await drain(engine, settings, now=utcnow() + timedelta(days=2))
    [run] = await runs_of(client, waiting, admin.headers)
    assert run["status"] == "skipped" and "paused" in run["reason"]
    assert "nurture" not in await lead_tags(engine, later["id"])


async def test_conditions_choose_the_records(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    admin = world.users["admin"]
    conditions = {"op": "and", "conditions": [{"field": "source", "op": "eq", "value": "event"}]}
    rule = await make_automation(client, admin.headers, conditions=conditions)
    hit = await make_lead(client, admin.headers, source="event")
    miss = await make_lead(client, admin.headers, source="referral")
    await drain(engine, settings)
    runs = await runs_of(client, rule, admin.headers)
    assert [r["record_id"] for r in runs] == [hit["id"]]
    assert "nurture" in await lead_tags(engine, hit["id"])
    assert "nurture" not in await lead_tags(engine, miss["id"])


# -- the owner's reach ------------------------------------------------------------------------------


async def test_the_owner_range_and_permissions_bound_what_runs(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    marketer, admin, rep = world.users["marketer"], world.users["admin"], world.users["east_rep1"]
    async with engine.begin() as conn:  # this tenant's marketers see only their own leads
        await conn.execute(
            roles.update()
            .where(roles.c.tenant_id == world.id, roles.c.key == "marketer")
            .values(data_ranges=roles.c.data_ranges.op("||")(sa.literal({"leads": {"range": "own"}}, JSONB)))
        )
    rule = await make_automation(
        client, marketer.headers,
        actions=[{"type": "add_tag", "tag": "nurture"}, {"type": "create_task", "subject": "Not for a marketer"}],
    )  # fmt: skip
    theirs = await make_lead(client, admin.headers, owner_id=str(rep.id))
    own = await make_lead(client, marketer.headers)
    await drain(engine, settings)
    runs = {r["record_id"]: r for r in await runs_of(client, rule, marketer.headers)}
    assert runs[theirs["id"]]["status"] == "skipped"
    assert "outside the automation owner's data range" in runs[theirs["id"]]["reason"]
    assert "nurture" not in await lead_tags(engine, theirs["id"])
    mine = runs[own["id"]]
    assert mine["status"] == "done"
    assert [s["result"] for s in mine["actions_done"]] == ["done", "skipped"]
    assert "activities:create" in mine["actions_done"][1]["detail"]  # marketers create no tasks


# -- dry run ------------------------------------------------------------------------------------------


async def test_a_dry_run_says_what_would_happen_and_changes_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    admin = world.users["admin"]
    lead = await make_lead(client, admin.headers, source="event", tags=["vip"])
    other = await make_lead(client, admin.headers, source="referral")
    conditions = {"op": "and", "conditions": [{"field": "source", "op": "eq", "value": "event"}]}
    rule = await make_automation(
        client, admin.headers, conditions=conditions,
        actions=[{"type": "add_tag", "tag": "nurture"}, {"type": "add_tag", "tag": "vip"}],
    )  # fmt: skip
    r = await client.post(f"{BASE}/{rule['id']}/dry-run", json={"record_id": lead["id"]}, headers=admin.headers)
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assert item["matches"] is True
    assert [a["result"] for a in item["actions"]] == ["would_do", "skipped"]
    r = await client.post(f"{BASE}/{rule['id']}/dry-run", json={"limit": 5}, headers=admin.headers)
    assert r.status_code == 200, r.text
    by_id = {i["record_id"]: i for i in r.json()["items"]}
    assert by_id[lead["id"]]["matches"] and not by_id[other["id"]]["matches"]
    assert await lead_tags(engine, lead["id"]) == ["vip"]
    async with engine.connect() as conn:
        count = (
            await conn.execute(
                sa.select(sa.func.count()).where(automation_runs.c.automation_id == uuid.UUID(rule["id"]))
            )
        ).scalar()
    assert count == 0
    r = await client.post(f"{BASE}/{rule['id']}/dry-run", json={"record_id": str(new_id())}, headers=admin.headers)
    assert r.status_code == 404


# -- the API ------------------------------------------------------------------------------------------


async def test_api_statuses(client: httpx.AsyncClient, world: World) -> None:
    marketer, rep, analyst = world.users["marketer"], world.users["east_rep1"], world.users["analyst"]
    assert (await client.get(BASE)).status_code == 401
    assert (await client.get(BASE, headers=rep.headers)).status_code == 403
    body = {"name": "R", "trigger": "lead.created", "actions": [{"type": "add_tag", "tag": "x"}]}
    assert (await client.post(BASE, json=body, headers=analyst.headers)).status_code == 403
    rule = await make_automation(client, marketer.headers)
    assert (await client.get(f"{BASE}/{rule['id']}", headers=analyst.headers)).status_code == 200
    assert (await client.get(f"{BASE}/{new_id()}", headers=marketer.headers)).status_code == 404
    other = await world.factory.tenant()
    stranger = await other.user("m", ["marketer"])
    assert (await client.get(f"{BASE}/{rule['id']}", headers=stranger.headers)).status_code == 404
    stale = {**marketer.headers, "If-Match": 'W/"7"'}
    r = await client.patch(f"{BASE}/{rule['id']}", json={"name": "New"}, headers=stale)
    assert r.status_code == 412
    r = await client.get(f"{BASE}/{rule['id']}", headers=marketer.headers)
    r = await client.patch(
        f"{BASE}/{rule['id']}", json={"name": "New"}, headers={**marketer.headers, "If-Match": r.headers["ETag"]}
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    for bad, field in (
        ({**body, "trigger": "lead.exploded"}, "trigger"),
        ({**body, "actions": []}, "actions"),
        ({**body, "actions": [{"type": "add_tag"}]}, "actions"),
        ({**body, "actions": [{"type": "send_template", "template_id": str(new_id())}]}, "actions[0].template_id"),
        ({**body, "conditions": {"op": "and", "conditions": [{"field": "nope", "op": "eq", "value": 1}]}},
         "conditions.conditions[0].field"),
        ({**body, "delay_amount": 100, "delay_unit": "days"}, "delay_amount"),
        ({**body, "owner_id": str(rep.id)}, "owner_id"),
    ):  # fmt: skip
        r = await client.post(BASE, json=bad, headers=marketer.headers)
        assert r.status_code == 422, (bad, r.text)
        assert any(field in e["field"] for e in r.json()["errors"]), (field, r.json())
    assert (await client.delete(f"{BASE}/{rule['id']}", headers=marketer.headers)).status_code == 204
    assert (await client.get(f"{BASE}/{rule['id']}", headers=marketer.headers)).status_code == 404
    r = await client.post(f"{BASE}/{rule['id']}/restore", headers=marketer.headers)
    assert r.status_code == 200 and r.json()["name"] == "New"
    r = await client.get(f"{BASE}/catalogue", headers=marketer.headers)
    assert "lead_form.submitted" in {t["key"] for t in r.json()["triggers"]}


# -- triggers beyond lead.created, failures -------------------------------------------------------------


async def test_a_web_form_submission_triggers_its_rule(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    marketer = world.users["marketer"]
    body = {"name": "Website", "fields": ["name", "email"], "tags": ["website"]}
    r = await client.post("/api/v1/lead-forms", json=body, headers=marketer.headers)
    assert r.status_code == 201, r.text
    form = r.json()
    submitted = await make_automation(client, marketer.headers, trigger="lead_form.submitted")
    created = await make_automation(client, marketer.headers, actions=[{"type": "add_tag", "tag": "any-lead"}])
    r = await client.post(
        f"/api/v1/public/lead-forms/{form['form_key']}", json={"name": "Visitor", "email": "v@example.org"}
    )
    assert r.status_code == 202
    by_hand = await make_lead(client, marketer.headers)
    await drain(engine, settings)
    [run] = await runs_of(client, submitted, marketer.headers)
    assert run["status"] == "done" and run["record_id"] != by_hand["id"]
    assert set(await lead_tags(engine, run["record_id"])) >= {"website", "nurture", "any-lead"}
    assert "nurture" not in await lead_tags(engine, by_hand["id"])
    assert len(await runs_of(client, created, marketer.headers)) == 2  # both leads were created


async def test_a_failing_run_is_undone_retried_then_failed(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    admin = world.users["admin"]
    template = await make_template(client, admin.headers)
    rule = await make_automation(
        client, admin.headers,
        actions=[{"type": "add_tag", "tag": "nurture"}, {"type": "send_template", "template_id": template["id"]}],
    )  # fmt: skip
    lead = await make_lead(client, admin.headers, email="unreachable@example.com")
    await grant_email_consent(engine, world.id, lead["id"])
    closed = Inbox("smtp://127.0.0.1:9?starttls=off")  # nothing listens: the SMTP connection is refused
    await drain(engine, settings, closed)
    [run] = await runs_of(client, rule, admin.headers)
    assert run["status"] == "pending" and run["attempts"] == 1 and run["error"]
    assert "nurture" not in await lead_tags(engine, lead["id"])  # the tag went with the failed mail
    later = utcnow()
    for _ in range(10):
        later += timedelta(hours=2)
        await drain(engine, settings, closed, now=later)
    [run] = await runs_of(client, rule, admin.headers)
    assert run["status"] == "failed" and run["attempts"] == 5, run
    assert "nurture" not in await lead_tags(engine, lead["id"])


async def test_conditions_on_a_removed_custom_field_skip_the_run(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    admin = world.users["admin"]
    field = {"entity": "lead", "key": "budget", "label": "Budget", "type": "number"}
    r = await client.post("/api/v1/custom-fields", json=field, headers=admin.headers)
    assert r.status_code == 201, r.text
    conditions = {"op": "and", "conditions": [{"field": "custom.budget", "op": "gt", "value": 1000}]}
    rule = await make_automation(client, admin.headers, conditions=conditions)
    assert (await client.delete(f"/api/v1/custom-fields/{r.json()['id']}", headers=admin.headers)).status_code == 204
    lead = await make_lead(client, admin.headers)
    await drain(engine, settings)
    [run] = await runs_of(client, rule, admin.headers)
    assert run["status"] == "skipped" and "custom.budget" in run["reason"]
    assert "nurture" not in await lead_tags(engine, lead["id"])
    async with engine.connect() as conn:  # the event itself was handled (nothing left to retry)
        pending = (
            await conn.execute(
                sa.select(sa.func.count()).where(
                    outbox.c.entity_id == uuid.UUID(lead["id"]), outbox.c.processed_at.is_(None)
                )
            )
        ).scalar()
    assert pending == 0
