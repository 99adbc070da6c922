"""Where the board's column totals and the forecast get their sums: the trigger-maintained
`opportunity_rollups` (migration 0010), a few rows per owner and stage and month, rather than every
deal. Both read a subquery of the same columns and aggregate it the same way.

A data range narrowed by region or customer type needs each deal's customer, which the rollups do
not keep; such callers (rare: a custom role) sum the deals themselves, with the same result.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import sqlalchemy as sa

from app.domain.shared.scope import DataScope
from app.repositories.scoping import scope_predicate
from app.repositories.tables import opportunities, opportunity_rollups

o, r = opportunities, opportunity_rollups


def _narrowed(scope: DataScope) -> bool:
    return any(g.regions is not None or g.customer_types is not None for g in scope.grants)


def deal_sums(
    scope: DataScope, *, pipeline_id: UUID | None = None, closing: tuple[date, date] | None = None
) -> sa.Subquery:
    """Live deals within `scope` (of one pipeline, expected to close in [start, end)) as rows of
    pipeline_id, stage_id, owner_id, department_id, forecast_category, deals, amount, weighted;
    sum them per whatever key the caller groups by."""
    if _narrowed(scope):
        where = [scope_predicate(o, scope), o.c.deleted_at.is_(None)]
        if pipeline_id is not None:
            where.append(o.c.pipeline_id == pipeline_id)
        if closing is not None:
            where += [o.c.expected_close_date >= closing[0], o.c.expected_close_date < closing[1]]
        return (
            sa.select(
                o.c.pipeline_id,
                o.c.stage_id,
                o.c.owner_id,
                o.c.department_id,
                o.c.forecast_category,
                sa.literal(1, sa.BigInteger).label("deals"),
                o.c.amount,
                (o.c.amount * o.c.probability / 100).label("weighted"),
            )
            .where(*where)
            .subquery("deals")
        )
    where = [scope_predicate(r, scope)]
    if pipeline_id is not None:
        where.append(r.c.pipeline_id == pipeline_id)
    if closing is not None:  # periods start on the first of a month, as the rollups' months do
        where += [r.c.close_month >= closing[0], r.c.close_month < closing[1]]
    return (
        sa.select(
            r.c.pipeline_id,
            r.c.stage_id,
            r.c.owner_id,
            r.c.department_id,
            r.c.forecast_category,
            r.c.deals,
            r.c.amount,
            r.c.weighted,
        )
        .where(*where)
        .subquery("deals")
    )
