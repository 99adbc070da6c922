"""SQL pieces every analysis shares: local dates and buckets in the tenant's time zone.

    zone = await tenant_zone(conn, tenant_id)                 # "Asia/Shanghai"
    lo, hi = window.instants(domain_zone(zone))               # where created_at >= lo and < hi
    sa.select(bucket(deals.c.created_at, window.grain, zone), sa.func.count())...

`bucket` of a timestamp column is date_trunc in the zone, as a date (the bucket's first local
day; weeks start on Monday); of a date column it is date_trunc of the date itself. The zone is a
bound parameter, never pasted into the SQL.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.window import DEFAULT_ZONE, Grain
from app.repositories.tables import tenants

E = sa.ColumnElement[Any]


def local_date(column: Any, zone: str) -> sa.ColumnElement[Any]:
    """A timestamptz column's local date in `zone`."""
    return sa.cast(sa.func.timezone(sa.bindparam(None, zone, type_=sa.Text), column), sa.Date)


def bucket(column: Any, grain: Grain, zone: str | None = None) -> sa.ColumnElement[Any]:
    """The first local date of the column's bucket. `zone` for timestamptz columns; None for dates."""
    local = column if zone is None else sa.func.timezone(sa.bindparam(None, zone, type_=sa.Text), column)
    return sa.cast(sa.func.date_trunc(sa.literal_column(f"'{grain.value}'"), local), sa.Date)


def zone_of_settings(settings: Any) -> E:
    """The tenant's zone from its settings column (SQL), for queries that join tenants."""
    return sa.func.coalesce(settings["time_zone"].astext, DEFAULT_ZONE)


async def tenant_zone(conn: AsyncConnection, tenant_id: UUID) -> str:
    """The tenant's IANA time zone (settings.time_zone), UTC when it never set one."""
    found = await conn.execute(sa.select(zone_of_settings(tenants.c.settings)).where(tenants.c.id == tenant_id))
    return found.scalar_one_or_none() or DEFAULT_ZONE
