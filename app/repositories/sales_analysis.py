"""Sales analysis in PostgreSQL: sums per key over the deals within the caller's scope, grouped in
SQL (app/domain/analytics/sales.py turns them into figures). Keys and conditions are the
expressions of app/repositories/deal_facts.py, which the deal list's drill filters use too.

Every statement reads `opportunities` live (scoped by scoping.scope_predicate): the windows are
arbitrary local days in the tenant's zone, and the funnel and time in stage need each deal's
stage history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.sales import (
    NONE_KEY,
    ClosedSums,
    FunnelCount,
    MoneySums,
    PerformanceBy,
    RevenueBy,
    RevenueSums,
    Stage,
    StageTimes,
)
from app.domain.analytics.window import Window
from app.domain.shared.scope import DataScope
from app.repositories import deal_facts as facts
from app.repositories.analytics_sql import bucket, tenant_zone
from app.repositories.scoping import scope_predicate
from app.repositories.tables import (
    campaigns,
    departments,
    opportunities,
    opportunity_stage_history,
    pipeline_stages,
    pipelines,
    regions,
    users,
)

o, s, h = opportunities, pipeline_stages, opportunity_stage_history
DAYS = 86400.0
E = sa.ColumnElement[Any]

# A display name per dimension whose keys are ids.
LABELS: dict[str, sa.Table] = {
    "owner": users,
    "department": departments,
    "region": regions,
    "pipeline": pipelines,
    "campaign": campaigns,
}


def _joined() -> sa.FromClause:
    return o.join(s, sa.and_(s.c.tenant_id == o.c.tenant_id, s.c.id == o.c.stage_id))


def _key(by: str) -> tuple[E, sa.FromClause]:
    """The dimension's key (text, "none" for no value) and what to select it from."""
    source = _joined()
    if by == "owner":
        return sa.cast(o.c.owner_id, sa.Text), source
    if by == "department":
        return sa.func.coalesce(sa.cast(o.c.department_id, sa.Text), NONE_KEY), source
    if by == "pipeline":
        return sa.cast(o.c.pipeline_id, sa.Text), source
    if by == "source":
        return facts.source(), source
    if by == "campaign":
        return facts.campaign(), source
    if by == "region":
        return facts.customer_attribute("region_id"), source
    if by in ("customer_level", "customer_type"):
        return facts.customer_attribute("level" if by == "customer_level" else "customer_type"), source
    if by == "product_line":
        p = facts.products()
        on = sa.and_(p.c.tenant_id == o.c.tenant_id, p.c.opportunity_id == o.c.id)
        return sa.func.coalesce(p.c.product_name, NONE_KEY), source.outerjoin(p, on)
    raise ValueError(by)


def _cycle() -> E:
    return sa.extract("epoch", o.c.closed_at - o.c.created_at) / DAYS


def _median(value: E) -> E:
    return sa.func.percentile_cont(0.5).within_group(value)


