"""Lead and activity analysis, won/lost reasons, forecast history (issue 15, Step 7).

- `activity_day_rollups`: done activities per (tenant, local day, owner, department, kind), the
  same per local month (`activity_month_rollups`: a year's figures by month read some thousand
  rows, the days only at the window's partial edge months), and
  `activity_hour_rollups`: per (tenant, local day, local hour, department) for the weekday x hour
  heat map. Local means in the tenant's time zone (tenants.settings.time_zone) when the row was
  written; `activity_rollups_rebuild(tenant)` recomputes a tenant (after a bulk load, or after the
  tenant changed its zone). Kept as the opportunity rollups are (migration 0010): statement-level
  triggers append each statement's net change per key, readers sum, the worker folds the deltas
  (`activity_rollups_compact()`), so writers never queue on a hot counter row.
- `lead_day_rollups` / `lead_month_rollups`: leads per local day / month of creation, source,
  first and last touch, owner and department: how many, converted, days to convert summed; kept
  the same way (`lead_rollups_apply/rebuild/compact`).
- Indexes the analyses read through: leads by creation time, deals by close time (an own range's
  activities are read through migration 0002's ix_activities_owner_occurred).
- `forecast_snapshots`: the forecast of a quarter as it stood each week, per owner, department
  and currency; `forecast_snapshot_weeks` marks a tenant's week as taken (once, by one worker).
- `opportunities.won_reason`: why a deal was won (the lost reason's counterpart).

Revision ID: 0039
Revises: 0038 (the lead re-chains the numbers at merge)
Create Date: 2026-12-08 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)

KEYS = {
    "activity_day_rollups": "tenant_id, day, owner_id, department_id, kind",
    "activity_month_rollups": "tenant_id, month, owner_id, department_id, kind",
    "activity_hour_rollups": "tenant_id, day, hour, department_id",
}
# A done activity's key and contribution, its local day and hour in its tenant's zone.
LOCAL = "timezone(coalesce(z.settings->>'time_zone', 'UTC'), a.occurred_at)"
ROW = (
    f"a.tenant_id, ({LOCAL})::date AS day, date_trunc('month', {LOCAL})::date AS month, "
    f"extract(hour FROM {LOCAL})::smallint AS hour, "
    "a.owner_id, a.department_id, a.kind"
)


def _rows(source: str, sign: str) -> str:
    return (
        f"SELECT {ROW}, {sign}1 AS done FROM {source} a JOIN tenants z ON z.id = a.tenant_id "
        "WHERE a.deleted_at IS NULL AND a.status = 'done'"
    )


def _apply(*parts: str) -> str:
    union = " UNION ALL ".join(parts)
    return ";\n        ".join(
        f"""INSERT INTO {table} ({key}, done)
        SELECT {key}, sum(done) FROM ({union}) d GROUP BY {key} HAVING sum(done) <> 0"""
        for table, key in KEYS.items()
    )


APPLY_FUNCTION = f"""
CREATE FUNCTION activity_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply(_rows("new_rows", ""))};
    ELSIF TG_OP = 'UPDATE' THEN
        {_apply(_rows("old_rows", "-"), _rows("new_rows", ""))};
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_rows("old_rows", "-"))};
    ELSE
        DELETE FROM activity_day_rollups;
        DELETE FROM activity_month_rollups;
        DELETE FROM activity_hour_rollups;
    END IF;
    RETURN NULL;
