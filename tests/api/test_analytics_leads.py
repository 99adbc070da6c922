"""GET /analytics/leads: each figure equals a direct computation over generated leads and the deals
they became, for every dimension and touch, several windows and grains in the tenant's zone
(leads at local midnight land in the right bucket), and every data range (all, department with a
sub-department, own, the marketer's, all narrowed by region). Drill-downs reach the same leads
through the leads list's own filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain, Window
from app.repositories.tables import leads
from tests.api.lead_activity_support import (
    Data,
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


async def check_leads(client: httpx.AsyncClient, data: Data, lead_rows: list[dict], deal_rows: list[dict]) -> int:
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
    return checked


async def test_lead_figures_equal_a_direct_computation(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    data = await setup(client, engine, world, seed=15)
    lead_rows, deal_rows = await insert_leads_and_deals(engine, data, 160)
    assert await check_leads(client, data, lead_rows, deal_rows) > 200
    # Edits through single and multi-row statements: conversions, new owners and touches, soft and
    # hard deletes, a restore. The rollups follow; compaction and a rebuild change nothing.
    rng, t = data.rng, leads
    async with engine.begin() as conn:
        for row in rng.sample(lead_rows, 20):
            if row["converted_at"] is None:
                row["converted_at"] = row["created_at"] + timedelta(days=rng.uniform(0.1, 30))
            else:  # undone: no longer converted, nor the deal's source
                row["converted_at"] = row["converted_opportunity_id"] = None
            status = "converted" if row["converted_at"] else "qualified"
            await conn.execute(t.update().where(t.c.tenant_id == world.id, t.c.id == row["id"]).values(
                converted_at=row["converted_at"], converted_opportunity_id=row["converted_opportunity_id"],
                status=status))  # fmt: skip
        moved = rng.sample(lead_rows, 25)
        owner, department = data.people[2]
        campaign = next(iter(data.campaigns))
        await conn.execute(t.update().where(t.c.tenant_id == world.id, t.c.id.in_([r["id"] for r in moved])).values(
            owner_id=owner, department_id=department, last_campaign_id=campaign))  # fmt: skip
        for row in moved:
            row.update(owner_id=owner, department_id=department, last_campaign_id=campaign)
        gone = rng.sample(lead_rows, 12)
        await conn.execute(t.update().where(t.c.tenant_id == world.id, t.c.id.in_([r["id"] for r in gone])).values(
            deleted_at=datetime.now(UTC)))  # fmt: skip
        for row in gone:
            row["deleted_at"] = datetime.now(UTC)
        back = [r for r in lead_rows if r["deleted_at"] is not None][:3]
        await conn.execute(t.update().where(t.c.tenant_id == world.id, t.c.id.in_([r["id"] for r in back])).values(
            deleted_at=None))  # fmt: skip
        for row in back:
            row["deleted_at"] = None
        purged = [r for r in lead_rows if r["converted_opportunity_id"] is None][:5]
        await conn.execute(t.delete().where(t.c.tenant_id == world.id, t.c.id.in_([r["id"] for r in purged])))
        lead_rows = [r for r in lead_rows if r not in purged]
    await check_leads(client, data, lead_rows, deal_rows)
    async with engine.begin() as conn:
        await conn.execute(sa.text("SELECT lead_rollups_compact()"))
    await check_leads(client, data, lead_rows, deal_rows)
    async with engine.begin() as conn:
        await conn.execute(sa.text("SELECT lead_rollups_rebuild(:t)"), {"t": world.id})
    await check_leads(client, data, lead_rows, deal_rows)


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
