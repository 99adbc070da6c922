"""Home (`GET /dashboards/home`): which widgets each role gets, and each figure against a direct
computation in Python over generated records, within the caller's range (own, department, all,
narrowed by region), in the tenant's zone (Asia/Shanghai: planned work near local midnight lands
on the right day). Drill-downs list exactly the records counted.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa

from app.domain.shared.ids import new_id
from app.repositories.home_widgets import PgLeadRollupCompaction
from app.repositories.tables import activities, leads, opportunities, roles, user_roles
from tests.api.identity_support import bearer, login
from tests.builders import Factory, User, World

SH = ZoneInfo("Asia/Shanghai")
STAGES = [
    {"name": "Qualify", "probability": 20},
    {"name": "Propose", "probability": 60},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]
SELLING = ["pipeline_by_stage", "closing_this_month", "attainment", "leads_to_work", "today", "overdue"]
SERVICE = ["ticket_queue", "sla_warnings", "csat", "today", "overdue"]
ALL = [
    "pipeline_by_stage", "closing_this_month", "attainment", "per_rep", "leads_to_work", "today", "overdue",
    "ticket_queue", "sla_warnings", "csat", "campaigns_running", "leads_by_source",
]  # fmt: skip
EXPECTED_WIDGETS = {
    "east_rep1": SELLING,
    "east_manager": [*SELLING[:3], "per_rep", *SELLING[3:]],
    "director": [*SELLING[:3], "per_rep", *SELLING[3:]],
    "agent1": SERVICE,
    "service_manager": SERVICE,
    "marketer": ["campaigns_running", "leads_by_source", "leads_to_work"],
    "analyst": ALL,
    "admin": ALL,
}


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def home(client: httpx.AsyncClient, user: User) -> dict[str, Any]:
    r = await client.get("/api/v1/dashboards/home", headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()


def widget(body: dict[str, Any], key: str) -> dict[str, Any]:
    found = [w for w in body["widgets"] if w["key"] == key]
    assert len(found) == 1, [w["key"] for w in body["widgets"]]
    assert found[0]["denied"] is False
    return found[0]["data"]  # type: ignore[no-any-return]


async def test_each_role_gets_its_widgets(client: httpx.AsyncClient, world: World) -> None:
    for label, expected in EXPECTED_WIDGETS.items():
        body = await home(client, world.users[label])
        assert [w["key"] for w in body["widgets"]] == expected, label
        assert body["time_zone"] == "Asia/Shanghai"
        assert body["today"] == datetime.now(SH).date().isoformat() or label  # the test may straddle midnight
    assert (await client.get("/api/v1/dashboards/home")).status_code == 401
    # The system administrator sees no business data: no Home (reports:read).
    assert (await client.get("/api/v1/dashboards/home", headers=world.users["it"].headers)).status_code == 403


class Records:
    """Deals, leads and planned work made straight in the database, and what each caller sees."""

    def __init__(self, world: World, pipeline: dict[str, Any], customers: list[UUID], rng: random.Random) -> None:
        self.world, self.rng = world, rng
        self.stages = pipeline["stages"]
        self.pipeline_id = UUID(pipeline["id"])
        self.customers = customers
        u, d = world.users, world.department_ids
        self.people = [
            (u["east_rep1"].id, d["Sales East"]),
            (u["east_rep2"].id, d["Sales East"]),
            (u["east_manager"].id, d["Sales East"]),
            (u["west_rep1"].id, d["Sales West"]),
        ]
        self.deals: list[dict[str, Any]] = []
        self.leads: list[dict[str, Any]] = []
        self.work: list[dict[str, Any]] = []
        self.now = datetime.now(UTC)
        self.today = self.now.astimezone(SH).date()

    def make(self, deals: int, leads_n: int, work: int, currencies: tuple[str, ...] = ("CNY", "CNY", "USD")) -> None:
        rng = self.rng
        month = self.today.replace(day=1)
        closes = [month, month + timedelta(days=14), month - timedelta(days=1), month + timedelta(days=40), None]
        for _ in range(deals):
            owner, dept = rng.choice(self.people)
            stage = rng.choice(self.stages)
            self.deals.append(
                {
                    "tenant_id": self.world.id, "id": new_id(), "name": "D", "customer_id": rng.choice(self.customers),
                    "amount": Decimal(rng.randrange(0, 100000)) / 100, "currency": rng.choice(currencies),
                    "pipeline_id": self.pipeline_id, "stage_id": UUID(stage["id"]),
                    "probability": stage["probability"],
                    "forecast_category": rng.choice(["pipeline", "best_case", "commit", "omitted"]),
                    "expected_close_date": rng.choice(closes), "owner_id": owner, "department_id": dept,
                    "deleted_at": self.now if rng.random() < 0.1 else None,
                }
            )  # fmt: skip
        for _ in range(leads_n):
            owner, dept = rng.choice([*self.people, (None, self.world.department_ids["Sales East"])])
            self.leads.append(
                {
                    "tenant_id": self.world.id, "id": new_id(), "name": "L", "owner_id": owner, "department_id": dept,
                    "status": rng.choice(["new", "contacted", "qualified", "unqualified", "converted"]),
                    "deleted_at": self.now if rng.random() < 0.1 else None,
                }
            )  # fmt: skip
        midnight = datetime.combine(self.today, time(), SH).astimezone(UTC)
        offsets = [timedelta(minutes=m) for m in (-1, 0, 1, 60 * 23 + 59, 60 * 24, -60 * 30, 60 * 30)]
        for _ in range(work):
            owner, dept = rng.choice(self.people)
            at = rng.choice([midnight + rng.choice(offsets), self.now + timedelta(minutes=rng.choice([-90, 90]))])
            self.work.append(
                {
                    "tenant_id": self.world.id, "id": new_id(), "kind": rng.choice(["task", "appointment", "call"]),
                    "subject": "W", "occurred_at": at, "status": rng.choice(["planned", "planned", "done"]),
                    "owner_id": owner, "department_id": dept,
                    "deleted_at": self.now if rng.random() < 0.1 else None,
                }
            )  # fmt: skip

    async def save(self) -> None:
        async with self.world.factory.engine.begin() as conn:
            if self.deals:
                await conn.execute(opportunities.insert(), self.deals)
            if self.leads:
                await conn.execute(leads.insert(), self.leads)
            if self.work:
                await conn.execute(activities.insert(), self.work)

    # -- the expected figures ----------------------------------------------------------------------

    def sees(self, record: dict[str, Any], who: str) -> bool:
        u, d = self.world.users, self.world.department_ids
        if who in ("director", "analyst"):
            return True
        if who == "east_manager":
            return record["department_id"] == d["Sales East"]
        return record["owner_id"] == u[who].id

    def pipeline(self, who: str) -> dict[str, tuple[int, dict[str, Decimal]]]:
        kinds = {s["id"]: s["kind"] for s in self.stages}
        out: dict[str, tuple[int, dict[str, Decimal]]] = {}
        for deal in self.deals:
            stage = str(deal["stage_id"])
            if deal["deleted_at"] or kinds[stage] != "open" or not self.sees(deal, who):
                continue
            count, amounts = out.get(stage, (0, {}))
            amounts = {**amounts, deal["currency"]: amounts.get(deal["currency"], Decimal(0)) + deal["amount"]}
            out[stage] = (count + 1, amounts)
        return out

    def month(self, who: str) -> dict[str, Any]:
        kinds = {s["id"]: s["kind"] for s in self.stages}
        start = self.today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        per: dict[UUID, dict[str, Any]] = defaultdict(lambda: {"won": Decimal(0), "won_count": 0, "open_count": 0})
        for deal in self.deals:
            close: date | None = deal["expected_close_date"]
            if deal["deleted_at"] or close is None or not start <= close < end or not self.sees(deal, who):
                continue
            kind, line = kinds[str(deal["stage_id"])], per[deal["owner_id"]]
            if kind == "won":
                line["won"] += deal["amount"]
                line["won_count"] += 1
            elif kind == "open" and deal["forecast_category"] != "omitted":
                line["open_count"] += 1
        return dict(per)

    def to_work(self, who: str) -> Counter[str]:
        return Counter(
            lead["status"]
            for lead in self.leads
            if not lead["deleted_at"] and lead["status"] in ("new", "contacted") and self.sees(lead, who)
        )

    def planned(self, who: str, now: datetime) -> tuple[int, int, int]:
        tasks = appointments = late = 0
        for a in self.work:
            if a["deleted_at"] or a["status"] != "planned" or not self.sees(a, who):
                continue
            if a["occurred_at"].astimezone(SH).date() == self.today:
                tasks += a["kind"] == "task"
                appointments += a["kind"] == "appointment"
            late += a["occurred_at"] < now  # any planned work past its time, a planned call too
        return tasks, appointments, late


@pytest.fixture
async def pipeline(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/pipelines", json={"name": "P", "stages": STAGES}, headers=world.users["director"].headers
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def customers_of(client: httpx.AsyncClient, world: World) -> list[UUID]:
    r = await client.post("/api/v1/customers", json={"name": "Acme 北京"}, headers=world.users["director"].headers)
    assert r.status_code == 201, r.text
    return [UUID(r.json()["id"])]


def figures(stage: dict[str, Any]) -> tuple[int, dict[str, Decimal]]:
    return stage["count"], {m["currency"]: Decimal(m["amount"]) for m in stage["amounts"]}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_figures_equal_a_direct_computation_per_range(
    client: httpx.AsyncClient, world: World, pipeline: dict[str, Any], seed: int
) -> None:
    records = Records(world, pipeline, await customers_of(client, world), random.Random(seed))
    # one currency (seed 3): pipeline by stage reads the stage rollups; several: the deals
    records.make(deals=40, leads_n=30, work=40, currencies=("CNY",) if seed == 3 else ("CNY", "CNY", "USD"))
    await records.save()
    for who in ("east_rep1", "east_rep2", "east_manager", "director", "analyst"):
        body = await home(client, world.users[who])
        # pipeline by stage: per open stage, the count and the amounts per currency
        shown = {s["id"]: figures(s) for p in widget(body, "pipeline_by_stage")["pipelines"] for s in p["stages"]}
        assert shown == records.pipeline(who), who
        # the forecast's month: won and open deals closing in it
        expected = records.month(who)
        closing = widget(body, "closing_this_month")
        assert closing["open_count"] == sum(line["open_count"] for line in expected.values()), who
        assert closing["won_count"] == sum(line["won_count"] for line in expected.values()), who
        assert Decimal(closing["closed_won"]) == sum((line["won"] for line in expected.values()), Decimal(0)), who
        if who in ("east_manager", "director", "analyst"):
            reps = {UUID(r["owner_id"]): r for r in widget(body, "per_rep")["reps"]}
            assert set(reps) == {k for k, v in expected.items() if v["won_count"] or v["open_count"]}, who
            for owner, rep in reps.items():
                assert (rep["won_count"], rep["open_count"]) == (
                    expected[owner]["won_count"],
                    expected[owner]["open_count"],
                )
                assert Decimal(rep["closed_won"]) == expected[owner]["won"]
        # leads still to work, per status
        work = widget(body, "leads_to_work")
        assert {i["status"]: i["count"] for i in work["items"]} == {
            s: records.to_work(who)[s] for s in ("new", "contacted")
        }, who
        # planned work today (the tenant's local day) and overdue
        today = widget(body, "today")
        overdue = widget(body, "overdue")
        got = (today["tasks"], today["appointments"], overdue["count"])
        assert got == records.planned(who, datetime.now(UTC)), who


async def test_lead_rollups_follow_every_write_and_compaction(client: httpx.AsyncClient, world: World) -> None:
    """Leads to work read the trigger-kept rollups (migration 0043): after inserts, status and owner
    changes in bulk, soft and hard deletes, and the worker's compaction, they equal the leads."""
    records = Records(world, {"id": str(new_id()), "stages": []}, [], random.Random(5))
    records.make(deals=0, leads_n=60, work=0)
    await records.save()
    rng = random.Random(6)

    async def check() -> None:
        for who in ("east_rep1", "east_manager", "director"):
            work = widget(await home(client, world.users[who]), "leads_to_work")
            assert {i["status"]: i["count"] for i in work["items"]} == {
                s: records.to_work(who)[s] for s in ("new", "contacted")
            }, who

    await check()
    async with world.factory.engine.begin() as conn:
        for lead in rng.sample(records.leads, 20):  # one statement each: moves between keys
            owner, dept = rng.choice(records.people)
            lead |= {"status": rng.choice(["new", "contacted", "qualified"]), "owner_id": owner, "department_id": dept}
            await conn.execute(
                leads.update().where(leads.c.tenant_id == world.id, leads.c.id == lead["id"])
                .values(status=lead["status"], owner_id=owner, department_id=dept)
            )  # fmt: skip
        many = [lead["id"] for lead in records.leads[:15]]  # one statement, many rows
        await conn.execute(
            leads.update().where(leads.c.tenant_id == world.id, leads.c.id.in_(many)).values(status="contacted")
        )
        for lead in records.leads[:15]:
            lead["status"] = "contacted"
        gone = records.leads[15:20]
        await conn.execute(leads.delete().where(leads.c.tenant_id == world.id, leads.c.id.in_([g["id"] for g in gone])))
        records.leads = records.leads[:15] + records.leads[20:]
        await conn.execute(
            leads.update().where(leads.c.tenant_id == world.id, leads.c.id == records.leads[-1]["id"])
            .values(deleted_at=sa.func.now())
        )  # fmt: skip
        records.leads[-1]["deleted_at"] = records.now
    await check()
    async with world.factory.engine.begin() as conn:
        await PgLeadRollupCompaction(conn).compact()
        live = (await conn.execute(
            sa.text("SELECT count(*) FROM lead_status_rollups WHERE tenant_id = :t"), {"t": world.id}
        )).scalar_one()  # fmt: skip
        keys = (await conn.execute(
            sa.text("SELECT count(DISTINCT (status, owner_id, department_id)) FROM leads"
                    " WHERE tenant_id = :t AND deleted_at IS NULL"), {"t": world.id}
        )).scalar_one()  # fmt: skip
    assert live == keys  # one row per key after compaction
    await check()


