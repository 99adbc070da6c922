"""Generated records for the customer analysis tests, and the analysis' definition in Python.

`CustomerData.build` writes customers (several owners, departments, regions, statuses; created near
local midnight in Asia/Shanghai too), deals in a pipeline with won and lost stages, quotes and
orders (some cancelled), activities (done and planned), complaints and other tickets, and CSAT
responses, straight in SQL; `churn` changes them at random. `snapshot` reads the live source rows
back and `definition` computes from them what `customer_metrics` must hold (migration 0038) — so
the tests compare the rollup with its definition after any changes.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.customers import ChurnFacts, churn_score, quintile, segment_of
from app.domain.shared.ids import new_id
from app.repositories.tables import (
    activities,
    customers,
    opportunities,
    orders,
    pipeline_stages,
    pipelines,
    quotes,
    regions,
    survey_responses,
    surveys,
    tickets,
)
from tests.builders import World

NOW = datetime.now(UTC).replace(microsecond=0)
STATUSES = ["prospect", "active", "active", "inactive", "lost"]
SELLERS = ["east_rep1", "east_rep2", "east_manager", "west_rep1", "west_manager", "director"]


@dataclass
class CustomerData:
    world: World
    rng: random.Random
    regions: list[UUID] = field(default_factory=list)
    customers: list[UUID] = field(default_factory=list)
    deals: list[UUID] = field(default_factory=list)
    orders: list[UUID] = field(default_factory=list)
    activities: list[UUID] = field(default_factory=list)
    tickets: list[UUID] = field(default_factory=list)
    stages: dict[str, UUID] = field(default_factory=dict)
    survey: UUID | None = None
    made: int = 0

    def owner(self) -> tuple[UUID, UUID | None]:
        u = self.world.users[self.rng.choice(SELLERS)]
        return u.id, u.department_id

    def at(self, days: int = 420) -> datetime:
        """A past instant; a third of them within seconds of local midnight (16:00 UTC)."""
        r = self.rng
        base = NOW - timedelta(days=r.randint(0, days))
        if r.random() < 0.35:
            midnight = base.replace(hour=16, minute=0, second=0) + timedelta(seconds=r.choice([-2, -1, 0, 1, 2]))
            base = midnight if midnight < NOW else midnight - timedelta(days=1)
        else:
            base -= timedelta(seconds=r.randint(0, 86399))
        return min(base, NOW - timedelta(seconds=5))

    @classmethod
    async def build(cls, engine: AsyncEngine, world: World, seed: int, n_customers: int = 40) -> CustomerData:
        data = cls(world, random.Random(seed))
        t = world.id
        async with engine.begin() as conn:
            data.regions = [new_id(), new_id()]
            await conn.execute(
                regions.insert(),
                [{"tenant_id": t, "id": g, "code": f"g{i}", "name": f"G{i}"} for i, g in enumerate(data.regions)],
            )
            pipeline = new_id()
            await conn.execute(pipelines.insert().values(tenant_id=t, id=pipeline, name="P", position=1))
            for i, kind in enumerate(("open", "won", "lost")):
                data.stages[kind] = new_id()
                await conn.execute(
                    pipeline_stages.insert().values(
                        tenant_id=t, id=data.stages[kind], pipeline_id=pipeline, name=kind, position=i,
                        probability=50, kind=kind,
                    )
                )  # fmt: skip
            data.pipeline = pipeline
            await conn.execute(customers.insert(), [data.customer() for _ in range(n_customers)])
            await conn.execute(opportunities.insert(), [data.deal() for _ in range(n_customers * 2)])
            for _ in range(n_customers):
                quote, order = data.order()
                await conn.execute(quotes.insert().values(**quote))
                await conn.execute(orders.insert().values(**order))
            await conn.execute(activities.insert(), [data.activity() for _ in range(n_customers * 3)])
            await conn.execute(tickets.insert(), [data.ticket() for _ in range(n_customers)])
            data.survey = new_id()
            await conn.execute(
                surveys.insert().values(
                    tenant_id=t, id=data.survey, name="CSAT",
                    questions=[{"id": "n1", "type": "nps", "text": "?"}, {"id": "r1", "type": "rating", "text": "?"},
                               {"id": "r2", "type": "rating", "text": "?"}],
                )
            )  # fmt: skip
            await conn.execute(survey_responses.insert(), [data.response() for _ in range(n_customers)])
        return data

    pipeline: UUID = field(default_factory=new_id)

    def customer(self) -> dict[str, Any]:
        r = self.rng
        owner, dept = self.owner()
        self.customers.append(new_id())
        return {
            "tenant_id": self.world.id, "id": self.customers[-1], "name": f"C{len(self.customers)}",
            "status": r.choice(STATUSES), "region_id": r.choice([*self.regions, None]), "owner_id": owner,
            "department_id": dept, "created_at": self.at(), "customer_type": r.choice(["smb", "enterprise"]),
        }  # fmt: skip

    def deal(self) -> dict[str, Any]:
        r = self.rng
        owner, dept = self.owner()
        kind = r.choice(["open", "won", "won", "lost"])
        self.deals.append(new_id())
        return {
            "tenant_id": self.world.id, "id": self.deals[-1], "name": "D", "customer_id": r.choice(self.customers),
            "amount": Decimal(r.randint(1, 500) * 100), "currency": r.choice(["CNY", "CNY", "CNY", "USD"]),
            "pipeline_id": self.pipeline, "stage_id": self.stages[kind], "probability": 50,
            "forecast_category": "pipeline", "owner_id": owner, "department_id": dept,
            "closed_at": self.at() if kind != "open" and r.random() < 0.9 else None,
            "stage_entered_at": self.at(), "deleted_at": NOW if r.random() < 0.08 else None,
        }  # fmt: skip

    def order(self) -> tuple[dict[str, Any], dict[str, Any]]:
        r = self.rng
        owner, _ = self.owner()
        deal = r.choice(self.deals)
        quote_id, order_id = new_id(), new_id()
        self.made += 1
        self.orders.append(order_id)
        customer = r.choice(self.customers)
        currency = r.choice(["CNY", "USD"])
        total = Decimal(r.randint(1, 900) * 10)
        quote = {
            "tenant_id": self.world.id, "id": quote_id, "number": f"Q{self.made}", "opportunity_id": deal,
            "customer_id": customer, "currency": currency, "total": total, "items": [], "owner_id": owner,
        }  # fmt: skip
        order = {
            "tenant_id": self.world.id, "id": order_id, "number": f"O{self.made}", "quote_id": quote_id,
            "opportunity_id": deal, "customer_id": customer, "currency": currency, "total": total, "items": [],
            "owner_id": owner, "status": r.choice(["confirmed", "fulfilled", "cancelled"]),
            "created_at": self.at(200), "deleted_at": NOW if r.random() < 0.08 else None,
        }  # fmt: skip
        return quote, order

    def activity(self) -> dict[str, Any]:
        r = self.rng
        owner, dept = self.owner()
        self.activities.append(new_id())
        return {
            "tenant_id": self.world.id, "id": self.activities[-1], "kind": "call", "subject": "s",
            "occurred_at": self.at(300), "customer_id": r.choice([*self.customers, None]),
            "status": r.choice(["done", "done", "planned", "cancelled"]), "owner_id": owner, "department_id": dept,
            "deleted_at": NOW if r.random() < 0.08 else None,
        }  # fmt: skip

    def ticket(self) -> dict[str, Any]:
        r = self.rng
        self.made += 1
        self.tickets.append(new_id())
        return {
            "tenant_id": self.world.id, "id": self.tickets[-1], "number": f"T{self.made:06d}",
            "kind": r.choice(["complaint", "complaint", "inquiry"]), "channel": "email", "priority": "normal",
            "status": r.choice(["new", "open", "pending", "resolved", "closed"]), "subject": "s",
            "customer_id": r.choice([*self.customers, None]), "created_at": self.at(200),
            "deleted_at": NOW if r.random() < 0.08 else None,
        }  # fmt: skip

    def response(self) -> dict[str, Any]:
        r = self.rng
        answers: dict[str, Any] = {"n1": r.randint(0, 10)}
        if r.random() < 0.8:
            answers["r1"] = r.randint(1, 5)
        if r.random() < 0.5:
            answers["r2"] = r.randint(1, 5)  # a second rating question: not the CSAT score
        return {
            "tenant_id": self.world.id, "id": new_id(), "survey_id": self.survey, "channel": "link",
            "answers": answers, "answered_at": self.at(300), "customer_id": r.choice(self.customers),
            "deleted_at": NOW if r.random() < 0.08 else None,
        }  # fmt: skip

    async def churn(self, engine: AsyncEngine, rounds: int) -> None:
        """Inserts, stage moves, cancellations, deletions, status changes, in many statements."""
        r, t = self.rng, self.world.id
        for _ in range(rounds):
            async with engine.begin() as conn:
                step = r.randrange(10)
                if step == 0:
                    await conn.execute(opportunities.insert(), [self.deal() for _ in range(r.randint(1, 4))])
                elif step == 1:
                    some = r.sample(self.deals, k=4)
                    stage = self.stages[r.choice(["open", "won", "lost"])]
                    await conn.execute(
                        opportunities.update()
                        .where(opportunities.c.tenant_id == t, opportunities.c.id.in_(some))
                        .values(stage_id=stage, closed_at=self.at(100))
                    )
                elif step == 2:
                    some = r.sample(self.orders, k=3)
                    await conn.execute(
                        orders.update()
                        .where(orders.c.tenant_id == t, orders.c.id.in_(some))
                        .values(status=r.choice(["cancelled", "confirmed"]))
                    )
                elif step == 3:
                    await conn.execute(activities.insert(), [self.activity() for _ in range(r.randint(1, 6))])
                elif step == 4:
                    some = r.sample(self.activities, k=5)
                    await conn.execute(
                        activities.update()
                        .where(activities.c.tenant_id == t, activities.c.id.in_(some))
                        .values(status=r.choice(["done", "planned"]), customer_id=r.choice(self.customers))
                    )
                elif step == 5:
                    some = r.sample(self.tickets, k=4)
                    await conn.execute(
                        tickets.update()
                        .where(tickets.c.tenant_id == t, tickets.c.id.in_(some))
                        .values(status=r.choice(["open", "closed"]))
                    )
                elif step == 6:
                    await conn.execute(survey_responses.insert(), [self.response() for _ in range(2)])
                elif step == 7:
                    some = r.sample(self.customers, k=3)
                    await conn.execute(
                        customers.update()
                        .where(customers.c.tenant_id == t, customers.c.id.in_(some))
                        .values(status=r.choice(STATUSES))
                    )
                elif step == 9:
                    # A reassignment: the customers move between departments (the segment counts' key).
                    owner, department = self.owner()
                    await conn.execute(
                        customers.update()
                        .where(customers.c.tenant_id == t, customers.c.id.in_(r.sample(self.customers, k=2)))
                        .values(owner_id=owner, department_id=department)
                    )
                else:
                    table = r.choice([opportunities, orders, activities, customers])
                    pool = {opportunities: self.deals, orders: self.orders, activities: self.activities,
                            customers: self.customers}[table]  # fmt: skip
                    await conn.execute(
                        table.update()
                        .where(table.c.tenant_id == t, table.c.id == r.choice(pool))
                        .values(deleted_at=r.choice([NOW, None]))
                    )


# -- the definition, in Python ------------------------------------------------------------------------


async def snapshot(engine: AsyncEngine, tenant_id: UUID) -> dict[str, list[Any]]:
    """The tenant's source rows (live and deleted) as they are now."""
    out: dict[str, list[Any]] = {}
    async with engine.connect() as conn:
        for name, table in (("customers", customers), ("deals", opportunities), ("orders", orders),
                            ("activities", activities), ("tickets", tickets), ("responses", survey_responses),
                            ("stages", pipeline_stages), ("surveys", surveys)):  # fmt: skip
            out[name] = list((await conn.execute(sa.select(table).where(table.c.tenant_id == tenant_id))).all())
    return out


