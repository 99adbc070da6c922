"""The SQL buckets (app/repositories/analytics_sql.py) agree with the Python ones
(app/domain/analytics/window.py) on every grain, in zones east and west of UTC and across DST,
and a window's instants hold exactly the timestamps whose local date is inside it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain, Window, bucket_start, zone
from app.domain.shared.ids import new_id
from app.repositories.analytics_sql import bucket, local_date, tenant_zone
from app.repositories.tables import tenants

ZONES = ("Asia/Shanghai", "UTC", "America/New_York", "Pacific/Auckland")


def _instants(seed: int) -> list[datetime]:
    rng = random.Random(seed)
    start = datetime(2025, 12, 28, tzinfo=UTC)
    # Random instants plus the edges: local midnights either side of a month and a DST change.
    picks = [start + timedelta(minutes=rng.randrange(0, 60 * 24 * 500)) for _ in range(300)]
    for name in ZONES:
        for day in ("2026-01-01", "2026-03-08", "2026-04-05", "2026-10-01", "2026-11-01"):
            midnight = datetime.fromisoformat(day).replace(tzinfo=zone(name)).astimezone(UTC)
            picks += [midnight - timedelta(microseconds=1), midnight]
    return picks


@pytest.mark.parametrize("zone_name", ZONES)
async def test_sql_buckets_equal_python_buckets(engine: AsyncEngine, zone_name: str) -> None:
    instants = _instants(len(zone_name))
    values = sa.values(sa.column("at", sa.TIMESTAMP(timezone=True)), name="v").data([(at,) for at in instants])
    async with engine.connect() as conn:
        for grain in Grain:
            stmt = sa.select(values.c.at, local_date(values.c.at, zone_name), bucket(values.c.at, grain, zone_name))
            rows = (await conn.execute(stmt)).all()
            assert len(rows) == len(instants)
            for at, local, first in rows:
                expected_local = at.astimezone(zone(zone_name)).date()
                assert local == expected_local, (at, zone_name)
                assert first == bucket_start(expected_local, grain), (at, zone_name, grain)


async def test_date_columns_bucket_without_a_zone(engine: AsyncEngine) -> None:
    days = [datetime(2026, 1, 1).date() + timedelta(days=n) for n in range(0, 400, 7)]
    values = sa.values(sa.column("d", sa.Date), name="v").data([(d,) for d in days])
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(values.c.d, bucket(values.c.d, Grain.QUARTER)))).all()
    assert [first for _, first in rows] == [bucket_start(d, Grain.QUARTER) for d, _ in rows]


@pytest.mark.parametrize("zone_name", ZONES)
async def test_window_instants_hold_the_local_dates_inside_it(zone_name: str) -> None:
    window = Window.parse(
        datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date(), "week", today=datetime(2026, 12, 7).date()
    )
    lo, hi = window.instants(zone(zone_name))
    for at in _instants(7):
        local = at.astimezone(zone(zone_name)).date()
        assert (lo <= at < hi) == (window.start <= local < window.end)


async def test_a_tenant_reads_its_zone_and_defaults_to_utc(engine: AsyncEngine) -> None:
    with_zone, without = new_id(), new_id()
    async with engine.begin() as conn:
        await conn.execute(
            tenants.insert(),
            [
                {"id": with_zone, "name": f"zone {with_zone}", "settings": {"time_zone": "Asia/Shanghai"}},
                {"id": without, "name": f"zone {without}", "settings": {}},
            ],
        )
        assert await tenant_zone(conn, with_zone) == "Asia/Shanghai"
        assert await tenant_zone(conn, without) == "UTC"
        await conn.execute(tenants.delete().where(tenants.c.id.in_([with_zone, without])))
