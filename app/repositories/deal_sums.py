"""Where the board's column totals and the forecast get their sums: the trigger-maintained
rollups (migration 0010) rather than every deal: `opportunity_stage_rollups` for a pipeline's
stages (a row per stage and owner), `opportunity_rollups` for a period (per month and category).
Both callers read a subquery of the same columns and aggregate it.

A data range narrowed by region or customer type needs each deal's customer, which the rollups do
not keep; such callers (rare: a custom role) sum the deals themselves, with the same result.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.scope import DataScope
from app.repositories.scoping import scope_predicate
from app.repositories.tables import opportunities, opportunity_rollups, opportunity_stage_rollups

o, r, by_stage = opportunities, opportunity_rollups, opportunity_stage_rollups


def _narrowed(scope: DataScope) -> bool:
    return any(g.regions is not None or g.customer_types is not None for g in scope.grants)


KEY = ("pipeline_id", "stage_id", "owner_id", "department_id", "forecast_category")


def deal_sums(
    scope: DataScope, *, pipeline_id: UUID | None = None, closing: tuple[date, date] | None = None
) -> sa.Subquery:
    """Live deals within `scope` (of one pipeline, expected to close in [start, end)) as rows of
    pipeline_id, stage_id, owner_id, department_id, forecast_category (when closing is given),
    deals, amount, weighted; sum them per whatever key the caller groups by."""
    where: list[sa.ColumnElement[bool]]
    close: sa.Column[Any] | None
    if _narrowed(scope):
        table, close = o, o.c.expected_close_date
        weighted = (o.c.amount * o.c.probability / 100).label("weighted")
        sums = [sa.literal(1, sa.BigInteger).label("deals"), o.c.amount, weighted]
        where = [o.c.deleted_at.is_(None)]
    else:  # periods start on the first of a month, as the rollups' months do
        table, close = (r, r.c.close_month) if closing is not None else (by_stage, None)
        sums, where = [table.c.deals, table.c.amount, table.c.weighted], []
    where.append(scope_predicate(table, scope))
    if pipeline_id is not None:
        where.append(table.c.pipeline_id == pipeline_id)
    if closing is not None and close is not None:
        where += [close >= closing[0], close < closing[1]]
    return sa.select(*(table.c[k] for k in KEY if k in table.c), *sums).where(*where).subquery("deals")


class PgRollupCompaction:
    """The worker's minute job: fold each key's appended deltas into one row (migration 0010)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def compact(self) -> None:
        await self.conn.execute(sa.text("SELECT opportunity_rollups_compact()"))
