"""Sales analysis over HTTP: each figure of the funnel, performance, time in stage and revenue
equals a direct computation over generated deals (tests/sales_analysis_data.py), for each data
range (own, department, all, department narrowed by region) and several windows and grains in the
tenant's zone; each figure's drill lists exactly the deals it counts; permissions and bad input."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain, Window
from tests.api.identity_support import bearer, login
from tests.builders import Factory, World
from tests.sales_analysis_data import (
    ZONE,
    Data,
    Deal,
    build,
    expected_funnel,
    expected_performance,
    expected_revenue,
    expected_stage_times,
)

BASE = "/api/v1/analytics/sales"
WINDOWS = [(date(2025, 1, 1), date(2026, 12, 31)), (date(2025, 6, 15), date(2026, 3, 10))]
PERFORMANCE_BY = ["owner", "department", "region", "pipeline", "source", "campaign", "product_line"]
STATUSES = ("open", "won", "lost")
EVER = {"from": "2025-01-01", "to": "2026-12-31"}
REVENUE_BY = ["owner", "department", "region", "customer_level", "customer_type"]


@pytest.fixture
async def data(engine: AsyncEngine, factory: Factory) -> Data:
    world = await factory.sales_world()
    return await build(engine, world, seed=7)


async def regional(client: httpx.AsyncClient, data: Data) -> dict[str, str]:
    """A custom role: deals of the East department whose customer is in the first region."""
    w = data.world
    admin = w.users["admin"]
    role = {
        "name": "East region 0 analyst",
        "permissions": ["opportunities:read"],
        "data_ranges": {"opportunities": {"range": "department", "regions": [str(data.regions[0])]}},
    }
    r = await client.post("/api/v1/roles", json=role, headers=admin.headers)
    assert r.status_code == 201, r.text
    person = await w.user("regional", [], w.department_ids["Sales East"])
    r = await client.patch(f"/api/v1/users/{person.id}", json={"role_ids": [r.json()["id"]]}, headers=admin.headers)
    assert r.status_code == 200, r.text
    return bearer((await login(client, person.email))["access_token"])


async def viewers(client: httpx.AsyncClient, data: Data) -> dict[str, tuple[dict[str, str], list[Deal]]]:
    """Each caller's headers and the deals within their range."""
    u, live = data.world.users, data.live()
    east = data.world.department_ids["Sales East"]
    return {
        "director": (u["director"].headers, live),
        "east_manager": (u["east_manager"].headers, [d for d in live if d.department_id == east]),
        "east_rep1": (u["east_rep1"].headers, [d for d in live if d.owner_id == u["east_rep1"].id]),
        "regional": (
            await regional(client, data),
            [d for d in live if d.department_id == east and d.customer["region_id"] == data.regions[0]],
        ),
    }


def span(first: date, last: date) -> Any:
    return Window(first, last + timedelta(days=1)).instants(ZONE)


