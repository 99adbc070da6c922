"""Dashboards (issue 15): users' grids of built-in widgets, private or shared with roles; and the
partial indexes Home counts from, so a director's whole company is an index-only scan: open deals
per stage with their currency and amount (the rollups keep no currency), leads still to work
(new, contacted), planned tasks and appointments by time.

Revision ID: 0043
Revises: 0037
Create Date: 2026-12-08 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0043"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)
ID = UUID(as_uuid=True)
LIVE = sa.text("deleted_at IS NULL")


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
    op.create_index(
        "ix_leads_to_work", "leads", ["tenant_id", "status"], postgresql_include=["owner_id", "department_id"],
        postgresql_where=sa.text("deleted_at IS NULL AND status IN ('new', 'contacted')"),
    )  # fmt: skip
    op.create_index(
        "ix_activities_planned", "activities", ["tenant_id", "occurred_at"],
        postgresql_include=["owner_id", "department_id", "kind"],
        postgresql_where=sa.text("deleted_at IS NULL AND status = 'planned'"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_activities_planned", table_name="activities")
    op.drop_index("ix_leads_to_work", table_name="leads")
    op.drop_index("ix_opportunities_stage_live", table_name="opportunities")
    op.drop_index("ix_dashboards_shared", table_name="dashboards")
    op.drop_index("ix_dashboards_owner", table_name="dashboards")
    op.drop_table("dashboards")
