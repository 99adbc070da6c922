"""Generated records for the lead, activity and reason analyses' tests, and the same figures
computed directly in Python over them (the scopes included), in the tenant's zone."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain, bucket_start, zone
from app.domain.shared.ids import new_id
from app.repositories.tables import campaigns, customers, leads, opportunities, regions
from tests.api.identity_support import bearer, login
from tests.builders import World

SHANGHAI = zone("Asia/Shanghai")
STAGES = [
    {"name": "Open", "probability": 50},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]
SOURCES = ["web_form", "campaign", "import", "referral", "event", "other"]


def local_now() -> datetime:
    return datetime.now(UTC).astimezone(SHANGHAI)


def local_today() -> date:
    return local_now().date()


@dataclass
class Viewer:
    """Who reads, and which records their range holds (as the roles say), per resource."""

    name: str
    headers: dict[str, str]
    ranges: dict[str, Any]  # resource -> predicate(record) -> bool


@dataclass
class Data:
    world: World
    rng: random.Random
    region_in: UUID = field(default_factory=new_id)
    region_out: UUID = field(default_factory=new_id)
    customers: dict[UUID, UUID | None] = field(default_factory=dict)  # id -> region
    campaigns: dict[UUID, str | None] = field(default_factory=dict)  # id -> channel
    stages: dict[UUID, str] = field(default_factory=dict)  # id -> kind
    pipeline_id: UUID | None = None
    people: list[tuple[UUID, UUID | None]] = field(default_factory=list)  # (owner, department)
    viewers: list[Viewer] = field(default_factory=list)


async def setup(client: httpx.AsyncClient, engine: AsyncEngine, world: World, seed: int) -> Data:
    """Regions, customers in them, campaigns with channels, a pipeline, and the viewers: the
    director (all), a manager (department, a sub-department included), a rep (own), the marketer
    (all leads and deals), and a custom role whose every range is all narrowed to one region."""
    u, d = world.users, world.department_ids
    data = Data(world, random.Random(seed))
    north = await world.department("Sales East North", d["Sales East"])
    north_rep = await world.user("north_rep", ["sales_rep"], north)
    data.people = [(u["east_rep1"].id, d["Sales East"]), (u["east_rep2"].id, d["Sales East"]),
                   (north_rep.id, north), (u["west_rep1"].id, d["Sales West"]),
                   (u["east_manager"].id, d["Sales East"])]  # fmt: skip
    r = await client.post("/api/v1/pipelines", json={"name": "P", "stages": STAGES}, headers=u["director"].headers)
    assert r.status_code == 201, r.text
    data.pipeline_id = UUID(r.json()["id"])
    data.stages = {UUID(s["id"]): s["kind"] for s in r.json()["stages"]}
    tenant = world.id
    async with engine.begin() as conn:
        await conn.execute(
            regions.insert(),
            [{"tenant_id": tenant, "id": data.region_in, "code": "IN", "name": "In"},
             {"tenant_id": tenant, "id": data.region_out, "code": "OUT", "name": "Out"}],
        )  # fmt: skip
        rows = []
        for i in range(10):
            owner, department = data.people[i % len(data.people)]
            region = [data.region_in, data.region_out, None][i % 3]
            cid = new_id()
            data.customers[cid] = region
            rows.append({"tenant_id": tenant, "id": cid, "name": f"LA Co {i}", "owner_id": owner,
                         "department_id": department, "region_id": region})  # fmt: skip
        await conn.execute(customers.insert(), rows)
        for i, channel in enumerate(["email", "wechat", None]):
            cid = new_id()
            data.campaigns[cid] = channel
            await conn.execute(
                campaigns.insert().values(
                    tenant_id=tenant, id=cid, name=f"Campaign {i}", campaign_type="email", channel=channel,
                    owner_id=u["marketer"].id, department_id=d["Marketing"],
                )
            )  # fmt: skip
    role = {
        "name": "Regional",
        "permissions": ["leads:read", "activities:read", "opportunities:read", "forecast:read"],
        "data_ranges": {
            name: {"range": "all", "regions": [str(data.region_in)]}
            for name in ("leads", "activities", "opportunities")
        },
    }
    r = await client.post("/api/v1/roles", json=role, headers=u["admin"].headers)
    assert r.status_code == 201, r.text
    regional = await world.user("regional", [], d["Sales East"])
    r = await client.patch(
        f"/api/v1/users/{regional.id}", json={"role_ids": [r.json()["id"]]}, headers=u["admin"].headers
    )
    assert r.status_code == 200, r.text
    regional_headers = bearer((await login(client, regional.email))["access_token"])
    east = {d["Sales East"], north}

    def region_of(record: dict[str, Any]) -> UUID | None:
        if "region_id" in record:
            return record["region_id"]  # type: ignore[no-any-return]
        return data.customers.get(record.get("customer_id"))  # type: ignore[arg-type]

    everything = {k: (lambda rec: True) for k in ("leads", "activities", "opportunities")}
    data.viewers = [
        Viewer("director", u["director"].headers, everything),
        Viewer(
            "manager", u["east_manager"].headers, {k: (lambda rec: rec["department_id"] in east) for k in everything}
        ),
        Viewer(
            "rep", u["east_rep1"].headers, {k: (lambda rec: rec["owner_id"] == u["east_rep1"].id) for k in everything}
        ),
        Viewer("marketer", u["marketer"].headers, {"leads": everything["leads"], "opportunities": everything["leads"]}),
        Viewer("regional", regional_headers, {k: (lambda rec: region_of(rec) == data.region_in) for k in everything}),
    ]
    return data


def instant_near_midnight(rng: random.Random, day: date) -> datetime:
    """A moment of the local day: at midnight, in its first or last seconds, or anywhere."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    at = rng.choice([midnight, midnight + timedelta(seconds=rng.randint(0, 3)),
                     midnight + timedelta(days=1, seconds=-rng.randint(1, 3)),
                     midnight + timedelta(seconds=rng.randint(0, 86399))])  # fmt: skip
    return at.astimezone(UTC)


