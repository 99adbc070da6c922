# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The demo's marketing story beyond the campaigns themselves (app/seed_campaigns.py):

- e-mail consent granted by most demo contacts and many leads (imported opt-in lists and web
  forms), so a demo send reaches people;
- one e-mail template, an event invitation in zh-CN and en, and its send to the event's members,
  completed, with its deliveries sent, opened and clicked as the members' funnel says;
- first and last campaign touch on the leads that answered a campaign and on deals of several
  campaigns, some of them won, so each campaign's stats show leads, won amount and ROI.

Bulk statements, a seeded generator of its own; each part runs only while its table is empty
for the tenant (a demo from an earlier release gets what it lacks)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.ids import new_id
from app.repositories.tables import (
    contacts,
    leads,
    marketing_consents,
    message_deliveries,
    message_sends,
    message_templates,
    opportunities,
)
from app.repositories.tables import pipeline_stages as stages

SEED = 20261208
INVITATION = "活动邀请 Event invitation"
CHUNK = 1000

INVITATION_CONTENT: dict[str, dict[str, str]] = {
    "zh-CN": {
        "subject": "诚邀您参加{{ campaign.name }}",
        "html": (
            "<p>{{ contact.name | default('您好') }}，您好：</p>"
            "<p>诚邀您参加 <strong>{{ campaign.name }}</strong>，时间 {{ campaign.starts_at }}，"
            "地点 {{ campaign.location }}。</p>"
            '<p><a href="{{ links.registration }}">立即报名</a></p>'
            '<p style="font-size:12px;color:#888">不想再收到此类邮件？<a href="{{ links.unsubscribe }}">退订</a></p>'
        ),
        "text": (
            "{{ contact.name | default('您好') }}，您好：\n\n诚邀您参加{{ campaign.name }}，时间 "
            "{{ campaign.starts_at }}，地点 {{ campaign.location }}。\n\n立即报名：{{ links.registration }}\n\n"
            "退订：{{ links.unsubscribe }}"
        ),
    },
    "en": {
        "subject": "You are invited: {{ campaign.name }}",
        "html": (
            "<p>Dear {{ contact.name | default('customer') }},</p>"
            "<p>We would be glad to welcome you to <strong>{{ campaign.name }}</strong> on "
            "{{ campaign.starts_at }} at {{ campaign.location }}.</p>"
            '<p><a href="{{ links.registration }}">Register now</a></p>'
            '<p style="font-size:12px;color:#888">No more mails like this? '
            '<a href="{{ links.unsubscribe }}">Unsubscribe</a></p>'
        ),
        "text": (
            "Dear {{ contact.name | default('customer') }},\n\nWe would be glad to welcome you to "
            "{{ campaign.name }} on {{ campaign.starts_at }} at {{ campaign.location }}.\n\n"
            "Register: {{ links.registration }}\n\nUnsubscribe: {{ links.unsubscribe }}"
        ),
    },
}

# Deals per campaign key: (won, still open), and the campaign that touched them last, if another.
DEALS: dict[str, tuple[int, int, str | None]] = {
    "trade_show": (8, 6, "webinar"),
    "webinar": (4, 5, None),
    "advertising": (6, 8, None),
    "email": (2, 5, None),
    "event": (1, 4, None),
}
# Member statuses that count as the campaign having touched a lead (it answered).
TOUCHED = frozenset({"clicked", "registered", "attended", "responded", "converted"})


