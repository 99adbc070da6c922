"""Demo forecast history: this week's snapshot of the quarter's forecast, taken as the worker takes
it, and the quarter's earlier weeks derived from it so the chart shows movement: commit growing
as deals firm up, best case shrinking into it, closed won climbing towards this week's."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.parts import local_today
from app.domain.forecast.history import quarter_of, take_snapshot, week_of
from app.repositories.analytics_sql import tenant_zone
from app.repositories.forecast import PgForecastRepository
from app.repositories.forecast_history import PgSnapshots
from app.repositories.tables import forecast_snapshot_weeks, forecast_snapshots

CENT = Decimal("0.01")


async def seed_demo_forecast_history(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> bool:
    found = await conn.execute(
        sa.select(forecast_snapshot_weeks.c.week).where(forecast_snapshot_weeks.c.tenant_id == tenant_id)
    )
    if found.first() is not None:
        return False
    local = local_today(today, await tenant_zone(conn, tenant_id))
    if not await take_snapshot(PgSnapshots(conn), PgForecastRepository(conn), tenant_id, local):
        return False
    week, period = week_of(local), quarter_of(local)
    s = forecast_snapshots
    current = [
        dict(row._mapping)
        for row in await conn.execute(sa.select(s).where(s.c.tenant_id == tenant_id, s.c.week == week))
    ]
    earlier = week - timedelta(days=7)
    back = 1
    while earlier >= week_of(period.start):
        await conn.execute(
            forecast_snapshot_weeks.insert().values(tenant_id=tenant_id, week=earlier, period=period.label)
        )
        moved = []
        for row in current:
            # k weeks back: less won and committed, more still hoped for
            won_share = max(Decimal(0), 1 - Decimal("0.12") * back)
            commit_share = max(Decimal("0.2"), 1 - Decimal("0.08") * back)
            lost_to_won = row["closed_won"] * (1 - won_share)
            moved.append({
                **row, "week": earlier,
                "closed_won": (row["closed_won"] * won_share).quantize(CENT),
                "commit": (row["commit"] * commit_share + lost_to_won / 2).quantize(CENT),
                "best_case": (row["best_case"] * (1 + Decimal("0.06") * back) + lost_to_won / 2).quantize(CENT),
                "pipeline": (row["pipeline"] * (1 + Decimal("0.1") * back)).quantize(CENT),
            })  # fmt: skip
        if moved:
            await conn.execute(s.insert(), moved)
        earlier -= timedelta(days=7)
        back += 1
    return True