END $$"""

REBUILD_FUNCTION = (
    "CREATE FUNCTION activity_rollups_rebuild(p_tenant uuid) RETURNS void LANGUAGE sql AS $$"
    + "".join(
        f"""
    DELETE FROM {table} WHERE tenant_id = p_tenant;
    INSERT INTO {table} ({key}, done)
    SELECT {key}, sum(done) FROM ({_rows("activities", "")} AND a.tenant_id = p_tenant) d GROUP BY {key};"""
        for table, key in KEYS.items()
    )
    + "\n$$"
)

COMPACT_FUNCTION = (
    "CREATE FUNCTION activity_rollups_compact() RETURNS void LANGUAGE sql AS $$"
    + "".join(
        f"""
    WITH folded AS (
        SELECT unnest(array_agg(ctid)) AS row_id FROM {table}
        GROUP BY {key} HAVING count(*) > 1 OR sum(done) = 0
    ), gone AS (
        DELETE FROM {table} WHERE ctid IN (SELECT row_id FROM folded) RETURNING *
    )
    INSERT INTO {table} ({key}, done)
    SELECT {key}, sum(done) FROM gone GROUP BY {key} HAVING sum(done) <> 0;"""
        for table, key in KEYS.items()
    )
    + "\n$$"
)

# Leads per local day and month of creation and every key the lead analysis groups or ranges by:
# how many, how many converted, and their days from creation to conversion summed (the average;
# the median reads the converted leads themselves, a minority, through ix_leads_converted).
LEAD_KEYS = {
    "lead_day_rollups": "tenant_id, day, source, campaign_id, last_campaign_id, owner_id, department_id",
    "lead_month_rollups": "tenant_id, month, source, campaign_id, last_campaign_id, owner_id, department_id",
}
LEAD_LOCAL = "timezone(coalesce(z.settings->>'time_zone', 'UTC'), l.created_at)"
LEAD_ROW = (
    f"l.tenant_id, ({LEAD_LOCAL})::date AS day, date_trunc('month', {LEAD_LOCAL})::date AS month, l.source, "
    "l.campaign_id, l.last_campaign_id, l.owner_id, l.department_id"
)
LEAD_SUMS = "sum(leads), sum(converted), sum(convert_days)"
LEAD_NONZERO = "sum(leads) <> 0 OR sum(converted) <> 0 OR sum(convert_days) <> 0"


def _lead_rows(source: str, sign: str) -> str:
    return (
        f"SELECT {LEAD_ROW}, {sign}1 AS leads, {sign}(l.converted_at IS NOT NULL)::int AS converted, "
        f"{sign}coalesce(extract(epoch FROM l.converted_at - l.created_at) / 86400, 0) AS convert_days "
        f"FROM {source} l JOIN tenants z ON z.id = l.tenant_id WHERE l.deleted_at IS NULL"
    )


def _lead_apply(*parts: str) -> str:
    union = " UNION ALL ".join(parts)
    return ";\n        ".join(
        f"""INSERT INTO {table} ({key}, leads, converted, convert_days)
        SELECT {key}, {LEAD_SUMS} FROM ({union}) d GROUP BY {key} HAVING {LEAD_NONZERO}"""
        for table, key in LEAD_KEYS.items()
    )


LEAD_APPLY_FUNCTION = f"""
CREATE FUNCTION lead_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_lead_apply(_lead_rows("new_rows", ""))};
    ELSIF TG_OP = 'UPDATE' THEN
        {_lead_apply(_lead_rows("old_rows", "-"), _lead_rows("new_rows", ""))};
    ELSIF TG_OP = 'DELETE' THEN
        {_lead_apply(_lead_rows("old_rows", "-"))};
    ELSE
        DELETE FROM lead_day_rollups;
        DELETE FROM lead_month_rollups;
    END IF;
    RETURN NULL;
