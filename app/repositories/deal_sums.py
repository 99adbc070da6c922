"""Where the board's column totals and the forecast get their sums: the trigger-maintained
rollups (migration 0010) rather than every deal: `opportunity_stage_rollups` for a pipeline's
stages (a row per stage and owner), `opportunity_rollups` for a period (per month, category and
kind of stage, migration 0020).
Both callers read a subquery of the same columns and aggregate it.

A data range narrowed by region or customer type needs each deal's customer, which the rollups do
not keep; such callers (rare: a custom role) sum the deals themselves, with the same result.

The statements are prepared per scope shape (app/repositories/prepared.py): building and
compiling them took about a seventh of a board request's CPU.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories.scoping import Shape, scope_clause
from app.repositories.tables import opportunities, opportunity_rollups, opportunity_stage_rollups, pipeline_stages

o, r, by_stage, stages = opportunities, opportunity_rollups, opportunity_stage_rollups, pipeline_stages


def _narrowed(shape: Shape) -> bool:
    grants = shape[0]
    return any(by_region or by_type for _, by_region, by_type in grants)


KEY = ("pipeline_id", "stage_id", "owner_id", "department_id")


def deal_sums_kind(shape: Shape) -> str:
    """Which source `deal_sums` reads for a scope of this shape: part of a statement's cache key."""
    return "deals" if _narrowed(shape) else "rollups"


def deal_sums(shape: Shape, *, pipeline: bool = False, closing: bool = False, currency: bool = False) -> sa.Subquery:
    """Live deals within a scope of `shape` (of one pipeline, expected to close in a period) as
    rows of pipeline_id, stage_id, owner_id, department_id, deals, amount, weighted; when closing,
    the stage's `kind` (open, won, lost) and forecast_category instead of stage_id; with
    `currency`, also the deals' currency (the rollups keep none, so the deals themselves are
    summed: Home's pipeline by stage, over an index-only scan of migration 0043). Sum them per
    whatever key the caller groups by.

    A statement to prepare: it binds the scope's parameters (scoping.scope_params), and
    `pipeline_id` (pipeline) or `close_from`/`close_to` (closing; periods start on the first of a
    month, as the rollups' months do)."""
    where: list[sa.ColumnElement[bool]]
    close: sa.Column[Any] | None
    source: sa.FromClause
    keys = [k for k in KEY if not (closing and k == "stage_id")]
    if currency or deal_sums_kind(shape) == "deals":
        table, source, close = o, o, o.c.expected_close_date
        weighted = (o.c.amount * o.c.probability / 100).label("weighted")
        columns: list[sa.ColumnElement[Any]] = [o.c[k] for k in keys]
        if currency:
            columns.append(o.c.currency)
        if closing:
            tenant = o.c.tenant_id == stages.c.tenant_id
            source = o.join(stages, tenant & (stages.c.id == o.c.stage_id))
            columns += [stages.c.kind, o.c.forecast_category]
        columns += [sa.literal(1, sa.BigInteger).label("deals"), o.c.amount, weighted]
        where = [o.c.deleted_at.is_(None)]
    else:
        table, close = (r, r.c.close_month) if closing else (by_stage, None)
        source = table
        columns = [table.c[k] for k in keys]
        if closing:
            columns += [r.c.kind, r.c.forecast_category]
        columns += [table.c.deals, table.c.amount, table.c.weighted]
        where = []
    where.append(scope_clause(table, shape))
    if pipeline:
        where.append(table.c.pipeline_id == sa.bindparam("pipeline_id", type_=table.c.pipeline_id.type))
    if closing and close is not None:
        where += [close >= sa.bindparam("close_from", type_=sa.Date), close < sa.bindparam("close_to", type_=sa.Date)]
    return sa.select(*columns).select_from(source).where(*where).subquery("deals")


class PgRollupCompaction:
    """The worker's minute job: fold each key's appended deltas into one row (migration 0010)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def compact(self) -> None:
        await self.conn.execute(sa.text("SELECT opportunity_rollups_compact()"))