class PgSalesAnalysis:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _where(self, scope: DataScope) -> list[sa.ColumnElement[bool]]:
        return [scope_predicate(o, scope), o.c.deleted_at.is_(None)]

    async def time_zone(self, tenant_id: UUID) -> str:
        return await tenant_zone(self.conn, tenant_id)

    async def pipeline(self, tenant_id: UUID, pipeline_id: UUID | None) -> tuple[UUID, str, list[Stage]] | None:
        p = pipelines
        stmt = sa.select(p.c.id, p.c.name).where(p.c.tenant_id == tenant_id, p.c.deleted_at.is_(None))
        stmt = stmt.where(p.c.id == pipeline_id) if pipeline_id else stmt.order_by(p.c.position, p.c.id).limit(1)
        found = (await self.conn.execute(stmt)).first()
        if found is None:
            return None
        stages = await self.conn.execute(
            sa.select(s.c.id, s.c.name, s.c.position, s.c.kind)
            .where(s.c.tenant_id == tenant_id, s.c.pipeline_id == found.id, s.c.deleted_at.is_(None))
            .order_by(s.c.position, s.c.id)
        )
        return found.id, found.name, [Stage(*row) for row in stages]

    async def funnel(self, scope: DataScope, pipeline_id: UUID, lo: datetime, hi: datetime) -> list[FunnelCount]:
        # deal_facts.furthest, as one join over the cohort's history instead of a subquery per deal
        reached = pipeline_stages.alias("reached")
        history = sa.and_(h.c.tenant_id == o.c.tenant_id, h.c.opportunity_id == o.c.id)
        counted = sa.and_(
            reached.c.tenant_id == h.c.tenant_id,
            reached.c.id == h.c.to_stage_id,
            reached.c.pipeline_id == o.c.pipeline_id,
            reached.c.kind != "lost",
        )
        current = sa.case((s.c.kind != "lost", s.c.position))
        deals = (
            sa.select(sa.func.greatest(sa.func.max(reached.c.position), current).label("furthest"), s.c.kind)
            .select_from(_joined().outerjoin(h, history).outerjoin(reached, counted))
            .where(*self._where(scope), o.c.pipeline_id == pipeline_id, o.c.created_at >= lo, o.c.created_at < hi)
            .group_by(o.c.id, s.c.kind, s.c.position)
            .subquery()
        )
        stmt = sa.select(deals.c.furthest, deals.c.kind, sa.func.count()).group_by(deals.c.furthest, deals.c.kind)
        return [FunnelCount(*row) for row in await self.conn.execute(stmt)]

    async def closed(
        self, scope: DataScope, by: PerformanceBy, lo: datetime, hi: datetime, pipeline_id: UUID | None
    ) -> tuple[list[ClosedSums], list[MoneySums]]:
        key, source = _key(by.value)
        where = [*self._where(scope), o.c.closed_at >= lo, o.c.closed_at < hi, s.c.kind.in_(facts.CLOSED)]
        if pipeline_id is not None:
            where.append(o.c.pipeline_id == pipeline_id)
        deals = (
            sa.select(key.label("key"), s.c.kind, o.c.currency, o.c.amount, _cycle().label("cycle"))
            .select_from(source)
            .where(*where)
            .subquery()
        )
        won = deals.c.kind == "won"
        counts = sa.select(
            deals.c.key,
            sa.func.count().filter(won),
            sa.func.count().filter(deals.c.kind == "lost"),
            sa.func.avg(deals.c.cycle).filter(won),
            _median(deals.c.cycle).filter(won),
        ).group_by(deals.c.key)
        money = (
            sa.select(deals.c.key, deals.c.currency, sa.func.count(), sa.func.sum(deals.c.amount))
            .where(won)
            .group_by(deals.c.key, deals.c.currency)
        )
        closed = [
            ClosedSums(k, w, lost, None if a is None else float(a), None if m is None else float(m))
            for k, w, lost, a, m in await self.conn.execute(counts)
        ]
        return closed, [MoneySums(*row) for row in await self.conn.execute(money)]

    async def open(self, scope: DataScope, by: PerformanceBy, pipeline_id: UUID | None) -> list[MoneySums]:
        key, source = _key(by.value)
        where = [*self._where(scope), s.c.kind == "open"]
        if pipeline_id is not None:
            where.append(o.c.pipeline_id == pipeline_id)
        deals = sa.select(key.label("key"), o.c.currency, o.c.amount).select_from(source).where(*where).subquery()
        stmt = sa.select(deals.c.key, deals.c.currency, sa.func.count(), sa.func.sum(deals.c.amount)).group_by(
            deals.c.key, deals.c.currency
        )
        return [MoneySums(*row) for row in await self.conn.execute(stmt)]

    async def stage_times(
        self, scope: DataScope, pipeline_id: UUID, lo: datetime, hi: datetime, by_owner: bool
    ) -> list[StageTimes]:
        stays = (
            sa.select(
                h.c.from_stage_id.label("stage_id"),
                sa.cast(o.c.owner_id, sa.Text).label("owner"),
                o.c.id.label("deal"),
                (h.c.seconds_in_from_stage / DAYS).label("days"),
            )
            .select_from(o.join(h, sa.and_(h.c.tenant_id == o.c.tenant_id, h.c.opportunity_id == o.c.id)))
            .where(
                *self._where(scope),
                o.c.pipeline_id == pipeline_id,
                o.c.created_at >= lo,
                o.c.created_at < hi,
                h.c.from_stage_id.isnot(None),
                h.c.seconds_in_from_stage.isnot(None),
            )
            .subquery()
        )
        sets = [sa.tuple_(stays.c.stage_id)]
        if by_owner:
            sets.append(sa.tuple_(stays.c.stage_id, stays.c.owner))
        # the owner of the per-owner rows; NULL on the stage's total row
        owner = sa.case((sa.func.grouping(stays.c.owner) == 0, stays.c.owner)) if by_owner else sa.null()
        stmt = sa.select(
            stays.c.stage_id,
            owner,
            sa.func.count(sa.distinct(stays.c.deal)),
            sa.func.count(),
            sa.func.avg(stays.c.days),
            _median(stays.c.days),
        ).group_by(sa.func.grouping_sets(*sets))
        return [
            StageTimes(stage, owner, deals, n, float(a) if a is not None else None, float(m) if m is not None else None)
            for stage, owner, deals, n, a, m in await self.conn.execute(stmt)
        ]

    async def revenue(
        self, scope: DataScope, by: RevenueBy, window: Window, time_zone: str, lo: datetime, hi: datetime
    ) -> list[RevenueSums]:
        key, source = _key(by.value)
        deals = (
            sa.select(
                bucket(o.c.closed_at, window.grain, time_zone).label("bucket"),
                key.label("key"),
                o.c.currency,
                o.c.amount,
            )
            .select_from(source)
            .where(*self._where(scope), s.c.kind == "won", o.c.closed_at >= lo, o.c.closed_at < hi)
            .subquery()
        )
        stmt = sa.select(
            deals.c.bucket, deals.c.key, deals.c.currency, sa.func.count(), sa.func.sum(deals.c.amount)
        ).group_by(deals.c.bucket, deals.c.key, deals.c.currency)
        return [RevenueSums(*row) for row in await self.conn.execute(stmt)]

    async def labels(self, tenant_id: UUID, dimension: str, keys: Sequence[str]) -> dict[str, str]:
        table = LABELS.get(dimension)
        if table is None:
            return {}
        ids = [UUID(k) for k in keys if k != NONE_KEY]
        if not ids:
            return {}
        stmt = sa.select(table.c.id, table.c.name).where(table.c.tenant_id == tenant_id, table.c.id.in_(ids))
        return {str(row.id): row.name for row in await self.conn.execute(stmt)}