END $$"""

LEAD_REBUILD_FUNCTION = (
    "CREATE FUNCTION lead_rollups_rebuild(p_tenant uuid) RETURNS void LANGUAGE sql AS $$"
    + "".join(
        f"""
    DELETE FROM {table} WHERE tenant_id = p_tenant;
    INSERT INTO {table} ({key}, leads, converted, convert_days)
    SELECT {key}, {LEAD_SUMS} FROM ({_lead_rows("leads", "")} AND l.tenant_id = p_tenant) d GROUP BY {key};"""
        for table, key in LEAD_KEYS.items()
    )
    + "\n$$"
)

LEAD_COMPACT_FUNCTION = (
    "CREATE FUNCTION lead_rollups_compact() RETURNS void LANGUAGE sql AS $$"
    + "".join(
        f"""
    WITH folded AS (
        SELECT unnest(array_agg(ctid)) AS row_id FROM {table}
        GROUP BY {key} HAVING count(*) > 1 OR NOT ({LEAD_NONZERO})
    ), gone AS (
        DELETE FROM {table} WHERE ctid IN (SELECT row_id FROM folded) RETURNING *
    )
    INSERT INTO {table} ({key}, leads, converted, convert_days)
    SELECT {key}, {LEAD_SUMS} FROM gone GROUP BY {key} HAVING {LEAD_NONZERO};"""
        for table, key in LEAD_KEYS.items()
    )
    + "\n$$"
)

LEAD_TRIGGERS = {
    "lead_rollups_insert": "AFTER INSERT ON leads REFERENCING NEW TABLE AS new_rows",
    "lead_rollups_update": "AFTER UPDATE ON leads REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "lead_rollups_delete": "AFTER DELETE ON leads REFERENCING OLD TABLE AS old_rows",
    "lead_rollups_truncate": "AFTER TRUNCATE ON leads",
}

TRIGGERS = {
    "activity_rollups_insert": "AFTER INSERT ON activities REFERENCING NEW TABLE AS new_rows",
    "activity_rollups_update": "AFTER UPDATE ON activities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "activity_rollups_delete": "AFTER DELETE ON activities REFERENCING OLD TABLE AS old_rows",
    "activity_rollups_truncate": "AFTER TRUNCATE ON activities",
}

INDEXES = {
    "ix_leads_created": ("leads", ["tenant_id", "created_at"]),
    "ix_opportunities_closed": ("opportunities", ["tenant_id", "closed_at"]),
}


def upgrade() -> None:
    op.add_column("opportunities", sa.Column("won_reason", sa.Text(), nullable=True))
    op.create_table(
        "activity_day_rollups",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("department_id", ID, nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_activity_day_rollups_day", "activity_day_rollups", ["tenant_id", "day"])
    op.create_table(
        "activity_month_rollups",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("department_id", ID, nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_activity_month_rollups_month", "activity_month_rollups", ["tenant_id", "month"])
    op.create_table(
        "activity_hour_rollups",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("department_id", ID, nullable=True),
        sa.Column("done", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_activity_hour_rollups_day", "activity_hour_rollups", ["tenant_id", "day"])
    for statement in (APPLY_FUNCTION, REBUILD_FUNCTION, COMPACT_FUNCTION):
        op.execute(statement)
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION activity_rollups_apply()")
    # Activities already there (an upgraded database) count from now on.
    op.execute("SELECT activity_rollups_rebuild(id) FROM tenants")
    for table, grain in (("lead_day_rollups", "day"), ("lead_month_rollups", "month")):
        op.create_table(
            table,
            sa.Column("tenant_id", ID, nullable=False),
            sa.Column(grain, sa.Date(), nullable=False),
            sa.Column("source", sa.Text(), nullable=False),
            sa.Column("campaign_id", ID, nullable=True),
            sa.Column("last_campaign_id", ID, nullable=True),
            sa.Column("owner_id", ID, nullable=True),
            sa.Column("department_id", ID, nullable=True),
            sa.Column("leads", sa.BigInteger(), nullable=False),
            sa.Column("converted", sa.BigInteger(), nullable=False),
            sa.Column("convert_days", sa.Numeric(), nullable=False),
        )
        op.create_index(f"ix_{table}_{grain}", table, ["tenant_id", grain])
    for statement in (LEAD_APPLY_FUNCTION, LEAD_REBUILD_FUNCTION, LEAD_COMPACT_FUNCTION):
        op.execute(statement)
    for name, when in LEAD_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION lead_rollups_apply()")
    op.execute("SELECT lead_rollups_rebuild(id) FROM tenants")
    op.create_index(
        "ix_leads_converted",
        "leads",
        ["tenant_id", "created_at"],
        postgresql_where=sa.text("deleted_at IS NULL AND converted_at IS NOT NULL"),
    )
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, postgresql_where=sa.text("deleted_at IS NULL"))

    op.create_table(
        "forecast_snapshot_weeks",
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("week", sa.Date(), primary_key=True),  # the local Monday
        sa.Column("period", sa.Text(), nullable=False),  # the quarter snapshotted, "2026-Q4"
        sa.Column("taken_at", TS, nullable=False, server_default=sa.text("now()")),
    )
    op.create_table(
        "forecast_snapshots",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("department_id", ID, nullable=True),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("commit", sa.Numeric(18, 2), nullable=False),
        sa.Column("best_case", sa.Numeric(18, 2), nullable=False),
        sa.Column("pipeline", sa.Numeric(18, 2), nullable=False),
        sa.Column("closed_won", sa.Numeric(18, 2), nullable=False),
        # The owner's target for the quarter (targets carry no currency: the tenant's own, kept on
        # the row of the default currency only).
        sa.Column("target", sa.Numeric(18, 2), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "week", "owner_id", "currency", name="pk_forecast_snapshots"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "week"],
            ["forecast_snapshot_weeks.tenant_id", "forecast_snapshot_weeks.week"],
            name="fk_forecast_snapshots_week",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_forecast_snapshots_period", "forecast_snapshots", ["tenant_id", "period", "week"])


def downgrade() -> None:
    op.drop_table("forecast_snapshots")
    op.drop_table("forecast_snapshot_weeks")
    op.drop_index("ix_leads_converted", table_name="leads")
    for name in LEAD_TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON leads")
    for function in ("lead_rollups_apply()", "lead_rollups_rebuild(uuid)", "lead_rollups_compact()"):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_table("lead_month_rollups")
    op.drop_table("lead_day_rollups")
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table, postgresql_where=sa.text("deleted_at IS NULL"))
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON activities")
    for function in ("activity_rollups_apply()", "activity_rollups_rebuild(uuid)", "activity_rollups_compact()"):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_table("activity_hour_rollups")
    op.drop_table("activity_month_rollups")
    op.drop_table("activity_day_rollups")
    op.drop_column("opportunities", "won_reason")
