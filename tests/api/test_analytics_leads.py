"""GET /analytics/leads: each figure equals a direct computation over generated leads and the deals
they became, for every dimension and touch, several windows and grains in the tenant's zone
(leads at local midnight land in the right bucket), and every data range (all, department with a
sub-department, own, the marketer's, all narrowed by region). Drill-downs reach the same leads
through the leads list's own filters."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain, Window
from tests.api.lead_activity_support import (
    expected_leads,
    insert_leads_and_deals,
    local_today,
    money,
    params,
    setup,
    window_bounds,
    windows,
)
from tests.builders import Factory, World


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def test_lead_figures_equal_a_direct_computation(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    data = await setup(client, engine, world, seed=15)
    lead_rows, deal_rows = await insert_leads_and_deals(engine, data, 160)
    checked = 0
    for viewer in data.viewers:
        for window in windows():
            for by, touch in (("source", "last"), ("owner", "last"), ("campaign", "first"), ("campaign", "last"),
                              ("channel", "last"), ("channel", "first")):  # fmt: skip
                r = await client.get(
                    "/api/v1/analytics/leads", params=params(*window, by=by, touch=touch), headers=viewer.headers
                )
                assert r.status_code == 200, (viewer.name, r.text)
                body = r.json()
                want = expected_leads(data, viewer, lead_rows, deal_rows, window, by, touch)
                got = {row["key"]: row for row in body["rows"]}
                assert set(got) == set(want), (viewer.name, window, by)
                start, to = window_bounds(window[0], window[1])
                buckets = Window(start, to + timedelta(days=1), Grain(window[2] or "month")).buckets()
                assert body["window"] == {"from": str(start), "to": str(to), "grain": window[2] or "month",
                                          "time_zone": "Asia/Shanghai"}  # fmt: skip
                for key, figures in want.items():
                    row = got[key]
                    context = (viewer.name, window, by, touch, key)
                    assert (row["leads"], row["converted"]) == (figures["leads"], figures["converted"]), context
                    assert row["conversion_rate"] == round(figures["converted"] / figures["leads"], 4), context
                    for name, value in (
                        ("avg_days_to_convert", figures["avg"]),
                        ("median_days_to_convert", figures["median"]),
                    ):
                        if value is None:
                            assert row[name] is None, context
                        else:
                            assert row[name] == pytest.approx(value, abs=0.006), context
                    assert row["won_revenue"] == money(figures["won"]), context
                    assert row["won_deals"] == figures["won_deals"], context
                    assert [p["bucket"] for p in row["series"]] == [str(b) for b in buckets]
                    series = {p["bucket"]: (p["leads"], p["converted"]) for p in row["series"]}
                    for b in buckets:
                        assert series[str(b)] == tuple(figures["buckets"].get(b, [0, 0])), (context, b)
                    checked += 1
                total = body["total"]
                assert total["leads"] == sum(f["leads"] for f in want.values())
                assert total["converted"] == sum(f["converted"] for f in want.values())
    assert checked > 200


async def test_drill_downs_list_the_same_leads(client: httpx.AsyncClient, engine: AsyncEngine, world: World) -> None:
    data = await setup(client, engine, world, seed=7)
    lead_rows, _ = await insert_leads_and_deals(engine, data, 60)
    today = local_today()
    window = (today - timedelta(days=130), today, "month")
    director = data.viewers[0]
    for by, touch in (("source", "last"), ("owner", "last"), ("campaign", "first"), ("campaign", "last"),
                      ("channel", "last"), ("channel", "first")):  # fmt: skip
        body = (
            await client.get(
                "/api/v1/analytics/leads", params=params(*window, by=by, touch=touch), headers=director.headers
            )
        ).json()
        for row in body["rows"]:
            if row["drill"] is None:
                assert row["key"] is None and by in ("campaign", "channel")
                continue
            assert row["drill"]["path"] == "/api/v1/leads"
            listed = await client.get(row["drill"]["path"], params={**row["drill"]["query"], "limit": 200},
                                      headers=director.headers)  # fmt: skip
            assert listed.status_code == 200, listed.text
            assert len(listed.json()["items"]) == row["leads"], (by, touch, row["key"])
            converted = await client.get(row["converted_drill"]["path"], params={**row["converted_drill"]["query"],
                                         "limit": 200}, headers=director.headers)  # fmt: skip
            assert len(converted.json()["items"]) == row["converted"], (by, touch, row["key"])
    assert lead_rows


async def test_permissions_and_bad_input(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    expected = {"admin": 200, "director": 200, "east_manager": 200, "east_rep1": 200, "marketer": 200,
                "analyst": 200, "service_manager": 403, "agent1": 403, "it": 403}  # fmt: skip
    for who, status in expected.items():
        r = await client.get("/api/v1/analytics/leads", headers=u[who].headers)
        assert r.status_code == status, (who, r.text)
    assert (await client.get("/api/v1/analytics/leads")).status_code == 401
    headers = u["director"].headers
    for bad, name in (
        ({"by": "colour"}, "by"),
        ({"grain": "fortnight"}, "grain"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-01-01", "grain": "day"}, "grain"),
        ({"from": "not-a-date"}, "from"),
        ({"touch": "middle"}, "touch"),
    ):
        r = await client.get("/api/v1/analytics/leads", params=bad, headers=headers)
        assert r.status_code == 422, (bad, r.text)
        assert name in r.text, (bad, r.text)
    # Nothing created yet: no rows, zero totals, no money.
    empty = (
        await client.get("/api/v1/analytics/leads", params={"from": str(date(2026, 1, 1))}, headers=headers)
    ).json()
    assert empty["rows"] == [] and empty["total"]["leads"] == 0 and empty["total"]["won_revenue"] == []
