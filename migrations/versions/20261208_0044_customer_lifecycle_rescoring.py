"""Customer analysis at 1M customers (issue 15): the lifecycle rollup, and rescoring proportional
to the change.

## Lifecycle (new, active, dormant, lost per period) from a rollup

Counted live, a year by month took ~1.5 s of SQL at 50,000 customers (most of it "dormant": every
customer against the touches before each bucket's end). Now the worker keeps, with the customer
metrics and for the same noted customers (`customer_lifecycle_refresh(tenant, ids)`):
- `customer_touch_days`: one row per customer and local day (the tenant's zone) with a touch (a
  done activity, an order not cancelled, a won deal: as the live definition), with the customer's
  previous touch day;
- `customer_lifecycle_counted`: what each customer contributes from (department, local day of
  creation, of becoming lost, whether lost, last touch day);
- `customer_lifecycle_days`: per (department, local day) the sums the lifecycle reads:
  `new` (created that day), `lost` (became lost that day, still lost), `touched` (customers with a
  touch that day: active per day), `first_week/month/quarter/year` (customers whose touch that day
  is their first of its week/month/quarter/year: summed over a bucket they give the distinct
  customers active in it), and `dormant` (+1 on the first day a customer counts as dormant, -1 on
  the day after it stops): a customer is dormant at a bucket's end E (a local day boundary) when it
  was created before E - 90 days, is not lost, and had no touch in the 90 days before E; the sum of
  `dormant` over the days up to E is that count.
A refresh takes the noted customers' contributions out (from what `customer_lifecycle_counted` and
`customer_touch_days` say they counted), recomputes their rows, and adds them back: the counts are
exact after every round. The lifecycle of the whole tenant or of departments (ranges all /
department, not narrowed) reads `customer_lifecycle_days` (a few rows per day); narrowed ranges,
own ranges and another number of dormant days are counted live. The local days follow the tenant's
zone when computed: after a zone change, `customer_metrics_rebuild` + `customer_lifecycle_refresh`
with NULL ids (the daily whole-tenant refresh also does it).

## Rescoring proportional to the change

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
down_revision: str | None = "0043"
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
    FROM customer_metrics
    WHERE tenant_id = p_tenant AND customer_id = ANY (p_ids) AND rfm_segment IS NOT NULL
      -- a row written with a segment but no scores (only ever by hand) was never counted
      AND recency_score IS NOT NULL AND frequency_score IS NOT NULL
    GROUP BY {KEY}
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET customers = k.customers + excluded.customers,
        monetary = coalesce(k.monetary, 0) + excluded.monetary"""


