"""The customer list's filters from the customer analysis (the figures' drill-down): RFM segment
and cell, churn-risk band, when a customer became lost, a touch in a period, dormant at an instant,
value in a currency.
Each is an EXISTS on the customer's row of a rollup (migration 0038) or on its touches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import INT4RANGE, TSTZRANGE

from app.domain.analytics.customers import DORMANT_DAYS, RISK_BANDS
from app.repositories.owned import Term
from app.repositories.tables import (
    activities,
    customer_metrics,
    customer_values,
    customers,
    opportunities,
    orders,
    pipeline_stages,
)

ANALYSIS_FILTERS = (
    "rfm_segment", "rfm_recency", "rfm_frequency", "churn_risk", "lost_from", "lost_to", "touched_from",
    "touched_to", "value_currency", "dormant_at", "dormant_days",
)  # fmt: skip
_EARLIEST, _LATEST = datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)
c, m = customers, customer_metrics


def _metrics(*where: Any) -> sa.ColumnElement[bool]:
    return sa.exists().where(m.c.tenant_id == c.c.tenant_id, m.c.customer_id == c.c.id, *where)


def _score_is(column: Any) -> Any:
    return lambda p: _metrics(column == p)


def touched(lo: Any, hi: Any) -> sa.ColumnElement[bool]:
    """A done activity, an order not cancelled or a won deal of the customer in [lo, hi)."""
    a, o, d, s = activities, orders, opportunities, pipeline_stages
    won_at = sa.func.coalesce(d.c.closed_at, d.c.stage_entered_at)
    return sa.or_(
        sa.exists().where(
            a.c.tenant_id == c.c.tenant_id, a.c.customer_id == c.c.id, a.c.deleted_at.is_(None),
            a.c.status == "done", a.c.occurred_at >= lo, a.c.occurred_at < hi,
        ),
        sa.exists().where(
            o.c.tenant_id == c.c.tenant_id, o.c.customer_id == c.c.id, o.c.deleted_at.is_(None),
            o.c.status != "cancelled", o.c.created_at >= lo, o.c.created_at < hi,
        ),
        sa.exists().where(
            d.c.tenant_id == c.c.tenant_id, d.c.customer_id == c.c.id, d.c.deleted_at.is_(None),
            s.c.tenant_id == d.c.tenant_id, s.c.id == d.c.stage_id, s.c.kind == "won", won_at >= lo, won_at < hi,
        ),
    )  # fmt: skip


def analysis_terms(values: dict[str, Any]) -> list[Term]:
    terms: list[Term] = []
    if values["rfm_segment"] is not None:
        terms.append(Term("rfm_segment", values["rfm_segment"], lambda p: _metrics(m.c.rfm_segment == p), sa.Text))
    for name, column in (("rfm_recency", m.c.recency_score), ("rfm_frequency", m.c.frequency_score)):
        if values[name] is not None:
            terms.append(Term(name, values[name], _score_is(column), sa.SmallInteger))
    if values["churn_risk"] is not None:
        low, high = RISK_BANDS[values["churn_risk"]]
        terms.append(
            Term(
                "churn_risk", (low, high - 1),  # int4range canonicalizes [low, high - 1] to [low, high)
                lambda p: _metrics(m.c.churn_score >= sa.func.lower(p), m.c.churn_score < sa.func.upper(p)),
                INT4RANGE,
            )
        )  # fmt: skip
    if values["lost_from"] is not None or values["lost_to"] is not None:
        span = (values["lost_from"] or _EARLIEST, values["lost_to"] or _LATEST)
        terms.append(
            Term("lost", span, lambda p: _metrics(m.c.lost_at >= sa.func.lower(p), m.c.lost_at < sa.func.upper(p)),
                 TSTZRANGE)
        )  # fmt: skip
    if values["touched_from"] is not None or values["touched_to"] is not None:
        span = (values["touched_from"] or _EARLIEST, values["touched_to"] or _LATEST)
        terms.append(Term("touched", span, lambda p: touched(sa.func.lower(p), sa.func.upper(p)), TSTZRANGE))
    if values["dormant_at"] is not None:
        # The lifecycle's dormant at that instant (app/repositories/customer_analytics.py).
        days = values["dormant_days"] or DORMANT_DAYS
        span = (values["dormant_at"] - timedelta(days=days), values["dormant_at"])
        terms.append(
            Term(
                "dormant", span,
                lambda p: sa.and_(
                    c.c.status != "lost", c.c.created_at < sa.func.lower(p),
                    ~touched(sa.func.lower(p), sa.func.upper(p)),
                ),
                TSTZRANGE,
            )
        )  # fmt: skip
    if values["value_currency"] is not None:
        v = customer_values
        terms.append(
            Term(
                "value_currency", values["value_currency"],
                lambda p: sa.exists().where(
                    v.c.tenant_id == c.c.tenant_id, v.c.customer_id == c.c.id, v.c.currency == p
                ),
                sa.Text,
            )
        )  # fmt: skip
    return terms
