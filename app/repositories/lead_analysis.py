"""Lead analysis in PostgreSQL.

Counts (leads, converted, days to convert summed for the average) per key and bucket come from
the trigger-kept rollups (migration 0039): `lead_month_rollups` for the whole months of a window
by month, quarter or year, `lead_day_rollups` for its partial edge months and for day and week
series. They keep owner and department, so own and department ranges apply to them as to the
leads. A range narrowed by region or customer type, or one that also reads what the caller
created, counts the leads themselves (`ix_leads_created`).
The median and the won revenue read the converted leads only (`ix_leads_converted`): a minority.
GROUPING SETS give the buckets, the keys and the total in one pass."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.lead_analysis import LeadAnalysisRepository, LeadDimension, LeadFigures, LeadGroup, Touch
from app.domain.analytics.window import Grain, Window, next_bucket, zone
from app.domain.shared.scope import DataScope
from app.repositories.analytics_sql import bucket, tenant_zone
from app.repositories.scoping import scope_predicate, scope_shape
from app.repositories.tables import (
    campaigns,
    lead_day_rollups,
    lead_month_rollups,
    leads,
    opportunities,
    pipeline_stages,
    users,
)

L, C, D, S = leads, campaigns, opportunities, pipeline_stages
DAY, MONTH = lead_day_rollups, lead_month_rollups
DAY_SECONDS = 86400.0
MONTHLY = (Grain.MONTH, Grain.QUARTER, Grain.YEAR)


def _rollups_serve(scope: DataScope) -> bool:
    grants, _, creator_reads = scope_shape(scope)
    return not creator_reads and not any(by_region or by_type for _, by_region, by_type in grants)


def _key(table: sa.FromClause, by: LeadDimension, touch: Touch) -> tuple[sa.FromClause, sa.ColumnElement[Any]]:
    """The grouping key over leads or a rollup (same column names), and what to select from."""
    touch_column = table.c.campaign_id if touch is Touch.FIRST else table.c.last_campaign_id
    if by is LeadDimension.SOURCE:
        return table, table.c.source
    if by is LeadDimension.OWNER:
        return table, sa.cast(table.c.owner_id, sa.Text)
    if by is LeadDimension.CAMPAIGN:
        return table, sa.cast(touch_column, sa.Text)
    joined = table.outerjoin(C, (C.c.tenant_id == table.c.tenant_id) & (C.c.id == touch_column))
    return joined, C.c.channel


class PgLeadAnalysis(LeadAnalysisRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def time_zone(self, tenant_id: UUID) -> str:
        return await tenant_zone(self.conn, tenant_id)

    def _cohort(
        self,
        scope: DataScope,
        window: Window,
        time_zone: str,
        by: LeadDimension,
        touch: Touch,
        *,
        converted_only: bool = False,
    ) -> sa.Subquery:
        """The window's live leads within the scope: key, bucket, leads 1, converted 0/1, days."""
        lo, hi = window.instants(zone(time_zone))
        source, key = _key(L, by, touch)
        seconds = sa.extract("epoch", L.c.converted_at - L.c.created_at)
        where = [scope_predicate(L, scope), L.c.deleted_at.is_(None), L.c.created_at >= lo, L.c.created_at < hi]
        if converted_only:
            where.append(L.c.converted_at.isnot(None))
        return (
            sa.select(
                key.label("key"),
                bucket(L.c.created_at, window.grain, time_zone).label("bucket"),
                sa.literal(1, sa.BigInteger).label("leads"),
                sa.cast(L.c.converted_at.isnot(None), sa.Integer).label("converted"),
                sa.func.coalesce(seconds / DAY_SECONDS, 0).label("days"),
                (seconds / DAY_SECONDS).label("span"),
                L.c.converted_opportunity_id,
            )
            .select_from(source)
            .where(*where)
            .subquery("cohort")
        )

    def _rolled_up(self, scope: DataScope, window: Window, by: LeadDimension, touch: Touch) -> sa.Subquery:
        """The same counts from the rollups: whole months by month (a month's first day stands for
        it: it falls in the same bucket), the rest by day."""

        def part(table: sa.Table, column: str, start: date, end: date) -> sa.Select[Any]:
            source, key = _key(table, by, touch)
            at = table.c[column]
            b = at if window.grain is Grain.DAY else bucket(at, window.grain)
            return (
                sa.select(
                    key.label("key"),
                    b.label("bucket"),
                    table.c.leads,
                    table.c.converted,
                    table.c.convert_days.label("days"),
                )
                .select_from(source)
                .where(scope_predicate(table, scope), at >= start, at < end)
            )

        first = window.start if window.start.day == 1 else next_bucket(window.start.replace(day=1), Grain.MONTH)
        last = window.end.replace(day=1)
        if window.grain not in MONTHLY or first >= last:
            return part(DAY, "day", window.start, window.end).subquery("cohort")
        return sa.union_all(
            part(DAY, "day", window.start, first), part(MONTH, "month", first, last), part(DAY, "day", last, window.end)
        ).subquery("cohort")

    async def lead_figures(
        self,
        leads: DataScope,
        deals: DataScope | None,
        window: Window,
        time_zone: str,
        by: LeadDimension,
        touch: Touch,
    ) -> LeadFigures:
        rows = (
            self._rolled_up(leads, window, by, touch)
            if _rollups_serve(leads)
            else self._cohort(leads, window, time_zone, by, touch)
        )
        k, b = rows.c.key, rows.c.bucket
        stmt = (
            sa.select(
                k,
                b,
                sa.func.grouping(k, b).label("level"),
                sa.func.sum(rows.c.leads),
                sa.func.sum(rows.c.converted),
                sa.func.sum(rows.c.days),
            )
            .group_by(sa.func.grouping_sets(sa.tuple_(k, b), sa.tuple_(k), sa.tuple_()))
            .having(sa.func.sum(rows.c.leads) != 0)
        )
        groups: dict[str | None, LeadGroup] = {}
        total = LeadGroup()
        for key, at, level, count, done, spent in await self.conn.execute(stmt):
            count, done = int(count), int(done)
            average = float(spent) / done if done else None
            if level == 3:  # the total
                total.leads, total.converted, total.avg_days = count, done, average
                continue
            group = groups.setdefault(key, LeadGroup())
            if level == 0:
                group.buckets[at] = {"leads": count, "converted": done}
                total.buckets.setdefault(at, {"leads": 0, "converted": 0})
                total.buckets[at]["leads"] += count
                total.buckets[at]["converted"] += done
            else:
                group.leads, group.converted, group.avg_days = count, done, average
        if groups:
            converted = self._cohort(leads, window, time_zone, by, touch, converted_only=True)
            await self._medians(converted, groups, total)
            if deals is not None:
                await self._won(converted, leads.tenant_id, deals, groups, total)
        return LeadFigures(groups, total, await self._labels(leads.tenant_id, by, groups))

    async def _medians(self, converted: sa.Subquery, groups: dict[str | None, LeadGroup], total: LeadGroup) -> None:
        k = converted.c.key
        stmt = sa.select(k, sa.func.grouping(k), sa.func.percentile_cont(0.5).within_group(converted.c.span)).group_by(
            sa.func.grouping_sets(sa.tuple_(k), sa.tuple_())
        )
        for key, level, median in await self.conn.execute(stmt):
            if level == 1:
                total.median_days = median
            elif key in groups:
                groups[key].median_days = median

    async def _won(
        self,
        converted: sa.Subquery,
        tenant_id: UUID,
        deals: DataScope,
        groups: dict[str | None, LeadGroup],
        total: LeadGroup,
    ) -> None:
        k = converted.c.key
        won = (
            sa.select(k, D.c.currency, sa.func.grouping(k), sa.func.count(), sa.func.sum(D.c.amount))
            .select_from(
                converted.join(D, D.c.id == converted.c.converted_opportunity_id).join(
                    S, (S.c.tenant_id == D.c.tenant_id) & (S.c.id == D.c.stage_id)
                )
            )
            .where(D.c.tenant_id == tenant_id, scope_predicate(D, deals), D.c.deleted_at.is_(None), S.c.kind == "won")
            .group_by(sa.func.grouping_sets(sa.tuple_(k, D.c.currency), sa.tuple_(D.c.currency)))
        )
        for key, currency, level, count, amount in await self.conn.execute(won):
            into = total if level == 1 else groups.setdefault(key, LeadGroup())
            into.won[currency] = amount
            into.won_count += count

    async def _labels(self, tenant_id: UUID, by: LeadDimension, groups: dict[str | None, LeadGroup]) -> dict[str, str]:
        if by not in (LeadDimension.OWNER, LeadDimension.CAMPAIGN):
            return {}
        ids = [UUID(key) for key in groups if key is not None]
        if not ids:
            return {}
        table = users if by is LeadDimension.OWNER else C
        stmt = sa.select(table.c.id, table.c.name).where(table.c.tenant_id == tenant_id, table.c.id.in_(ids))
        return {str(row.id): row.name for row in await self.conn.execute(stmt)}