UPDATE_FUNCTION = f"""
CREATE FUNCTION customer_metrics_update(p_tenant uuid, p_ids uuid[], p_now timestamptz) RETURNS void
LANGUAGE sql AS $$
    {_counts("-")};

    SELECT customer_metrics_refresh(p_tenant, p_ids);
    SELECT customer_lifecycle_refresh(p_tenant, p_ids);

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


DORMANT_DAYS = 90  # app/domain/analytics/customers.py DORMANT_DAYS: other values are counted live
SUMS = ("new", "lost", "touched", "first_week", "first_month", "first_quarter", "first_year", "dormant")


def _first(grain: str) -> str:
    return f"(t.prev_day IS NULL OR date_trunc('{grain}', t.prev_day) <> date_trunc('{grain}', t.day))::int"


# (department_id, day, new, lost, touched, first_week, first_month, first_quarter, first_year, dormant)
CONTRIBUTIONS = f"""
        SELECT c.department_id, c.created_day AS day, 1 AS new, 0 AS lost, 0 AS touched, 0 AS fw, 0 AS fm, 0 AS fq,
               0 AS fy, 0 AS dormant
        FROM counted c
        UNION ALL
        SELECT c.department_id, c.lost_day, 0, 1, 0, 0, 0, 0, 0, 0 FROM counted c WHERE c.lost_day IS NOT NULL
        UNION ALL
        SELECT c.department_id, t.day, 0, 0, 1, {_first("week")}, {_first("month")}, {_first("quarter")},
               {_first("year")}, 0
        FROM touched t JOIN counted c ON c.customer_id = t.customer_id
        UNION ALL
        -- Dormant in the gap before each touch day: from 90 days after the previous touch (or the
        -- creation) to the touch day itself (a bucket ending that day has not seen it yet).
        SELECT c.department_id, g.day, 0, 0, 0, 0, 0, 0, 0, g.delta
        FROM touched t JOIN counted c ON c.customer_id = t.customer_id AND NOT c.lost
        CROSS JOIN LATERAL (VALUES (greatest(c.created_day, t.prev_day) + {DORMANT_DAYS + 1}, 1), (t.day + 1, -1)) g(day, delta)
        WHERE greatest(c.created_day, t.prev_day) + {DORMANT_DAYS + 1} <= t.day
        UNION ALL
        -- And from 90 days after the last touch (or the creation) on.
        SELECT c.department_id, greatest(c.created_day, c.last_day) + {DORMANT_DAYS + 1}, 0, 0, 0, 0, 0, 0, 0, 1
        FROM counted c WHERE NOT c.lost"""

COUNT_FUNCTION = f"""
CREATE FUNCTION customer_lifecycle_count(p_tenant uuid, p_ids uuid[], p_sign integer) RETURNS void
LANGUAGE sql AS $$
    WITH counted AS (
        SELECT * FROM customer_lifecycle_counted
        WHERE tenant_id = p_tenant AND (p_ids IS NULL OR customer_id = ANY (p_ids))
    ), touched AS (
        SELECT * FROM customer_touch_days
        WHERE tenant_id = p_tenant AND (p_ids IS NULL OR customer_id = ANY (p_ids))
    )
    INSERT INTO customer_lifecycle_days AS k (tenant_id, department_id, day, {", ".join(SUMS)})
    SELECT p_tenant, x.department_id, x.day, p_sign * sum(x.new), p_sign * sum(x.lost), p_sign * sum(x.touched),
           p_sign * sum(x.fw), p_sign * sum(x.fm), p_sign * sum(x.fq), p_sign * sum(x.fy), p_sign * sum(x.dormant)
    FROM ({CONTRIBUTIONS}) x
    GROUP BY x.department_id, x.day
    ORDER BY x.department_id, x.day
    ON CONFLICT (tenant_id, department_id, day) DO UPDATE SET
        {", ".join(f"{n} = k.{n} + excluded.{n}" for n in SUMS)};
$$"""

LOCAL_DAY = "(({at}) AT TIME ZONE (SELECT coalesce(settings ->> 'time_zone', 'UTC') FROM tenants WHERE id = p_tenant))::date"

LIFECYCLE_REFRESH_FUNCTION = f"""
CREATE FUNCTION customer_lifecycle_refresh(p_tenant uuid, p_ids uuid[]) RETURNS void LANGUAGE sql AS $$
    -- The noted customers' contributions out (all of the tenant's rows when p_ids is NULL).
    SELECT customer_lifecycle_count(p_tenant, p_ids, -1) WHERE p_ids IS NOT NULL;
    DELETE FROM customer_lifecycle_days WHERE tenant_id = p_tenant AND p_ids IS NULL;
    DELETE FROM customer_touch_days WHERE tenant_id = p_tenant AND (p_ids IS NULL OR customer_id = ANY (p_ids));
    DELETE FROM customer_lifecycle_counted
    WHERE tenant_id = p_tenant AND (p_ids IS NULL OR customer_id = ANY (p_ids));

    WITH touch AS (
        SELECT a.customer_id, a.occurred_at AS at FROM activities a
        WHERE a.tenant_id = p_tenant AND a.deleted_at IS NULL AND a.status = 'done' AND a.customer_id IS NOT NULL
          AND (p_ids IS NULL OR a.customer_id = ANY (p_ids))
        UNION ALL
        SELECT o.customer_id, o.created_at FROM orders o
        WHERE o.tenant_id = p_tenant AND o.deleted_at IS NULL AND o.status <> 'cancelled'
          AND (p_ids IS NULL OR o.customer_id = ANY (p_ids))
        UNION ALL
        SELECT d.customer_id, coalesce(d.closed_at, d.stage_entered_at) FROM opportunities d
        JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id AND s.kind = 'won'
        WHERE d.tenant_id = p_tenant AND d.deleted_at IS NULL AND (p_ids IS NULL OR d.customer_id = ANY (p_ids))
    ), days AS (
        SELECT DISTINCT t.customer_id, {LOCAL_DAY.format(at="t.at")} AS day FROM touch t
        JOIN customers c ON c.tenant_id = p_tenant AND c.id = t.customer_id AND c.deleted_at IS NULL
    )
    INSERT INTO customer_touch_days (tenant_id, customer_id, day, prev_day)
    SELECT p_tenant, customer_id, day, lag(day) OVER (PARTITION BY customer_id ORDER BY day) FROM days
    ORDER BY customer_id, day;

    INSERT INTO customer_lifecycle_counted (tenant_id, customer_id, department_id, created_day, lost_day, lost, last_day)
    SELECT c.tenant_id, c.id, c.department_id, {LOCAL_DAY.format(at="c.created_at")},
           CASE WHEN c.status = 'lost' THEN {LOCAL_DAY.format(at="m.lost_at")} END, c.status = 'lost',
           (SELECT max(t.day) FROM customer_touch_days t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id)
    FROM customers c
    LEFT JOIN customer_metrics m ON m.tenant_id = c.tenant_id AND m.customer_id = c.id
    WHERE c.tenant_id = p_tenant AND c.deleted_at IS NULL AND (p_ids IS NULL OR c.id = ANY (p_ids))
    ORDER BY c.id;

    SELECT customer_lifecycle_count(p_tenant, p_ids, 1);
    DELETE FROM customer_lifecycle_days
    WHERE tenant_id = p_tenant AND new = 0 AND lost = 0 AND touched = 0 AND dormant = 0;
