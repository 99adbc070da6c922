"""What a deal is, for sales analysis and for the deal list's drill-down filters: its status, its
furthest stage, its source, campaign, region, customer level and type, its product lines and
the stages it passed. Both sides use these very expressions, so the list behind a figure holds
exactly the deals the figure counts (app/domain/analytics/sales.py says what each one means).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.domain.analytics.sales import NONE_KEY
from app.repositories.tables import (
    customers,
    leads,
    opportunities,
    opportunity_line_items,
    opportunity_stage_history,
    pipeline_stages,
)

o = opportunities
E = sa.ColumnElement[Any]
CLOSED = ("won", "lost")


def _stage() -> Any:
    return pipeline_stages.alias("deal_stage")


def status(table: sa.FromClause = o) -> E:
    """The deal's stage's kind: open, won or lost."""
    s = _stage()
    return sa.select(s.c.kind).where(s.c.tenant_id == table.c.tenant_id, s.c.id == table.c.stage_id).scalar_subquery()


def status_is(wanted: Any, table: sa.FromClause = o) -> sa.ColumnElement[bool]:
    """`status` equals `wanted` (open, won, lost), or is won or lost when `wanted` is "closed"."""
    kind = status(table)
    # Literals, not parameters: the statement is prepared once (owned.py), expanding IN is not.
    closed: list[E] = [sa.literal_column(f"'{k}'") for k in CLOSED]
    return sa.or_(kind == wanted, sa.and_(wanted == sa.literal_column("'closed'"), kind.in_(closed)))


def furthest(table: sa.FromClause = o) -> E:
    """The position of the furthest non-lost stage of the deal's pipeline it was ever in: its
    stage history's, or its current stage's (a deal created before history was kept)."""
    h, s, now = opportunity_stage_history, _stage(), _stage()
    history = (
        sa.select(sa.func.max(s.c.position))
        .select_from(h.join(s, sa.and_(s.c.tenant_id == h.c.tenant_id, s.c.id == h.c.to_stage_id)))
        .where(
            h.c.tenant_id == table.c.tenant_id,
            h.c.opportunity_id == table.c.id,
            s.c.pipeline_id == table.c.pipeline_id,
            s.c.kind != "lost",
        )
        .scalar_subquery()
    )
    current = (
        sa.select(now.c.position)
        .where(now.c.tenant_id == table.c.tenant_id, now.c.id == table.c.stage_id, now.c.kind != "lost")
        .scalar_subquery()
    )
    return sa.func.greatest(history, current)  # NULLs are ignored


def stage_position(stage: Any, table: sa.FromClause = o) -> E:
    s = _stage()
    return sa.select(s.c.position).where(s.c.tenant_id == table.c.tenant_id, s.c.id == stage).scalar_subquery()


def passed(stage: Any, table: sa.FromClause = o) -> sa.ColumnElement[bool]:
    """The deal left `stage` at least once (a finished stay, with its length, in its history)."""
    h = opportunity_stage_history
    return sa.exists().where(
        h.c.tenant_id == table.c.tenant_id,
        h.c.opportunity_id == table.c.id,
        h.c.from_stage_id == stage,
        h.c.seconds_in_from_stage.isnot(None),
    )


def _text(column: Any) -> E:
    return sa.func.coalesce(sa.cast(column, sa.Text), NONE_KEY)


def source(table: sa.FromClause = o) -> E:
    """The source of the lead the deal came from."""
    found = (
        sa.select(leads.c.source)
        .where(leads.c.tenant_id == table.c.tenant_id, leads.c.id == table.c.source_lead_id)
        .scalar_subquery()
    )
    return sa.func.coalesce(found, NONE_KEY)


def campaign(table: sa.FromClause = o) -> E:
    return _text(table.c.campaign_id)


def customer_attribute(name: str, table: sa.FromClause = o) -> E:
    """The deal's customer's region_id, level or customer_type, as text."""
    c = customers
    found = (
        sa.select(sa.cast(c.c[name], sa.Text))
        .where(c.c.tenant_id == table.c.tenant_id, c.c.id == table.c.customer_id)
        .scalar_subquery()
    )
    return sa.func.coalesce(found, NONE_KEY)


def has_product(product: Any, table: sa.FromClause = o) -> sa.ColumnElement[bool]:
    """A line item of that product name; "none": no line item at all."""
    li = opportunity_line_items
    mine = sa.and_(li.c.tenant_id == table.c.tenant_id, li.c.opportunity_id == table.c.id)
    return sa.or_(
        sa.exists().where(mine, li.c.product_name == product),
        sa.and_(product == NONE_KEY, ~sa.exists().where(mine)),
    )


def products() -> sa.Subquery:
    """Each deal's distinct product names."""
    li = opportunity_line_items
    return sa.select(li.c.tenant_id, li.c.opportunity_id, li.c.product_name).distinct().subquery("deal_products")


# The deal list's drill filters: query field -> predicate on its bound value.
DRILL_FILTERS: dict[str, Any] = {
    "status": status_is,
    "source": lambda value: source() == value,
    "campaign": lambda value: campaign() == value,
    "region": lambda value: customer_attribute("region_id") == value,
    "customer_level": lambda value: customer_attribute("level") == value,
    "customer_type": lambda value: customer_attribute("customer_type") == value,
    "product": has_product,
    "reached_stage": lambda stage: furthest() >= stage_position(stage),
    "furthest_stage": lambda stage: furthest() == stage_position(stage),
    "passed_stage": passed,
}
