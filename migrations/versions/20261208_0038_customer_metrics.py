"""Customer metrics (issue 15, customer analysis): one row per live customer with what the RFM
scores, the churn risk, the value ranking and the lifecycle's "lost" read, kept by the worker.

Why the worker and not triggers: most figures move with the clock (purchases in the last 365 days,
orders in the last 90 days against the 90 before, days without activity) and the RFM scores are
quintiles within the tenant — one won deal can move every other customer's rank. A trigger could
keep neither without re-sorting the tenant on every write. So the triggers here only note which
customers changed (`customer_metrics_dirty`, a key per customer, statement-level over the
transition tables: a few microseconds per write), and the worker, once a minute:
- `customer_metrics_refresh(tenant, ids)` recomputes the noted customers' metrics and values in
  one set-based statement each (NULL ids: the whole tenant — the daily pass that lets the windows
  roll, and the rebuild after a bulk load with triggers off);
- `customer_metrics_score(tenant, now)` ranks the tenant's customers (one window pass, rows
  rewritten only where a score changed) and rewrites the tenant's `customer_segment_counts`, the
  per-(department, R, F, segment, currency) sums the RFM view of the whole tenant or of
  departments reads (a few hundred rows instead of 1M customers).
`customer_metrics_rebuild(tenant)` does both for every customer.

Definitions (app/domain/analytics/customers.py holds the same in Python; the tests compare):
- a purchase: a live order not cancelled (at its creation, its total), or a live won deal without
  such an order (at closed_at, its amount): an order made from a won deal replaces the deal, so the
  value is not counted twice;
- last_purchase_at, purchases_365d, orders_90d / orders_prev_90d (purchases in (now-90d, now] and
  (now-180d, now-90d]); currency: that of the latest purchase; monetary_365d: purchases of the
  last 365 days in that currency; customer_values: all-time purchases per currency;
- last_activity_at: the latest done, live activity; open_complaints: open, live complaint tickets;
  latest_csat: the rating (1-5) of the customer's latest survey response that has one (the first
  rating question of its survey, as the survey results read it);
- lost_at: when the customer's status last became "lost" (noted by the customers' trigger; a
  customer already lost before this migration counts from its updated_at).

Revision ID: 0038
Revises: 0037 (the lead re-chains the numbers at merge)
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)

# The customer column of each source table whose writes change some customer's metrics.
SOURCES = {
    "customers": "id",
    "opportunities": "customer_id",
    "orders": "customer_id",
    "activities": "customer_id",
    "tickets": "customer_id",
    "survey_responses": "customer_id",
}


def _keys(rows: str, table: str, column: str) -> str:
    """(tenant_id, customer) of the changed rows; an order also names its deal's customer (whether
    the deal counts as a purchase depends on its orders)."""
    keys = f"SELECT tenant_id, {column} AS customer_id FROM {rows}"
    if table == "orders":
        keys += f""" UNION ALL SELECT d.tenant_id, d.customer_id FROM {rows} x
            JOIN opportunities d ON d.tenant_id = x.tenant_id AND d.id = x.opportunity_id"""
    return keys


def _mark(table: str, column: str, *rows: str) -> str:
    keys = " UNION ALL ".join(_keys(r, table, column) for r in rows)
    return f"""INSERT INTO customer_metrics_dirty (tenant_id, customer_id)
        SELECT DISTINCT tenant_id, customer_id FROM ({keys}) k WHERE customer_id IS NOT NULL
        ORDER BY 1, 2 ON CONFLICT DO NOTHING"""


def _mark_function(table: str, column: str) -> str:
    became_lost, left_lost = "", ""
    if table == "customers":
        # When the status became (or stopped being) "lost": the lifecycle's lost per period. Each
        # branch names only the transition tables its event has.
        upsert = """INSERT INTO customer_metrics AS m (tenant_id, customer_id, lost_at)
        SELECT n.tenant_id, n.id, now() FROM new_rows n
        WHERE n.status = 'lost' AND n.deleted_at IS NULL{also}
        ORDER BY 1, 2
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET lost_at = excluded.lost_at"""
        became_lost = ";\n        " + upsert.format(also="")
        left_lost = (
            ";\n        "
            + upsert.format(
                also="\n          AND EXISTS (SELECT 1 FROM old_rows o WHERE o.tenant_id = n.tenant_id AND o.id = n.id"
                " AND o.status IS DISTINCT FROM 'lost')"
            )
            + """;
        UPDATE customer_metrics m SET lost_at = NULL FROM new_rows n
        WHERE m.tenant_id = n.tenant_id AND m.customer_id = n.id AND n.status <> 'lost' AND m.lost_at IS NOT NULL"""
        )
    return f"""
