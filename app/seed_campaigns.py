# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The demo tenant's campaigns: a few of each type, owned by the demo marketer (周芳), with
members drawn from the demo contacts and leads at every step of the funnel.

- A programme (other) with the year's campaigns under it.
- An event (客户答谢会), held today, with two sessions and registration open on its public page
  (a company-size question, an e-mail consent box, a zh-CN/en confirmation): members registered
  for a session with their answers and check-in codes, a few already checked in.
- A webinar, an e-mail and an SMS campaign, a trade show, a promotion, and advertising with its
  budget and actual cost; some finished, some running, some still to come.

Then the leads and deals the campaigns touched, and the event's invitation sent
(app/seed_marketing.py). Dates are offsets from
the seed day. Runs after the leads (it draws members from them) and only while the tenant has no
campaign. Bulk inserts, its own seeded generator."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.marketing.funnel import FUNNEL, STATUSES
from app.domain.marketing.registration.rules import new_checkin_code, new_public_key
from app.domain.shared.ids import new_id
from app.repositories.campaigns import derived
from app.repositories.tables import campaign_members, campaign_sessions, campaigns, contacts, leads, users
from app.seed_marketing import seed_demo_attribution, seed_demo_send

SEED = 20261207
MARKETER = "marketer@demo.example.com"
SHANGHAI = timedelta(hours=8)

# (key, name, type, channel, status, start offset in days, length in days, budget, actual cost,
#  expected revenue, tags, description, members: (contacts, leads), funnel weights by status)
CAMPAIGNS: list[dict[str, Any]] = [
    {"key": "programme", "name": "2026 年度市场计划 Marketing programme 2026", "type": "other", "channel": None,
     "status": "running", "start": -200, "days": 365, "budget": "2000000", "cost": "1180000", "revenue": "12000000",
     "tags": ["年度计划"], "description": "全年营销活动的总体计划。The year's campaigns, grouped.", "members": (0, 0)},
    {"key": "event", "name": "2026 客户答谢会（上海）", "type": "event", "channel": "offline", "status": "running",
     "start": 0, "days": 1, "budget": "180000", "cost": "45000", "revenue": "1500000",
     "tags": ["答谢会", "华东"], "description": "上海国际会议中心，两场：上午主论坛，下午产品体验。",
     "members": (120, 40), "weights": {"targeted": 20, "sent": 25, "opened": 20, "clicked": 10, "registered": 25,
                                        "attended": 6}},
    {"key": "webinar", "name": "Webinar: 智能制造数字化转型", "type": "webinar", "channel": "online",
     "status": "completed", "start": -30, "days": 1, "budget": "20000", "cost": "16500", "revenue": "600000",
     "tags": ["webinar", "制造业"], "description": "Online session with a live Q&A. 线上直播，含问答环节。",
     "members": (90, 60), "weights": {"sent": 20, "opened": 20, "clicked": 10, "registered": 15, "attended": 20,
                                       "responded": 8, "converted": 4, "bounced": 2, "unsubscribed": 1}},
    {"key": "email", "name": "Newsletter 十二月产品月报", "type": "email", "channel": "email", "status": "running",
     "start": -3, "days": 14, "budget": "5000", "cost": "1200", "revenue": "200000",
     "tags": ["newsletter"], "description": "Monthly product news to customers and prospects. 每月产品资讯。",
     "members": (300, 150), "weights": {"targeted": 10, "sent": 40, "opened": 25, "clicked": 12, "responded": 3,
                                         "bounced": 6, "unsubscribed": 4}},
    {"key": "sms", "name": "双十二短信促销提醒", "type": "sms", "channel": "sms", "status": "scheduled",
     "start": 4, "days": 3, "budget": "8000", "cost": None, "revenue": "300000",
     "tags": ["促销", "短信"], "description": "双十二优惠提醒，发送给已同意接收短信的客户。",
     "members": (200, 80), "weights": {"targeted": 1}},
    {"key": "trade_show", "name": "2026 中国国际工业博览会（CIIF）", "type": "trade_show", "channel": "offline",
     "status": "completed", "start": -75, "days": 5, "budget": "350000", "cost": "368000", "revenue": "5000000",
     "tags": ["展会", "华东"], "description": "国家会展中心 8.1H 馆 B12 展位。Booth B12, hall 8.1H.",
     "members": (40, 110), "weights": {"registered": 10, "attended": 50, "responded": 25, "converted": 15}},
    {"key": "promotion", "name": "年末续约优惠 Year-end renewal offer", "type": "promotion", "channel": "sales",
     "status": "draft", "start": 25, "days": 30, "budget": "60000", "cost": None, "revenue": "900000",
     "tags": ["续约"], "description": "续约客户享受 9 折优惠。10% off renewals signed before year end.",
     "members": (0, 0)},
    {"key": "advertising", "name": "百度搜索广告 Q4", "type": "advertising", "channel": "baidu", "status": "running",
     "start": -60, "days": 90, "budget": "240000", "cost": "151320.50", "revenue": "1800000",
     "tags": ["SEM", "百度"], "description": "关键词：CRM、客户管理系统。Search ads on Baidu.",
     "members": (0, 90), "weights": {"clicked": 50, "responded": 30, "converted": 20}},
    {"key": "cancelled", "name": "深圳渠道沙龙（已取消）", "type": "event", "channel": "offline", "status": "cancelled",
     "start": -10, "days": 1, "budget": "30000", "cost": "2000", "revenue": None,
     "tags": ["华南"], "description": "因场地原因取消。", "members": (0, 0)},
]  # fmt: skip


