"""Lead analysis in PostgreSQL: one pass over the window's leads (GROUPING SETS give the buckets,
the keys and the total together), one over the won deals they converted into. Both start from
`ix_leads_created` (tenant, created_at) within the caller's range."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.lead_analysis import LeadAnalysisRepository, LeadDimension, LeadFigures, LeadGroup, Touch
from app.domain.analytics.window import Window, zone
from app.domain.shared.scope import DataScope
from app.repositories.analytics_sql import bucket, tenant_zone
from app.repositories.scoping import scope_predicate
from app.repositories.tables import campaigns, leads, opportunities, pipeline_stages, users

L, C, D, S = leads, campaigns, opportunities, pipeline_stages
DAY_SECONDS = 86400.0


class PgLeadAnalysis(LeadAnalysisRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def time_zone(self, tenant_id: UUID) -> str:
        return await tenant_zone(self.conn, tenant_id)

    def _cohort(self, scope: DataScope, window: Window, time_zone: str, by: LeadDimension, touch: Touch) -> sa.Subquery:
        lo, hi = window.instants(zone(time_zone))
        touch_column = L.c.campaign_id if touch is Touch.FIRST else L.c.last_campaign_id
        source: sa.FromClause = L
        key: sa.ColumnElement[Any]
        if by is LeadDimension.SOURCE:
            key = L.c.source
        elif by is LeadDimension.OWNER:
            key = sa.cast(L.c.owner_id, sa.Text)
        elif by is LeadDimension.CAMPAIGN:
            key = sa.cast(touch_column, sa.Text)
        else:
            source = L.outerjoin(C, (C.c.tenant_id == L.c.tenant_id) & (C.c.id == touch_column))
            key = C.c.channel
        seconds = sa.extract("epoch", L.c.converted_at - L.c.created_at)
        return (
            sa.select(
                key.label("key"),
                bucket(L.c.created_at, window.grain, time_zone).label("bucket"),
                L.c.converted_at,
                (seconds / DAY_SECONDS).label("days"),
                L.c.converted_opportunity_id,
            )
            .select_from(source)
            .where(scope_predicate(L, scope), L.c.deleted_at.is_(None), L.c.created_at >= lo, L.c.created_at < hi)
            .subquery("cohort")
        )

    async def lead_figures(
        self,
        leads: DataScope,
        deals: DataScope | None,
        window: Window,
        time_zone: str,
        by: LeadDimension,
        touch: Touch,
    ) -> LeadFigures:
        cohort = self._cohort(leads, window, time_zone, by, touch)
        k, b = cohort.c.key, cohort.c.bucket
        converted = cohort.c.converted_at.isnot(None)
        stmt = sa.select(
            k,
            b,
            sa.func.grouping(k, b).label("level"),
            sa.func.count(),
            sa.func.count().filter(converted),
            sa.func.avg(cohort.c.days),
            sa.func.percentile_cont(0.5).within_group(cohort.c.days),
        ).group_by(sa.func.grouping_sets(sa.tuple_(k, b), sa.tuple_(k), sa.tuple_()))
        groups: dict[str | None, LeadGroup] = {}
        total = LeadGroup()
        for key, at, level, count, done, avg, median in await self.conn.execute(stmt):
            if level == 3:  # the total
                total.leads, total.converted, total.avg_days, total.median_days = count, done, avg, median
                continue
            group = groups.setdefault(key, LeadGroup())
            if level == 0:
                group.buckets[at] = {"leads": count, "converted": done}
                total.buckets.setdefault(at, {"leads": 0, "converted": 0})
                total.buckets[at]["leads"] += count
                total.buckets[at]["converted"] += done
            else:
                group.leads, group.converted, group.avg_days, group.median_days = count, done, avg, median
        if deals is not None and groups:
            won = (
                sa.select(
                    cohort.c.key, D.c.currency, sa.func.grouping(cohort.c.key), sa.func.count(), sa.func.sum(D.c.amount)
                )
                .select_from(
                    cohort.join(D, D.c.id == cohort.c.converted_opportunity_id).join(
                        S, (S.c.tenant_id == D.c.tenant_id) & (S.c.id == D.c.stage_id)
                    )
                )
                .where(
                    D.c.tenant_id == leads.tenant_id,
                    scope_predicate(D, deals),
                    D.c.deleted_at.is_(None),
                    S.c.kind == "won",
                )
                .group_by(sa.func.grouping_sets(sa.tuple_(cohort.c.key, D.c.currency), sa.tuple_(D.c.currency)))
            )
            for key, currency, level, count, amount in await self.conn.execute(won):
                into = total if level == 1 else groups.setdefault(key, LeadGroup())
                into.won[currency] = amount
                into.won_count += count
        return LeadFigures(groups, total, await self._labels(leads.tenant_id, by, groups))

    async def _labels(self, tenant_id: UUID, by: LeadDimension, groups: dict[str | None, LeadGroup]) -> dict[str, str]:
        if by not in (LeadDimension.OWNER, LeadDimension.CAMPAIGN):
            return {}
        ids = [UUID(key) for key in groups if key is not None]
        if not ids:
            return {}
        table = users if by is LeadDimension.OWNER else C
        stmt = sa.select(table.c.id, table.c.name).where(table.c.tenant_id == tenant_id, table.c.id.in_(ids))
        return {str(row.id): row.name for row in await self.conn.execute(stmt)}
