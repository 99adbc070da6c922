"""The forecast's rollup (`opportunity_rollups`, migration 0010) is keyed by the stage's kind
(open, won, lost) instead of the stage: the forecast only asks which kind a deal's stage is, so
the rows of a pipeline's several open stages fold into one and the forecast no longer joins the
stages. For the sales director's quarter (200,000 deals) that halves the rows it reads and about
halves its database time.

A stage's kind can change (PATCH of a stage). The sums of its deals then move from the old kind's
keys to the new one's: a row trigger on pipeline_stages appends those deltas in the same
transaction, so the rollup stays append-only (the worker's compaction is unaffected). Deal writes
read the kinds of their stages in their trigger; so that no deal write reads a kind while a change
of it is uncommitted (and then files its delta under the kind that is being moved away), both
take a per-tenant advisory lock: deal writes shared, a kind change exclusive, each before reading.
Deal writes of a tenant wait for the (short, rare) transaction of a kind change, never for each
other. This relies on READ COMMITTED, the app's isolation: each statement of the trigger sees
what committed before it took the lock. The kind change takes its lock last (after the pipeline's
row lock, in the trigger): a deal insert waiting on that row for its foreign key check holds no
advisory lock yet, so the two cannot deadlock.

Moving deals (a stage deleted with its deals moved) is a deal write like any other. The board's
grain (`opportunity_stage_rollups`) stays per stage.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGE_KEY = "tenant_id, pipeline_id, stage_id, owner_id, department_id"
CONTRIBUTION = "{sign}1 AS deals, {sign}amount AS amount, {sign}(amount * probability / 100) AS weighted"
NONZERO = "sum(deals) <> 0 OR sum(amount) <> 0 OR sum(weighted) <> 0"
# The lock deal writes (shared) and kind changes (exclusive) take per tenant: the two-integer form,
# a key space apart from app/repositories/locks.py's.
LOCK = "hashtext('opportunity_rollups'), hashtext({tenant}::text)"
SUMS = ["deals", "amount", "weighted"]


class Grain:
    """The forecast grain keyed by stage kind (`by_kind`) or, as 0010 made it, by stage."""

    def __init__(self, by_kind: bool) -> None:
        self.by_kind = by_kind
        stage = "kind" if by_kind else "stage_id"
        self.key = f"tenant_id, pipeline_id, {stage}, owner_id, department_id, forecast_category, close_month"
        self.index_included = ["pipeline_id", stage, "owner_id", "department_id", "forecast_category", *SUMS]

    def rows(self, source: str, sign: str) -> str:
        """Key and contribution of each live deal of `source` (opportunities or a transition table)."""
        month = "date_trunc('month', o.expected_close_date)::date AS close_month"
        contribution = f"{sign}1 AS deals, {sign}o.amount AS amount, {sign}(o.amount * o.probability / 100) AS weighted"
        common = "o.owner_id, o.department_id, o.forecast_category"
        if not self.by_kind:
            return (
                f"SELECT o.tenant_id, o.pipeline_id, o.stage_id, {common}, {month}, {contribution}"
                f" FROM {source} o WHERE o.deleted_at IS NULL"
            )
        return (
            f"SELECT o.tenant_id, o.pipeline_id, s.kind, {common}, {month}, {contribution}"
            f" FROM {source} o JOIN pipeline_stages s ON s.tenant_id = o.tenant_id AND s.id = o.stage_id"
            " WHERE o.deleted_at IS NULL"
        )

    def apply(self, *sources: tuple[str, str]) -> str:
        """Append the net change of the (source, sign) pairs per key, to both grains."""
        stage_rows = " UNION ALL ".join(_stage_rows(source, sign) for source, sign in sources)
        rows = " UNION ALL ".join(self.rows(source, sign) for source, sign in sources)
        lock = ""
        if self.by_kind:
            tenants = f"(SELECT DISTINCT tenant_id FROM {sources[0][0]}) t"
            lock = f"PERFORM pg_advisory_xact_lock_shared({LOCK.format(tenant='t.tenant_id')}) FROM {tenants};\n        "
        return (
            lock
            + f"""INSERT INTO opportunity_stage_rollups ({STAGE_KEY}, deals, amount, weighted)
        SELECT {STAGE_KEY}, sum(deals), sum(amount), sum(weighted) FROM ({stage_rows}) d
        GROUP BY {STAGE_KEY} HAVING {NONZERO};
        INSERT INTO opportunity_rollups ({self.key}, deals, amount, weighted)
        SELECT {self.key}, sum(deals), sum(amount), sum(weighted) FROM ({rows}) d
        GROUP BY {self.key} HAVING {NONZERO}"""
        )

    def apply_function(self) -> str:
        return f"""
CREATE OR REPLACE FUNCTION opportunity_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        {self.apply(("new_rows", ""))};
    ELSIF TG_OP = 'UPDATE' THEN
        {self.apply(("new_rows", ""), ("old_rows", "-"))};
    ELSIF TG_OP = 'DELETE' THEN
        {self.apply(("old_rows", "-"))};
    ELSE  -- TRUNCATE empties the whole table
        DELETE FROM opportunity_rollups;
        DELETE FROM opportunity_stage_rollups;
    END IF;
    RETURN NULL;
