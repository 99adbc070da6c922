"""The demo tenant's pipelines and deals: "New business" and "Renewals", about 1,500
opportunities of the demo customers (owned as their customers are) in every stage, with line
items, close dates around today and a stage history that walked them there; and sales targets
for every seller and team, by quarter for this year and by month for this quarter.

Its own seeded generator, like app/seed_leads.py, so a demo from an earlier release gets the same
rows when app/seed.py adds them."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.opportunities.entities import line_total
from app.domain.shared.ids import new_id
from app.repositories.opportunities import derived as deal_derived
from app.repositories.tables import (
    contacts,
    customers,
    departments,
    opportunities,
    opportunity_line_items,
    opportunity_stage_history,
    pipeline_stages,
    pipelines,
    sales_targets,
    users,
)

SEED = 20261201
DEALS = 1500
PIPELINES: list[tuple[str, list[tuple[str, int, str, list[str], int | None]]]] = [
    (
        "New business",
        [
            ("Qualify 初步接触", 10, "open", [], 30),
            ("Needs analysis 需求分析", 25, "open", [], 30),
            ("Proposal 方案报价", 50, "open", ["amount"], 21),
            ("Negotiation 商务谈判", 75, "open", ["amount", "expected_close_date"], 14),
            ("Won 赢单", 100, "won", [], None),
            ("Lost 丢单", 0, "lost", [], None),
        ],
    ),
    (
        "Renewals",
        [
            ("Renewal due 待续约", 60, "open", [], 45),
            ("Renewal quoted 已报价", 85, "open", ["amount"], 21),
            ("Renewed 已续约", 100, "won", [], None),
            ("Churned 流失", 0, "lost", [], None),
        ],
    ),
]
PRODUCTS = [
    ("CRM Cloud seat 年度席位", Decimal("1200.00")),
    ("Service Desk seat 客服席位", Decimal("900.00")),
    ("Marketing Suite 营销套件", Decimal("30000.00")),
    ("Implementation 实施服务", Decimal("15000.00")),
    ("Training day 培训", Decimal("4000.00")),
]
LOST_REASONS = ["price", "competitor", "no decision", "timing", "价格偏高", "选择了竞品"]
WON_REASONS = ["product fit", "price", "relationship", "服务响应快", "功能满足需求"]
COMPETITORS = ["Salesforce", "HubSpot", "纷享销客", "销售易", "Zoho"]
SELLERS = [
    f"{login}@demo.example.com" for login in ("east.rep1", "east.rep2", "west.rep1", "east.manager", "west.manager")
]
TEAMS = ["Sales East", "Sales West"]
NEXT_STEPS = ["Send proposal", "Demo with IT", "安排高层拜访", "确认预算", "Security review", None, None]


async def seed_demo_sales(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> int:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    stage_sets: list[tuple[UUID, list[dict[str, Any]]]] = []
    for position, (name, spec) in enumerate(PIPELINES):
        pipeline_id = new_id()
        await conn.execute(
            pipelines.insert().values(tenant_id=tenant_id, id=pipeline_id, name=name, position=(position + 1) * 10)
        )
        rows = [
            {"tenant_id": tenant_id, "id": new_id(), "pipeline_id": pipeline_id, "name": stage,
             "position": (i + 1) * 10, "probability": probability, "kind": kind, "required_fields": required,
             "rotting_days": rotting}
            for i, (stage, probability, kind, required, rotting) in enumerate(spec)
        ]  # fmt: skip
        await conn.execute(pipeline_stages.insert(), rows)
        stage_sets.append((pipeline_id, rows))
    book = (
        await conn.execute(
            sa.select(
                customers.c.id,
                customers.c.name,
                customers.c.owner_id,
                customers.c.department_id,
                sa.func.min(contacts.c.id.cast(sa.Text)),
            )
            .outerjoin(
                contacts, (contacts.c.tenant_id == customers.c.tenant_id) & (contacts.c.customer_id == customers.c.id)
            )
            .where(customers.c.tenant_id == tenant_id, customers.c.deleted_at.is_(None))
            .group_by(customers.c.tenant_id, customers.c.id)
            .order_by(customers.c.id)
        )
    ).all()
    deals: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for _ in range(DEALS):
        renewal = rng.random() < 0.25
        pipeline_id, stages = stage_sets[1 if renewal else 0]
        customer = rng.choice(book)
        index = rng.choices(range(len(stages)), [30, 22, 18, 12, 10, 8] if not renewal else [40, 25, 25, 10])[0]
        stage = stages[index]
        created = today - timedelta(seconds=round(rng.uniform(5 * 86400, 300 * 86400)))
        # The walk: every open stage before the current one, then the current one.
        path = [s for s in stages[:index] if s["kind"] == "open"] + [stage]
        moments = sorted(
            created + timedelta(seconds=round(rng.uniform(0, (today - created).total_seconds()))) for _ in path[1:]
        )
        entered = [created, *moments]
        lines: list[dict[str, Any]] = []
        if rng.random() < 0.4:
            for position, (product, price) in enumerate(rng.sample(PRODUCTS, rng.randint(1, 3))):
                quantity = Decimal(rng.choice([1, 2, 5, 10, 20, 50]))
                discount = Decimal(rng.choice([0, 0, 5, 10, 15]))
                lines.append({"product_name": product, "quantity": quantity, "unit_price": price,
                              "discount_percent": discount, "position": position})  # fmt: skip
        amount = (
            sum((line_total(li["quantity"], li["unit_price"], li["discount_percent"]) for li in lines), Decimal(0))
            if lines
            else Decimal(rng.choice([8, 15, 30, 50, 80, 120, 200, 500])) * 1000
        )
        closed = stage["kind"] != "open"
        close_date = (today + timedelta(days=rng.randint(-120, 150))).date()
        product = "续约" if renewal else rng.choice(["CRM", "客服系统", "Marketing", "Analytics", "实施"])
        name = f"{customer.name} - {product}"
        deal_id = new_id()
        values = {"name": name, "next_step": None if closed else rng.choice(NEXT_STEPS)}
        deals.append(
            {
                "tenant_id": tenant_id, "id": deal_id, **values, "customer_id": customer.id,
                "primary_contact_id": UUID(customer[4]) if customer[4] else None,
                "amount": amount, "currency": "CNY", "expected_close_date": close_date,
                "pipeline_id": pipeline_id, "stage_id": stage["id"], "probability": stage["probability"],
                "forecast_category": {"won": "closed", "lost": "omitted"}.get(
                    stage["kind"], rng.choice(["pipeline", "pipeline", "best_case", "commit"])
                ),
                "competitors": sorted(rng.sample(COMPETITORS, rng.choice([0, 0, 1, 2]))),
                "lost_reason": rng.choice(LOST_REASONS) if stage["kind"] == "lost" else None,
                # taken in turn, not drawn: the seed's other draws stay as they were
                "won_reason": WON_REASONS[len(deals) % len(WON_REASONS)] if stage["kind"] == "won" else None,
                "tags": [], "owner_id": customer.owner_id, "department_id": customer.department_id,
                "custom_fields": {}, "stage_entered_at": entered[-1], "closed_at": entered[-1] if closed else None,
                **deal_derived(values), "created_at": created, "updated_at": entered[-1],
                "created_by": customer.owner_id, "updated_by": customer.owner_id, "version": len(path),
            }
        )  # fmt: skip
        items.extend({"tenant_id": tenant_id, "id": new_id(), "opportunity_id": deal_id, **li} for li in lines)
        previous: dict[str, Any] | None = None
        for step, at in zip(path, entered, strict=True):
            spent = int((at - history[-1]["changed_at"]).total_seconds()) if previous else None
            history.append(
                {"tenant_id": tenant_id, "id": new_id(), "opportunity_id": deal_id,
                 "from_stage_id": previous["id"] if previous else None, "to_stage_id": step["id"],
                 "changed_by": customer.owner_id, "changed_at": at, "seconds_in_from_stage": spent}
            )  # fmt: skip
            previous = step
    targets = await _targets(conn, tenant_id, today, rng)
    for table, rows in (
        (opportunities, deals),
        (opportunity_line_items, items),
        (opportunity_stage_history, history),
        (sales_targets, targets),
    ):
        for start in range(0, len(rows), 1000):
            await conn.execute(table.insert(), rows[start : start + 1000])
    return len(deals)


async def _targets(conn: AsyncConnection, tenant_id: UUID, today: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """Each seller's quarters of this year and months of this quarter; each sales team's quarters."""
    sellers = (
        (
            await conn.execute(
                sa.select(users.c.id)
                .where(users.c.tenant_id == tenant_id, users.c.email.in_(SELLERS))
                .order_by(users.c.email)
            )
        )
        .scalars()
        .all()
    )
    teams = (
        (
            await conn.execute(
                sa.select(departments.c.id).where(departments.c.tenant_id == tenant_id, departments.c.name.in_(TEAMS))
            )
        )
        .scalars()
        .all()
    )
    quarter = (today.month - 1) // 3
    rows: list[dict[str, Any]] = []

    def target(subject: dict[str, UUID], kind: str, start: date, amount: int) -> None:
        rows.append({"tenant_id": tenant_id, "id": new_id(), "user_id": None, "department_id": None, **subject,
                     "period_kind": kind, "period_start": start,
                     "amount": Decimal(amount), "won_count": max(1, amount // 100_000)})  # fmt: skip

    for seller in sellers:
        per_quarter = rng.choice([600, 800, 1000, 1200]) * 1000
        for q in range(4):
            target({"user_id": seller}, "quarter", date(today.year, 3 * q + 1, 1), per_quarter)
        for m in range(3):
            target({"user_id": seller}, "month", date(today.year, 3 * quarter + m + 1, 1), per_quarter // 3)
    for team in teams:
        for q in range(4):
            target({"department_id": team}, "quarter", date(today.year, 3 * q + 1, 1), 3_000_000)
    return rows
