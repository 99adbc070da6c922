"""Dashboards (issue 15): users' grids of built-in widgets, private or shared with roles; and what
Home counts from, so a director's whole company stays cheap:
- partial indexes: open deals per stage with their currency and amount (index-only; the
  opportunity rollups keep no currency), planned tasks and appointments by time;
- `lead_status_rollups`: live leads per (status, owner, department), kept by statement-level
  triggers as the opportunity rollups are (migration 0010): append-only deltas, folded back by the
  worker's minute job (`lead_status_rollups_compact()`). "Leads to work" over a million leads
  reads these few hundred rows instead of counting 650,000 index entries.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-08 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0043"
down_revision: str | None = "0042"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)
ID = UUID(as_uuid=True)
LIVE = sa.text("deleted_at IS NULL")

KEY = "tenant_id, status, owner_id, department_id"
NONZERO = "sum(leads) <> 0"


def _rows(source: str, sign: str) -> str:
    return f"SELECT {KEY}, {sign}1 AS leads FROM {source} WHERE deleted_at IS NULL"


def _apply(*parts: str) -> str:
    union = " UNION ALL ".join(parts)
    return f"""INSERT INTO lead_status_rollups ({KEY}, leads)
        SELECT {KEY}, sum(leads) FROM ({union}) d GROUP BY {KEY} HAVING {NONZERO}"""


APPLY_FUNCTION = f"""
CREATE FUNCTION lead_status_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply(_rows("new_rows", ""))};
    ELSIF TG_OP = 'UPDATE' THEN
        {_apply(_rows("old_rows", "-"), _rows("new_rows", ""))};
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_rows("old_rows", "-"))};
    ELSE
        DELETE FROM lead_status_rollups;
    END IF;
    RETURN NULL;
END $$"""
REBUILD_FUNCTION = f"""
CREATE FUNCTION lead_status_rollups_rebuild(p_tenant uuid) RETURNS void LANGUAGE sql AS $$
    DELETE FROM lead_status_rollups WHERE tenant_id = p_tenant;
    INSERT INTO lead_status_rollups ({KEY}, leads)
    SELECT {KEY}, count(*) FROM leads WHERE deleted_at IS NULL AND tenant_id = p_tenant GROUP BY {KEY};
$$"""
# Rows are only inserted and deleted, so a ctid stays put until compaction deletes it.
COMPACT_FUNCTION = f"""
CREATE FUNCTION lead_status_rollups_compact() RETURNS void LANGUAGE sql AS $$
    WITH folded AS (
        SELECT unnest(array_agg(ctid)) AS row_id FROM lead_status_rollups
        GROUP BY {KEY} HAVING count(*) > 1 OR NOT ({NONZERO})
    ), gone AS (
        DELETE FROM lead_status_rollups WHERE ctid IN (SELECT row_id FROM folded) RETURNING *
    )
    INSERT INTO lead_status_rollups ({KEY}, leads)
    SELECT {KEY}, sum(leads) FROM gone GROUP BY {KEY} HAVING {NONZERO};
$$"""
TRIGGERS = {
    "lead_status_rollups_insert": "AFTER INSERT ON leads REFERENCING NEW TABLE AS new_rows",
    "lead_status_rollups_update": "AFTER UPDATE ON leads REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "lead_status_rollups_delete": "AFTER DELETE ON leads REFERENCING OLD TABLE AS old_rows",
    "lead_status_rollups_truncate": "AFTER TRUNCATE ON leads",
}


def upgrade() -> None:
    op.create_table(
        "dashboards",
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("layout", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("shared_roles", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", ID),
        sa.Column("updated_by", ID),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", TS),
        sa.ForeignKeyConstraint(
            ["tenant_id", "owner_id"], ["users.tenant_id", "users.id"], name="fk_dashboards_owner"
        ),
    )
    op.create_index("ix_dashboards_owner", "dashboards", ["tenant_id", "owner_id"], postgresql_where=LIVE)
    op.create_index(
        "ix_dashboards_shared", "dashboards", ["shared_roles"], postgresql_using="gin", postgresql_where=LIVE
    )
    op.create_index(
        "ix_opportunities_stage_live", "opportunities", ["tenant_id", "stage_id"],
        postgresql_include=["currency", "amount", "owner_id", "department_id", "pipeline_id", "probability"],
        postgresql_where=LIVE,
    )  # fmt: skip
    # The tenant's deal currencies by a skip scan: one currency lets pipeline by stage read the rollups.
    op.create_index("ix_opportunities_currency", "opportunities", ["tenant_id", "currency"], postgresql_where=LIVE)
    op.create_index(
        "ix_leads_to_work", "leads", ["tenant_id", "status"], postgresql_include=["owner_id", "department_id"],
        postgresql_where=sa.text("deleted_at IS NULL AND status IN ('new', 'contacted')"),
    )  # fmt: skip
    op.create_table(
        "lead_status_rollups",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("owner_id", ID),
        sa.Column("department_id", ID),
        sa.Column("leads", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_lead_status_rollups", "lead_status_rollups", ["tenant_id", "status"],
        postgresql_include=["owner_id", "department_id", "leads"],
    )  # fmt: skip
    op.execute(APPLY_FUNCTION)
    op.execute(REBUILD_FUNCTION)
    op.execute(COMPACT_FUNCTION)
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION lead_status_rollups_apply()")
    op.execute("SELECT lead_status_rollups_rebuild(id) FROM tenants")
    op.create_index(
        "ix_activities_planned", "activities", ["tenant_id", "occurred_at"],
        postgresql_include=["owner_id", "department_id", "kind"],
        postgresql_where=sa.text("deleted_at IS NULL AND status = 'planned'"),
    )  # fmt: skip


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON leads")
    op.execute("DROP FUNCTION lead_status_rollups_compact()")
    op.execute("DROP FUNCTION lead_status_rollups_rebuild(uuid)")
    op.execute("DROP FUNCTION lead_status_rollups_apply()")
    op.drop_table("lead_status_rollups")
    op.drop_index("ix_activities_planned", table_name="activities")
    op.drop_index("ix_leads_to_work", table_name="leads")
    op.drop_index("ix_opportunities_currency", table_name="opportunities")
    op.drop_index("ix_opportunities_stage_live", table_name="opportunities")
    op.drop_index("ix_dashboards_shared", table_name="dashboards")
    op.drop_index("ix_dashboards_owner", table_name="dashboards")
    op.drop_table("dashboards")
