"""A small random tenant for the report builder's tests, kept twice: as rows in PostgreSQL and as
plain Python records (each field's value, and what the data ranges read: owner, department, the
region narrowing reads, the customer's owner and department for tickets).

`build(engine, factory, seed)` makes a sales world (tests/builders.py) and inserts customers,
contacts, leads, deals, activities, tickets and campaign members with values from small pools,
a tenth of each deleted, and many instants within a minute of local midnight in the tenant's zone
(Asia/Shanghai), so a bucket computed in UTC would put them on the wrong day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain, bucket_start
from app.domain.shared.ids import new_id
from app.repositories.tables import (
    activities,
    campaign_members,
    campaigns,
    contacts,
    customers,
    leads,
    opportunities,
    pipeline_stages,
    pipelines,
    regions,
    tickets,
)
from tests.builders import Factory, World

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LEVELS = ["A", "B", "", None]
STATUSES = ["prospect", "active", "inactive", "lost"]
SOURCES = ["web_form", "event", "referral", "other"]
KINDS = ["call", "visit", "meeting", "task"]
PRIORITIES = ["low", "normal", "high", "urgent"]
MEMBER_STATUSES = ["targeted", "sent", "opened", "registered", "attended"]
SELLERS = ["director", "east_manager", "east_rep1", "east_rep2", "west_manager", "west_rep1"]


@dataclass
class Rec:
    id: UUID
    values: dict[str, Any]
    owner: UUID | None = None
    department: UUID | None = None
    region: UUID | None = None  # what region narrowing reads (the record's, or its customer's row)
    customer_owner: UUID | None = None  # tickets: the live customer's owner and department
    customer_department: UUID | None = None
    campaign: UUID | None = None  # campaign members
    person: Rec | None = None  # campaign members: the contact or lead
    person_kind: str | None = None
    deleted: bool = False


@dataclass
class Data:
    world: World
    regions: list[UUID]
    records: dict[str, list[Rec]] = field(default_factory=dict)
    stages: dict[str, UUID] = field(default_factory=dict)

    def live(self, entity: str) -> list[Rec]:
        return [r for r in self.records[entity] if not r.deleted]


def instant(rng: random.Random) -> datetime:
    """An instant of the last two years; a third of them within 30 s of a local midnight."""
    if rng.random() < 0.35:
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        midnight = datetime.combine(day, time(), ZONE)
        return (midnight + timedelta(seconds=rng.choice([-30, 30]))).astimezone(UTC)
    return NOW - timedelta(seconds=rng.randrange(700 * 86400))


def local_bucket(value: datetime | date | None, grain: Grain) -> date | None:
    if value is None:
        return None
    day = value.astimezone(ZONE).date() if isinstance(value, datetime) else value
    return bucket_start(day, grain)


def money(rng: random.Random) -> Decimal:
    return (Decimal(rng.randrange(1, 10**7)) / 100).quantize(Decimal("0.01"))


def avg(values: list[Any]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(Decimal(v) for v in values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


async def build(engine: AsyncEngine, factory: Factory, seed: int) -> Data:
    rng = random.Random(seed)
    w = await factory.sales_world()
    t = w.id
    sellers = [(w.users[u].id, w.users[u].department_id) for u in SELLERS]
    agent, marketer = w.users["agent1"], w.users["marketer"]
    data = Data(w, [new_id(), new_id()])
    recs = data.records
    async with engine.begin() as conn:
        await conn.execute(
            regions.insert(),
            [{"tenant_id": t, "id": r, "code": f"r{i}", "name": f"Region {i}"} for i, r in enumerate(data.regions)],
        )
        # Customers.
        recs["customers"] = []
        rows: list[dict[str, Any]] = []
        for i in range(36):
            owner, dept = rng.choice(sellers)
            created = instant(rng)
            row = {
                "tenant_id": t, "id": new_id(), "name": f"Customer {i}", "level": rng.choice(LEVELS),
                "status": rng.choice(STATUSES), "region_id": rng.choice([*data.regions, None]), "owner_id": owner,
                "department_id": dept, "created_at": created, "deleted_at": NOW if i % 10 == 9 else None,
            }  # fmt: skip
            rows.append(row)
            values = {"level": row["level"], "status": row["status"], "region": row["region_id"], "owner": owner,
                      "department": dept, "created_at": created}  # fmt: skip
            recs["customers"].append(Rec(row["id"], values, owner, dept, row["region_id"], deleted=i % 10 == 9))
        await conn.execute(customers.insert(), rows)
        by_id = {c.id: c for c in recs["customers"]}

        def customer_of(rec_values: dict[str, Any], customer: Rec | None) -> None:
            """A record's customer fields as the condition language reads them (a deleted customer: none)."""
            live = customer if customer is not None and not customer.deleted else None
            rec_values["customer"] = customer.id if customer else None
            rec_values["customer.level"] = live.values["level"] if live else None
            rec_values["region"] = live.values["region"] if live else None

        # A pipeline with open, won and lost stages.
        pipeline = new_id()
        await conn.execute(pipelines.insert().values(tenant_id=t, id=pipeline, name="P", position=1))
        for position, kind in enumerate(("open", "won", "lost"), start=1):
            data.stages[kind] = new_id()
            await conn.execute(
                pipeline_stages.insert().values(
                    tenant_id=t, id=data.stages[kind], pipeline_id=pipeline, name=kind.title(), position=position,
                    probability=50, kind=kind,
                )
            )  # fmt: skip
        # Deals.
        recs["deals"] = []
        rows = []
        for i in range(60):
            owner, dept = rng.choice(sellers)
            customer = rng.choice(recs["customers"])
            kind = rng.choice(["open", "open", "won", "lost"])
            created = instant(rng)
            row = {
                "tenant_id": t, "id": new_id(), "name": f"Deal {i}", "customer_id": customer.id, "amount": money(rng),
                "currency": rng.choice(["CNY", "CNY", "USD"]), "pipeline_id": pipeline, "stage_id": data.stages[kind],
                "probability": rng.randrange(0, 101, 5), "forecast_category": "pipeline", "owner_id": owner,
                "department_id": dept, "created_at": created, "deleted_at": NOW if i % 10 == 9 else None,
            }  # fmt: skip
            rows.append(row)
            values = {"amount": row["amount"], "currency": row["currency"], "probability": row["probability"],
                      "status": kind, "stage": row["stage_id"], "owner": owner, "department": dept,
                      "created_at": created}  # fmt: skip
            customer_of(values, customer)
            recs["deals"].append(Rec(row["id"], values, owner, dept, customer.values["region"], deleted=i % 10 == 9))
        await conn.execute(opportunities.insert(), rows)
        # Activities.
        recs["activities"] = []
        rows = []
        for i in range(50):
            owner, dept = rng.choice(sellers)
            customer = rng.choice([*recs["customers"], None])
            occurred = instant(rng)
            row = {
                "tenant_id": t, "id": new_id(), "kind": rng.choice(KINDS), "subject": "s", "occurred_at": occurred,
                "status": rng.choice(["done", "planned"]), "duration_minutes": rng.choice([None, 5, 30, 45, 90]),
                "customer_id": customer.id if customer else None, "owner_id": owner, "department_id": dept,
                "deleted_at": NOW if i % 10 == 9 else None,
            }  # fmt: skip
            rows.append(row)
            values = {"kind": row["kind"], "status": row["status"], "duration_minutes": row["duration_minutes"],
                      "occurred_at": occurred, "owner": owner, "department": dept}  # fmt: skip
            customer_of(values, customer)
            region = customer.values["region"] if customer else None
            recs["activities"].append(Rec(row["id"], values, owner, dept, region, deleted=i % 10 == 9))
        await conn.execute(activities.insert(), rows)
        # Tickets: served by the agent (or nobody) in Service; the customer's owner follows them.
        recs["tickets"] = []
        for i in range(40):
            customer = rng.choice([*recs["customers"], None])
            owner = rng.choice([agent.id, None])
            created = instant(rng)
            row = {
                "tenant_id": t, "id": new_id(), "number": f"T{i + 1:06d}", "kind": "service_request",
                "channel": "phone", "priority": rng.choice(PRIORITIES), "status": rng.choice(["new", "open", "closed"]),
                "subject": "s", "customer_id": customer.id if customer else None, "owner_id": owner,
                "department_id": agent.department_id, "created_at": created,
                "reopen_count": rng.randrange(3), "deleted_at": NOW if i % 10 == 9 else None,
            }  # fmt: skip
            await conn.execute(tickets.insert().values(**row))
            values = {"priority": row["priority"], "reopen_count": row["reopen_count"], "created_at": created,
                      "owner": owner, "department": agent.department_id}  # fmt: skip
            customer_of(values, customer)
            live = customer if customer is not None and not customer.deleted else None
            recs["tickets"].append(
                Rec(row["id"], values, owner, agent.department_id, customer.values["region"] if customer else None,
                    live.owner if live else None, live.department if live else None, deleted=i % 10 == 9)
            )  # fmt: skip
        # Leads.
        recs["leads"] = []
        rows = []
        for i in range(40):
            owner, dept = rng.choice(sellers)
            created = instant(rng)
            row = {
                "tenant_id": t, "id": new_id(), "name": f"Lead {i}", "status": "new", "source": rng.choice(SOURCES),
                "score": rng.randrange(100), "region_id": rng.choice([*data.regions, None]), "owner_id": owner,
                "department_id": dept, "created_at": created, "deleted_at": NOW if i % 10 == 9 else None,
            }  # fmt: skip
            rows.append(row)
            values = {"source": row["source"], "score": row["score"], "region": row["region_id"], "owner": owner,
                      "department": dept, "created_at": created}  # fmt: skip
            recs["leads"].append(Rec(row["id"], values, owner, dept, row["region_id"], deleted=i % 10 == 9))
        await conn.execute(leads.insert(), rows)
        # Contacts.
        recs["contacts"] = []
        rows = []
        for i in range(40):
            owner, dept = rng.choice(sellers)
            customer = rng.choice([*recs["customers"], None])
            created = instant(rng)
            row = {
                "tenant_id": t, "id": new_id(), "name": f"Contact {i}",
                "customer_id": customer.id if customer else None, "owner_id": owner, "department_id": dept,
                "created_at": created, "deleted_at": NOW if i % 10 == 9 else None,
            }  # fmt: skip
            rows.append(row)
            values = {"owner": owner, "department": dept, "created_at": created}
            customer_of(values, customer)
            region = customer.values["region"] if customer else None
            recs["contacts"].append(Rec(row["id"], values, owner, dept, region, deleted=i % 10 == 9))
        await conn.execute(contacts.insert(), rows)
        # Campaigns and their members (contacts and leads, each at most once per campaign).
        camp_ids = [new_id(), new_id()]
        await conn.execute(
            campaigns.insert(),
            [{"tenant_id": t, "id": c, "name": f"Campaign {i}", "campaign_type": "event", "owner_id": marketer.id,
              "department_id": marketer.department_id} for i, c in enumerate(camp_ids)],
        )  # fmt: skip
        recs["campaign_members"] = []
        rows = []
        for campaign in camp_ids:
            people = [("contact", p) for p in recs["contacts"]] + [("lead", p) for p in recs["leads"]]
            for kind, person in rng.sample(people, 25):
                created = instant(rng)
                row = {
                    "tenant_id": t, "id": new_id(), "campaign_id": campaign, "status": rng.choice(MEMBER_STATUSES),
                    "contact_id": person.id if kind == "contact" else None,
                    "lead_id": person.id if kind == "lead" else None, "created_at": created,
                    "deleted_at": NOW if rng.random() < 0.1 else None,
                }  # fmt: skip
                rows.append(row)
                values = {"campaign": campaign, "status": row["status"], "created_at": created}
                recs["campaign_members"].append(
                    Rec(row["id"], values, campaign=campaign, person=person, person_kind=kind,
                        deleted=row["deleted_at"] is not None)
                )  # fmt: skip
        await conn.execute(campaign_members.insert(), rows)
    assert by_id
    return data