async def test_drill_downs_list_what_is_counted(
    client: httpx.AsyncClient, world: World, pipeline: dict[str, Any]
) -> None:
    records = Records(world, pipeline, await customers_of(client, world), random.Random(7))
    records.make(deals=30, leads_n=20, work=30)
    await records.save()
    for who in ("east_manager", "east_rep1", "director"):
        user = world.users[who]
        body = await home(client, user)

        async def listed(d: dict[str, Any], user: User = user) -> int:
            r = await client.get(d["path"], params={**d["query"], "limit": 200}, headers=user.headers)
            assert r.status_code == 200, (d, r.text)
            return len(r.json()["items"])

        for p in widget(body, "pipeline_by_stage")["pipelines"]:
            for stage in p["stages"]:
                assert await listed(stage["drill"]) == stage["count"], who
        for item in widget(body, "leads_to_work")["items"]:
            assert await listed(item["drill"]) == item["count"], who
        today = widget(body, "today")
        assert await listed(today["tasks_drill"]) == today["tasks"]
        assert await listed(today["appointments_drill"]) == today["appointments"]


async def test_a_range_narrowed_by_region_counts_only_that_region(
    client: httpx.AsyncClient, world: World, pipeline: dict[str, Any]
) -> None:
    """A custom role reading all deals of one region: the pipeline sums only those customers' deals."""
    admin = world.users["admin"]
    r = await client.post("/api/v1/regions", json={"name": "华东", "code": "east"}, headers=admin.headers)
    assert r.status_code == 201, r.text
    region = r.json()["id"]
    inside = await client.post(
        "/api/v1/customers", json={"name": "In", "region_id": region}, headers=world.users["director"].headers
    )
    outside = await client.post("/api/v1/customers", json={"name": "Out"}, headers=world.users["director"].headers)
    records = Records(world, pipeline, [UUID(inside.json()["id"]), UUID(outside.json()["id"])], random.Random(11))
    records.make(deals=30, leads_n=0, work=0)
    await records.save()
    async with world.factory.engine.begin() as conn:
        role_id = new_id()
        await conn.execute(
            roles.insert().values(
                tenant_id=world.id, id=role_id, key="east_viewer", name="East viewer",
                permissions=["opportunities:read", "forecast:read", "reports:read"],
                data_ranges={"opportunities": {"range": "all", "regions": [region]}},
            )
        )  # fmt: skip
    viewer = await world.user("viewer", [])
    async with world.factory.engine.begin() as conn:
        await conn.execute(user_roles.insert().values(tenant_id=world.id, user_id=viewer.id, role_id=role_id))
    token = (await login(client, viewer.email))["access_token"]
    r = await client.get("/api/v1/dashboards/home", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert [w["key"] for w in r.json()["widgets"]] == ["pipeline_by_stage", "closing_this_month", "attainment",
                                                       "per_rep"]  # fmt: skip
    kinds = {s["id"]: s["kind"] for s in records.stages}
    expected: dict[str, tuple[int, dict[str, Decimal]]] = {}
    for deal in records.deals:
        stage = str(deal["stage_id"])
        if deal["deleted_at"] or kinds[stage] != "open" or deal["customer_id"] != UUID(inside.json()["id"]):
            continue
        count, amounts = expected.get(stage, (0, {}))
        expected[stage] = (count + 1, {**amounts, deal["currency"]: amounts.get(deal["currency"], 0) + deal["amount"]})
    shown = {s["id"]: figures(s) for p in widget(r.json(), "pipeline_by_stage")["pipelines"] for s in p["stages"]}
    assert shown == expected


async def test_service_and_marketing_widgets(client: httpx.AsyncClient, world: World) -> None:
    agent, manager = world.users["agent1"], world.users["service_manager"]
    r = await client.post(
        "/api/v1/tickets", json={"subject": "坏了", "owner_id": str(agent.id)}, headers=manager.headers
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/tickets", json={"subject": "Queue", "owner_id": None, "department_id": str(
            world.department_ids["Service"])}, headers=manager.headers
    )  # fmt: skip
    assert r.status_code == 201, r.text
    queue = widget(await home(client, agent), "ticket_queue")
    assert (queue["open"], queue["mine"]) == (1, 1)
    team = widget(await home(client, manager), "ticket_queue")
    assert (team["open"], team["unassigned"], team["mine"]) == (2, 1, 0)
    r = await client.get(team["unassigned_drill"]["path"], params=team["unassigned_drill"]["query"],
                         headers=manager.headers)  # fmt: skip
    assert len(r.json()["items"]) == 1
    sla = widget(await home(client, manager), "sla_warnings")
    assert sla["breached"] >= 0 and sla["due_soon"] >= 0
    csat = widget(await home(client, agent), "csat")
    assert csat["survey_id"] is None and csat["responses"] == 0
    marketer = world.users["marketer"]
    campaign = {"name": "双十一", "status": "running", "campaign_type": "event"}
    r = await client.post("/api/v1/campaigns", json=campaign, headers=marketer.headers)
    assert r.status_code == 201, r.text
    r = await client.post("/api/v1/leads", json={"name": "Wang", "source": "event"}, headers=marketer.headers)
    assert r.status_code == 201, r.text
    body = await home(client, marketer)
    running = widget(body, "campaigns_running")
    assert running["count"] == 1 and running["items"][0]["name"] == "双十一"
    by_source = widget(body, "leads_by_source")
    assert {i["source"]: i["leads"] for i in by_source["items"]} == {"event": 1}
    assert by_source["leads"] == 1 and by_source["converted"] == 0
