"""Rescoring proportional to the change (issue 15, customer analysis at 1M customers).

Before: every worker round in which any customer of a tenant changed ranked the whole tenant
(`customer_metrics_score`: a window pass over every customer and a rewrite of its segment counts),
seconds of work per round at 1M customers for one changed row.

Now a round works on the changed customers only (`customer_metrics_update(tenant, ids, now)`):
1. their contributions leave `customer_segment_counts` (an upsert of negative counts, keyed by a
   unique index NULLS NOT DISTINCT);
2. `customer_metrics_refresh` recomputes their metrics (as before);
3. their R, F and M are placed against the quintile boundaries of the tenant's last full ranking
   (`customer_metrics_state.r_bounds / f_bounds`, `customer_monetary_bounds` per currency: the
   lowest value that scored 2, 3, 4, 5; a value scores the highest s whose bound it reaches, 1
   below all), their segment and churn score computed as before;
4. the customers whose last touch crossed the 90 days of inactivity since the last scoring get
   their churn score again (an index on the last touch finds them), so churn stays exact;
5. their new contributions are added to the segment counts.

Exact after every round: the metrics, each customer's scores = its values placed against the
stored boundaries, the churn scores, the segment counts = the scored rows summed. Refreshed by a
full ranking (`customer_metrics_score` then `customer_metrics_bounds`): the boundaries
themselves — the quintiles of rank are exact right after a full ranking, which runs with the
daily whole-tenant refresh, when the customers changed since the last ranking exceed a share of
the scored ones (the worker's drift threshold), and when a tenant has no boundaries yet.

Revision ID: 0044
Revises: 0043 (the lead re-chains the numbers at merge)
Create Date: 2026-12-08 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision: str = "0044"
down_revision: str | tuple[str, ...] | None = ("0038", "0042")  # LOCAL-ONLY
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)
KEY = "tenant_id, department_id, recency_score, frequency_score, rfm_segment, currency"
LAST_TOUCH = "greatest(last_activity_at, last_purchase_at)"

# As in migration 0038 (the same rules; app/domain/analytics/customers.py holds them in Python).
SEGMENT_CASE = """CASE
        WHEN r IS NULL THEN NULL
        WHEN r <= 2 AND f = 5 THEN 'cant_lose'
        WHEN r <= 2 AND f >= 3 THEN 'at_risk'
        WHEN r = 1 AND f = 1 THEN 'lost'
        WHEN r <= 2 THEN 'hibernating'
        WHEN r = 3 AND f <= 2 THEN 'about_to_sleep'
        WHEN r = 3 AND f = 3 THEN 'need_attention'
        WHEN r = 5 AND f >= 4 THEN 'champions'
        WHEN f >= 4 THEN 'loyal'
        WHEN r = 4 AND f = 1 THEN 'promising'
        WHEN r = 5 AND f = 1 THEN 'new'
        ELSE 'potential_loyalist' END"""
CHURN = """CASE WHEN status = 'lost' THEN 0 ELSE
        CASE WHEN coalesce(greatest(last_activity_at, last_purchase_at), '-infinity') <= p_now - interval '90 days'
             THEN 40 ELSE 0 END
        + 15 * least(open_complaints, 2)
        + CASE WHEN latest_csat <= 2 THEN 20 ELSE 0 END
        + CASE WHEN orders_prev_90d > orders_90d THEN 10 ELSE 0 END END"""


def _placed(bounds: str, value: str) -> str:
    """The score of `value` against bounds[1..4] (the lowest values that scored 2..5)."""
    return f"""(1 + coalesce((SELECT max(u.i) FROM unnest({bounds}) WITH ORDINALITY AS u(b, i)
                          WHERE u.b <= {value}), 0))::smallint"""


def _counts(sign: str) -> str:
    """Add (sign '+') or take out (sign '-') the noted customers' contributions to the segment counts."""
    return f"""
    INSERT INTO customer_segment_counts AS k ({KEY}, customers, monetary)
    SELECT {KEY}, {sign}count(*), {sign}coalesce(sum(monetary_365d), 0)
    FROM customer_metrics WHERE tenant_id = p_tenant AND customer_id = ANY (p_ids) AND rfm_segment IS NOT NULL
    GROUP BY {KEY}
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET customers = k.customers + excluded.customers,
        monetary = coalesce(k.monetary, 0) + excluded.monetary"""