async def seed_demo_campaigns(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> bool:
    """Returns whether anything was written."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    marketer = (
        await conn.execute(
            sa.select(users.c.id, users.c.department_id).where(
                users.c.tenant_id == tenant_id, users.c.email == MARKETER
            )
        )
    ).first()
    if marketer is None:
        return False
    # (name, e-mail, company) of each: what a registrant typed on the form.
    people: dict[UUID, tuple[str, str | None, str | None]] = {}
    for person in await conn.execute(
        sa.select(contacts.c.id, contacts.c.name, contacts.c.emails[1])
        .where(contacts.c.tenant_id == tenant_id, contacts.c.deleted_at.is_(None))
        .order_by(contacts.c.id)
        .limit(2000)
    ):
        people[person[0]] = (person[1], person[2], None)
    contact_ids = list(people)
    for row in await conn.execute(
        sa.select(leads.c.id, leads.c.name, leads.c.email, leads.c.company)
        .where(leads.c.tenant_id == tenant_id, leads.c.deleted_at.is_(None))
        .order_by(leads.c.id)
        .limit(2000)
    ):
        people[row[0]] = (row[1], row[2], row[3])
    lead_ids = list(people)[len(contact_ids) :]
    day = today.date()
    ids = {spec["key"]: new_id() for spec in CAMPAIGNS}
    rows: list[dict[str, Any]] = []
    for spec in CAMPAIGNS:
        starts_on = day + timedelta(days=spec["start"])
        values: dict[str, Any] = {
            "name": spec["name"],
            "channel": spec["channel"],
            "tags": spec["tags"],
        }
        rows.append(
            {
                "tenant_id": tenant_id,
                "id": ids[spec["key"]],
                **values,
                "campaign_type": spec["type"],
                "status": spec["status"],
                "parent_id": None if spec["key"] == "programme" else ids["programme"],
                "starts_on": starts_on,
                "ends_on": starts_on + timedelta(days=spec["days"] - 1),
                "currency": "CNY",
                "budget": _money(spec["budget"]),
                "actual_cost": _money(spec["cost"]),
                "expected_revenue": _money(spec["revenue"]),
                "description": spec["description"],
                "custom_fields": {},
                "owner_id": marketer.id,
                "department_id": marketer.department_id,
                "created_by": marketer.id,
                "updated_by": marketer.id,
                **derived(values),
                **_registration(open_=spec["key"] == "event"),
            }
        )
    await conn.execute(campaigns.insert(), rows)

    event_day = day + timedelta(days=next(s["start"] for s in CAMPAIGNS if s["key"] == "event"))
    sessions = [
        _session(tenant_id, ids["event"], "上午：主论坛 Keynote", event_day, time(9, 30), time(12, 0), 300),
        _session(tenant_id, ids["event"], "下午：产品体验工作坊 Hands-on", event_day, time(14, 0), time(17, 0), 80),
    ]
    await conn.execute(campaign_sessions.insert(), sessions)

    members: list[dict[str, Any]] = []
    for spec in CAMPAIGNS:
        n_contacts, n_leads = spec["members"]
        if not (n_contacts or n_leads):
            continue
        start = datetime.combine(day + timedelta(days=spec["start"]), time(2, 0), tzinfo=today.tzinfo)
        chosen = [("contact_id", i) for i in rng.sample(contact_ids, min(n_contacts, len(contact_ids)))]
        chosen += [("lead_id", i) for i in rng.sample(lead_ids, min(n_leads, len(lead_ids)))]
        statuses, weights = zip(*spec["weights"].items(), strict=True)
        for column, subject in chosen:
            status = rng.choices(statuses, weights)[0]
            member = _member(rng, tenant_id, ids[spec["key"]], column, subject, status, start, today, marketer.id)
            members.append(member | _registered(rng, spec["key"], member, sessions, people[subject]))
    for chunk in range(0, len(members), 1000):
        await conn.execute(campaign_members.insert(), members[chunk : chunk + 1000])
    await seed_demo_attribution(conn, tenant_id, ids, members)
    addresses = {subject: email for subject, (_, email, _) in people.items()}
    await seed_demo_send(conn, tenant_id, ids["event"], members, addresses, marketer)
    return True


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# The event's form, as PUT /campaigns/{id}/registration stores it (rules.check_form).
COMPANY_SIZES = ["1-49", "50-199", "200-999", "1000+"]
REGISTRATION_FORM: dict[str, Any] = {
    "fields": [
        {"key": "company_size", "label": {"zh-CN": "公司规模（人）", "en": "Company size (employees)"},
         "type": "select", "required": True, "options": COMPANY_SIZES},
        {"key": "dietary", "label": {"zh-CN": "饮食要求", "en": "Dietary requirements"}, "type": "text",
         "required": False, "options": []},
    ],
    "consents": [
        {"key": "email_updates", "channel": "email", "required": False,
         "text": {"zh-CN": "我同意通过电子邮件接收活动和产品资讯，可随时退订。",
                  "en": "I agree to receive event and product news by e-mail; I can unsubscribe at any time."}},
    ],
    "confirmation": {
        "zh-CN": "报名成功！请于活动当天携带签到码到上海国际会议中心 3 楼签到。",
        "en": "You are registered. Bring your check-in code to the Shanghai International Convention Center, 3F.",
    },
}  # fmt: skip


def _registration(*, open_: bool) -> dict[str, Any]:
    """The event's public registration: open, with its random key, a capacity and its form
    (every row carries the keys: one executemany takes the first row's)."""
    if not open_:
        return {"public_key": None, "registration_open": False, "capacity": None, "registration_form": {}}
    return {
        "public_key": new_public_key(),  # the registration module's key form (ev_...)
        "registration_open": True,
        "capacity": 350,
        "registration_form": REGISTRATION_FORM,
    }


def _session(
    tenant_id: UUID, campaign_id: UUID, name: str, on: date, starts: time, ends: time, capacity: int
) -> dict[str, Any]:
    # Shanghai wall-clock times, stored as instants.
    at = datetime.combine(on, starts) - SHANGHAI
    until = datetime.combine(on, ends) - SHANGHAI
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "campaign_id": campaign_id,
        "name": name,
        "starts_at": at.replace(tzinfo=UTC),
        "ends_at": until.replace(tzinfo=UTC),
        "location": "上海国际会议中心 3 楼 Shanghai International Convention Center, 3F",
        "online_url": None,
        "capacity": capacity,
    }


def _member(
    rng: random.Random,
    tenant_id: UUID,
    campaign_id: UUID,
    column: str,
    subject: UUID,
    status: str,
    start: datetime,
    today: datetime,
    actor: UUID,
) -> dict[str, Any]:
    """A member at `status`, with a time for each step it passed (never after the seed day)."""
    targeted = min(start - timedelta(days=rng.randint(3, 14)), today - timedelta(days=1))
    row: dict[str, Any] = {
        "tenant_id": tenant_id,
        "id": new_id(),
        "campaign_id": campaign_id,
        "contact_id": None,
        "lead_id": None,
        column: subject,
        "status": status,
        "source": rng.choice(["manual", "segment", "import"]),
        "targeted_at": targeted,
        "created_by": actor,
        "updated_by": actor,
        # every row the same keys (one executemany)
        **{f"{step}_at": None for step in STATUSES if step != "targeted"},
        "registration_status": None,
        "session_id": None,
    }
    reached = FUNNEL[: FUNNEL.index(status) + 1] if status in FUNNEL else ("targeted", "sent")
    at = targeted
    for step in reached[1:]:
        at = min(at + timedelta(hours=rng.randint(1, 72)), today)
        row[f"{step}_at"] = at
    if status not in FUNNEL:
        row[f"{status}_at"] = min(at + timedelta(hours=rng.randint(1, 48)), today)
    return row


def _registered(
    rng: random.Random,
    key: str,
    member: dict[str, Any],
    sessions: list[dict[str, Any]],
    person: tuple[str, str | None, str | None],
) -> dict[str, Any]:
    """Members of the event who registered (or went further) hold a seat in one of its sessions,
    with the form's answers and a check-in code (every member carries the keys)."""
    if key != "event" or member["status"] not in ("registered", "attended", "responded", "converted"):
        return {"registration": {}, "checkin_code": None, "registration_at": None}
    name, email, company = person
    language = "zh-CN" if rng.random() < 0.8 else "en"
    consents = {}
    if email and rng.random() < 0.7:
        consents["email_updates"] = REGISTRATION_FORM["consents"][0]["text"][language]
    return {
        "registration_status": "registered",
        "session_id": rng.choice(sessions)["id"],
        "registration": {
            "name": name,
            "email": email,
            "phone": None,
            "company": company,
            "answers": {"company_size": rng.choice(COMPANY_SIZES)},
            "consents": consents,
            "language": language,
            "address": "demo",
        },
        "checkin_code": new_checkin_code(),
        "registration_at": member["registered_at"],
    }