def purchases(snap: dict[str, list[Any]]) -> list[tuple[UUID, datetime, str, Decimal]]:
    """(customer, at, currency, amount) of each purchase: live orders not cancelled, live won deals
    without such an order."""
    won = {s.id for s in snap["stages"] if s.kind == "won"}
    ordered = {o.opportunity_id for o in snap["orders"] if o.deleted_at is None and o.status != "cancelled"}
    out = [(o.customer_id, o.created_at, o.currency, o.total) for o in snap["orders"]
           if o.deleted_at is None and o.status != "cancelled"]  # fmt: skip
    out += [(d.customer_id, d.closed_at or d.stage_entered_at, d.currency, d.amount) for d in snap["deals"]
            if d.deleted_at is None and d.stage_id in won and d.id not in ordered]  # fmt: skip
    return out


def definition(snap: dict[str, list[Any]], now: datetime) -> dict[UUID, dict[str, Any]]:
    """customer_metrics' base columns per live customer, as of `now`."""
    live = {c.id: c for c in snap["customers"] if c.deleted_at is None}
    bought: dict[UUID, list[tuple[datetime, str, Decimal]]] = defaultdict(list)
    for customer, at, currency, amount in purchases(snap):
        bought[customer].append((at, currency, amount))
    last_act: dict[UUID, datetime] = {}
    for a in snap["activities"]:
        if a.deleted_at is None and a.status == "done" and a.customer_id is not None:
            last_act[a.customer_id] = max(last_act.get(a.customer_id, a.occurred_at), a.occurred_at)
    complaints: dict[UUID, int] = defaultdict(int)
    for k in snap["tickets"]:
        if k.deleted_at is None and k.kind == "complaint" and k.status in ("new", "open", "pending") and k.customer_id:
            complaints[k.customer_id] += 1
    rating_of = {}
    for s in snap["surveys"]:
        ratings = [q["id"] for q in s.questions if q.get("type") == "rating"]
        rating_of[s.id] = ratings[0] if ratings else None
    csat: dict[UUID, tuple[datetime, UUID, int]] = {}
    for resp in snap["responses"]:
        q = rating_of.get(resp.survey_id)
        value = resp.answers.get(q) if q else None
        if resp.deleted_at is not None or resp.customer_id is None or not isinstance(value, int):
            continue
        key = (resp.answered_at, resp.id, value)
        if resp.customer_id not in csat or key[:2] > csat[resp.customer_id][:2]:
            csat[resp.customer_id] = key
    out: dict[UUID, dict[str, Any]] = {}
    for cid, c in live.items():
        mine = bought.get(cid, [])
        latest = max(mine, key=lambda p: (p[0], [-ord(ch) for ch in p[1]])) if mine else None
        currency = latest[1] if latest else None
        year = [p for p in mine if p[0] > now - timedelta(days=365)]
        out[cid] = {
            "department_id": c.department_id,
            "status": c.status,
            "last_purchase_at": latest[0] if latest else None,
            "purchases_365d": len(year),
            "orders_90d": sum(1 for p in mine if p[0] > now - timedelta(days=90)),
            "orders_prev_90d": sum(1 for p in mine if now - timedelta(days=180) < p[0] <= now - timedelta(days=90)),
            "currency": currency,
            "monetary_365d": sum((p[2] for p in year if p[1] == currency), Decimal(0)) if mine else None,
            "last_activity_at": last_act.get(cid),
            "open_complaints": complaints.get(cid, 0),
            "latest_csat": csat[cid][2] if cid in csat else None,
        }
    return out