UPDATE_FUNCTION = f"""
CREATE FUNCTION customer_metrics_update(p_tenant uuid, p_ids uuid[], p_now timestamptz) RETURNS void
LANGUAGE sql AS $$
    {_counts("-")};

    SELECT customer_metrics_refresh(p_tenant, p_ids);

    WITH placed AS (
        SELECT x.customer_id, x.status, x.last_activity_at, x.last_purchase_at, x.open_complaints, x.latest_csat,
               x.orders_90d, x.orders_prev_90d,
               CASE WHEN x.last_purchase_at IS NOT NULL THEN {_placed("st.r_bounds", "x.last_purchase_at")} END AS r,
               CASE WHEN x.last_purchase_at IS NOT NULL THEN {_placed("st.f_bounds", "x.purchases_365d")} END AS f,
               CASE WHEN x.last_purchase_at IS NOT NULL THEN {_placed("mb.bounds", "x.monetary_365d")} END AS m
        FROM customer_metrics x
        LEFT JOIN customer_metrics_state st ON st.tenant_id = x.tenant_id
        LEFT JOIN customer_monetary_bounds mb ON mb.tenant_id = x.tenant_id AND mb.currency = x.currency
        WHERE x.tenant_id = p_tenant AND x.customer_id = ANY (p_ids)
    ), scored AS (
        SELECT customer_id, r, f, m, {SEGMENT_CASE} AS segment, ({CHURN})::smallint AS churn FROM placed
    )
    UPDATE customer_metrics c
    SET recency_score = s.r, frequency_score = s.f, monetary_score = s.m, rfm_segment = s.segment,
        churn_score = s.churn
    FROM scored s
    WHERE c.tenant_id = p_tenant AND c.customer_id = s.customer_id
      AND (c.recency_score, c.frequency_score, c.monetary_score, c.rfm_segment, c.churn_score)
          IS DISTINCT FROM (s.r, s.f, s.m, s.segment, s.churn);

    -- The clock: customers whose last touch passed 90 days since the last scoring.
    UPDATE customer_metrics
    SET churn_score = ({CHURN})::smallint
    WHERE tenant_id = p_tenant
      AND {LAST_TOUCH} > (SELECT scored_at FROM customer_metrics_state WHERE tenant_id = p_tenant) - interval '90 days'
      AND {LAST_TOUCH} <= p_now - interval '90 days'
      AND churn_score IS DISTINCT FROM ({CHURN})::smallint;

    {_counts("+")};
    DELETE FROM customer_segment_counts WHERE tenant_id = p_tenant AND customers = 0;

    UPDATE customer_metrics_state
    SET scored_at = p_now, changed_since_rank = changed_since_rank + cardinality(p_ids)
    WHERE tenant_id = p_tenant;
$$"""


def _lowest(column: str, score: str) -> str:
    return ", ".join(f"min({column}) FILTER (WHERE {score} = {s})" for s in range(2, 6))


BOUNDS_FUNCTION = f"""
CREATE FUNCTION customer_metrics_bounds(p_tenant uuid) RETURNS void LANGUAGE sql AS $$
    -- After a full ranking: the lowest value of each score, which later changes are placed against.
    INSERT INTO customer_metrics_state AS st (tenant_id, r_bounds, f_bounds, ranked_customers, changed_since_rank)
    SELECT p_tenant, ARRAY[{_lowest("last_purchase_at", "recency_score")}],
           ARRAY[{_lowest("purchases_365d", "frequency_score")}], count(recency_score), 0
    FROM customer_metrics WHERE tenant_id = p_tenant
    ON CONFLICT (tenant_id) DO UPDATE SET r_bounds = excluded.r_bounds, f_bounds = excluded.f_bounds,
        ranked_customers = excluded.ranked_customers, changed_since_rank = 0;
    DELETE FROM customer_monetary_bounds WHERE tenant_id = p_tenant;
    INSERT INTO customer_monetary_bounds (tenant_id, currency, bounds)
    SELECT p_tenant, currency, ARRAY[{_lowest("monetary_365d", "monetary_score")}]
    FROM customer_metrics WHERE tenant_id = p_tenant AND monetary_score IS NOT NULL AND currency IS NOT NULL
    GROUP BY currency;
$$"""


def upgrade() -> None:
    op.add_column("customer_metrics_state", sa.Column("r_bounds", ARRAY(TS)))
    op.add_column("customer_metrics_state", sa.Column("f_bounds", ARRAY(sa.Integer)))
    op.add_column("customer_metrics_state", sa.Column("ranked_customers", sa.Integer))
    op.add_column(
        "customer_metrics_state", sa.Column("changed_since_rank", sa.Integer, nullable=False, server_default="0")
    )
    op.create_table(
        "customer_monetary_bounds",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("bounds", ARRAY(sa.Numeric(18, 2)), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "currency", name="pk_customer_monetary_bounds"),
    )
    # One row per key (the full scoring groups by it), so deltas can be upserted.
    op.drop_index("ix_customer_segment_counts_tenant", "customer_segment_counts")
    op.execute(
        f"CREATE UNIQUE INDEX uq_customer_segment_counts_key ON customer_segment_counts ({KEY}) NULLS NOT DISTINCT"
    )
    # The churn clock's customers: last touch within a window.
    op.execute(f"CREATE INDEX ix_customer_metrics_last_touch ON customer_metrics (tenant_id, ({LAST_TOUCH}))")
    op.execute(UPDATE_FUNCTION)
    op.execute(BOUNDS_FUNCTION)
    op.execute("SELECT customer_metrics_bounds(tenant_id) FROM customer_metrics_state WHERE scored_at IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP FUNCTION customer_metrics_bounds(uuid)")
    op.execute("DROP FUNCTION customer_metrics_update(uuid, uuid[], timestamptz)")
    op.drop_index("ix_customer_metrics_last_touch", "customer_metrics")
    op.drop_index("uq_customer_segment_counts_key", "customer_segment_counts")
    op.create_index("ix_customer_segment_counts_tenant", "customer_segment_counts", ["tenant_id", "department_id"])
    op.drop_table("customer_monetary_bounds")
    for column in ("changed_since_rank", "ranked_customers", "f_bounds", "r_bounds"):
        op.drop_column("customer_metrics_state", column)
