"""Opportunity rollups: live deals summed per (pipeline, stage, owner, department) for the board,
and per (pipeline, stage, owner, department, forecast category, month of expected close) for the
forecast, kept in step by statement-level triggers on opportunities.

The board's column totals and the forecast read these few thousand rows instead of aggregating
every deal of a pipeline or a period on each request (a GROUP BY over 200,000 deals costs about
140 ms of database CPU). Owner and department stay in the key so data ranges still apply as the
same predicates the deals themselves get.

The rollups are append-only: a trigger inserts each statement's net change per key as new rows
(deltas that net to zero, an edit of a deal's name say, insert nothing), and readers sum the rows
of a key. So writers never wait for each other on a hot key, as they would updating one counter
row until commit. The worker folds each key's rows back into one every minute
(`opportunity_rollups_compact()`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
# Two grains, both kept by the same triggers: the board sums a pipeline's stages (a few rows per
# owner), the forecast a period's months (per category and stage, as its filters need).
KEYS = {
    "opportunity_stage_rollups": "tenant_id, pipeline_id, stage_id, owner_id, department_id",
    "opportunity_rollups": "tenant_id, pipeline_id, stage_id, owner_id, department_id, forecast_category, close_month",
}
# A deal's key and its contribution, from a row of `opportunities` (or a transition table of it).
ROW = (
    "tenant_id, pipeline_id, stage_id, owner_id, department_id, forecast_category,"
    " date_trunc('month', expected_close_date)::date AS close_month"
)
CONTRIBUTION = "{sign}1 AS deals, {sign}amount AS amount, {sign}(amount * probability / 100) AS weighted"


def _rows(source: str, sign: str) -> str:
    return f"SELECT {ROW}, {CONTRIBUTION.format(sign=sign)} FROM {source} WHERE deleted_at IS NULL"


NONZERO = "sum(deals) <> 0 OR sum(amount) <> 0 OR sum(weighted) <> 0"


def _apply(*parts: str) -> str:
    """Append the net change of `parts` (SELECTs of key + contribution) per key, to each grain."""
    union = " UNION ALL ".join(parts)
    return ";\n        ".join(
        f"""INSERT INTO {table} ({key}, deals, amount, weighted)
        SELECT {key}, sum(deals), sum(amount), sum(weighted) FROM ({union}) d
        GROUP BY {key} HAVING {NONZERO}"""
        for table, key in KEYS.items()
    )


APPLY_FUNCTION = f"""
CREATE FUNCTION opportunity_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        {_apply(_rows("new_rows", ""))};
    ELSIF TG_OP = 'UPDATE' THEN
        {_apply(_rows("old_rows", "-"), _rows("new_rows", ""))};
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_rows("old_rows", "-"))};
    ELSE  -- TRUNCATE empties the whole table
        DELETE FROM opportunity_rollups;
        DELETE FROM opportunity_stage_rollups;
    END IF;
    RETURN NULL;
END $$"""

# Recompute one tenant's rollups from its deals: after a bulk load with triggers off, or a repair,
# while nothing else writes that tenant's deals.
REBUILD_FUNCTION = (
    "CREATE FUNCTION opportunity_rollups_rebuild(p_tenant uuid) RETURNS void LANGUAGE sql AS $$"
    + "".join(
        f"""
    DELETE FROM {table} WHERE tenant_id = p_tenant;
    INSERT INTO {table} ({key}, deals, amount, weighted)
    SELECT {key}, sum(deals), sum(amount), sum(weighted)
    FROM ({_rows("opportunities", "")} AND tenant_id = p_tenant) d
    GROUP BY {key};"""
        for table, key in KEYS.items()
    )
    + "\n$$"
)

# Fold the keys with several rows (or a zero row) into one row each. Rows are never updated, only
# deleted, so their ctid is stable; a concurrent compaction deletes (and so re-adds) only the rows
# it did delete, and deltas inserted meanwhile are simply left for the next round.
COMPACT_FUNCTION = (
    "CREATE FUNCTION opportunity_rollups_compact() RETURNS void LANGUAGE sql AS $$"
    + "".join(
        f"""
    WITH folded AS (
        SELECT unnest(array_agg(ctid)) AS row_id FROM {table}
        GROUP BY {key} HAVING count(*) > 1 OR NOT ({NONZERO})
    ), gone AS (
        DELETE FROM {table} WHERE ctid IN (SELECT row_id FROM folded) RETURNING *
    )
    INSERT INTO {table} ({key}, deals, amount, weighted)
    SELECT {key}, sum(deals), sum(amount), sum(weighted) FROM gone GROUP BY {key} HAVING {NONZERO};"""
        for table, key in KEYS.items()
    )
    + "\n$$"
)

TRIGGERS = {
    "opportunity_rollups_insert": "AFTER INSERT ON opportunities REFERENCING NEW TABLE AS new_rows",
    "opportunity_rollups_update": (
        "AFTER UPDATE ON opportunities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    ),
    "opportunity_rollups_delete": "AFTER DELETE ON opportunities REFERENCING OLD TABLE AS old_rows",
    "opportunity_rollups_truncate": "AFTER TRUNCATE ON opportunities",
}


def upgrade() -> None:
    op.create_table(
        "opportunity_rollups",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("pipeline_id", UUID, nullable=False),
        sa.Column("stage_id", UUID, nullable=False),
        sa.Column("owner_id", UUID, nullable=False),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("forecast_category", sa.Text(), nullable=False),
        sa.Column("close_month", sa.Date(), nullable=True),
        sa.Column("deals", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(), nullable=False),
        sa.Column("weighted", sa.Numeric(), nullable=False),
    )
    op.create_index("ix_opportunity_rollups_month", "opportunity_rollups", ["tenant_id", "close_month"])
    op.create_table(
        "opportunity_stage_rollups",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("pipeline_id", UUID, nullable=False),
        sa.Column("stage_id", UUID, nullable=False),
        sa.Column("owner_id", UUID, nullable=False),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("deals", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(), nullable=False),
        sa.Column("weighted", sa.Numeric(), nullable=False),
    )
    op.create_index(
        "ix_opportunity_stage_rollups_pipeline", "opportunity_stage_rollups", ["tenant_id", "pipeline_id"]
    )
    op.execute(APPLY_FUNCTION)
    op.execute(REBUILD_FUNCTION)
    op.execute(COMPACT_FUNCTION)
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION opportunity_rollups_apply()")
    op.execute("SELECT opportunity_rollups_rebuild(id) FROM tenants")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON opportunities")
    op.execute("DROP FUNCTION opportunity_rollups_compact()")
    op.execute("DROP FUNCTION opportunity_rollups_rebuild(uuid)")
    op.execute("DROP FUNCTION opportunity_rollups_apply()")
    op.drop_table("opportunity_stage_rollups")
    op.drop_table("opportunity_rollups")