END $$"""

    def rebuild_function(self) -> str:
        """Recompute one tenant's rollups from its deals: after a bulk load with triggers off, or
        a repair, while nothing else writes that tenant's deals."""
        return f"""
CREATE OR REPLACE FUNCTION opportunity_rollups_rebuild(p_tenant uuid) RETURNS void LANGUAGE sql AS $$
    DELETE FROM opportunity_stage_rollups WHERE tenant_id = p_tenant;
    INSERT INTO opportunity_stage_rollups ({STAGE_KEY}, deals, amount, weighted)
    SELECT {STAGE_KEY}, sum(deals), sum(amount), sum(weighted)
    FROM ({_stage_rows("opportunities", "")} AND tenant_id = p_tenant) d
    GROUP BY {STAGE_KEY};
    DELETE FROM opportunity_rollups WHERE tenant_id = p_tenant;
    INSERT INTO opportunity_rollups ({self.key}, deals, amount, weighted)
    SELECT {self.key}, sum(deals), sum(amount), sum(weighted)
    FROM ({self.rows("opportunities", "")} AND o.tenant_id = p_tenant) d
    GROUP BY {self.key};
$$"""

    def compact_function(self) -> str:
        """As 0010's: fold each key's rows into one (see there why it is safe alongside writers)."""
        return "CREATE OR REPLACE FUNCTION opportunity_rollups_compact() RETURNS void LANGUAGE sql AS $$" + "".join(
            f"""
    WITH folded AS (
        SELECT unnest(array_agg(ctid)) AS row_id FROM {table}
        GROUP BY {key} HAVING count(*) > 1 OR NOT ({NONZERO})
    ), gone AS (
        DELETE FROM {table} WHERE ctid IN (SELECT row_id FROM folded) RETURNING *
    )
    INSERT INTO {table} ({key}, deals, amount, weighted)
    SELECT {key}, sum(deals), sum(amount), sum(weighted) FROM gone GROUP BY {key} HAVING {NONZERO};"""
            for table, key in (("opportunity_stage_rollups", STAGE_KEY), ("opportunity_rollups", self.key))
        ) + "\n$$"


def _stage_rows(source: str, sign: str) -> str:
    return (
        f"SELECT {STAGE_KEY}, {CONTRIBUTION.format(sign=sign)} FROM {source} WHERE deleted_at IS NULL"
    )


BY_KIND, BY_STAGE = Grain(by_kind=True), Grain(by_kind=False)

# A stage's kind changed: its live deals' sums leave the old kind's keys for the new kind's.
REKIND_FUNCTION = f"""
CREATE FUNCTION opportunity_rollups_rekind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Waits for the tenant's deal writes in flight; the statement below then sees them.
    PERFORM pg_advisory_xact_lock({LOCK.format(tenant="NEW.tenant_id")});
    INSERT INTO opportunity_rollups ({BY_KIND.key}, deals, amount, weighted)
    SELECT o.tenant_id, o.pipeline_id, k.kind, o.owner_id, o.department_id, o.forecast_category,
           date_trunc('month', o.expected_close_date)::date, k.sign * count(*), k.sign * sum(o.amount),
           k.sign * sum(o.amount * o.probability / 100)
    FROM opportunities o CROSS JOIN (VALUES (OLD.kind, -1), (NEW.kind, 1)) AS k(kind, sign)
    WHERE o.tenant_id = NEW.tenant_id AND o.stage_id = NEW.id AND o.deleted_at IS NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, k.sign;
    RETURN NULL;
END $$"""
REKIND_TRIGGER = (
    "CREATE TRIGGER opportunity_rollups_rekind AFTER UPDATE OF kind ON pipeline_stages FOR EACH ROW"
    " WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION opportunity_rollups_rekind()"
)
INDEX = "ix_opportunity_rollups_month_covering"


def _regrain(grain: Grain, drop: str, add: str) -> None:
    # No deal write may run between the new functions and the rebuild.
    op.execute("LOCK TABLE opportunities IN SHARE MODE")
    op.drop_index(INDEX, table_name="opportunity_rollups")
    op.execute("TRUNCATE opportunity_rollups")
    op.drop_column("opportunity_rollups", drop)
    op.add_column("opportunity_rollups", sa.Column(add, sa.Text() if add == "kind" else postgresql.UUID(as_uuid=True), nullable=False))
    op.create_index(INDEX, "opportunity_rollups", ["tenant_id", "close_month"], postgresql_include=grain.index_included)
    for function in (grain.apply_function(), grain.rebuild_function(), grain.compact_function()):
        op.execute(function)
    op.execute("SELECT opportunity_rollups_rebuild(id) FROM tenants")
    op.execute("ANALYZE opportunity_rollups")  # refilled: the forecast's first plans need its statistics


def upgrade() -> None:
    _regrain(BY_KIND, "stage_id", "kind")
    op.execute(REKIND_FUNCTION)
    op.execute(REKIND_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER opportunity_rollups_rekind ON pipeline_stages")
    op.execute("DROP FUNCTION opportunity_rollups_rekind()")
    _regrain(BY_STAGE, "kind", "stage_id")
