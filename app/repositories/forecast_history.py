"""Forecast snapshots in PostgreSQL (migration 0039): which tenants are due, the week's marker
(the claim), the quarter's sums per owner and currency from the deals, and the history read
within the caller's range."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.forecast.history import DueTenant, HistoryRow, SnapshotLine, SnapshotRepository
from app.domain.forecast.periods import Period
from app.domain.shared.scope import DataScope
from app.repositories.analytics_sql import zone_of_settings
from app.repositories.scoping import scope_predicate
from app.repositories.tables import (
    departments,
    forecast_snapshot_weeks,
    forecast_snapshots,
    opportunities,
    pipeline_stages,
    pipelines,
    tenants,
    users,
)

D, S, W, F = opportunities, pipeline_stages, forecast_snapshot_weeks, forecast_snapshots


class PgSnapshots(SnapshotRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def due(self, now: datetime) -> list[DueTenant]:
        zone = zone_of_settings(tenants.c.settings)
        local_week = sa.cast(sa.func.date_trunc("week", sa.func.timezone(zone, sa.literal(now))), sa.Date)
        taken = sa.exists().where(W.c.tenant_id == tenants.c.id, W.c.week == local_week)
        stmt = sa.select(tenants.c.id, zone).where(~taken).order_by(tenants.c.id)
        return [DueTenant(tenant_id, time_zone) for tenant_id, time_zone in await self.conn.execute(stmt)]

    async def claim(self, tenant_id: UUID, week: date, period: str) -> bool:
        stmt = (
            insert(W).values(tenant_id=tenant_id, week=week, period=period).on_conflict_do_nothing().returning(W.c.week)
        )
        return (await self.conn.execute(stmt)).first() is not None

    async def lines(self, tenant_id: UUID, period: Period) -> list[SnapshotLine]:
        def total(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
            return sa.func.coalesce(sa.func.sum(D.c.amount).filter(condition), 0)

        open_ = (S.c.kind == "open") & (D.c.forecast_category != "omitted")
        stmt = (
            sa.select(
                D.c.owner_id,
                users.c.department_id,
                D.c.currency,
                total(open_ & (D.c.forecast_category == "commit")),
                total(open_ & (D.c.forecast_category == "best_case")),
                total(open_ & (D.c.forecast_category == "pipeline")),
                total(S.c.kind == "won"),
            )
            .select_from(
                D.join(S, (S.c.tenant_id == D.c.tenant_id) & (S.c.id == D.c.stage_id)).join(
                    users, (users.c.tenant_id == D.c.tenant_id) & (users.c.id == D.c.owner_id)
                )
            )
            .where(
                D.c.tenant_id == tenant_id,
                D.c.deleted_at.is_(None),
                D.c.expected_close_date >= period.start,
                D.c.expected_close_date < period.end,
            )
            .group_by(D.c.owner_id, users.c.department_id, D.c.currency)
        )
        return [SnapshotLine(*row) for row in await self.conn.execute(stmt)]

    async def default_currency(self, tenant_id: UUID) -> str:
        stmt = (
            sa.select(pipelines.c.currency)
            .where(pipelines.c.tenant_id == tenant_id, pipelines.c.deleted_at.is_(None))
            .order_by(pipelines.c.position, pipelines.c.id)
            .limit(1)
        )
        return (await self.conn.execute(stmt)).scalar_one_or_none() or "CNY"

    async def save(self, tenant_id: UUID, week: date, period: str, lines: list[SnapshotLine]) -> None:
        if not lines:
            return
        rows = [
            {"tenant_id": tenant_id, "week": week, "period": period, "owner_id": line.owner_id,
             "department_id": line.department_id, "currency": line.currency, "commit": line.commit,
             "best_case": line.best_case, "pipeline": line.pipeline, "closed_won": line.closed_won,
             "target": line.target}
            for line in lines
        ]  # fmt: skip
        await self.conn.execute(F.insert(), rows)

    async def history(
        self, scope: DataScope, period: str, owner_id: UUID | None, department_id: UUID | None
    ) -> list[HistoryRow]:
        conditions = [scope_predicate(F, scope), F.c.period == period]
        if owner_id is not None:
            conditions.append(F.c.owner_id == owner_id)
        if department_id is not None:
            d, below = departments, departments.alias("below")
            subtree = (
                sa.select(below.c.id)
                .select_from(d.join(below, (below.c.tenant_id == d.c.tenant_id) & below.c.path.startswith(d.c.path)))
                .where(d.c.tenant_id == scope.tenant_id, d.c.id == department_id)
            )
            conditions.append(F.c.department_id.in_(subtree))
        rows = sa.select(F).where(*conditions).subquery("rows")
        stmt = (
            sa.select(
                W.c.week,
                W.c.taken_at,
                rows.c.currency,
                sa.func.coalesce(sa.func.sum(rows.c.commit), 0),
                sa.func.coalesce(sa.func.sum(rows.c.best_case), 0),
                sa.func.coalesce(sa.func.sum(rows.c.pipeline), 0),
                sa.func.coalesce(sa.func.sum(rows.c.closed_won), 0),
                sa.func.sum(rows.c.target),
            )
            .select_from(W.outerjoin(rows, sa.and_(rows.c.tenant_id == W.c.tenant_id, rows.c.week == W.c.week)))
            .where(W.c.tenant_id == scope.tenant_id, W.c.period == period)
            .group_by(W.c.week, W.c.taken_at, rows.c.currency)
            .order_by(W.c.week, rows.c.currency)
        )
        return [HistoryRow(*row) for row in await self.conn.execute(stmt)]
