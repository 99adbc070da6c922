"""Customer analysis over HTTP (/api/v1/analytics/customers/...): each figure equals a direct
computation in Python over the generated records (tests/customer_data.py) within the caller's
customers range — all (director, analyst, service roles), department (managers: sub-departments
included), own (reps), and narrowed by region (through the repository) — in the tenant's zone;
every drill-down lists exactly the customers behind its figure; the permission matrix; 422s."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.customers import RISK_BANDS, SEGMENTS
from app.domain.analytics.window import Grain, Window, bucket_start, next_bucket
from app.domain.shared.clock import utcnow
from app.domain.shared.scope import DataRange, DataScope, Grant
from app.repositories.customer_analytics import PgCustomerAnalytics
from app.repositories.customer_metrics import PgCustomerMetricsJob
from app.repositories.tables import customer_metrics
from tests.builders import Factory, User, World
from tests.customer_data import CustomerData, purchases, snapshot, values

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = "/api/v1/analytics/customers"
READERS = ["director", "east_manager", "east_rep1", "west_rep1", "analyst", "service_manager", "marketer"]


@pytest.fixture
async def world(factory: Factory) -> World:
    w = await factory.sales_world()
    # A sub-team of Sales East: the East manager's department range reaches it.
    north = await w.department("Sales East North", w.department_ids["Sales East"])
    await w.user("north_rep", ["sales_rep"], north)
    return w


@pytest.fixture
async def data(engine: AsyncEngine, world: World) -> CustomerData:
    made = await CustomerData.build(engine, world, seed=2026, n_customers=60)
    # Some customers of the sub-team.
    async with engine.begin() as conn:
        north = world.users["north_rep"]
        await conn.execute(
            sa.text("UPDATE customers SET owner_id = :o, department_id = :d WHERE tenant_id = :t AND id = ANY(:ids)"),
            {"o": north.id, "d": north.department_id, "t": world.id, "ids": made.customers[:6]},
        )
        now = utcnow()
        await PgCustomerMetricsJob(conn).run(now, now.date())
    return made


def in_range(user: User, world: World, customer: Any) -> bool:
    role = user.roles[0]
    if role in ("sales_rep",):
        return bool(customer.owner_id == user.id)
    if role == "sales_manager":
        east = world.department_ids["Sales East"]
        ours = (
            {east, world.department_ids.get("Sales East North")} if user.department_id == east else {user.department_id}
        )
        return customer.department_id in ours
    return True


async def get(client: httpx.AsyncClient, user: User, path: str, **params: Any) -> dict[str, Any]:
    r = await client.get(f"{BASE}/{path}", params=params, headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def listed(client: httpx.AsyncClient, user: User, drill: dict[str, Any]) -> set[str]:
    assert drill["path"] == "/api/v1/customers"
    out: set[str] = set()
    cursor = None
    while True:
        params = {**drill["query"], "limit": 200, **({"cursor": cursor} if cursor else {})}
        r = await client.get(drill["path"], params=params, headers=user.headers)
        assert r.status_code == 200, r.text
        out |= {item["id"] for item in r.json()["items"]}
        cursor = r.json()["next_cursor"]
        if not cursor:
            return out


async def metrics_rows(engine: AsyncEngine, tenant_id: UUID) -> dict[UUID, Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(customer_metrics).where(customer_metrics.c.tenant_id == tenant_id))
        return {r.customer_id: r for r in rows}


async def test_rfm_churn_and_value_equal_python_in_every_range(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World, data: CustomerData
) -> None:
    snap = await snapshot(engine, world.id)
    live = {c.id: c for c in snap["customers"] if c.deleted_at is None}
    metrics = await metrics_rows(engine, world.id)
    told = set()
    for label in [*READERS, "north_rep"]:
        user = world.users[label]
        mine = {cid for cid, c in live.items() if in_range(user, world, c)}
        # RFM: segments, value per currency, the grid; each segment's drill lists its customers.
        rfm = await get(client, user, "rfm")
        by_segment: dict[str, set[str]] = defaultdict(set)
        money: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        grid: dict[tuple[int, int], int] = defaultdict(int)
        for cid in mine:
            m = metrics[cid]
            if m.rfm_segment is not None:
                by_segment[m.rfm_segment].add(str(cid))
                money[m.rfm_segment][m.currency] += m.monetary_365d
                grid[(m.recency_score, m.frequency_score)] += 1
        assert [s["segment"] for s in rfm["segments"]] == list(SEGMENTS)
        assert rfm["scored"] == sum(len(v) for v in by_segment.values())
        for seg in rfm["segments"]:
            name = seg["segment"]
            assert seg["customers"] == len(by_segment[name]), (label, name)
            assert seg["monetary"] == [
                {"currency": cur, "amount": f"{amount:.2f}"} for cur, amount in sorted(money[name].items())
            ]
            if seg["customers"]:
                assert await listed(client, user, seg["drill"]) == by_segment[name], (label, name)
        assert len(rfm["grid"]) == 25
        for cell in rfm["grid"]:
            assert cell["customers"] == grid[(cell["recency"], cell["frequency"])]
        cell = max(rfm["grid"], key=lambda c: c["customers"])
        if cell["customers"]:
            expected = {str(cid) for cid in mine if (metrics[cid].recency_score, metrics[cid].frequency_score)
                        == (cell["recency"], cell["frequency"])}  # fmt: skip
            assert await listed(client, user, cell["drill"]) == expected
        # Churn risk: every customer in range at risk, by score then id, page by page.
        ranked = sorted((-metrics[c].churn_score, str(c)) for c in mine if metrics[c].churn_score > 0)
        got, cursor = [], None
        while True:
            page = await get(client, user, "churn-risk", limit=7, **({"cursor": cursor} if cursor else {}))
            for item in page["items"]:
                assert sum(r["points"] for r in item["reasons"]) == item["score"]
            got += [(-item["score"], item["customer_id"]) for item in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert got == ranked, label
        for band, (low, high) in RISK_BANDS.items():
            expected = {str(c) for c in mine if low <= metrics[c].churn_score < high}
            assert await listed(client, user, {"path": "/api/v1/customers", "query": {"churn_risk": band}}) == expected
        # Value: per currency, the customers in range by all-time won value.
        worth = values(snap)
        value = await get(client, user, "value", limit=5)
        currencies = sorted({cur for (cid, cur) in worth if cid in mine})
        assert [c["currency"] for c in value["currencies"]] == currencies
        for block in value["currencies"]:
            cur = block["currency"]
            top = sorted(((-v, str(cid)) for (cid, c), (v, _) in worth.items() if c == cur and cid in mine))[:5]
            assert [(-Decimal(i["value"]["amount"]), i["customer_id"]) for i in block["customers"]] == top
            assert await listed(client, user, block["drill"]) == {
                str(cid) for (cid, c) in worth if c == cur and cid in mine
            }
        told.add(len(mine))
    assert len(told) >= 4  # the ranges differ


def _touches(snap: dict[str, list[Any]]) -> list[tuple[UUID, datetime]]:
    out = [(a.customer_id, a.occurred_at) for a in snap["activities"]
           if a.deleted_at is None and a.status == "done" and a.customer_id is not None]  # fmt: skip
    out += [(o.customer_id, o.created_at) for o in snap["orders"] if o.deleted_at is None and o.status != "cancelled"]
    won = {s.id for s in snap["stages"] if s.kind == "won"}
    out += [(d.customer_id, d.closed_at or d.stage_entered_at) for d in snap["deals"]
            if d.deleted_at is None and d.stage_id in won]  # fmt: skip
    return out


def _local(at: datetime, grain: Grain) -> date:
    return bucket_start(at.astimezone(SHANGHAI).date(), grain)


def lifecycle_expected(
    snap: dict[str, list[Any]], metrics: dict[UUID, Any], mine: set[UUID], window: Window, days: int, now: datetime
) -> dict[str, dict[str, int]]:
    lo = datetime.combine(window.start, time(), tzinfo=SHANGHAI)
    hi = datetime.combine(window.end, time(), tzinfo=SHANGHAI)
    out = {b.isoformat(): {"new": 0, "active": 0, "dormant": 0, "lost": 0} for b in window.buckets()}
    live = {c.id: c for c in snap["customers"] if c.deleted_at is None and c.id in mine}
    for c in live.values():
        if lo <= c.created_at < hi:
            out[_local(c.created_at, window.grain).isoformat()]["new"] += 1
        lost_at = metrics[c.id].lost_at
        if c.status == "lost" and lost_at is not None and lo <= lost_at < hi:
            out[_local(lost_at, window.grain).isoformat()]["lost"] += 1
    touches = _touches(snap)
    active: dict[str, set[UUID]] = defaultdict(set)
    for cid, at in touches:
        if cid in live and lo <= at < hi:
            active[_local(at, window.grain).isoformat()].add(cid)
    for key, who in active.items():
        out[key]["active"] = len(who)
    span = timedelta(days=days)
    today = now.astimezone(SHANGHAI).date()
    for first in window.buckets():
        if max(first, window.start) > today:
            continue
        # At the bucket's end, or at the end of today for the current bucket (a local midnight).
        last = min(next_bucket(first, window.grain), window.end, today + timedelta(days=1))
        end = datetime.combine(last, time(), tzinfo=SHANGHAI)
        touched = {cid for cid, at in touches if end - span <= at < end}
        out[first.isoformat()]["dormant"] = sum(
            1 for c in live.values() if c.status != "lost" and c.created_at < end - span and c.id not in touched
        )
    return out


async def test_lifecycle_equals_python_per_bucket_in_the_tenants_zone(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World, data: CustomerData
) -> None:
    snap = await snapshot(engine, world.id)
    metrics = await metrics_rows(engine, world.id)
    live = {c.id: c for c in snap["customers"] if c.deleted_at is None}
    today = utcnow().astimezone(SHANGHAI).date()
    # The default dormant days read the rollup for the director and the managers (migration 0044),
    # other days and the reps' ranges count live: both against the same Python.
    windows = [
        (today - timedelta(days=400), today, "month", None),
        (today - timedelta(days=70), today, "week", 30),
        (today - timedelta(days=70), today, "week", None),
        (today - timedelta(days=12), today - timedelta(days=2), "day", 5),
        (today - timedelta(days=40), today, "day", None),
        (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), "quarter", 200),
        (date(today.year - 2, 1, 1), today, "quarter", 90),
        (date(today.year - 2, 1, 1), today, "year", None),
    ]
    for label in ("director", "east_manager", "west_manager", "east_rep1"):
        user = world.users[label]
        mine = {cid for cid, c in live.items() if in_range(user, world, c)}
        for start, end, grain, days in windows:
            params: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), "grain": grain}
            if days:
                params["dormant_days"] = days
            body = await get(client, user, "lifecycle", **params)
            now = utcnow()
            assert (body["from"], body["to"], body["grain"], body["time_zone"]) == (
                start.isoformat(), end.isoformat(), grain, "Asia/Shanghai")  # fmt: skip
            window = Window.parse(start, end, grain, today=today)
            expected = lifecycle_expected(snap, metrics, mine, window, days or 90, now)
            got = {p["period"]: {k: p[k] for k in ("new", "active", "dormant", "lost")} for p in body["series"]}
            assert got == expected, (label, grain)
            # The drills: new, active, dormant and lost list exactly their customers.
            for point in body["series"]:
                if point["new"]:
                    assert len(await listed(client, user, point["drill"]["new"])) == point["new"]
                if point["active"]:
                    assert len(await listed(client, user, point["drill"]["active"])) == point["active"]
                if point["lost"]:
                    assert len(await listed(client, user, point["drill"]["lost"])) == point["lost"]
                # No dormant drill for a bucket that starts after today (nothing is dormant there yet).
                assert (point["drill"]["dormant"] is None) == (max(date.fromisoformat(point["period"]), start) > today)
                if point["dormant"]:
                    assert len(await listed(client, user, point["drill"]["dormant"])) == point["dormant"]
    # The data tells the figures apart.
    year = await get(client, world.users["director"], "lifecycle", **{"from": (today - timedelta(days=400)).isoformat(),
                                                                      "grain": "month"})  # fmt: skip
    assert all(sum(p[k] for p in year["series"]) for k in ("new", "active", "dormant", "lost"))


async def test_narrowed_ranges_through_the_repository(engine: AsyncEngine, world: World, data: CustomerData) -> None:
    snap = await snapshot(engine, world.id)
    metrics = await metrics_rows(engine, world.id)
    live = {c.id: c for c in snap["customers"] if c.deleted_at is None}
    east = world.department_ids["Sales East"]
    rep = world.users["east_rep1"]
    region = data.regions[0]
    scopes = [
        (DataScope(world.id, rep.id, (east,), (Grant(DataRange.ALL, regions=frozenset({region})),)),
         lambda c: c.region_id == region),
        (DataScope(world.id, rep.id, (east,),
                   (Grant(DataRange.OWN), Grant(DataRange.DEPARTMENT, regions=frozenset({region})))),
         lambda c: c.owner_id == rep.id or (c.department_id == east and c.region_id == region)),
        (DataScope(world.id, rep.id, (east,), ()), lambda c: False),
    ]  # fmt: skip
    async with engine.connect() as conn:
        repo = PgCustomerAnalytics(conn)
        for scope, keep in scopes:
            mine = {cid for cid, c in live.items() if keep(c)}
            counted: dict[str, int] = defaultdict(int)
            for row in await repo.rfm(scope):
                counted[row["rfm_segment"]] += row["customers"]
            expected: dict[str, int] = defaultdict(int)
            for cid in mine:
                if metrics[cid].rfm_segment:
                    expected[metrics[cid].rfm_segment] += 1
            assert dict(counted) == dict(expected)
            risky = await repo.churn_risk(scope, 500, None)
            assert [r["customer_id"] for r in risky] == [
                cid for _, cid in sorted((-metrics[c].churn_score, c) for c in mine if metrics[c].churn_score > 0)
            ]
            assert {r["customer_id"] for r in await repo.value(scope, 500, None)} == {
                cid for cid, _ in values(snap) if cid in mine
            }


async def test_permissions_and_bad_input(client: httpx.AsyncClient, world: World) -> None:
    for path in ("lifecycle", "rfm", "churn-risk", "value"):
        assert (await client.get(f"{BASE}/{path}")).status_code == 401
        assert (await client.get(f"{BASE}/{path}", headers=world.users["it"].headers)).status_code == 403
        for label in READERS:
            r = await client.get(f"{BASE}/{path}", headers=world.users[label].headers)
            assert r.status_code == 200, (label, path, r.text)
    director = world.users["director"].headers
    for path, params, field in (
        ("lifecycle", {"grain": "hour"}, "grain"),
        ("lifecycle", {"from": "2026-05-01", "to": "2026-04-01"}, "to"),
        ("lifecycle", {"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ("lifecycle", {"from": "2024-01-01", "to": "2026-01-01", "grain": "day"}, "grain"),
        ("lifecycle", {"from": "yesterday"}, "from"),
        ("lifecycle", {"dormant_days": 0}, "dormant_days"),
        ("churn-risk", {"limit": 0}, "limit"),
        ("churn-risk", {"cursor": "not-a-cursor"}, "cursor"),
        ("value", {"limit": 500}, "limit"),
        ("value", {"currency": "cn1"}, "currency"),
    ):
        r = await client.get(f"{BASE}/{path}", params=params, headers=director)
        assert r.status_code == 422, (path, params, r.text)
        assert field in r.text, (path, params, r.text)
    for params in ({"rfm_segment": "royalty"}, {"rfm_recency": 6}, {"churn_risk": "extreme"}, {"value_currency": "x"},
                   {"dormant_at": "2026-01-01T00:00:00Z", "dormant_days": 0}, {"dormant_at": "soon"}):  # fmt: skip
        r = await client.get("/api/v1/customers", params=params, headers=director)
        assert r.status_code == 422, (params, r.text)


def test_purchases_count_an_order_once() -> None:
    """A won deal with an order counts once (the order); a cancelled order gives the deal back."""
    deal, cust, won = UUID(int=1), UUID(int=2), UUID(int=3)
    at = datetime(2026, 1, 1, tzinfo=UTC)

    class Row(dict[str, Any]):
        __getattr__ = dict.__getitem__

    snap: dict[str, list[Any]] = {
        "stages": [Row(id=won, kind="won")],
        "deals": [Row(id=deal, customer_id=cust, closed_at=at, stage_entered_at=at, currency="CNY",
                      amount=Decimal(100), deleted_at=None, stage_id=won)],
        "orders": [Row(opportunity_id=deal, customer_id=cust, created_at=at, currency="CNY", total=Decimal(90),
                       deleted_at=None, status="confirmed")],
    }  # fmt: skip
    assert [p[3] for p in purchases(snap)] == [Decimal(90)]
    snap["orders"][0]["status"] = "cancelled"
    assert [p[3] for p in purchases(snap)] == [Decimal(100)]
