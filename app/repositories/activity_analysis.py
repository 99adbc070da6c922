"""Activity analysis in PostgreSQL. Counts come from the trigger-kept rollups (migration 0039):
`activity_month_rollups` (local month, owner, department, kind) for the whole months of a window
by month, quarter or year, `activity_day_rollups` (local day) for its partial edge months and for
day and week series,
`activity_hour_rollups` (local day, hour, department) for the heat map. They keep owner and
department, so own and department ranges apply to them as to the activities; what they cannot
answer, the activities themselves do (migration 0002's `ix_activities_owner_occurred` serves an own range):
- a range narrowed by region or customer type (it needs each activity's customer),
- a scope that also reads what the caller created (the rollups keep no creator),
- the heat map for an own range (its rollup keeps no owner).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.activity_analysis import (
    ActivityAnalysisRepository,
    ActivityDimension,
    ActivityFigures,
    ActivityGroup,
)
from app.domain.analytics.window import Grain, Window, next_bucket, zone
from app.domain.shared.scope import DataRange, DataScope
from app.repositories.analytics_sql import bucket, tenant_zone
from app.repositories.scoping import scope_predicate, scope_shape
from app.repositories.tables import (
    activities,
    activity_day_rollups,
    activity_hour_rollups,
    activity_month_rollups,
    users,
)

A, DAY, MONTH, HOUR = activities, activity_day_rollups, activity_month_rollups, activity_hour_rollups
MONTHLY = (Grain.MONTH, Grain.QUARTER, Grain.YEAR)


def _rollups_serve(scope: DataScope, *, owners: bool) -> bool:
    """Whether the rollups answer for this scope (`owners`: the rollup keeps the owner)."""
    grants, _, creator_reads = scope_shape(scope)
    if creator_reads or any(by_region or by_type for _, by_region, by_type in grants):
        return False
    return owners or all(range_ != DataRange.OWN for range_, _, _ in grants)


def _day_bucket(column: Any, grain: Grain) -> sa.ColumnElement[Any]:
    return column if grain is Grain.DAY else bucket(column, grain)


def _rollup_rows(scope: DataScope, window: Window) -> sa.Subquery:
    """The window's counts as (owner_id, kind, day, done) rows: whole months from the month
    rollup when the series is by month or coarser (a month's first day stands for it: it falls in
    the same bucket), the days before the first and after the last whole month from the day one."""

    def days(start: date, end: date) -> sa.Select[Any]:
        return sa.select(DAY.c.owner_id, DAY.c.kind, DAY.c.day, DAY.c.done).where(
            scope_predicate(DAY, scope), DAY.c.day >= start, DAY.c.day < end
        )

    first = window.start if window.start.day == 1 else next_bucket(window.start.replace(day=1), Grain.MONTH)
    last = window.end.replace(day=1)  # the end is exclusive: the month it starts is not whole
    if window.grain not in MONTHLY or first >= last:
        return days(window.start, window.end).subquery("counted")
    months = sa.select(MONTH.c.owner_id, MONTH.c.kind, MONTH.c.month.label("day"), MONTH.c.done).where(
        scope_predicate(MONTH, scope), MONTH.c.month >= first, MONTH.c.month < last
    )
    return sa.union_all(days(window.start, first), months, days(last, window.end)).subquery("counted")


class PgActivityAnalysis(ActivityAnalysisRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def time_zone(self, tenant_id: UUID) -> str:
        return await tenant_zone(self.conn, tenant_id)

    async def activity_figures(
        self, scope: DataScope, window: Window, time_zone: str, by: ActivityDimension
    ) -> ActivityFigures:
        lo, hi = window.instants(zone(time_zone))
        raw_where = [scope_predicate(A, scope), A.c.deleted_at.is_(None), A.c.status == "done",
                     A.c.occurred_at >= lo, A.c.occurred_at < hi]  # fmt: skip
        count: sa.ColumnElement[Any]
        if _rollups_serve(scope, owners=True):
            source = "rollups"
            rows = _rollup_rows(scope, window)
            owner, kind, at, count = rows.c.owner_id, rows.c.kind, _day_bucket(rows.c.day, window.grain), rows.c.done
            where: list[sa.ColumnElement[bool]] = []
            table: sa.FromClause = rows
        else:
            source = "activities"
            owner, kind, at, count = (
                A.c.owner_id,
                A.c.kind,
                bucket(A.c.occurred_at, window.grain, time_zone),
                sa.literal(1),
            )
            where, table = raw_where, A
        key = sa.cast(owner, sa.Text) if by is ActivityDimension.OWNER else kind
        b = at.label("bucket")
        stmt = (
            sa.select(key.label("key"), b, kind.label("kind"), sa.func.grouping(b), sa.func.sum(count))
            .select_from(table)
            .where(*where)
            .group_by(sa.func.grouping_sets(sa.tuple_(key, b), sa.tuple_(key, kind)))
            # deltas that net to zero (a done activity moved away) leave no figure behind
            .having(sa.func.sum(count) != 0)
        )
        groups: dict[str, ActivityGroup] = {}
        for k, when, what, level, done in await self.conn.execute(stmt):
            group = groups.setdefault(k, ActivityGroup())
            if level == 0:  # (key, bucket)
                group.buckets[when] = int(done)
                group.done += int(done)
            else:  # (key, kind)
                group.kinds[what] = int(done)
        heat = await self._heat(scope, window, time_zone, raw_where)
        labels: dict[str, str] = {}
        if by is ActivityDimension.OWNER and groups:
            ids = [UUID(k) for k in groups]
            found = sa.select(users.c.id, users.c.name).where(users.c.tenant_id == scope.tenant_id, users.c.id.in_(ids))
            labels = {str(row.id): row.name for row in await self.conn.execute(found)}
        return ActivityFigures(groups, heat, labels, source)

    async def _heat(
        self, scope: DataScope, window: Window, time_zone: str, raw_where: list[sa.ColumnElement[bool]]
    ) -> dict[tuple[int, int], int]:
        stmt: Any
        if _rollups_serve(scope, owners=False):
            weekday = sa.extract("isodow", HOUR.c.day)
            stmt = (
                sa.select(weekday, HOUR.c.hour, sa.func.sum(HOUR.c.done))
                .where(scope_predicate(HOUR, scope), HOUR.c.day >= window.start, HOUR.c.day < window.end)
                .group_by(weekday, HOUR.c.hour)
                .having(sa.func.sum(HOUR.c.done) != 0)
            )
        else:
            local = sa.func.timezone(sa.bindparam(None, time_zone, type_=sa.Text), A.c.occurred_at)
            weekday, hour = sa.extract("isodow", local), sa.extract("hour", local)
            stmt = sa.select(weekday, hour, sa.func.count()).where(*raw_where).group_by(weekday, hour)
        return {(int(d), int(h)): int(n) for d, h, n in await self.conn.execute(stmt)}


class PgAnalysisRollupCompaction:
    """The worker's job: fold each key's appended deltas into one row, in the activity and the
    lead rollups (migration 0039)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def compact(self) -> None:
        await self.conn.execute(sa.text("SELECT activity_rollups_compact()"))
        await self.conn.execute(sa.text("SELECT lead_rollups_compact()"))
