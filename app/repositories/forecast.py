"""The forecast's sums in PostgreSQL: the deals expected to close in the period, within the caller's
scope, summed per group from the opportunity rollups (repositories/deal_sums.py); and the
targets of the period."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.forecast.periods import Period
from app.domain.forecast.service import ForecastLine, GroupBy, TargetSum
from app.domain.forecast.targets import Target
from app.domain.shared.scope import DataScope
from app.repositories.configured import ConfiguredTable
from app.repositories.deal_sums import deal_sums, deal_sums_kind
from app.repositories.prepared import Prepared, StatementCache
from app.repositories.scoping import Shape, scope_params, scope_shape
from app.repositories.tables import sales_targets, users

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
        # to the cent here: numeric in, Decimal out, nothing left to round per value in Python
        return sa.func.round(sa.func.coalesce(sa.func.sum(value).filter(condition), 0), 2)

    won = d.c.kind == "won"
    open_ = (d.c.kind == "open") & (d.c.forecast_category != "omitted")
    key = d.c[GROUP_COLUMNS[group_by]]
    return (
        sa.select(
            key.label("key"),
            total(won).label("closed_won"),
            sa.func.coalesce(sa.func.sum(d.c.deals).filter(won), 0).label("won_count"),
            total(open_ & (d.c.forecast_category == "commit")).label("commit"),
            total(open_ & (d.c.forecast_category == "best_case")).label("best_case"),
            total(open_ & (d.c.forecast_category == "pipeline")).label("pipeline"),
            total(open_, d.c.weighted).label("weighted"),
            sa.func.coalesce(sa.func.sum(d.c.deals).filter(open_), 0).label("open_count"),
        )
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
            ForecastLine(str(key), won, int(won_count), commit, best_case, pipeline, weighted, int(open_count))
            for key, won, won_count, commit, best_case, pipeline, weighted, open_count in await _STATEMENTS.get(
                key, lambda: _lines(shape, group_by)
            ).rows(self.conn, params)
        ]

    async def target_sums(self, tenant_id: UUID, period: Period, group_by: GroupBy) -> list[TargetSum]:
        params = {"tenant_id": tenant_id, "start": period.start, "end": period.end}
        return [TargetSum(*row) for row in await _TARGET_SUMS[group_by == GroupBy.OWNER].rows(self.conn, params)]

    async def departments_of(self, tenant_id: UUID, user_ids: list[UUID]) -> dict[UUID, UUID | None]:
        u = users
        stmt = sa.select(u.c.id, u.c.department_id).where(u.c.tenant_id == tenant_id, u.c.id.in_(user_ids))
        return {row.id: row.department_id for row in await self.conn.execute(stmt)}


class PgTargetRepository(ConfiguredTable[Target]):
    table = sales_targets
    record = Target
    order_by = ("period_start", "id")
    fk_fields = {"fk_sales_targets_user": "user_id", "fk_sales_targets_department": "department_id"}


def _target_sums(subject: sa.Column[Any]) -> Prepared:
    t = sales_targets
    return Prepared.of(
        sa.select(subject, t.c.period_kind, sa.func.sum(t.c.amount))
        .where(
            t.c.tenant_id == sa.bindparam("tenant_id", type_=t.c.tenant_id.type),
            t.c.deleted_at.is_(None),
            t.c.period_start >= sa.bindparam("start", type_=sa.Date),
            t.c.period_start < sa.bindparam("end", type_=sa.Date),
            subject.isnot(None),
        )
        .group_by(subject, t.c.period_kind)
    )


# by owner (True) or by department
_TARGET_SUMS = {True: _target_sums(sales_targets.c.user_id), False: _target_sums(sales_targets.c.department_id)}
