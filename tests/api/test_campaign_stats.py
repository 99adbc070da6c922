"""GET /campaigns/{id}/stats and /campaigns/analysis/channels against a direct computation over
randomly generated leads, deals and members, for callers of each data range (own, department,
all); money per currency, cost per lead and ROI; 404 outside the campaigns range, 403 without
campaigns:read; and an event's satisfaction survey sent to its attendees and counted."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa

from app.domain.marketing.funnel import FINAL, FUNNEL, STATUSES
from app.repositories.tables import outbox, survey_invitations
from tests.api.identity_support import bearer, login
from tests.builders import Factory, World
from tests.campaign_builders import insert_campaign, insert_member

STATS = "/api/v1/campaigns/{}/stats"
CHANNELS = "/api/v1/campaigns/analysis/channels"
STAGES = [
    {"name": "Qualify", "probability": 10},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]
TOUCH = {"first_touch": "campaign_id", "last_touch": "last_campaign_id"}


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


@pytest.fixture
async def pipeline(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    body = {"name": "P", "stages": STAGES}
    r = await client.post("/api/v1/pipelines", json=body, headers=world.users["director"].headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def stage(pipeline: dict[str, Any], name: str) -> str:
    return next(s["id"] for s in pipeline["stages"] if s["name"] == name)


async def ok(r: Any) -> dict[str, Any]:
    response = await r
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


# -- the definition ----------------------------------------------------------------------------


def visible(viewer: str, world: World, record: dict[str, Any]) -> bool:
    """The sales_world ranges: a rep their own, a manager their department, the rest all."""
    user = world.users[viewer]
    if viewer.startswith("east_rep"):
        return record["owner_id"] == str(user.id)
    if viewer == "east_manager":
        return record["department_id"] == str(user.department_id)
    return True


def expected(
    world: World,
    viewer: str,
    group: set[UUID],
    campaigns: dict[UUID, dict[str, Any]],
    members: list[dict[str, Any]],
    leads: list[dict[str, Any]],
    deals: list[dict[str, Any]],
    won_stage: str,
) -> dict[str, Any]:
    ids = {str(c) for c in group}
    mine = [m for m in members if m["campaign_id"] in group]
    costs: dict[str, list[Decimal | None]] = {}
    for c in group:
        entry = costs.setdefault(campaigns[c]["currency"], [None, None])
        for i, name in enumerate(("budget", "actual_cost")):
            if campaigns[c][name] is not None:
                entry[i] = (entry[i] or Decimal(0)) + Decimal(campaigns[c][name])
    out: dict[str, Any] = {
        "campaigns": len(group),
        "members": {
            "total": len(mine),
            "by_status": {s: sum(1 for m in mine if m["status"] == s) for s in STATUSES},
            "reached": {s: sum(1 for m in mine if m.get(f"{s}_at") is not None) for s in FUNNEL},
        },
        "registrations": sum(1 for m in mine if m.get("registration_status") == "registered"),
        "waitlisted": sum(1 for m in mine if m.get("registration_status") == "waitlisted"),
        "attended": sum(1 for m in mine if m.get("attended_at") is not None),
        "costs": [
            {
                "currency": cur,
                "budget": str(b) if b is not None else None,
                "actual_cost": str(a) if a is not None else None,
            }
            for cur, (b, a) in sorted(costs.items())
        ],
    }
    seen_leads = [x for x in leads if visible(viewer, world, x)]
    seen_deals = [x for x in deals if visible(viewer, world, x)]
    out["leads"] = {t: sum(1 for x in seen_leads if x[col] in ids) for t, col in TOUCH.items()}
    out["converted_leads"] = {
        t: sum(1 for x in seen_leads if x[col] in ids and x["status"] == "converted") for t, col in TOUCH.items()
    }
    out["deals"] = {t: sum(1 for x in seen_deals if x[col] in ids) for t, col in TOUCH.items()}
    out["won_deals"] = {
        t: sum(1 for x in seen_deals if x[col] in ids and x["stage_id"] == won_stage) for t, col in TOUCH.items()
    }
    won: dict[str, dict[str, Decimal]] = {}
    for t, col in TOUCH.items():
        won[t] = defaultdict(Decimal)
        for x in seen_deals:
            if x[col] in ids and x["stage_id"] == won_stage:
                won[t][x["currency"]] += Decimal(x["amount"])
    out["won"] = {t: [{"currency": c, "amount": str(a)} for c, a in sorted(won[t].items())] for t in TOUCH}
    paid = [(cur, a) for cur, (_, a) in costs.items() if a is not None]
    cost_cur, cost = paid[0] if len(paid) == 1 else (None, None)
    first_leads = out["leads"]["first_touch"]
    out["cost_per_lead"] = (
        {"currency": cost_cur, "amount": str((cost / first_leads).quantize(Decimal("0.01"), ROUND_HALF_UP))}
        if cost is not None and first_leads
        else None
    )
    out["roi"] = {}
    for t in TOUCH:
        if cost is None or cost == 0 or set(won[t]) - {cost_cur}:
            out["roi"][t] = None
        else:
            gain = won[t].get(cost_cur, Decimal(0)) - cost  # type: ignore[arg-type]
            out["roi"][t] = float((gain / cost).quantize(Decimal("0.0001"), ROUND_HALF_UP))
    return out


def figures_of(body: dict[str, Any]) -> dict[str, Any]:
    """The figures of a stats answer, money as exact decimals (the JSON may carry 1000 or 1000.00)."""

    def money(v: Any) -> Any:
        return str(Decimal(v).quantize(Decimal("0.01"))) if v is not None else None

    out = {k: body[k] for k in ("campaigns", "members", "registrations", "waitlisted", "attended", "leads",
                                "converted_leads", "deals", "won_deals", "roi")}  # fmt: skip
    out["costs"] = [{**c, "budget": money(c["budget"]), "actual_cost": money(c["actual_cost"])} for c in body["costs"]]
    out["won"] = {t: [{**w, "amount": money(w["amount"])} for w in body["won"][t]] for t in TOUCH}
    cpl = body["cost_per_lead"]
    out["cost_per_lead"] = {**cpl, "amount": money(cpl["amount"])} if cpl else None
    return out


def normalized(exp: dict[str, Any]) -> dict[str, Any]:
    def money(v: Any) -> Any:
        return str(Decimal(v).quantize(Decimal("0.01"))) if v is not None else None

    exp["costs"] = [{**c, "budget": money(c["budget"]), "actual_cost": money(c["actual_cost"])} for c in exp["costs"]]
    exp["won"] = {t: [{**w, "amount": money(w["amount"])} for w in exp["won"][t]] for t in TOUCH}
    return exp


# -- the randomized comparison -------------------------------------------------------------------


@pytest.mark.parametrize("seed", [7, 2026])
async def test_stats_equal_a_direct_computation_in_every_range(
    client: httpx.AsyncClient, world: World, pipeline: dict[str, Any], seed: int
) -> None:
    rng = random.Random(seed)
    u = world.users
    marketer = u["marketer"]
    spec = [  # (type, channel, currency, budget, cost, parent index)
        ("event", "offline", "CNY", "5000", "3000.00", None),
        ("webinar", "offline", "CNY", None, "1000", 0),
        ("email", "email", "USD", "800", "500", None),
        ("advertising", None, "CNY", "100", None, None),
    ]
    ids: list[UUID] = []
    campaigns: dict[UUID, dict[str, Any]] = {}
    for kind, channel, currency, budget, cost, parent in spec:
        made = await insert_campaign(
            world, marketer, campaign_type=kind, channel=channel, currency=currency, budget=budget,
            actual_cost=cost, starts_on=date(2026, 11, 1 + len(ids)),
            parent_id=ids[parent] if parent is not None else None,
        )  # fmt: skip
        ids.append(made)
        campaigns[made] = {"currency": currency, "budget": budget, "actual_cost": cost, "channel": channel,
                           "campaign_type": kind}  # fmt: skip
    choices: list[UUID | None] = [*ids, None]

    # Members with a funnel history: every step up to the status has its time.
    members: list[dict[str, Any]] = []
    member_leads: list[str] = []
    for _ in range(25):
        campaign = rng.choice(ids[:3])
        status = rng.choice(STATUSES)
        row: dict[str, Any] = {"status": status}
        reached = FUNNEL[: FUNNEL.index(status) + 1] if status not in FINAL else FUNNEL[: rng.randint(1, 3)]
        for step in reached:
            row[f"{step}_at"] = sa.func.now()
        if status in FINAL:
            row[f"{status}_at"] = sa.func.now()
        row["registration_status"] = rng.choice([None, "registered", "waitlisted", "cancelled"])
        lead_for_member = await ok(client.post("/api/v1/leads", json={"name": "M"}, headers=marketer.headers))
        await insert_member(world, campaign, lead_id=UUID(lead_for_member["id"]), **row)
        member_leads.append(lead_for_member["id"])
        members.append({"campaign_id": campaign, **{k: (v if k in ("status", "registration_status") else 1)
                                                     for k, v in row.items()}})  # fmt: skip

    creators = ["east_rep1", "east_rep2", "west_rep1", "east_manager"]
    customers = {
        name: (await ok(client.post("/api/v1/customers", json={"name": f"C {name}"}, headers=u[name].headers)))["id"]
        for name in creators
    }
    lead_ids, deal_ids = [], []
    for i in range(24):
        who = rng.choice([*creators, "marketer"])
        first, last = rng.choice(choices), rng.choice(choices)
        body = {"name": f"L{i}", "source": rng.choice(["web_form", "event", "referral"])}
        if first is not None:
            body["campaign_id"] = str(first)
        if last is not None:
            body["last_campaign_id"] = str(last)
        made = await ok(client.post("/api/v1/leads", json=body, headers=u[who].headers))
        lead_ids.append(made["id"])
        if who != "marketer" and rng.random() < 0.4:
            deal = {"amount": str(rng.randint(1, 500) * 10)} if rng.random() < 0.7 else None
            body = {"customer_id": customers[who], "create_contact": False, "opportunity": deal}
            done = await ok(client.post(f"/api/v1/leads/{made['id']}/convert", json=body, headers=u[who].headers))
            if done["opportunity"]:
                deal_ids.append((who, done["opportunity"]["id"]))
    for i in range(20):
        who = rng.choice(creators)
        body = {"name": f"D{i}", "customer_id": customers[who], "amount": str(rng.randint(1, 900) * 10),
                "currency": rng.choice(["CNY", "CNY", "USD"])}  # fmt: skip
        first, last = rng.choice(choices), rng.choice(choices)
        if first is not None:
            body["campaign_id"] = str(first)
        if last is not None:
            body["last_campaign_id"] = str(last)
        made = await ok(client.post("/api/v1/opportunities", json=body, headers=u[who].headers))
        deal_ids.append((who, made["id"]))
    for who, deal in deal_ids:
        roll = rng.random()
        if roll < 0.5:
            body = {"stage_id": stage(pipeline, "Won"), "expected_close_date": "2026-12-01"}
        elif roll < 0.65:
            body = {"stage_id": stage(pipeline, "Lost"), "expected_close_date": "2026-12-01", "lost_reason": "price"}
        else:
            continue
        await ok(client.post(f"/api/v1/opportunities/{deal}/stage", json=body, headers=u[who].headers))

    director = u["director"].headers
    # The members' leads (attributed to no campaign) are leads too: they count by source only.
    leads = [await ok(client.get(f"/api/v1/leads/{i}", headers=director)) for i in [*lead_ids, *member_leads]]
    deals = [await ok(client.get(f"/api/v1/opportunities/{d}", headers=director)) for _, d in deal_ids]
    won_stage = stage(pipeline, "Won")
    assert any(d["stage_id"] == won_stage for d in deals)

    seen_leads: dict[str, int] = {}
    for viewer in ("east_rep1", "east_manager", "director", "marketer"):
        headers = u[viewer].headers
        seen_leads[viewer] = 0
        for campaign in ids:
            got = await ok(client.get(STATS.format(campaign), headers=headers))
            seen_leads[viewer] += got["leads"]["first_touch"] + got["deals"]["first_touch"]
            exp = expected(world, viewer, {campaign}, campaigns, members, leads, deals, won_stage)
            assert figures_of(got) == normalized(exp), (viewer, campaign)
        rolled = await ok(client.get(STATS.format(ids[0]), params={"include_children": "true"}, headers=headers))
        exp = expected(world, viewer, {ids[0], ids[1]}, campaigns, members, leads, deals, won_stage)
        assert figures_of(rolled) == normalized(exp), viewer
        # Per channel and per type, over campaigns starting in the period (the fourth starts after it).
        period = {"from": "2026-11-01", "to": "2026-11-03"}
        for group_by in ("channel", "campaign_type"):
            got = await ok(client.get(CHANNELS, params={**period, "group_by": group_by}, headers=headers))
            groups: dict[Any, set[UUID]] = defaultdict(set)
            for c in ids[:3]:
                groups[campaigns[c][group_by]].add(c)
            assert [row["key"] for row in got["items"]] == sorted(groups, key=lambda k: (k is None, k or ""))
            for row in got["items"]:
                exp = expected(world, viewer, groups[row["key"]], campaigns, members, leads, deals, won_stage)
                assert figures_of(row) == normalized(exp), (viewer, group_by, row["key"])
        # Per lead source: the leads in range and the deals made from them.
        got = await ok(client.get(CHANNELS, params={"group_by": "source"}, headers=headers))
        seen = [x for x in leads if visible(viewer, world, x)]
        by_source = {row["key"]: row for row in got["items"]}
        assert set(by_source) == {x["source"] for x in seen}
        for source, row in by_source.items():
            mine = [x for x in seen if x["source"] == source]
            made_from = {x["id"] for x in mine}
            from_deals = [d for d in deals if d["source_lead_id"] in made_from and visible(viewer, world, d)]
            assert row["leads"]["first_touch"] == len(mine)
            assert row["converted_leads"]["first_touch"] == sum(1 for x in mine if x["status"] == "converted")
            assert row["deals"]["first_touch"] == len(from_deals)
            assert row["won_deals"]["first_touch"] == sum(1 for d in from_deals if d["stage_id"] == won_stage)
            assert row["costs"] == [] and row["roi"] == {"first_touch": None, "last_touch": None}

    # The ranges made a difference: a rep sees fewer than their manager, who sees fewer than all.
    assert 0 < seen_leads["east_rep1"] < seen_leads["east_manager"] < seen_leads["director"] == seen_leads["marketer"]


async def test_money_stays_per_currency(client: httpx.AsyncClient, world: World, pipeline: dict[str, Any]) -> None:
    u = world.users
    rep, marketer = u["east_rep1"], u["marketer"]
    company = (await ok(client.post("/api/v1/customers", json={"name": "Acme"}, headers=rep.headers)))["id"]
    won = {"stage_id": stage(pipeline, "Won"), "expected_close_date": "2026-12-01"}

    async def won_deal(campaign: UUID, amount: str, currency: str) -> None:
        body = {"name": "D", "customer_id": company, "amount": amount, "currency": currency,
                "campaign_id": str(campaign)}  # fmt: skip
        made = await ok(client.post("/api/v1/opportunities", json=body, headers=rep.headers))
        await ok(client.post(f"/api/v1/opportunities/{made['id']}/stage", json=won, headers=rep.headers))

    async def stats(campaign: UUID, **params: str) -> dict[str, Any]:
        return await ok(client.get(STATS.format(campaign), params=params, headers=marketer.headers))

    one = await insert_campaign(world, marketer, currency="CNY", budget="2000", actual_cost="1000")
    await won_deal(one, "2500", "CNY")
    for _ in range(4):
        await ok(client.post("/api/v1/leads", json={"name": "L", "campaign_id": str(one)}, headers=rep.headers))
    s = await stats(one)
    assert s["roi"] == {"first_touch": 1.5, "last_touch": 1.5}
    assert s["cost_per_lead"] == {"currency": "CNY", "amount": "250.00"}
    assert [(w["currency"], Decimal(w["amount"])) for w in s["won"]["first_touch"]] == [("CNY", Decimal(2500))]
    # A won deal in another currency: both amounts listed, no ROI (no rate is assumed).
    await won_deal(one, "100", "USD")
    s = await stats(one)
    assert [(w["currency"], Decimal(w["amount"])) for w in s["won"]["first_touch"]] == [
        ("CNY", Decimal(2500)), ("USD", Decimal(100))
    ]  # fmt: skip
    assert s["roi"] == {"first_touch": None, "last_touch": None} and s["cost_per_lead"]["amount"] == "250.00"
    # No cost, or a zero cost: no ROI and no cost per lead; nothing won yet at a cost: ROI -1.
    free = await insert_campaign(world, marketer, actual_cost="0")
    unknown = await insert_campaign(world, marketer, budget="10")
    await won_deal(free, "10", "CNY")
    for campaign in (free, unknown):
        await ok(client.post("/api/v1/leads", json={"name": "L", "campaign_id": str(campaign)}, headers=rep.headers))
        s = await stats(campaign)
        assert s["roi"] == {"first_touch": None, "last_touch": None}
    assert (await stats(free))["cost_per_lead"] == {"currency": "CNY", "amount": "0.00"}
    assert (await stats(unknown))["cost_per_lead"] is None
    spent = await insert_campaign(world, marketer, actual_cost="300")
    assert (await stats(spent))["roi"] == {"first_touch": -1.0, "last_touch": -1.0}
    # Children costing in two currencies: both costs listed, no single ROI.
    parent = await insert_campaign(world, marketer, currency="CNY", actual_cost="100")
    await insert_campaign(world, marketer, currency="USD", actual_cost="20", parent_id=parent)
    s = await stats(parent, include_children="true")
    assert [(c["currency"], Decimal(c["actual_cost"])) for c in s["costs"]] == [("CNY", 100), ("USD", 20)]
    assert s["campaigns"] == 2 and s["roi"] == {"first_touch": None, "last_touch": None}
    assert (await stats(parent))["roi"] == {"first_touch": -1.0, "last_touch": -1.0}


async def test_ranges_and_permissions(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    admin, marketer = u["admin"], u["marketer"]
    body = {
        "name": "Own campaigns",
        "permissions": ["campaigns:read", "leads:read"],
        "data_ranges": {"campaigns": {"range": "own"}, "leads": {"range": "own"}},
    }
    role = await ok(client.post("/api/v1/roles", json=body, headers=admin.headers))
    viewer = await world.user("viewer", [], world.department_ids["Marketing"])
    await ok(client.patch(f"/api/v1/users/{viewer.id}", json={"role_ids": [role["id"]]}, headers=admin.headers))
    headers = bearer((await login(client, viewer.email))["access_token"])
    theirs = await insert_campaign(world, marketer, actual_cost="10")
    mine = await insert_campaign(world, viewer, actual_cost="10")
    await insert_campaign(world, marketer, parent_id=mine)  # a child outside the viewer's range
    await insert_campaign(world, viewer, parent_id=mine)
    gone = await insert_campaign(world, viewer, deleted=True)
    for campaign in (theirs, gone, uuid.uuid4()):
        r = await client.get(STATS.format(campaign), headers=headers)
        assert r.status_code == 404 and r.json()["status"] == 404
    s = await ok(client.get(STATS.format(mine), params={"include_children": "true"}, headers=headers))
    assert s["campaigns"] == 2  # the child in range only
    # Without opportunities:read the deal figures are hidden, not zero.
    assert s["leads"] == {"first_touch": 0, "last_touch": 0} and s["deals"] is None and s["roi"] is None
    assert (await ok(client.get(STATS.format(mine), headers=marketer.headers)))["campaigns"] == 1
    # Another tenant's campaign does not exist here.
    other = await world.factory.tenant()
    elsewhere = await insert_campaign(other, await other.user("m", ["marketer"]))
    assert (await client.get(STATS.format(elsewhere), headers=marketer.headers)).status_code == 404
    # Channel analysis counts the campaigns in range only.
    got = await ok(client.get(CHANNELS, params={"group_by": "campaign_type"}, headers=headers))
    assert [(row["key"], row["campaigns"]) for row in got["items"]] == [("event", 2)]
    # Without campaigns:read: 403; bad parameters: 422.
    agent = u["agent1"].headers
    assert (await client.get(STATS.format(mine), headers=agent)).status_code == 403
    assert (await client.get(CHANNELS, headers=agent)).status_code == 403
    assert (await client.get(CHANNELS, params={"group_by": "region"}, headers=marketer.headers)).status_code == 422
    backwards = {"from": "2026-12-01", "to": "2026-11-01"}
    assert (await client.get(CHANNELS, params=backwards, headers=marketer.headers)).status_code == 422
    assert (await client.get(STATS.format("nope"), headers=marketer.headers)).status_code == 422


async def test_an_event_survey_reaches_attending_contacts(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    marketer, rep = u["marketer"], u["east_rep1"]
    questions = [{"id": "sat", "type": "rating", "text": "How was the event?"}, {"id": "say", "type": "text",
                 "text": "Anything else?"}]  # fmt: skip
    survey = await ok(client.post("/api/v1/surveys", json={"name": "Event", "questions": questions},
                                  headers=u["service_manager"].headers))  # fmt: skip
    event = await insert_campaign(world, marketer, name="Spring summit")
    company = (await ok(client.post("/api/v1/customers", json={"name": "Acme"}, headers=rep.headers)))["id"]
    people = [
        (await ok(client.post("/api/v1/contacts", json={"name": n, "customer_id": company}, headers=rep.headers)))["id"]
        for n in ("Ann", "Bob", "Cy")
    ]
    lead = (await ok(client.post("/api/v1/leads", json={"name": "Dee"}, headers=marketer.headers)))["id"]
    attended = {"status": "attended", "attended_at": sa.func.now(), "registered_at": sa.func.now()}
    for person in people[:2]:
        await insert_member(world, event, contact_id=UUID(person), **attended)
    await insert_member(world, event, contact_id=UUID(people[2]), status="registered", registered_at=sa.func.now())
    await insert_member(world, event, lead_id=UUID(lead), **attended)
    url = f"/api/v1/campaigns/{event}/survey"

    sent = await ok(client.post(url, json={"survey_id": survey["id"]}, headers=marketer.headers))
    assert sent == {"campaign_id": str(event), "survey_id": survey["id"], "attendees": 3, "invited": 2,
                    "already_invited": 0, "skipped_leads": 1, "skipped_out_of_range": 0}  # fmt: skip
    again = await ok(client.post(url, json={"survey_id": survey["id"]}, headers=marketer.headers))
    assert (again["invited"], again["already_invited"]) == (0, 2)
    async with world.factory.engine.connect() as conn:
        rows = (await conn.execute(
            sa.select(survey_invitations.c.token, survey_invitations.c.contact_id, survey_invitations.c.customer_id,
                      survey_invitations.c.owner_id).where(survey_invitations.c.campaign_id == event)
        )).all()  # fmt: skip
        published = (await conn.execute(
            sa.select(outbox.c.payload).where(outbox.c.tenant_id == world.id,
                                              outbox.c.event_type == "survey.invitation_created")
        )).scalars().all()  # fmt: skip
    assert {str(r.contact_id) for r in rows} == set(people[:2])
    assert all(str(r.customer_id) == company and r.owner_id == marketer.id for r in rows)
    assert sorted(p["contact_id"] for p in published) == sorted(people[:2])
    assert all(p["campaign_id"] == str(event) and p["path"].startswith("/survey/") for p in published)

    # The public link names the event; one attendee answers.
    view = await ok(client.get(f"/api/v1/public/surveys/{rows[0].token}"))
    assert view["subject"] == "Spring summit"
    await ok(client.post(f"/api/v1/public/surveys/{rows[0].token}", json={"answers": {"sat": 4, "say": "Good"}}))
    await ok(client.post(f"/api/v1/public/surveys/{rows[1].token}", json={"answers": {"say": "No rating"}}))
    s = await ok(client.get(STATS.format(event), headers=marketer.headers))
    assert s["survey"] == {"survey_id": survey["id"], "invited": 2, "responses": 2, "score_question_id": "sat",
                           "score_scale": "rating", "average_score": 4.0}  # fmt: skip
    assert s["attended"] == 3 and s["members"]["reached"]["registered"] == 4

    # Refusals: another's range or no update permission, an unknown or inactive survey.
    assert (await client.post(url, json={"survey_id": survey["id"]}, headers=rep.headers)).status_code == 403
    r = await client.post(url, json={"survey_id": str(uuid.uuid4())}, headers=marketer.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "survey_id"
    await ok(client.patch(f"/api/v1/surveys/{survey['id']}", json={"active": False},
                          headers=u["service_manager"].headers))  # fmt: skip
    assert (await client.post(url, json={"survey_id": survey["id"]}, headers=marketer.headers)).status_code == 422
    missing = f"/api/v1/campaigns/{uuid.uuid4()}/survey"
    assert (await client.post(missing, json={"survey_id": survey["id"]}, headers=marketer.headers)).status_code == 404
