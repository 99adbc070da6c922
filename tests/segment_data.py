"""A small random tenant for the filter compiler's tests, kept twice: as rows in PostgreSQL and as
plain Python records, with `holds(leaf, record)` evaluating a condition the direct way. The
compiler's result over the rows must equal the Python result over the records, for every operator.

`build(engine, factory, seed)` inserts customers, contacts, leads, activities, deals, tickets,
CSAT responses, campaign members, consents and suppressions with values drawn from small pools
(so conditions match some records and not others), and returns the Python side.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.customers import SEGMENTS
from app.domain.shared.conditions import (
    CUSTOM_PREFIX,
    Campaign,
    Kind,
    Leaf,
    Op,
    statuses_at_least,
)
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import email_key, phone_key
from app.repositories.tables import (
    activities,
    campaign_members,
    campaigns,
    contacts,
    custom_field_defs,
    customer_metrics,
    customers,
    leads,
    marketing_consents,
    marketing_suppressions,
    opportunities,
    pipeline_stages,
    pipelines,
    regions,
    survey_responses,
    surveys,
    tickets,
)
from tests.builders import Factory, World

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
NAMES = ["Alice Wang", "alice", "Bob O'Brien", "张伟", "王芳", "50%_off", "Zoë", "'; DROP TABLE contacts; --"]
TITLES = ["CEO", "Engineer", "采购经理", None]
TAGS = ["vip", "newsletter", "decision-maker", "partner"]
LEVELS = ["A", "B", "C", None]
INDUSTRIES = ["IT", "Retail", "制造业", None]
TYPES = ["smb", "enterprise", None]
CUSTOMER_STATUSES = ["prospect", "active", "inactive"]
LEAD_STATUSES = ["new", "contacted", "qualified", "unqualified"]
LEAD_SOURCES = ["web_form", "event", "referral", "other"]
RATINGS = ["hot", "warm", "cold", None]
MAILS = ["a@x.com", "B@Example.org", "zhang@公司.cn", "sales@acme.io", "ops@acme.io"]
PHONES = ["+86 138-0013-8000", "13900139000", "010-1234567", "+1 415 555 0100"]
WECHAT = ["wx_alice", "wx_bob", "张三微信", ""]
INTERESTS = ["golf", "tea", "ai"]
TIERS = ["gold", "silver"]
MEMBER_STATUSES = ["targeted", "sent", "opened", "clicked", "registered", "attended", "bounced", "unsubscribed"]


@dataclass
class Rec:
    """One contact or lead as Python sees it: the value of each declared field."""

    id: UUID
    kind: str
    values: dict[str, Any] = field(default_factory=dict)
    owner_id: UUID | None = None
    department_id: UUID | None = None
    region_id: UUID | None = None  # the contact's customer's, the lead's own (for narrowing)
    deleted: bool = False


@dataclass
class Data:
    world: World
    users: list[Any]
    departments: list[UUID]
    regions: list[UUID]
    stages: list[UUID]
    campaigns: list[UUID]
    records: dict[str, list[Rec]]  # "contacts" / "leads" -> live and deleted records
    customer_defs: dict[str, dict[str, str]]  # entity -> {key: type}

    def live(self, entity: str) -> list[Rec]:
        return [r for r in self.records[entity] if not r.deleted]


def _ts(rng: random.Random, days: int = 400) -> datetime:
    return NOW - timedelta(seconds=rng.randrange(days * 86400))


def _maybe(rng: random.Random, value: Any, p: float = 0.7) -> Any:
    return value if rng.random() < p else None


def _subset(rng: random.Random, pool: list[str], most: int = 2) -> list[str]:
    return rng.sample(pool, rng.randint(0, most))


def _custom(rng: random.Random, entity: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rng.random() < 0.6:
        out["budget"] = rng.choice([0, 5, 12.5, 100, -3])
    if rng.random() < 0.5:
        out["interests"] = _subset(rng, INTERESTS, 3)
    if entity == "contact":
        if rng.random() < 0.6:
            out["wechat"] = rng.choice(WECHAT)
        if rng.random() < 0.5:
            out["since"] = (NOW.date() - timedelta(days=rng.randrange(800))).isoformat()
        if rng.random() < 0.5:
            out["vip"] = rng.random() < 0.5
        if rng.random() < 0.5:
            out["tier"] = rng.choice(TIERS)
    return out


CUSTOM_DEFS = {
    "contact": {
        "budget": "number", "interests": "multiselect", "wechat": "text", "since": "date", "vip": "bool",
        "tier": "select",
    },
    "lead": {"budget": "number", "interests": "multiselect"},
}  # fmt: skip
OPTIONS = {"interests": INTERESTS, "tier": TIERS}


async def build(engine: AsyncEngine, factory: Factory, seed: int, contacts_n: int = 40, leads_n: int = 30) -> Data:
    rng = random.Random(seed)
    w = await factory.tenant()
    east = await w.department("East")
    west = await w.department("West")
    u1 = await w.user("u1", ["sales_rep"], east)
    u2 = await w.user("u2", ["sales_rep"], west)
    u3 = await w.user("u3", ["sales_rep"])
    owners = [(u1.id, east), (u2.id, west), (u3.id, None)]
    t = w.id
    region_ids = [new_id(), new_id()]
    async with engine.begin() as conn:
        await conn.execute(
            regions.insert(),
            [{"tenant_id": t, "id": r, "code": f"r{i}", "name": f"Region {i}"} for i, r in enumerate(region_ids)],
        )
        for entity, defs in CUSTOM_DEFS.items():
            await conn.execute(
                custom_field_defs.insert(),
                [
                    {"tenant_id": t, "id": new_id(), "entity": entity, "key": k, "label": k.title(), "type": ty,
                     "options": OPTIONS.get(k, [])}
                    for k, ty in defs.items()
                ],
            )  # fmt: skip
        # Customers (one deleted: its fields count as missing).
        cust: list[dict[str, Any]] = []
        for i in range(8):
            owner, dept = rng.choice(owners)
            row = {
                "tenant_id": t, "id": new_id(), "name": rng.choice(["Acme", "北京科技有限公司", "Globex", "50% Co"]),
                "level": rng.choice(LEVELS), "industry": rng.choice(INDUSTRIES), "customer_type": rng.choice(TYPES),
                "status": rng.choice(CUSTOMER_STATUSES), "region_id": rng.choice([*region_ids, None]),
                "owner_id": owner, "department_id": dept, "tags": _subset(rng, TAGS),
                "deleted_at": NOW if i == 7 else None,
            }  # fmt: skip
            cust.append(row)
        await conn.execute(customers.insert(), cust)
        live_cust = {c["id"]: c for c in cust if c["deleted_at"] is None}
        # The customer analysis' figures (as the worker keeps them): one live customer without a row.
        await conn.execute(customer_metrics.delete().where(customer_metrics.c.tenant_id == t))
        for c in cust[1:]:
            c["rfm_segment"] = rng.choice([*SEGMENTS[:4], None])
            c["churn_score"] = rng.choice([0, 10, 40, 55, 100])
        await conn.execute(
            customer_metrics.insert(),
            [{"tenant_id": t, "customer_id": c["id"], "rfm_segment": c["rfm_segment"], "churn_score": c["churn_score"]}
             for c in cust[1:]],
        )  # fmt: skip
        cust[0]["rfm_segment"] = cust[0]["churn_score"] = None
        # A pipeline with an open and a won stage; deals of some customers.
        pipeline = new_id()
        await conn.execute(pipelines.insert().values(tenant_id=t, id=pipeline, name="P", position=1))
        stage_open, stage_won = new_id(), new_id()
        await conn.execute(
            pipeline_stages.insert(),
            [
                {"tenant_id": t, "id": stage_open, "pipeline_id": pipeline, "name": "Open", "position": 1,
                 "probability": 20, "kind": "open"},
                {"tenant_id": t, "id": stage_won, "pipeline_id": pipeline, "name": "Won", "position": 2,
                 "probability": 100, "kind": "won"},
            ],
        )  # fmt: skip
        deals: list[dict[str, Any]] = []
        for _ in range(10):
            owner, dept = rng.choice(owners)
            deals.append(
                {"tenant_id": t, "id": new_id(), "name": "Deal", "customer_id": rng.choice(cust)["id"],
                 "currency": "CNY", "pipeline_id": pipeline, "stage_id": rng.choice([stage_open, stage_won]),
                 "probability": 20, "forecast_category": "pipeline", "owner_id": owner, "department_id": dept,
                 "deleted_at": NOW if rng.random() < 0.15 else None}
            )  # fmt: skip
        await conn.execute(opportunities.insert(), deals)
        camp_ids = [new_id(), new_id()]
        await conn.execute(
            campaigns.insert(),
            [
                {"tenant_id": t, "id": c, "name": f"C{i}", "campaign_type": "event", "owner_id": u1.id,
                 "department_id": east}
                for i, c in enumerate(camp_ids)
            ],
        )  # fmt: skip
        survey = new_id()
        await conn.execute(
            surveys.insert().values(
                tenant_id=t, id=survey, name="CSAT",
                questions=[{"id": "c1", "type": "text", "text": "Why?"}, {"id": "r1", "type": "rating", "text": "?"}],
            )
        )  # fmt: skip

        records: dict[str, list[Rec]] = {"contacts": [], "leads": []}
        number = 0
        for entity, n in (("contacts", contacts_n), ("leads", leads_n)):
            subject = "contact_id" if entity == "contacts" else "lead_id"
            for i in range(n):
                rid = new_id()
                owner, dept = rng.choice(owners)
                created = _ts(rng)
                custom = _custom(rng, "contact" if entity == "contacts" else "lead")
                deleted = i == n - 1
                v: dict[str, Any] = {
                    "name": rng.choice(NAMES), "title": rng.choice(TITLES), "tags": _subset(rng, TAGS),
                    "owner": owner, "department": dept, "created_at": created,
                    "updated_at": created + timedelta(days=rng.randrange(30)),
                }  # fmt: skip
                if entity == "contacts":
                    customer = rng.choice([*cust, None])
                    emails = _subset(rng, MAILS)
                    phones = _subset(rng, PHONES)
                    row = {
                        "tenant_id": t, "id": rid, "customer_id": customer["id"] if customer else None,
                        "name": v["name"], "title": v["title"], "tags": v["tags"], "owner_id": owner,
                        "department_id": dept, "created_at": created, "updated_at": v["updated_at"],
                        "emails": emails, "phones": phones,
                        "emails_norm": [k for k in map(email_key, emails) if k],
                        "phones_norm": [k for k in map(phone_key, phones) if k],
                        "birthday": _maybe(rng, date(1970, 1, 1) + timedelta(days=rng.randrange(15000))),
                        "is_primary": rng.random() < 0.3, "custom_fields": custom,
                        "deleted_at": NOW if deleted else None,
                    }  # fmt: skip
                    await conn.execute(contacts.insert().values(**row))
                    live = live_cust.get(customer["id"]) if customer else None
                    v |= {
                        "email": emails, "phone": phones, "customer": row["customer_id"], "birthday": row["birthday"],
                        "is_primary": row["is_primary"], "company": live["name"] if live else None,
                        "region": live["region_id"] if live else None,
                    }  # fmt: skip
                    customer_link = row["customer_id"]
                    # Region narrowing reads the customer row as it is (app/repositories/scoping.py).
                    narrowing_region = customer["region_id"] if customer else None
                else:
                    converted = rng.choice([*cust, None, None])
                    email, phone = _maybe(rng, rng.choice(MAILS)), _maybe(rng, rng.choice(PHONES))
                    row = {
                        "tenant_id": t, "id": rid, "name": v["name"], "title": v["title"], "tags": v["tags"],
                        "owner_id": owner, "department_id": dept, "created_at": created,
                        "updated_at": v["updated_at"],
                        "company": _maybe(rng, rng.choice(["Acme", "Initech", "某公司"])),
                        "email": email, "phone": phone, "email_norm": email_key(email), "phone_norm": phone_key(phone),
                        "status": rng.choice(LEAD_STATUSES), "source": rng.choice(LEAD_SOURCES),
                        "rating": rng.choice(RATINGS), "score": rng.randrange(100),
                        "region_id": rng.choice([*region_ids, None]),
                        "converted_customer_id": converted["id"] if converted else None,
                        "campaign_id": rng.choice([*camp_ids, None]),
                        "converted_at": _maybe(rng, _ts(rng, 100), 0.3),
                        "custom_fields": custom, "deleted_at": NOW if deleted else None,
                    }  # fmt: skip
                    await conn.execute(leads.insert().values(**row))
                    live = live_cust.get(converted["id"]) if converted else None
                    v |= {
                        "email": email, "phone": phone, "company": row["company"], "region": row["region_id"],
                        "status": row["status"], "source": row["source"], "rating": row["rating"],
                        "score": row["score"], "source_campaign": row["campaign_id"],
                        "converted_at": row["converted_at"],
                    }  # fmt: skip
                    customer_link = row["converted_customer_id"]
                    narrowing_region = row["region_id"]
                for name, column in (
                    ("name", "name"), ("level", "level"), ("customer_type", "customer_type"),
                    ("industry", "industry"), ("status", "status"), ("region", "region_id"), ("owner", "owner_id"),
                    ("department", "department_id"), ("tags", "tags"),
                ):  # fmt: skip
                    v[f"customer.{name}"] = live[column] if live else None
                for name in ("rfm_segment", "churn_score"):
                    v[f"customer.{name}"] = live[name] if live else None
                for key, value in custom.items():
                    v[CUSTOM_PREFIX + key] = value
                # Activities: done ones count, planned and deleted ones do not.
                acts = []
                for _ in range(rng.randrange(4)):
                    acts.append(
                        {"tenant_id": t, "id": new_id(), "kind": "call", "subject": "s", "occurred_at": _ts(rng, 200),
                         "status": rng.choice(["done", "done", "planned"]), subject: rid, "owner_id": owner,
                         "department_id": dept, "deleted_at": NOW if rng.random() < 0.1 else None}
                    )  # fmt: skip
                if acts:
                    await conn.execute(activities.insert(), acts)
                done = [a["occurred_at"] for a in acts if a["status"] == "done" and a["deleted_at"] is None]
                v["last_activity_at"] = max(done) if done else None
                live_deals = [d for d in deals if d["customer_id"] == customer_link and d["deleted_at"] is None]
                v["deals.open"] = any(d["stage_id"] == stage_open for d in live_deals)
                v["deals.stage"] = {d["stage_id"] for d in live_deals}
                # Tickets, and CSAT responses about them (a contact's also directly).
                open_ticket, complaints, scores = False, [], []
                for _ in range(rng.randrange(3)):
                    number += 1
                    ticket = {
                        "tenant_id": t, "id": new_id(), "number": f"T{number:06d}",
                        "kind": rng.choice(["complaint", "request"]), "channel": "phone", "priority": "normal",
                        "status": rng.choice(["new", "open", "resolved", "closed"]), "subject": "s",
                        subject: rid, "created_at": _ts(rng, 120),
                        "deleted_at": NOW if rng.random() < 0.1 else None,
                    }  # fmt: skip
                    await conn.execute(tickets.insert().values(**ticket))
                    if ticket["deleted_at"] is None:
                        open_ticket |= ticket["status"] in ("new", "open", "pending")
                        if ticket["kind"] == "complaint":
                            complaints.append(ticket["created_at"])
                    if rng.random() < 0.6:
                        score = rng.randint(1, 5)
                        gone = rng.random() < 0.1
                        links = {"ticket_id": ticket["id"]}
                        if entity == "contacts":
                            links["contact_id"] = rid
                        await conn.execute(
                            survey_responses.insert().values(
                                tenant_id=t, id=new_id(), survey_id=survey, channel="link",
                                answers={"r1": score, "c1": "fine"}, deleted_at=NOW if gone else None, **links,
                            )
                        )  # fmt: skip
                        if not gone:  # a deleted ticket's rating was still given
                            scores.append(score)
                v["tickets.open"] = open_ticket
                v["tickets.last_complaint_at"] = max(complaints) if complaints else None
                v["csat.score"] = scores
                members: dict[UUID, str] = {}
                for c in camp_ids:
                    if rng.random() < 0.4:
                        status = rng.choice(MEMBER_STATUSES)
                        await conn.execute(
                            campaign_members.insert().values(
                                tenant_id=t, id=new_id(), campaign_id=c, status=status, **{subject: rid}
                            )
                        )
                        members[c] = status
                v["campaign"] = members
                for channel in ("email", "sms"):
                    status = rng.choice(["granted", "withdrawn", None])
                    if status:
                        await conn.execute(
                            marketing_consents.insert().values(
                                tenant_id=t, id=new_id(), channel=channel, status=status, source="manual",
                                **{subject: rid},
                            )
                        )  # fmt: skip
                    v[f"consent.{channel}"] = status == "granted"
                records[entity].append(Rec(rid, entity, v, owner, dept, narrowing_region, deleted=deleted))
        # Suppressed addresses: some of the pools' (normalized, as the foundation keys them).
        suppressed = {"email": {email_key(MAILS[1]), email_key(MAILS[3])}, "sms": {phone_key(PHONES[0])}}
        await conn.execute(
            marketing_suppressions.insert(),
            [{"tenant_id": t, "channel": ch, "address": a, "reason": "unsubscribed"} for ch, s in suppressed.items()
             for a in s],
        )  # fmt: skip
        for entity, recs in records.items():
            for r in recs:
                mails, phones = r.values["email"], r.values["phone"]
                mails = mails if isinstance(mails, list) else [mails] if mails else []
                phones = phones if isinstance(phones, list) else [phones] if phones else []
                r.values["suppressed.email"] = any(email_key(m) in suppressed["email"] for m in mails)
                r.values["suppressed.sms"] = any(phone_key(p) in suppressed["sms"] for p in phones)
    return Data(w, [u1, u2, u3], [east, west], region_ids, [stage_open, stage_won], camp_ids, records, CUSTOM_DEFS)


# -- the direct evaluation -------------------------------------------------------------------------

_TEXTS = {"email": email_key, "phone": phone_key}
_RELATIONS = {"deals.open", "deals.stage", "tickets.open", "csat.score", "campaign", "consent.email", "consent.sms",
              "suppressed.email", "suppressed.sms"}  # fmt: skip
_NEGATIVE = {Op.NEQ: Op.EQ, Op.NOT_IN: Op.IN, Op.HAS_NONE: Op.HAS_ANY, Op.NOT_MEMBER: Op.MEMBER}


def _typed(kind: Kind, raw: Any, custom: bool) -> Any:
    """A custom field's stored JSON value as the kind reads it (anything else is missing)."""
    if not custom or raw is None:
        return raw
    if kind is Kind.NUMBER:
        return raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    if kind is Kind.BOOL:
        return raw if isinstance(raw, bool) else None
    if kind is Kind.DATE:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    if kind is Kind.TAGS:
        return raw if isinstance(raw, list) else None
    return raw if isinstance(raw, str) else None