CREATE FUNCTION customer_metrics_mark_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_mark(table, column, "new_rows")}{became_lost};
    ELSIF TG_OP = 'UPDATE' THEN
        {_mark(table, column, "old_rows", "new_rows")}{left_lost};
    ELSE
        {_mark(table, column, "old_rows")};
    END IF;
    RETURN NULL;
END $$"""


PURCHASES = """
    SELECT o.tenant_id, o.customer_id, o.created_at AS at, o.currency, o.total AS amount
    FROM orders o
    WHERE o.tenant_id = p_tenant AND o.deleted_at IS NULL AND o.status <> 'cancelled'
      AND (p_ids IS NULL OR o.customer_id = ANY (p_ids))
    UNION ALL
    SELECT d.tenant_id, d.customer_id, coalesce(d.closed_at, d.stage_entered_at), d.currency, d.amount
    FROM opportunities d
    JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id AND s.kind = 'won'
    WHERE d.tenant_id = p_tenant AND d.deleted_at IS NULL
      AND (p_ids IS NULL OR d.customer_id = ANY (p_ids))
      AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = d.tenant_id AND o.opportunity_id = d.id
                      AND o.deleted_at IS NULL AND o.status <> 'cancelled')"""

# The first rating question of a survey, and a response's numeric answer to it.
RATING = """(SELECT CASE WHEN jsonb_typeof(r.answers -> q.id) = 'number' THEN (r.answers ->> q.id)::numeric END
     FROM (SELECT jsonb_path_query_first(s.questions, '$[*] ? (@.type == "rating").id') #>> '{}' AS id) q)"""

REFRESH_FUNCTION = f"""
CREATE FUNCTION customer_metrics_refresh(p_tenant uuid, p_ids uuid[]) RETURNS void LANGUAGE sql AS $$
    -- Rows of customers gone (deleted, merged away) or no longer there.
    DELETE FROM customer_metrics m
    WHERE m.tenant_id = p_tenant AND (p_ids IS NULL OR m.customer_id = ANY (p_ids))
      AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = m.tenant_id AND c.id = m.customer_id
                      AND c.deleted_at IS NULL);
    DELETE FROM customer_values v WHERE v.tenant_id = p_tenant AND (p_ids IS NULL OR v.customer_id = ANY (p_ids));

    INSERT INTO customer_values (tenant_id, customer_id, currency, won_value, purchases)
    SELECT p.tenant_id, p.customer_id, p.currency, sum(p.amount), count(*)
    FROM ({PURCHASES}) p
    JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id AND c.deleted_at IS NULL
    GROUP BY p.tenant_id, p.customer_id, p.currency;

    WITH c AS (
        SELECT tenant_id, id, status, department_id, updated_at FROM customers
        WHERE tenant_id = p_tenant AND deleted_at IS NULL AND (p_ids IS NULL OR id = ANY (p_ids))
    ), p AS ({PURCHASES}
    ), main AS (
        SELECT DISTINCT ON (customer_id) customer_id, currency, at FROM p ORDER BY customer_id, at DESC, currency
    ), bought AS (
        SELECT p.customer_id, max(p.at) AS last_at,
               count(*) FILTER (WHERE p.at > now() - interval '365 days') AS n365,
               count(*) FILTER (WHERE p.at > now() - interval '90 days') AS n90,
               count(*) FILTER (WHERE p.at > now() - interval '180 days' AND p.at <= now() - interval '90 days') AS nprev,
               coalesce(sum(p.amount) FILTER (WHERE p.at > now() - interval '365 days' AND p.currency = main.currency), 0)
                   AS monetary
        FROM p JOIN main ON main.customer_id = p.customer_id
        GROUP BY p.customer_id
    ), acts AS (
        SELECT a.customer_id, max(a.occurred_at) AS last_at FROM activities a
        WHERE a.tenant_id = p_tenant AND a.deleted_at IS NULL AND a.status = 'done'
          AND (p_ids IS NULL OR a.customer_id = ANY (p_ids))
        GROUP BY a.customer_id
    ), complaints AS (
        SELECT k.customer_id, count(*) AS n FROM tickets k
        WHERE k.tenant_id = p_tenant AND k.deleted_at IS NULL AND k.kind = 'complaint' AND k.is_open
          AND (p_ids IS NULL OR k.customer_id = ANY (p_ids))
        GROUP BY k.customer_id
    ), csat AS (
        SELECT DISTINCT ON (x.customer_id) x.customer_id, x.rating FROM (
            SELECT r.customer_id, r.answered_at, r.id, {RATING} AS rating
            FROM survey_responses r JOIN surveys s ON s.tenant_id = r.tenant_id AND s.id = r.survey_id
            WHERE r.tenant_id = p_tenant AND r.deleted_at IS NULL AND r.customer_id IS NOT NULL
              AND (p_ids IS NULL OR r.customer_id = ANY (p_ids))
        ) x WHERE x.rating IS NOT NULL
        ORDER BY x.customer_id, x.answered_at DESC, x.id DESC
    )
    INSERT INTO customer_metrics AS m (
        tenant_id, customer_id, department_id, status, last_purchase_at, purchases_365d, orders_90d,
        orders_prev_90d, currency, monetary_365d, last_activity_at, open_complaints, latest_csat, lost_at,
        computed_at)
    SELECT c.tenant_id, c.id, c.department_id, c.status, b.last_at, coalesce(b.n365, 0), coalesce(b.n90, 0),
           coalesce(b.nprev, 0), main.currency, b.monetary, acts.last_at, coalesce(complaints.n, 0),
           csat.rating::smallint, CASE WHEN c.status = 'lost' THEN c.updated_at END, now()
    FROM c
    LEFT JOIN bought b ON b.customer_id = c.id
    LEFT JOIN main ON main.customer_id = c.id
    LEFT JOIN acts ON acts.customer_id = c.id
    LEFT JOIN complaints ON complaints.customer_id = c.id
    LEFT JOIN csat ON csat.customer_id = c.id
    ORDER BY c.tenant_id, c.id
    ON CONFLICT (tenant_id, customer_id) DO UPDATE SET
        department_id = excluded.department_id, status = excluded.status,
        last_purchase_at = excluded.last_purchase_at, purchases_365d = excluded.purchases_365d,
        orders_90d = excluded.orders_90d, orders_prev_90d = excluded.orders_prev_90d,
        currency = excluded.currency, monetary_365d = excluded.monetary_365d,
        last_activity_at = excluded.last_activity_at, open_complaints = excluded.open_complaints,
        latest_csat = excluded.latest_csat,
        -- kept as the trigger noted it; a lost customer it never saw counts from its last update
        lost_at = CASE WHEN excluded.status <> 'lost' THEN NULL ELSE coalesce(m.lost_at, excluded.lost_at) END,
        computed_at = excluded.computed_at;
$$"""

# The standard RFM segment map over (R, F), 1-5 each (app/domain/analytics/customers.py SEGMENTS).
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

# Churn risk 0-100 (app/domain/analytics/customers.py churn_score): no touch (done activity or
# purchase) for 90 days 40, open complaints 15 each up to 30, a latest CSAT of 1-2 20, fewer
# purchases in the last 90 days than in the 90 before 10. A lost customer is past the risk: 0.
CHURN = """CASE WHEN status = 'lost' THEN 0 ELSE
        CASE WHEN coalesce(greatest(last_activity_at, last_purchase_at), '-infinity') <= p_now - interval '90 days'
             THEN 40 ELSE 0 END
        + 15 * least(open_complaints, 2)
        + CASE WHEN latest_csat <= 2 THEN 20 ELSE 0 END
        + CASE WHEN orders_prev_90d > orders_90d THEN 10 ELSE 0 END END"""


def _quintile(order: str, partition: str = "") -> str:
    """1-5 by rank within the tenant's purchasing customers: ties share a score (rank, not
    row_number), so the scores are a function of the data alone."""
    over = f"PARTITION BY last_purchase_at IS NULL{partition}"
    return f"""least(5, 1 + floor(5.0 * (rank() OVER ({over} ORDER BY {order}) - 1)
                     / count(*) OVER ({over})))::smallint"""


SCORE_FUNCTION = f"""
CREATE FUNCTION customer_metrics_score(p_tenant uuid, p_now timestamptz) RETURNS void LANGUAGE sql AS $$
    WITH ranked AS (
        SELECT customer_id, status, last_activity_at, last_purchase_at, open_complaints, latest_csat, orders_90d,
               orders_prev_90d,
               CASE WHEN last_purchase_at IS NOT NULL THEN {_quintile("last_purchase_at")} END AS r,
               CASE WHEN last_purchase_at IS NOT NULL THEN {_quintile("purchases_365d")} END AS f,
               CASE WHEN last_purchase_at IS NOT NULL THEN {_quintile("monetary_365d", ", currency")} END AS m
        FROM customer_metrics WHERE tenant_id = p_tenant
    ), scored AS (
        SELECT customer_id, r, f, m, {SEGMENT_CASE} AS segment, ({CHURN})::smallint AS churn FROM ranked
    )
    UPDATE customer_metrics c
    SET recency_score = s.r, frequency_score = s.f, monetary_score = s.m, rfm_segment = s.segment,
        churn_score = s.churn
    FROM scored s
    WHERE c.tenant_id = p_tenant AND c.customer_id = s.customer_id
      AND (c.recency_score, c.frequency_score, c.monetary_score, c.rfm_segment, c.churn_score)
          IS DISTINCT FROM (s.r, s.f, s.m, s.segment, s.churn);

    DELETE FROM customer_segment_counts WHERE tenant_id = p_tenant;
    INSERT INTO customer_segment_counts (tenant_id, department_id, recency_score, frequency_score, rfm_segment,
                                         currency, customers, monetary)
    SELECT tenant_id, department_id, recency_score, frequency_score, rfm_segment, currency, count(*),
           sum(monetary_365d)
    FROM customer_metrics WHERE tenant_id = p_tenant AND rfm_segment IS NOT NULL
    GROUP BY tenant_id, department_id, recency_score, frequency_score, rfm_segment, currency;

    INSERT INTO customer_metrics_state AS st (tenant_id, scored_at) VALUES (p_tenant, p_now)
    ON CONFLICT (tenant_id) DO UPDATE SET scored_at = excluded.scored_at;
$$"""

REBUILD_FUNCTION = """
CREATE FUNCTION customer_metrics_rebuild(p_tenant uuid) RETURNS void LANGUAGE sql AS $$
    DELETE FROM customer_metrics_dirty WHERE tenant_id = p_tenant;
    SELECT customer_metrics_refresh(p_tenant, NULL);
    INSERT INTO customer_metrics_state AS st (tenant_id, refreshed_on) VALUES (p_tenant, current_date)
    ON CONFLICT (tenant_id) DO UPDATE SET refreshed_on = excluded.refreshed_on;
    SELECT customer_metrics_score(p_tenant, now());
$$"""


def upgrade() -> None:
    op.create_table(
        "customer_metrics",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("department_id", ID),
        sa.Column("status", sa.Text),
        sa.Column("last_purchase_at", TS),
        sa.Column("purchases_365d", sa.Integer, nullable=False, server_default="0"),
        sa.Column("orders_90d", sa.Integer, nullable=False, server_default="0"),
        sa.Column("orders_prev_90d", sa.Integer, nullable=False, server_default="0"),
        sa.Column("currency", sa.Text),
        sa.Column("monetary_365d", sa.Numeric(18, 2)),
        sa.Column("last_activity_at", TS),
        sa.Column("open_complaints", sa.Integer, nullable=False, server_default="0"),
        sa.Column("latest_csat", sa.SmallInteger),
        sa.Column("lost_at", TS),
        sa.Column("recency_score", sa.SmallInteger),
        sa.Column("frequency_score", sa.SmallInteger),
        sa.Column("monetary_score", sa.SmallInteger),
        sa.Column("rfm_segment", sa.Text),
        sa.Column("churn_score", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("computed_at", TS),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", name="pk_customer_metrics"),
    )
    # The churn-risk list in rank order; the RFM drill (segment, R x F cell); lost per period.
    op.create_index(
        "ix_customer_metrics_churn",
        "customer_metrics",
        ["tenant_id", sa.text("churn_score DESC"), "customer_id"],
        postgresql_where=sa.text("churn_score > 0"),
    )
    op.create_index("ix_customer_metrics_segment", "customer_metrics", ["tenant_id", "rfm_segment", "customer_id"])
    op.create_index(
        "ix_customer_metrics_lost",
        "customer_metrics",
        ["tenant_id", "lost_at"],
        postgresql_where=sa.text("lost_at IS NOT NULL"),
    )
    op.create_table(
        "customer_values",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("won_value", sa.Numeric(18, 2), nullable=False),
        sa.Column("purchases", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", "currency", name="pk_customer_values"),
    )
    op.create_index(
        "ix_customer_values_rank",
        "customer_values",
        ["tenant_id", "currency", sa.text("won_value DESC"), "customer_id"],
    )
    op.create_table(
        "customer_segment_counts",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("department_id", ID),
        sa.Column("recency_score", sa.SmallInteger, nullable=False),
        sa.Column("frequency_score", sa.SmallInteger, nullable=False),
        sa.Column("rfm_segment", sa.Text, nullable=False),
        sa.Column("currency", sa.Text),
        sa.Column("customers", sa.BigInteger, nullable=False),
        sa.Column("monetary", sa.Numeric(20, 2)),
    )
    op.create_index("ix_customer_segment_counts_tenant", "customer_segment_counts", ["tenant_id", "department_id"])
    op.create_table(
        "customer_metrics_dirty",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "customer_id", name="pk_customer_metrics_dirty"),
    )
    op.create_table(
        "customer_metrics_state",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("refreshed_on", sa.Date),  # the last whole-tenant refresh (the windows roll daily)
        sa.Column("scored_at", TS),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_customer_metrics_state"),
    )
    op.execute(REFRESH_FUNCTION)
    op.execute(SCORE_FUNCTION)
    op.execute(REBUILD_FUNCTION)
    for table, column in SOURCES.items():
        op.execute(_mark_function(table, column))
        for event, refs in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            op.execute(
                f"CREATE TRIGGER customer_metrics_{table}_{event.lower()} AFTER {event} ON {table}"
                f" REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION customer_metrics_mark_{table}()"
            )
    op.execute("SELECT customer_metrics_rebuild(id) FROM tenants")
    op.execute("ANALYZE customer_metrics, customer_values, customer_segment_counts")


def downgrade() -> None:
    for table in SOURCES:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER customer_metrics_{table}_{event} ON {table}")
        op.execute(f"DROP FUNCTION customer_metrics_mark_{table}()")
    op.execute("DROP FUNCTION customer_metrics_rebuild(uuid)")
    op.execute("DROP FUNCTION customer_metrics_score(uuid, timestamptz)")
    op.execute("DROP FUNCTION customer_metrics_refresh(uuid, uuid[])")
    for table in ("customer_metrics_state", "customer_metrics_dirty", "customer_segment_counts", "customer_values",
                  "customer_metrics"):  # fmt: skip
        op.drop_table(table)