def values(snap: dict[str, list[Any]]) -> dict[tuple[UUID, str], tuple[Decimal, int]]:
    live = {c.id for c in snap["customers"] if c.deleted_at is None}
    out: dict[tuple[UUID, str], tuple[Decimal, int]] = {}
    for customer, _, currency, amount in purchases(snap):
        if customer in live:
            value, n = out.get((customer, currency), (Decimal(0), 0))
            out[(customer, currency)] = (value + amount, n + 1)
    return out


def scores(base: dict[UUID, dict[str, Any]], now: datetime) -> dict[UUID, dict[str, Any]]:
    """R, F, M, segment and churn score per customer (quintiles of rank, ties sharing the lower)."""
    scored = {cid: m for cid, m in base.items() if m["last_purchase_at"] is not None}

    def ranked(key: str, among: list[UUID]) -> dict[UUID, int]:
        vals = sorted(scored[c][key] for c in among)
        return {c: quintile(1 + _count_below(vals, scored[c][key]), len(vals)) for c in among}

    r = ranked("last_purchase_at", list(scored))
    f = ranked("purchases_365d", list(scored))
    m: dict[UUID, int] = {}
    by_currency: dict[str, list[UUID]] = defaultdict(list)
    for cid, row in scored.items():
        by_currency[row["currency"]].append(cid)
    for group in by_currency.values():
        m |= ranked("monetary_365d", group)
    out = {}
    for cid, row in base.items():
        facts = ChurnFacts(
            row["status"], row["last_activity_at"], row["last_purchase_at"], row["open_complaints"],
            row["latest_csat"], row["orders_90d"], row["orders_prev_90d"],
        )  # fmt: skip
        out[cid] = {
            "recency_score": r.get(cid),
            "frequency_score": f.get(cid),
            "monetary_score": m.get(cid),
            "rfm_segment": segment_of(r.get(cid), f.get(cid)),
            "churn_score": churn_score(facts, now),
        }
    return out


