"""The forecast's sums in PostgreSQL: the deals expected to close in the period, within the caller's
scope, summed per group from the opportunity rollups (repositories/deal_sums.py); and the
targets of the period."""

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
from app.repositories.deal_sums import deal_sums, deal_sums_kind
from app.repositories.prepared import StatementCache
from app.repositories.scoping import Shape, scope_params, scope_shape
from app.repositories.tables import pipeline_stages, sales_targets

s = pipeline_stages
CENT = Decimal("0.01")
# The forecast's statements, prepared per scope shape and grouping (app/repositories/prepared.py).
_STATEMENTS = StatementCache()
GROUP_COLUMNS = {
    GroupBy.OWNER: "owner_id",
    GroupBy.DEPARTMENT: "department_id",
    GroupBy.PIPELINE: "pipeline_id",
    GroupBy.CATEGORY: "forecast_category",
}


def _lines(shape: Shape, group_by: GroupBy) -> sa.ClauseElement:
    """Per group, the sums the forecast shows, over the deals `deal_sums` gives for the period."""
    d = deal_sums(shape, closing=True)

    def total(condition: sa.ColumnElement[bool], value: Any = d.c.amount) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(value).filter(condition), 0)

    won = s.c.kind == "won"
    open_ = (s.c.kind == "open") & (d.c.forecast_category != "omitted")
    key = d.c[GROUP_COLUMNS[group_by]]
    tenant = sa.bindparam("scope_tenant", type_=s.c.tenant_id.type)
    return (
        sa.select(
            key.label("key"),
            total(won).label("closed_won"),
            total(won, d.c.deals).label("won_count"),
            total(open_ & (d.c.forecast_category == "commit")).label("commit"),
            total(open_ & (d.c.forecast_category == "best_case")).label("best_case"),
            total(open_ & (d.c.forecast_category == "pipeline")).label("pipeline"),
            total(open_, d.c.weighted).label("weighted"),
            total(open_, d.c.deals).label("open_count"),
        )
        .select_from(d.join(s, (s.c.tenant_id == tenant) & (s.c.id == d.c.stage_id)))
        .group_by(key)
        # groups whose every deal was deleted or moved out leave zero rows behind
        .having(sa.func.sum(d.c.deals) > 0)
        .order_by(key)
    )


class PgForecastRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lines(self, scope: DataScope, period: Period, group_by: GroupBy) -> list[ForecastLine]:
        shape = scope_shape(scope)
        key = ("lines", shape, deal_sums_kind(shape), group_by)
        params = {**scope_params(scope), "close_from": period.start, "close_to": period.end}
        return [
            ForecastLine(
                key=str(row.key),
                closed_won=Decimal(row.closed_won).quantize(CENT),
                won_count=int(row.won_count),
                commit=Decimal(row.commit).quantize(CENT),
                best_case=Decimal(row.best_case).quantize(CENT),
                pipeline=Decimal(row.pipeline).quantize(CENT),
                weighted_pipeline=Decimal(row.weighted).quantize(CENT),
                open_count=int(row.open_count),
            )
            for row in await _STATEMENTS.get(key, lambda: _lines(shape, group_by)).rows(self.conn, params)
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