$$"""


def upgrade() -> None:
    op.create_table(
        "customer_touch_days",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("prev_day", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", "day", name="pk_customer_touch_days"),
    )
    # A window's first bucket when the window cuts it: its customers from the touch days.
    op.create_index("ix_customer_touch_days_day", "customer_touch_days", ["tenant_id", "day"])
    op.create_table(
        "customer_lifecycle_counted",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("department_id", ID),
        sa.Column("created_day", sa.Date, nullable=False),
        sa.Column("lost_day", sa.Date),
        sa.Column("lost", sa.Boolean, nullable=False),
        sa.Column("last_day", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", name="pk_customer_lifecycle_counted"),
    )
    op.create_table(
        "customer_lifecycle_days",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("department_id", ID),
        sa.Column("day", sa.Date, nullable=False),
        *(sa.Column(n, sa.Integer, nullable=False, server_default="0") for n in SUMS),
    )
    op.execute(
        "CREATE UNIQUE INDEX uq_customer_lifecycle_days_key ON customer_lifecycle_days (tenant_id, department_id, day)"
        " NULLS NOT DISTINCT"
    )
    op.execute(COUNT_FUNCTION)
    op.execute(LIFECYCLE_REFRESH_FUNCTION)
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
    op.execute("SELECT customer_lifecycle_refresh(id, NULL) FROM tenants")
    op.execute("ANALYZE customer_touch_days, customer_lifecycle_counted, customer_lifecycle_days")


def downgrade() -> None:
    op.execute("DROP FUNCTION customer_metrics_bounds(uuid)")
    op.execute("DROP FUNCTION customer_metrics_update(uuid, uuid[], timestamptz)")
    op.execute("DROP FUNCTION customer_lifecycle_refresh(uuid, uuid[])")
    op.execute("DROP FUNCTION customer_lifecycle_count(uuid, uuid[], integer)")
    for table in ("customer_lifecycle_days", "customer_lifecycle_counted", "customer_touch_days"):
        op.drop_table(table)
    op.drop_index("ix_customer_metrics_last_touch", "customer_metrics")
    op.drop_index("uq_customer_segment_counts_key", "customer_segment_counts")
    op.create_index("ix_customer_segment_counts_tenant", "customer_segment_counts", ["tenant_id", "department_id"])
    op.drop_table("customer_monetary_bounds")
    for column in ("changed_since_rank", "ranked_customers", "f_bounds", "r_bounds"):
        op.drop_column("customer_metrics_state", column)