def placed(value: Any, bounds: list[Any] | None) -> int:
    """The score of `value` against a full ranking's boundaries (the lowest values that scored
    2..5): the highest score whose boundary it reaches, 1 below them all (migration 0044)."""
    return 1 + max((i for i, b in enumerate(bounds or [], 1) if b is not None and b <= value), default=0)


def placed_scores(
    base: dict[UUID, dict[str, Any]],
    r_bounds: list[Any] | None,
    f_bounds: list[Any] | None,
    m_bounds: dict[str, list[Any]],
    now: datetime,
) -> dict[UUID, dict[str, Any]]:
    """R, F, M, segment and churn score per customer as placed against stored boundaries."""
    out = {}
    for cid, row in base.items():
        r = f = m = None
        if row["last_purchase_at"] is not None:
            r = placed(row["last_purchase_at"], r_bounds)
            f = placed(row["purchases_365d"], f_bounds)
            m = placed(row["monetary_365d"], m_bounds.get(row["currency"]))
        facts = ChurnFacts(
            row["status"], row["last_activity_at"], row["last_purchase_at"], row["open_complaints"],
            row["latest_csat"], row["orders_90d"], row["orders_prev_90d"],
        )  # fmt: skip
        out[cid] = {"recency_score": r, "frequency_score": f, "monetary_score": m, "rfm_segment": segment_of(r, f),
                    "churn_score": churn_score(facts, now)}  # fmt: skip
    return out


def _count_below(sorted_values: list[Any], value: Any) -> int:
    import bisect

    return bisect.bisect_left(sorted_values, value)
