"""Automations (issue 14): rules that act on a record when an outbox event names it, and their runs.

`automation_runs` is both the run log and the queue of runs: a run is unique per (automation,
trigger, record) — the key that makes a retried, duplicated or raced event run a rule once per
record and trigger — and a worker claims a due pending run (`run_at` past) with FOR UPDATE SKIP
LOCKED through the partial index on pending runs.

Revision ID: 0037
Revises: 0036 (message templates and segments: an automation sends a template and filters
with the segments' condition trees; the lead re-chains the numbers at merge)
Create Date: 2026-12-07 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)
ID = UUID(as_uuid=True)
NOW = sa.text("now()")


def _fk(columns: list[str], table: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", *columns], [f"{table}.tenant_id", *(f"{table}.id" for _ in columns)], name=name
    )


def upgrade() -> None:
    op.create_table(
        "automations",
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column(
            "conditions", JSONB, nullable=False, server_default=sa.text('\'{"op": "and", "conditions": []}\'::jsonb')
        ),
        sa.Column("actions", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("delay_amount", sa.Integer, nullable=False, server_default="0"),
        sa.Column("delay_unit", sa.Text, nullable=False, server_default="minutes"),
        sa.Column("status", sa.Text, nullable=False, server_default="active"),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("updated_at", TS, nullable=False, server_default=NOW),
        sa.Column("created_by", ID),
        sa.Column("updated_by", ID),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", TS),
        sa.CheckConstraint("status IN ('active', 'paused')", name="status"),
        sa.CheckConstraint("delay_unit IN ('minutes', 'hours', 'days')", name="delay_unit"),
        sa.CheckConstraint("delay_amount >= 0", name="delay_amount"),
        _fk(["owner_id"], "users", "fk_automations_owner"),
    )
    op.create_index(
        "ix_automations_trigger",
        "automations",
        ["tenant_id", "trigger"],
        postgresql_where=sa.text("deleted_at IS NULL AND status = 'active'"),
    )
    op.create_index("ix_automations_owner", "automations", ["tenant_id", "owner_id"])
    op.create_table(
        "automation_runs",
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", ID, primary_key=True),
        sa.Column("automation_id", ID, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("event_id", ID),
        sa.Column("record_kind", sa.Text, nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("source_entity", sa.Text),
        sa.Column("source_id", ID),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("run_at", TS, nullable=False, server_default=NOW),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("actions_done", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("updated_at", TS, nullable=False, server_default=NOW),
        sa.Column("started_at", TS),
        sa.Column("finished_at", TS),
        sa.CheckConstraint("status IN ('pending', 'done', 'skipped', 'failed')", name="status"),
        sa.CheckConstraint("record_kind IN ('lead', 'contact')", name="record_kind"),
        _fk(["automation_id"], "automations", "fk_automation_runs_automation"),
    )
    op.create_index(
        "uq_automation_runs_once",
        "automation_runs",
        ["tenant_id", "automation_id", "trigger", "record_kind", "record_id"],
        unique=True,
    )
    op.create_index("ix_automation_runs_log", "automation_runs", ["tenant_id", "automation_id", "id"])
    op.create_index(
        "ix_automation_runs_due", "automation_runs", ["run_at"], postgresql_where=sa.text("status = 'pending'")
    )


def downgrade() -> None:
    op.drop_table("automation_runs")
    op.drop_index("ix_automations_trigger", table_name="automations")
    op.drop_table("automations")