async def get(client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: Any) -> dict[str, Any]:
    r = await client.get(f"{BASE}/{path}", params={k: str(v) for k, v in params.items()}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def listed(client: httpx.AsyncClient, headers: dict[str, str], drill: dict[str, Any]) -> int:
    """How many deals the figure's drill lists (every page)."""
    assert drill["path"] == "/api/v1/opportunities"
    count, cursor = 0, None
    while True:
        params = {**drill["query"], "limit": "200", **({"cursor": cursor} if cursor else {})}
        r = await client.get(drill["path"], params=params, headers=headers)
        assert r.status_code == 200, r.text
        count += len(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if not cursor:
            return count


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 0.011)


def same_money(got: list[dict[str, str]], want: list[dict[str, str]], cents: str = "0") -> bool:
    if [m["currency"] for m in got] != [m["currency"] for m in want]:
        return False
    pairs = zip(got, want, strict=True)
    return all(abs(Decimal(g["amount"]) - Decimal(w["amount"])) <= Decimal(cents) for g, w in pairs)


async def test_every_figure_equals_the_direct_computation_in_every_range(client: httpx.AsyncClient, data: Data) -> None:
    for name, (headers, deals) in (await viewers(client, data)).items():
        for first, last in WINDOWS:
            lo, hi = span(first, last)
            window = {"from": first, "to": last}
            for pipeline in data.pipelines:
                chain = data.stages[pipeline]
                got = await get(client, headers, "funnel", pipeline=pipeline, **window)
                want = expected_funnel(deals, chain, lo, hi)
                assert got["window"] == {"from": str(first), "to": str(last), "grain": "month", "time_zone": str(ZONE)}
                assert got["deals"]["count"] == want["deals"], name
                assert [got[k]["count"] for k in STATUSES] == [want[k] for k in STATUSES]
                assert len(got["stages"]) == len(want["stages"])
                for row, expect in zip(got["stages"], want["stages"], strict=True):
                    assert row["reached"]["count"] == expect["reached"], (name, row["name"])
                    assert row["conversion"] == expect["conversion"]
                    assert (row["drop_off"] and row["drop_off"]["count"]) == expect["drop_off"]
                    assert [row[k]["count"] for k in STATUSES] == [expect[k] for k in STATUSES]

                got = await get(client, headers, "time-in-stage", pipeline=pipeline, by="owner", **window)
                want_times = expected_stage_times(deals, chain, lo, hi)
                open_stages = [s for s in chain if s.kind == "open"]
                assert [row["stage_id"] for row in got["stages"]] == [str(s.id) for s in open_stages]
                for row in got["stages"]:
                    stage = UUID(row["stage_id"])
                    expect = want_times[(stage, None)]
                    assert (row["deals"]["count"], row["stays"]) == (expect["deals"], expect["stays"]), name
                    assert close(row["average_days"], expect["average"]) and close(row["median_days"], expect["median"])
                    owners = {o["key"]: o for o in row["owners"]}
                    assert set(owners) == {k for s, k in want_times if s == stage and k is not None}
                    for key, line in owners.items():
                        expect = want_times[(stage, key)]
                        assert (line["deals"]["count"], line["stays"]) == (expect["deals"], expect["stays"])
                        assert close(line["average_days"], expect["average"])
                        assert close(line["median_days"], expect["median"])

            for by in PERFORMANCE_BY:
                for pipeline_filter in (None, data.pipelines[0]):
                    extra = {"pipeline": pipeline_filter} if pipeline_filter else {}
                    got = await get(client, headers, "performance", by=by, **window, **extra)
                    want_rows = expected_performance(deals, by, lo, hi, pipeline_filter)
                    rows = {row["key"]: row for row in got["rows"]}
                    assert set(rows) == set(want_rows), (name, by)
                    for key, expect in want_rows.items():
                        row = rows[key]
                        counts = [row[k]["count"] for k in ("closed", "won", "lost", "open")]
                        assert counts == [expect[k] for k in ("closed", "won", "lost", "open")], (name, by, key)
                        assert row["win_rate"] == expect["win_rate"]
                        for k in ("won_amount", "average_won_amount", "open_amount"):
                            assert row[k] == expect[k], (name, by, key, k)
                        assert same_money(row["velocity_per_day"], expect["velocity_per_day"], "0.02")
                        assert close(row["cycle_days"]["average"], expect["cycle_average"])
                        assert close(row["cycle_days"]["median"], expect["cycle_median"])

        first, last = WINDOWS[1]
        lo, hi = span(first, last)
        for by in REVENUE_BY:
            for grain in (Grain.WEEK, Grain.MONTH, Grain.QUARTER, Grain.YEAR):
                got = await get(client, headers, "revenue", by=by, grain=grain.value, **{"from": first, "to": last})
                want = expected_revenue(deals, by, grain, lo, hi)
                buckets = [str(b) for b in Window(first, last + timedelta(days=1), grain).buckets()]
                assert [cell["bucket"] for cell in got["totals"]] == buckets
                cells = {(None, c["bucket"]): c for c in got["totals"]}
                for series in got["series"]:
                    assert [c["bucket"] for c in series["buckets"]] == buckets
                    cells.update({(series["key"], c["bucket"]): c for c in series["buckets"]})
                nonzero = {k for k, c in cells.items() if c["won"]["count"]}
                assert nonzero == {(k, str(b)) for k, b in want}, (name, by, grain)
                for (key, b), expect in want.items():
                    cell = cells[(key, str(b))]
                    assert (cell["won"]["count"], cell["amount"]) == (expect["won"], expect["amount"])


async def test_each_figure_drills_to_exactly_its_deals(client: httpx.AsyncClient, data: Data) -> None:
    everyone = await viewers(client, data)
    first, last = WINDOWS[1]
    window = {"from": first, "to": last}
    for name in ("director", "regional", "east_rep1"):
        headers, _ = everyone[name]
        drills: list[dict[str, Any]] = []
        for pipeline in data.pipelines:
            got = await get(client, headers, "funnel", pipeline=pipeline, **window)
            drills += [got[k] for k in ("deals", "open", "won", "lost")]
            for row in got["stages"]:
                drills += [row[k] for k in ("reached", "drop_off", "open", "won", "lost") if row[k]]
            got = await get(client, headers, "time-in-stage", pipeline=pipeline, by="owner", **window)
            for row in got["stages"]:
                drills += [row["deals"], *(o["deals"] for o in row["owners"])]
        for by in PERFORMANCE_BY:
            got = await get(client, headers, "performance", by=by, **window)
            drills += [row[k] for row in got["rows"] for k in ("closed", "won", "lost", "open")]
        for by in REVENUE_BY:
            got = await get(client, headers, "revenue", by=by, grain="quarter", **window)
            drills += [c["won"] for c in got["totals"]]
            drills += [c["won"] for s in got["series"] for c in s["buckets"] if c["won"]["count"]]
        assert any(f["count"] for f in drills)
        for f in drills:
            if not f["count"]:
                assert f["drill"] is None
                continue
            assert await listed(client, headers, f["drill"]) == f["count"], (name, f["drill"]["query"])


async def test_permissions_and_ranges(client: httpx.AsyncClient, data: Data) -> None:
    u = data.world.users
    for path in ("funnel", "performance", "time-in-stage", "revenue"):
        assert (await client.get(f"{BASE}/{path}")).status_code == 401
        for role in ("agent1", "it", "service_manager"):
            r = await client.get(f"{BASE}/{path}", headers=u[role].headers)
            assert r.status_code == 403, (role, path, r.text)
        for role in ("director", "east_manager", "west_manager", "east_rep1", "analyst", "admin"):
            r = await client.get(f"{BASE}/{path}", headers=u[role].headers)
            assert r.status_code == 200, (role, path, r.text)
    # A rep sees only their own deals, whatever the dimension.
    got = await get(client, u["west_rep1"].headers, "performance", by="owner", **EVER)
    assert {row["key"] for row in got["rows"]} <= {str(u["west_rep1"].id)}
    got = await get(client, u["east_manager"].headers, "revenue", by="department", **EVER)
    assert {s["key"] for s in got["series"]} <= {str(data.world.department_ids["Sales East"])}
    labels = {s["label"] for s in got["series"]}
    assert labels <= {"Sales East"}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("funnel", {"from": "2026-05-01", "to": "2026-04-01"}, "to"),
        ("funnel", {"from": "2020-01-01", "to": "2026-04-01"}, "to"),
        ("funnel", {"from": "yesterday"}, "from"),
        ("funnel", {"pipeline": "nope"}, "pipeline"),
        ("funnel", {"pipeline": "0190a000-0000-7000-8000-000000000000"}, "pipeline"),
        ("performance", {"by": "stage"}, "by"),
        ("performance", {"by": "customer_level"}, "by"),
        ("time-in-stage", {"by": "region"}, "by"),
        ("revenue", {"by": "source"}, "by"),
        ("revenue", {"grain": "hour"}, "grain"),
        ("revenue", {"grain": "day", "from": "2025-01-01", "to": "2026-12-31"}, "grain"),
    ],
)
async def test_bad_parameters_are_422_naming_the_field(
    client: httpx.AsyncClient, factory: Factory, path: str, params: dict[str, str], field: str
) -> None:
    world: World = await factory.sales_world()
    r = await client.get(f"{BASE}/{path}", params=params, headers=world.users["director"].headers)
    assert r.status_code == 422, r.text
    assert field in str(r.json()["errors"]), r.text


async def test_deal_list_drill_filters_reject_bad_values(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.sales_world()
    headers = world.users["director"].headers
    for params in (
        {"status": "maybe"},
        {"campaign": "x"},
        {"region": "1; drop"},
        {"created_from": "2026-01-01T00:00:00"},  # no offset: ambiguous
        {"reached_stage": "nope"},
    ):
        r = await client.get("/api/v1/opportunities", params=params, headers=headers)
        assert r.status_code == 422, (params, r.text)