async def seed_demo_templates(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> bool:
    await conn.execute(
        message_templates.insert(),
        [
            {
                "tenant_id": tenant_id,
                "id": new_id(),
                "name": INVITATION,
                "channel": "email",
                "description": "邀请客户报名线下活动（含报名和退订链接）。Invites customers to register for an event.",
                "default_locale": "zh-CN",
                "content": INVITATION_CONTENT,
            }
        ],
    )
    return True


async def seed_demo_consents(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> bool:
    """E-mail consent for ~70% of the contacts with an address and ~50% of such leads."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    people = [
        ("contact_id", i, 0.7)
        for i in (
            await conn.execute(
                sa.select(contacts.c.id)
                .where(
                    contacts.c.tenant_id == tenant_id,
                    contacts.c.deleted_at.is_(None),
                    sa.func.cardinality(contacts.c.emails) > 0,
                )
                .order_by(contacts.c.id)
            )
        ).scalars()
    ]
    people += [
        ("lead_id", i, 0.5)
        for i in (
            await conn.execute(
                sa.select(leads.c.id)
                .where(leads.c.tenant_id == tenant_id, leads.c.deleted_at.is_(None), leads.c.email.is_not(None))
                .order_by(leads.c.id)
            )
        ).scalars()
    ]
    sources = [
        ("import", "2026 CIIF 展会名片授权名单 / trade-show opt-in list (signed cards)"),
        ("form", "官网订阅表单勾选同意 / website newsletter form, box checked"),
        ("manual", "客户电话中口头同意，销售记录 / agreed on a call, noted by the rep"),
    ]
    rows: list[dict[str, Any]] = []
    for column, subject, share in people:
        if rng.random() >= share:
            continue
        source, proof = rng.choices(sources, [5, 4, 1])[0]
        rows.append(
            {
                "tenant_id": tenant_id,
                "id": new_id(),
                "contact_id": subject if column == "contact_id" else None,
                "lead_id": subject if column == "lead_id" else None,
                "channel": "email",
                "status": "granted",
                "source": source,
                "proof": proof,
                "recorded_at": today - timedelta(days=rng.randint(20, 300), minutes=rng.randint(0, 1440)),
            }
        )
    for start in range(0, len(rows), CHUNK):
        await conn.execute(marketing_consents.insert(), rows[start : start + CHUNK])
    return bool(rows)


async def seed_demo_attribution(
    conn: AsyncConnection, tenant_id: UUID, campaign_ids: dict[str, UUID], members: list[dict[str, Any]]
) -> None:
    """First and last touch: leads from the campaigns they answered (in the order they were
    targeted), deals of a few campaigns, won and open, in the campaigns' currency (CNY)."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    touches: dict[UUID, list[tuple[datetime, UUID]]] = {}
    for m in members:
        if m["lead_id"] is not None and m["status"] in TOUCHED:
            touches.setdefault(m["lead_id"], []).append((m["targeted_at"], m["campaign_id"]))
    lead_rows = [{"b_id": lead_id, "b_first": min(t)[1], "b_last": max(t)[1]} for lead_id, t in sorted(touches.items())]
    if lead_rows:
        stmt = (
            leads.update()
            .where(leads.c.tenant_id == tenant_id, leads.c.id == sa.bindparam("b_id"))
            .values(campaign_id=sa.bindparam("b_first"), last_campaign_id=sa.bindparam("b_last"))
        )
        await conn.execute(stmt, lead_rows)

    deals = (
        await conn.execute(
            sa.select(opportunities.c.id, stages.c.kind)
            .join(
                stages,
                sa.and_(stages.c.tenant_id == opportunities.c.tenant_id, stages.c.id == opportunities.c.stage_id),
            )
            .where(
                opportunities.c.tenant_id == tenant_id,
                opportunities.c.currency == "CNY",
                opportunities.c.campaign_id.is_(None),
                opportunities.c.deleted_at.is_(None),
            )
            .order_by(opportunities.c.id)
        )
    ).all()
    won = [d.id for d in deals if d.kind == "won"]
    still_open = [d.id for d in deals if d.kind == "open"]
    rng.shuffle(won)
    rng.shuffle(still_open)
    deal_rows: list[dict[str, Any]] = []
    for key, (n_won, n_open, later) in DEALS.items():
        if key not in campaign_ids:
            continue
        chosen = [won.pop() for _ in range(min(n_won, len(won)))]
        chosen += [still_open.pop() for _ in range(min(n_open, len(still_open)))]
        for i, deal_id in enumerate(chosen):
            last = campaign_ids[later] if later and later in campaign_ids and i % 2 else campaign_ids[key]
            deal_rows.append({"b_id": deal_id, "b_first": campaign_ids[key], "b_last": last})
    if deal_rows:
        stmt = (
            opportunities.update()
            .where(opportunities.c.tenant_id == tenant_id, opportunities.c.id == sa.bindparam("b_id"))
            .values(campaign_id=sa.bindparam("b_first"), last_campaign_id=sa.bindparam("b_last"))
        )
        await conn.execute(stmt, deal_rows)


async def seed_demo_send(
    conn: AsyncConnection,
    tenant_id: UUID,
    campaign_id: UUID,
    members: list[dict[str, Any]],
    addresses: dict[UUID, str | None],
    owner: Any,
) -> None:
    """The event's invitation, sent and completed: a delivery per member it reached (opened and
    clicked as the member's funnel says), the members without an address or consent skipped."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    template_id = (
        await conn.execute(
            sa.select(message_templates.c.id).where(
                message_templates.c.tenant_id == tenant_id,
                message_templates.c.name == INVITATION,
                message_templates.c.deleted_at.is_(None),
            )
        )
    ).scalar()
    if template_id is None:
        return
    send_id = new_id()
    deliveries: list[dict[str, Any]] = []
    skipped: dict[str, int] = {}
    reached = [m["sent_at"] for m in members if m["campaign_id"] == campaign_id and m["sent_at"] is not None]
    if not reached:
        return
    started = min(reached) - timedelta(minutes=5)
    last = started
    for m in members:
        if m["campaign_id"] != campaign_id or m["sent_at"] is None:
            continue
        subject = m["contact_id"] or m["lead_id"]
        address = addresses.get(subject)
        base = {
            "tenant_id": tenant_id, "id": new_id(), "send_id": send_id, "member_id": m["id"],
            "contact_id": m["contact_id"], "lead_id": m["lead_id"], "address": address, "attempts": 0,
            "message_id": None, "sent_at": None, "opened_at": None, "clicked_at": None, "opens": 0, "clicks": 0,
            "skip_reason": None, "booked_at": m["sent_at"], "locale": "zh-CN",
        }  # fmt: skip
        if address is None:
            skipped["no_address"] = skipped.get("no_address", 0) + 1
            deliveries.append(base | {"status": "skipped", "skip_reason": "no_address"})
            continue
        opened, clicked = m["opened_at"], m["clicked_at"]
        last = max(last, m["sent_at"])
        deliveries.append(
            base
            | {
                "status": "sent",
                "attempts": 1,
                "message_id": f"<{base['id']}@demo.example.com>",
                "sent_at": m["sent_at"],
                "opened_at": opened,
                "clicked_at": clicked,
                "opens": rng.randint(1, 4) if opened else 0,
                "clicks": rng.randint(1, 2) if clicked else 0,
            }
        )
    sent = sum(1 for d in deliveries if d["status"] == "sent")
    await conn.execute(
        message_sends.insert(),
        [
            {
                "tenant_id": tenant_id, "id": send_id, "campaign_id": campaign_id, "template_id": template_id,
                "channel": "email", "audience": "members", "segment_id": None, "member_statuses": ["targeted"],
                "status": "completed", "scheduled_at": started, "rate_per_minute": 600, "queued": 0, "sent": sent,
                "failed": 0, "skipped": len(deliveries) - sent, "skipped_reasons": skipped, "started_at": started,
                "completed_at": last, "owner_id": owner.id, "department_id": owner.department_id,
                "created_by": owner.id, "updated_by": owner.id, "created_at": started, "updated_at": last,
            }
        ],
    )  # fmt: skip
    for start in range(0, len(deliveries), CHUNK):
        await conn.execute(message_deliveries.insert(), deliveries[start : start + CHUNK])
