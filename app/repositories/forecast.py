"""The forecast's sums in PostgreSQL: one GROUP BY over the deals expected to close in the period,
within the caller's scope, and the targets of the period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.forecast.periods import Period
from app.domain.forecast.service import ForecastLine, GroupBy
from app.domain.forecast.targets import Target
from app.domain.shared.scope import DataScope
from app.repositories.configured import ConfiguredTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import opportunities, pipeline_stages, sales_targets

o, s = opportunities, pipeline_stages
CENT = Decimal("0.01")
GROUP_COLUMNS: dict[GroupBy, Any] = {
    GroupBy.OWNER: o.c.owner_id,
    GroupBy.DEPARTMENT: o.c.department_id,
    GroupBy.PIPELINE: o.c.pipeline_id,
    GroupBy.CATEGORY: o.c.forecast_category,
}


def _sum(condition: sa.ColumnElement[bool], value: Any = o.c.amount) -> sa.ColumnElement[Any]:
    return sa.func.coalesce(sa.func.sum(value).filter(condition), 0)


class PgForecastRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lines(self, scope: DataScope, period: Period, group_by: GroupBy) -> list[ForecastLine]:
        won = s.c.kind == "won"
        open_ = (s.c.kind == "open") & (o.c.forecast_category != "omitted")
        key = GROUP_COLUMNS[group_by]
        stmt = (
            sa.select(
                key.label("key"),
                _sum(won).label("closed_won"),
                sa.func.count().filter(won).label("won_count"),
                _sum(open_ & (o.c.forecast_category == "commit")).label("commit"),
                _sum(open_ & (o.c.forecast_category == "best_case")).label("best_case"),
                _sum(open_ & (o.c.forecast_category == "pipeline")).label("pipeline"),
                _sum(open_, o.c.amount * o.c.probability / 100).label("weighted"),
                sa.func.count().filter(open_).label("open_count"),
            )
            .join(s, (s.c.tenant_id == o.c.tenant_id) & (s.c.id == o.c.stage_id))
            .where(
                scope_predicate(o, scope),
                o.c.deleted_at.is_(None),
                o.c.expected_close_date >= period.start,
                o.c.expected_close_date < period.end,
            )
            .group_by(key)
            .order_by(key)
        )
        return [
            ForecastLine(
                key=str(row.key),
                closed_won=Decimal(row.closed_won).quantize(CENT),
                won_count=row.won_count,
                commit=Decimal(row.commit).quantize(CENT),
                best_case=Decimal(row.best_case).quantize(CENT),
                pipeline=Decimal(row.pipeline).quantize(CENT),
                weighted_pipeline=Decimal(row.weighted).quantize(CENT),
                open_count=row.open_count,
            )
            for row in await self.conn.execute(stmt)
        ]

    async def targets(self, tenant_id: UUID, period: Period) -> list[Target]:
        t = sales_targets
        stmt = sa.select(*PgTargetRepository.columns).where(
            t.c.tenant_id == tenant_id,
            t.c.deleted_at.is_(None),
            t.c.period_start >= period.start,
            t.c.period_start < period.end,
        )
        return [Target(*row) for row in await self.conn.execute(stmt)]


class PgTargetRepository(ConfiguredTable[Target]):
    table = sales_targets
    record = Target
    order_by = ("period_start", "id")
    fk_fields = {"fk_sales_targets_user": "user_id", "fk_sales_targets_department": "department_id"}
