"""The demo tenant's leads: scoring rules, two lead custom fields and about 3,000 leads in every
status (the converted ones linked to a customer and contact of their owner's book), scored by
the domain's own rules so that each explains itself; and how new leads arrive: a public web form
with a known key (the README posts to it) and the assignment rules that route what comes in.

Its own seeded generator, so the rows are the same whether they arrive with a fresh demo or are
added to a demo seeded by an earlier release (app/seed.py calls this when the tenant has none).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app import seed_data as v
from app.domain.leads.scoring import ScoringRule, score
from app.domain.shared.ids import new_id
from app.repositories.leads import derived as lead_derived
from app.repositories.tables import (
    contacts,
    custom_field_defs,
    customers,
    departments,
    lead_assignment_rules,
    lead_forms,
    lead_scoring_rules,
    leads,
    regions,
    users,
)

SEED = 20261130
LEADS = 3000
DOMAIN = "demo.example.com"
# Who works leads (relative weights); the rest wait unassigned in Sales' queue.
LEAD_OWNERS = {"east.rep1": 28, "east.rep2": 24, "west.rep1": 26, "east.manager": 6, "west.manager": 6}
UNASSIGNED = 0.06
SOURCES = ["web_form", "campaign", "import", "referral", "event", "other"]
SOURCE_WEIGHTS = [30, 20, 12, 14, 16, 8]
STATUSES = ["new", "contacted", "qualified", "unqualified", "converted"]
STATUS_WEIGHTS = [32, 26, 16, 14, 12]
UNQUALIFIED_REASONS = ["no budget", "no need", "competitor chosen", "not reachable", "预算不足", "暂无需求"]
INTERESTS = ["CRM Cloud", "Service Desk", "Marketing Suite", "Analytics", "Implementation"]
RULES = [
    ("推荐来源 / Referral", "source", "equals", "referral", 20),
    ("展会 / Event", "source", "equals", "event", 10),
    ("有电话 / Has a phone", "phone", "present", None, 5),
    ("经理 / Manager (zh)", "title", "contains", "经理", 10),
    ("Manager (en)", "title", "contains", "manager", 10),
    ("Director", "title", "contains", "director", 15),
    ("总监 / Director (zh)", "title", "contains", "总监", 15),
    ("Hot", "rating", "equals", "hot", 15),
    ("Budget given", "custom.budget", "present", None, 10),
]
# The demo's public form: a known key, so that the README's example can post to it.
FORM_KEY = "lf_demo-website"
FORM = {"name": "官网联系表单 / Website contact form", "fields": ["name", "company", "title", "phone", "email",
        "description"], "tags": ["website"]}  # fmt: skip
# name, region code, source, min score, department (by name) or user (by login), method.
# What no rule takes waits in Sales' unassigned queue.
ASSIGNMENT_RULES = [
    ("海外 / Overseas -> Sales West in turn", "overseas", None, None, "Sales West", "round_robin"),
    ("推荐 / Referrals -> the least busy of Sales East", None, "referral", None, "Sales East", "least_open"),
    ("高分 / Score 30+ -> the East manager", None, None, 30, "east.manager", "round_robin"),
    ("官网表单 / Web forms -> Sales East in turn", None, "web_form", None, "Sales East", "round_robin"),
]
CUSTOM_FIELDS = [
    ("budget", "Budget", "number", []),
    ("product_interest", "Product interest", "select", INTERESTS),
]


async def seed_demo_leads(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> int:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    logins = {
        row.email.split("@", 1)[0]: (row.id, row.department_id)
        for row in await conn.execute(
            sa.select(users.c.email, users.c.id, users.c.department_id).where(users.c.tenant_id == tenant_id)
        )
    }
    region_ids = dict(
        (await conn.execute(sa.select(regions.c.code, regions.c.id).where(regions.c.tenant_id == tenant_id))).all()
    )
    sales = logins["director"][1]  # the Sales department: where the unassigned queue lives
    books = await _books(conn, tenant_id, {logins[login][0] for login in LEAD_OWNERS})

    rules = [
        ScoringRule(new_id(), label, field, op, value, points, True, today, today, 1)
        for label, field, op, value, points in RULES
    ]
    await conn.execute(
        lead_scoring_rules.insert(),
        [
            {
                "tenant_id": tenant_id,
                "id": r.id,
                "label": r.label,
                "field": r.field,
                "op": r.op,
                "value": r.value,
                "points": r.points,
                "created_at": today,
                "updated_at": today,
            }
            for r in rules
        ],
    )
    await conn.execute(
        custom_field_defs.insert(),
        [
            {
                "tenant_id": tenant_id,
                "id": new_id(),
                "entity": "lead",
                "key": key,
                "label": label,
                "type": type_,
                "options": options,
                "position": 100 + position,
            }
            for position, (key, label, type_, options) in enumerate(CUSTOM_FIELDS)
        ],
    )
    rows = [_lead(rng, tenant_id, today, logins, region_ids, sales, books, rules) for _ in range(LEADS)]
    for start in range(0, len(rows), 1000):
        await conn.execute(leads.insert(), rows[start : start + 1000])
    return len(rows)


async def _books(conn: AsyncConnection, tenant_id: UUID, owners: set[UUID]) -> dict[UUID, list[tuple[UUID, UUID]]]:
    """Per owner, (customer, contact) pairs a converted lead can point at."""
    pairs = await conn.execute(
        sa.select(customers.c.owner_id, customers.c.id, sa.func.min(contacts.c.id.cast(sa.Text)))
        .join(contacts, (contacts.c.tenant_id == customers.c.tenant_id) & (contacts.c.customer_id == customers.c.id))
        .where(customers.c.tenant_id == tenant_id, customers.c.owner_id.in_(owners), customers.c.deleted_at.is_(None))
        .group_by(customers.c.owner_id, customers.c.id)
        .order_by(customers.c.id)
    )
    books: dict[UUID, list[tuple[UUID, UUID]]] = {}
    for owner_id, customer_id, contact_id in pairs:
        books.setdefault(owner_id, []).append((customer_id, UUID(contact_id)))
    return books


def _lead(
    rng: random.Random,
    tenant_id: UUID,
    today: datetime,
    logins: dict[str, tuple[UUID, UUID | None]],
    region_ids: dict[str, UUID],
    sales: UUID | None,
    books: dict[UUID, list[tuple[UUID, UUID]]],
    rules: list[ScoringRule],
) -> dict[str, Any]:
    zh = rng.random() < 0.65
    if zh:
        (s, sp), (g, gp) = rng.choice(v.ZH_SURNAMES), rng.choice(v.ZH_GIVEN)
        name, local = s + g, f"{sp}.{gp}"
        city, _, region = rng.choice(v.CITIES)
        (brand, brand_py), (trade, trade_py, _) = rng.choice(v.ZH_BRANDS), rng.choice(v.ZH_TRADES)
        company = f"{city}{brand}{trade}{rng.choice(v.ZH_COMPANY_SUFFIXES)}"
        domain = f"{brand_py}-{trade_py}.example.cn"
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        title = rng.choice(v.ZH_TITLES)
    else:
        first, last = rng.choice(v.EN_FIRST), rng.choice(v.EN_LAST)
        name, local = f"{first} {last}", f"{first}.{last}".lower()
        brand, (trade, _) = rng.choice(v.EN_BRANDS), rng.choice(v.EN_TRADES)
        company = f"{brand} {trade} {rng.choice(v.EN_COMPANY_SUFFIXES)}"
        domain = f"{brand.lower().replace(' ', '')}-{trade.lower()}.example.com"
        region = "overseas" if rng.random() < 0.6 else rng.choice(["east", "north", "south"])
        phone = f"+1 {rng.randrange(200, 999)}-555-{rng.randrange(10**4):04d}"
        title = rng.choice(v.EN_TITLES)
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    unassigned = status in ("new", "unqualified") and rng.random() < UNASSIGNED * 3
    owner_id, department_id = (None, sales) if unassigned else logins[_pick(rng, LEAD_OWNERS)]
    custom: dict[str, Any] = {}
    if rng.random() < 0.4:
        custom["budget"] = rng.choice([20_000, 50_000, 80_000, 150_000, 300_000, 1_000_000])
    if rng.random() < 0.6:
        custom["product_interest"] = rng.choice(INTERESTS)
    values: dict[str, Any] = {
        "name": name,
        "company": company if rng.random() < 0.9 else None,
        "title": title if rng.random() < 0.8 else None,
        "phone": phone if rng.random() < 0.85 else None,
        "email": f"{local}{rng.randrange(1000)}@{domain}" if rng.random() < 0.8 else None,
        "source": rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
        "rating": rng.choice(["hot", "warm", "warm", "cold", "cold", None]),
        "tags": sorted(rng.sample(["expo-2026", "webinar", "newsletter", "partner-referral"], rng.choice([0, 0, 1]))),
        "custom_fields": custom,
    }
    total, reasons = score(rules, values)
    created = today - timedelta(seconds=round(rng.uniform(3600, 200 * 86400)))
    updated = min(today, created + timedelta(days=rng.uniform(0, 30)))
    converted: dict[str, Any] = {"converted_customer_id": None, "converted_contact_id": None, "converted_at": None}
    book = books.get(owner_id) if owner_id else None
    if status == "converted" and book:
        customer_id, contact_id = rng.choice(book)
        converted = {"converted_customer_id": customer_id, "converted_contact_id": contact_id, "converted_at": updated}
    elif status == "converted":
        status = "qualified"
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        **values,
        "status": status,
        "unqualified_reason": rng.choice(UNQUALIFIED_REASONS) if status == "unqualified" else None,
        "score": total,
        "score_reasons": [{**reason, "rule_id": str(reason["rule_id"])} for reason in reasons],
        "region_id": region_ids.get(region),
        "owner_id": owner_id,
        "department_id": department_id,
        "description": None,
        **converted,
        **lead_derived(values),
        "created_at": created,
        "updated_at": updated,
        "created_by": owner_id,
        "updated_by": owner_id,
        "version": 1,
    }


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


async def seed_demo_lead_intake(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> bool:
    """The public form and the lead assignment rules, each unless the tenant has some already.
    Returns whether anything was written."""
    t = tenant_id
    wrote = False
    if not await _any(conn, lead_forms, t):
        form = {"tenant_id": t, "id": new_id(), "form_key": FORM_KEY, "created_at": today, "updated_at": today}
        await conn.execute(lead_forms.insert().values(**form, **FORM))
        wrote = True
    if not await _any(conn, lead_assignment_rules, t):
        people = await _names(conn, sa.select(users.c.email, users.c.id).where(users.c.tenant_id == t))
        teams = await _names(conn, sa.select(departments.c.name, departments.c.id).where(departments.c.tenant_id == t))
        codes = await _names(conn, sa.select(regions.c.code, regions.c.id).where(regions.c.tenant_id == t))
        rows = [
            {"tenant_id": t, "id": new_id(), "name": name, "position": (position + 1) * 10, "active": True,
             "region_id": codes[region] if region else None, "source": source, "min_score": min_score,
             "user_id": people.get(f"{target}@{DOMAIN}"), "department_id": teams.get(target), "method": method,
             "created_at": today, "updated_at": today}
            for position, (name, region, source, min_score, target, method) in enumerate(ASSIGNMENT_RULES)
        ]  # fmt: skip
        await conn.execute(lead_assignment_rules.insert(), rows)
        wrote = True
    return wrote


async def _any(conn: AsyncConnection, table: sa.Table, tenant_id: UUID) -> bool:
    return (
        await conn.execute(sa.select(table.c.id).where(table.c.tenant_id == tenant_id).limit(1))
    ).first() is not None


async def _names(conn: AsyncConnection, query: sa.Select[Any]) -> dict[Any, UUID]:
    return {name: row_id for name, row_id in await conn.execute(query)}
