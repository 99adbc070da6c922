"""Generated deals for the sales analysis tests, kept twice: as rows in PostgreSQL (deals with
their stage history, customers with regions, levels and types, source leads, campaigns and line
items) and as Python records; `expected_*` compute each analysis the direct way over the records.

Times fall at local midnight's edges (00:00:30, 23:59:30 in the tenant's Asia/Shanghai) so a
bucket or window edge in the wrong zone moves a deal to another figure.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain, bucket_start
from app.domain.shared.ids import new_id
from app.repositories.tables import (
    campaigns,
    customers,
    leads,
    opportunities,
    opportunity_line_items,
    opportunity_stage_history,
    pipeline_stages,
    pipelines,
    regions,
)
from tests.builders import World

ZONE = ZoneInfo("Asia/Shanghai")
EDGES = [time(0, 0, 30), time(23, 59, 30), time(12, 34, 56)]
FIRST_DAY = date(2025, 1, 1)
PRODUCTS = ["CRM", "客服系统"]
SOURCES = ["web_form", "event", "referral"]
NONE = "none"


@dataclass
class StageRec:
    id: UUID
    pipeline_id: UUID
    name: str
    position: int
    kind: str


@dataclass
class Move:
    from_stage: UUID | None
    to_stage: UUID
    at: datetime
    seconds: int | None


@dataclass
class Deal:
    id: UUID
    pipeline_id: UUID
    stage: StageRec
    owner_id: UUID
    department_id: UUID | None
    customer: dict[str, Any]
    created_at: datetime
    closed_at: datetime | None
    amount: Decimal
    currency: str
    source: str
    campaign: str
    products: set[str]
    moves: list[Move] = field(default_factory=list)
    deleted: bool = False

    @property
    def status(self) -> str:
        return self.stage.kind

    def key(self, by: str) -> list[str]:
        c = self.customer
        return {
            "owner": [str(self.owner_id)],
            "department": [str(self.department_id) if self.department_id else NONE],
            "pipeline": [str(self.pipeline_id)],
            "source": [self.source],
            "campaign": [self.campaign],
            "region": [str(c["region_id"]) if c["region_id"] else NONE],
            "customer_level": [c["level"] or NONE],
            "customer_type": [c["customer_type"] or NONE],
            "product_line": sorted(self.products) or [NONE],
        }[by]


@dataclass
class Data:
    world: World
    stages: dict[UUID, list[StageRec]]  # pipeline -> stages by position
    deals: list[Deal]
    regions: list[UUID]
    pipelines: list[UUID]

    def live(self) -> list[Deal]:
        return [d for d in self.deals if not d.deleted]


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)


def _later(rng: random.Random, after: datetime) -> datetime:
    day = after.astimezone(ZONE).date() + timedelta(days=rng.randint(0, 40))
    at = local(day, rng.choice(EDGES))
    while at <= after:
        day += timedelta(days=1)
        at = local(day, rng.choice(EDGES))
    return at


async def build(engine: AsyncEngine, world: World, seed: int, count: int = 140) -> Data:
    rng = random.Random(seed)
    t = world.id
    u = world.users
    owners = [(u[k].id, u[k].department_id) for k in ("east_rep1", "east_rep2", "west_rep1", "east_manager")]
    region_ids = [new_id(), new_id()]
    stages: dict[UUID, list[StageRec]] = {}
    shapes = {
        "Main": [("Qualify", "open"), ("Proposal", "open"), ("Negotiate", "open"), ("Won", "won"), ("Lost", "lost")],
        "Renewals": [("Open", "open"), ("Won", "won"), ("Lost", "lost")],
    }
    async with engine.begin() as conn:
        await conn.execute(
            regions.insert(),
            [{"tenant_id": t, "id": r, "code": f"r{i}", "name": f"Region {i}"} for i, r in enumerate(region_ids)],
        )
        for position, (name, shape) in enumerate(shapes.items()):
            pid = new_id()
            await conn.execute(pipelines.insert().values(tenant_id=t, id=pid, name=name, position=position))
            stages[pid] = [StageRec(new_id(), pid, s, i + 1, kind) for i, (s, kind) in enumerate(shape)]
            await conn.execute(
                pipeline_stages.insert(),
                [
                    {"tenant_id": t, "id": s.id, "pipeline_id": pid, "name": s.name, "position": s.position,
                     "probability": 50, "kind": s.kind}
                    for s in stages[pid]
                ],
            )  # fmt: skip
        owner0, dept0 = owners[0]
        cust = [
            {
                "tenant_id": t, "id": new_id(), "name": f"Co {i}", "owner_id": owner0, "department_id": dept0,
                "region_id": rng.choice([*region_ids, None]), "level": rng.choice(["A", "B", None]),
                "customer_type": rng.choice(["smb", "enterprise", None]),
            }
            for i in range(12)
        ]  # fmt: skip
        await conn.execute(customers.insert(), cust)
        lead_rows = [{"tenant_id": t, "id": new_id(), "name": f"L{i}", "source": s} for i, s in enumerate(SOURCES)]
        await conn.execute(leads.insert(), lead_rows)
        camp_ids = [new_id(), new_id()]
        await conn.execute(
            campaigns.insert(),
            [
                {"tenant_id": t, "id": c, "name": f"Campaign {i}", "campaign_type": "event", "owner_id": owner0,
                 "department_id": dept0}
                for i, c in enumerate(camp_ids)
            ],
        )  # fmt: skip
        deals: list[Deal] = []
        rows, history, items = [], [], []
        for _ in range(count):
            pid = rng.choice(list(stages))
            chain = stages[pid]
            opens = [s for s in chain if s.kind == "open"]
            owner, dept = rng.choice(owners)
            created = local(FIRST_DAY + timedelta(days=rng.randint(0, 700)), rng.choice(EDGES))
            at = opens[0] if rng.random() < 0.8 else rng.choice(opens)
            moves = [Move(None, at.id, created, None)]
            entered = created
            for _ in range(rng.randint(0, 3)):
                nxt = rng.choice(opens)
                if nxt.id == at.id:
                    continue
                when = _later(rng, entered)
                moves.append(Move(at.id, nxt.id, when, int((when - entered).total_seconds())))
                at, entered = nxt, when
            ending = rng.choices(["open", "won", "lost"], [35, 35, 30])[0]
            closed = None
            if ending != "open":
                final = next(s for s in chain if s.kind == ending)
                when = _later(rng, entered)
                moves.append(Move(at.id, final.id, when, int((when - entered).total_seconds())))
                at, entered, closed = final, when, when
            lead = rng.choice([*lead_rows, None])
            camp = rng.choice([*camp_ids, None])
            lead_id = lead["id"] if lead else None
            customer = rng.choice(cust)
            products = [rng.choice(PRODUCTS) for _ in range(rng.randint(0, 2))]
            deal = Deal(
                new_id(), pid, at, owner, dept, customer, created, closed,
                Decimal(rng.choice(["1000", "2500.50", "99.99", "40000"])), rng.choice(["CNY", "CNY", "USD"]),
                lead["source"] if lead else NONE, str(camp) if camp else NONE, set(products), moves,
                deleted=rng.random() < 0.05,
            )  # fmt: skip
            deals.append(deal)
            rows.append(
                {
                    "tenant_id": t, "id": deal.id, "name": "Deal", "customer_id": customer["id"],
                    "amount": deal.amount, "currency": deal.currency, "pipeline_id": pid, "stage_id": at.id,
                    "probability": 50, "forecast_category": "pipeline", "owner_id": owner, "department_id": dept,
                    "source_lead_id": lead_id, "campaign_id": camp, "created_at": created,
                    "stage_entered_at": entered, "closed_at": closed,
                    "deleted_at": created if deal.deleted else None,
                }
            )  # fmt: skip
            history += [
                {"tenant_id": t, "id": new_id(), "opportunity_id": deal.id, "from_stage_id": m.from_stage,
                 "to_stage_id": m.to_stage, "changed_at": m.at, "seconds_in_from_stage": m.seconds}
                for m in moves
            ]  # fmt: skip
            items += [
                {"tenant_id": t, "id": new_id(), "opportunity_id": deal.id, "position": i, "product_name": p,
                 "quantity": 1, "unit_price": 1}
                for i, p in enumerate(products)
            ]  # fmt: skip
        await conn.execute(opportunities.insert(), rows)
        await conn.execute(opportunity_stage_history.insert(), history)
        if items:
            await conn.execute(opportunity_line_items.insert(), items)
    return Data(world, stages, deals, region_ids, list(stages))


# -- the direct computations --------------------------------------------------------------------


def money(sums: dict[str, Decimal]) -> list[dict[str, str]]:
    return [{"currency": c, "amount": str(sums[c].quantize(Decimal("0.01")))} for c in sorted(sums)]


def furthest(deal: Deal, chain: list[StageRec]) -> int | None:
    by_id = {s.id: s for s in chain}
    seen = [by_id[m.to_stage].position for m in deal.moves if m.to_stage in by_id and by_id[m.to_stage].kind != "lost"]
    return max(seen, default=None)


def cohort(deals: list[Deal], pipeline: UUID, lo: datetime, hi: datetime) -> list[Deal]:
    return [d for d in deals if d.pipeline_id == pipeline and lo <= d.created_at < hi]


def expected_funnel(deals: list[Deal], chain: list[StageRec], lo: datetime, hi: datetime) -> dict[str, Any]:
    group = cohort(deals, chain[0].pipeline_id, lo, hi)
    far = {d.id: furthest(d, chain) for d in group}
    steps = [s for s in chain if s.kind != "lost"]
    reached = [sum(1 for d in group if (far[d.id] or 0) >= s.position) for s in steps]
    rows = []
    for i, s in enumerate(steps):
        stopped = [d for d in group if far[d.id] == s.position]
        last = i == len(steps) - 1
        rows.append(
            {
                "reached": reached[i],
                "conversion": None if last else (round(reached[i + 1] / reached[i], 4) if reached[i] else None),
                "drop_off": None if last else reached[i] - reached[i + 1],
                **{k: sum(1 for d in stopped if d.status == k) for k in ("open", "won", "lost")},
            }
        )
    statuses = {k: sum(1 for d in group if d.status == k) for k in ("open", "won", "lost")}
    return {"deals": len(group), **statuses, "stages": rows}


def expected_performance(
    deals: list[Deal], by: str, lo: datetime, hi: datetime, pipeline: UUID | None = None
) -> dict[str, dict[str, Any]]:
    chosen = [d for d in deals if pipeline is None or d.pipeline_id == pipeline]
    closed = [d for d in chosen if d.status in ("won", "lost") and d.closed_at and lo <= d.closed_at < hi]
    opened = [d for d in chosen if d.status == "open"]
    keys = {k for d in closed + opened for k in d.key(by)}
    out = {}
    for key in keys:
        mine = [d for d in closed if key in d.key(by)]
        won = [d for d in mine if d.status == "won"]
        lost = [d for d in mine if d.status == "lost"]
        still = [d for d in opened if key in d.key(by)]
        cycles = [(d.closed_at - d.created_at).total_seconds() / 86400 for d in won if d.closed_at]
        won_sums: dict[str, Decimal] = {}
        won_n: dict[str, int] = {}
        for d in won:
            won_sums[d.currency] = won_sums.get(d.currency, Decimal(0)) + d.amount
            won_n[d.currency] = won_n.get(d.currency, 0) + 1
        open_sums: dict[str, Decimal] = {}
        open_n: dict[str, int] = {}
        for d in still:
            open_sums[d.currency] = open_sums.get(d.currency, Decimal(0)) + d.amount
            open_n[d.currency] = open_n.get(d.currency, 0) + 1
        rate = round(len(won) / len(mine), 4) if mine else None
        average = {c: won_sums[c] / won_n[c] for c in won_sums}
        cycle = statistics.fmean(cycles) if cycles else None
        velocity = {}
        if rate and cycle:
            for c, n in open_n.items():
                if c in average:
                    velocity[c] = n * Decimal(str(rate)) * average[c] / Decimal(str(cycle))
        out[key] = {
            "closed": len(mine),
            "won": len(won),
            "lost": len(lost),
            "win_rate": rate,
            "won_amount": money(won_sums),
            "average_won_amount": money(average),
            "cycle_average": cycle,
            "cycle_median": statistics.median(cycles) if cycles else None,
            "open": len(still),
            "open_amount": money(open_sums),
            "velocity_per_day": money(velocity),
        }
    return out


def expected_stage_times(
    deals: list[Deal], chain: list[StageRec], lo: datetime, hi: datetime
) -> dict[tuple[UUID, str | None], dict[str, Any]]:
    group = cohort(deals, chain[0].pipeline_id, lo, hi)
    out: dict[tuple[UUID, str | None], dict[str, Any]] = {}
    for s in chain:
        if s.kind != "open":
            continue
        for owner in [None, *sorted({str(d.owner_id) for d in group})]:
            stays = [
                (d.id, m.seconds / 86400)
                for d in group
                if owner is None or str(d.owner_id) == owner
                for m in d.moves
                if m.from_stage == s.id and m.seconds is not None
            ]
            if not stays and owner is not None:
                continue
            lengths = [x for _, x in stays]
            out[(s.id, owner)] = {
                "deals": len({i for i, _ in stays}),
                "stays": len(stays),
                "average": statistics.fmean(lengths) if lengths else None,
                "median": statistics.median(lengths) if lengths else None,
            }
    return out


def expected_revenue(
    deals: list[Deal], by: str, grain: Grain, lo: datetime, hi: datetime
) -> dict[tuple[str | None, date], dict[str, Any]]:
    """(key or None for the total, bucket) -> won deals and amounts."""
    out: dict[tuple[str | None, date], dict[str, Any]] = {}
    for d in deals:
        if d.status != "won" or d.closed_at is None or not lo <= d.closed_at < hi:
            continue
        b = bucket_start(d.closed_at.astimezone(ZONE).date(), grain)
        for key in (None, *d.key(by)):
            cell = out.setdefault((key, b), {"won": 0, "sums": {}})
            cell["won"] += 1
            cell["sums"][d.currency] = cell["sums"].get(d.currency, Decimal(0)) + d.amount
    return {k: {"won": v["won"], "amount": money(v["sums"])} for k, v in out.items()}