def windows() -> list[tuple[date | None, date | None, str | None]]:
    today = local_today()
    return [
        (None, None, None),  # the year to date, by month
        (today - timedelta(days=70), today, "week"),
        (today - timedelta(days=40), today - timedelta(days=1), "day"),
        (today - timedelta(days=120), today + timedelta(days=3), "quarter"),
    ]


def window_bounds(start: date | None, to: date | None) -> tuple[date, date]:
    today = local_today()
    return start or date(today.year, 1, 1), to or today


def local_day(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def money(amounts: dict[str, Decimal]) -> list[dict[str, str]]:
    return [{"currency": c, "amount": str(amounts[c].quantize(Decimal("0.01")))} for c in sorted(amounts)]


def params(start: date | None, to: date | None, grain: str | None, **extra: Any) -> dict[str, Any]:
    out = {"from": start, "to": to, "grain": grain, **extra}
    return {k: str(v) for k, v in out.items() if v is not None}


async def insert_leads_and_deals(engine: AsyncEngine, data: Data, count: int) -> tuple[list[dict], list[dict]]:
    """Leads over the last 130 local days, some converted into deals (won, open or lost, in CNY
    or USD, some deleted), some deleted themselves."""
    rng, tenant = data.rng, data.world.id
    today = local_today()
    lead_rows: list[dict[str, Any]] = []
    deal_rows: list[dict[str, Any]] = []
    stage_of = {kind: sid for sid, kind in data.stages.items()}
    campaign_ids = [*data.campaigns, None]
    for i in range(count):
        owner, department = rng.choice([*data.people, (None, data.people[0][1]), (None, None)])
        created = instant_near_midnight(rng, today - timedelta(days=rng.randint(0, 130)))
        first = rng.choice(campaign_ids)
        row: dict[str, Any] = {
            "tenant_id": tenant, "id": new_id(), "name": f"Lead {i}", "source": rng.choice(SOURCES),
            "campaign_id": first, "last_campaign_id": rng.choice([first, *campaign_ids]),
            "owner_id": owner, "department_id": department,
            "region_id": rng.choice([data.region_in, data.region_out, None]),
            "created_at": created, "status": "new", "deleted_at": None,
            "converted_at": None, "converted_opportunity_id": None,
        }  # fmt: skip
        if rng.random() < 0.45:
            row["status"] = "converted"
            row["converted_at"] = created + timedelta(hours=rng.uniform(0.5, 24 * 40))
            if rng.random() < 0.85:
                kind = rng.choice(["won", "won", "open", "lost"])
                customer = rng.choice(list(data.customers))
                deal_owner, deal_department = (owner, department) if owner else data.people[0]
                deal = {
                    "tenant_id": tenant, "id": new_id(), "name": f"Deal {i}", "customer_id": customer,
                    "amount": Decimal(rng.randint(1, 100000)) / 100, "currency": rng.choice(["CNY", "CNY", "USD"]),
                    "pipeline_id": data.pipeline_id, "stage_id": stage_of[kind], "probability": 50,
                    "forecast_category": "pipeline", "owner_id": deal_owner, "department_id": deal_department,
                    "deleted_at": datetime.now(UTC) if rng.random() < 0.08 else None, "kind": kind,
                }  # fmt: skip
                deal_rows.append(deal)
                row["converted_opportunity_id"] = deal["id"]
        if rng.random() < 0.06:
            row["deleted_at"] = datetime.now(UTC)
        lead_rows.append(row)
    async with engine.begin() as conn:
        if deal_rows:
            await conn.execute(opportunities.insert(), [{k: v for k, v in d.items() if k != "kind"} for d in deal_rows])
        await conn.execute(leads.insert(), lead_rows)
    return lead_rows, deal_rows


def expected_leads(
    data: Data, viewer: Viewer, lead_rows: list[dict], deal_rows: list[dict], window: tuple, by: str, touch: str
) -> dict[str | None, dict[str, Any]]:
    start, to = window_bounds(window[0], window[1])
    grain = window[2] or "month"
    in_leads, in_deals = viewer.ranges["leads"], viewer.ranges.get("opportunities")
    deals = {d["id"]: d for d in deal_rows}
    out: dict[str | None, dict[str, Any]] = {}
    spans: dict[str | None, list[float]] = defaultdict(list)
    for lead in lead_rows:
        day = local_day(lead["created_at"])
        if lead["deleted_at"] is not None or not (start <= day <= to) or not in_leads(lead):
            continue
        campaign = lead["campaign_id"] if touch == "first" else lead["last_campaign_id"]
        key = {
            "source": lead["source"],
            "owner": str(lead["owner_id"]) if lead["owner_id"] else None,
            "campaign": str(campaign) if campaign else None,
            "channel": data.campaigns.get(campaign) if campaign else None,
        }[by]
        figures = out.setdefault(key, {"leads": 0, "converted": 0, "won": defaultdict(Decimal), "won_deals": 0,
                                       "buckets": defaultdict(lambda: [0, 0])})  # fmt: skip
        b = bucket_start(day, Grain(grain))
        figures["leads"] += 1
        figures["buckets"][b][0] += 1
        if lead["converted_at"] is not None:
            figures["converted"] += 1
            figures["buckets"][b][1] += 1
            spans[key].append((lead["converted_at"] - lead["created_at"]).total_seconds() / 86400)
        deal = deals.get(lead["converted_opportunity_id"])
        if deal and deal["kind"] == "won" and deal["deleted_at"] is None and in_deals and in_deals(deal):
            figures["won"][deal["currency"]] += deal["amount"]
            figures["won_deals"] += 1
    for key, figures in out.items():
        figures["avg"] = statistics.fmean(spans[key]) if spans[key] else None
        figures["median"] = statistics.median(spans[key]) if spans[key] else None
    return out