def _since(kind: Kind, days: int) -> Any:
    instant = NOW - timedelta(days=days)
    return instant.date() if kind is Kind.DATE else instant


def _one(kind: Kind, v: Any, op: Op, value: Any) -> bool:
    """A positive operator on one present value."""
    if v is None:
        return False
    if op is Op.EQ:
        return bool(v == value)
    if op is Op.IN:
        return v in value
    if op is Op.GT:
        return bool(v > value)
    if op is Op.GTE:
        return bool(v >= value)
    if op is Op.LT:
        return bool(v < value)
    if op is Op.LTE:
        return bool(v <= value)
    if op is Op.BETWEEN:
        return bool(value[0] <= v <= value[1])
    if op is Op.CONTAINS:
        return value.lower() in v.lower()
    if op is Op.STARTS_WITH:
        return bool(v.lower().startswith(value.lower()))
    if op is Op.WITHIN_LAST_DAYS:
        return bool(v >= _since(kind, value))
    if op is Op.MORE_THAN_DAYS_AGO:
        return bool(v < _since(kind, value))
    if op is Op.HAS_ANY:
        return bool(set(v) & set(value))
    if op is Op.HAS_ALL:
        return set(value) <= set(v)
    raise AssertionError(op)


def holds(leaf: Leaf, rec: Rec) -> bool:
    name, kind, op, value = leaf.field.name, leaf.field.kind, leaf.op, leaf.value
    if op in _NEGATIVE:
        return not holds(Leaf(leaf.field, _NEGATIVE[op], value), rec)
    if op is Op.IS_NULL and value is False:
        return not holds(Leaf(leaf.field, op, True), rec)
    custom = name.startswith(CUSTOM_PREFIX)
    v = _typed(kind, rec.values.get(name), custom)
    if name in _RELATIONS:
        if name == "deals.stage":
            return bool(v & set(value))
        if name == "csat.score":
            return any(_one(kind, s, op, value) for s in v)
        if name == "campaign":
            c: Campaign = value
            return c.campaign_id in v and (c.status is None or v[c.campaign_id] in statuses_at_least(c.status))
        return bool(v) if value else not v  # eq true / eq false
    if name in _TEXTS:
        items = v if isinstance(v, list) else [v] if v else []
        if op is Op.IS_NULL:
            return not items
        if op in (Op.EQ, Op.IN):
            keys = {_TEXTS[name](x) for x in (value if op is Op.IN else (value,))} - {None}
            return any(_TEXTS[name](x) in keys for x in items)
        return any(_one(kind, x, op, value) for x in items)
    if op is Op.IS_NULL:
        if kind is Kind.TAGS:
            return not v
        if kind in (Kind.TEXT, Kind.CHOICE):
            return v is None or v == ""
        return v is None
    return _one(kind, v, op, value)
