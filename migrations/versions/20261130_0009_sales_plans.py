"""Sales plans (customer development plans): an owner's goal for a period, the customers and leads
worked on, how many activities are planned, and the evaluation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "sales_plans",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("period_kind", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=True),
        sa.Column("target_customer_ids", postgresql.ARRAY(UUID), server_default="{}", nullable=False),
        sa.Column("target_lead_ids", postgresql.ARRAY(UUID), server_default="{}", nullable=False),
        sa.Column("planned_activities", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column("evaluation", sa.Text(), nullable=True),
        sa.Column("owner_id", UUID, nullable=False),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("created_by", UUID, nullable=True),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id", "owner_id"], ["users.tenant_id", "users.id"], name="fk_sales_plans_owner"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_sales_plans_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sales_plans")),
    )
    for name, columns in {
        "ix_sales_plans_updated": ["tenant_id", "updated_at", "id"],
        "ix_sales_plans_owner_updated": ["tenant_id", "owner_id", "updated_at", "id"],
        "ix_sales_plans_department_updated": ["tenant_id", "department_id", "updated_at", "id"],
    }.items():
        op.create_index(name, "sales_plans", columns, postgresql_where=sa.text("deleted_at IS NULL"))


def downgrade() -> None:
    op.drop_table("sales_plans")
