"""Saved reports (issue 15): a report's definition (entity, measures, groupings, filters as a
condition tree, period, sort, limit) kept as JSON and parsed again whenever it runs, private to
its owner or shared with roles (by role key).

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-08 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)
ID = UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("definition", JSONB, nullable=False),
        sa.Column("chart", sa.Text, nullable=False, server_default="table"),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("shared_roles", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", ID),
        sa.Column("updated_by", ID),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", TS),
        sa.ForeignKeyConstraint(["tenant_id", "owner_id"], ["users.tenant_id", "users.id"], name="fk_reports_owner"),
        sa.CheckConstraint("chart IN ('table', 'bar', 'line', 'pie')", name="chart"),
    )
    live = sa.text("deleted_at IS NULL")
    op.create_index("ix_reports_owner", "reports", ["tenant_id", "owner_id", "name"], postgresql_where=live)
    # "Shared with one of my roles": an array overlap, served by GIN.
    op.create_index("ix_reports_shared", "reports", ["shared_roles"], postgresql_using="gin", postgresql_where=live)


def downgrade() -> None:
    op.drop_index("ix_reports_shared", table_name="reports")
    op.drop_index("ix_reports_owner", table_name="reports")
    op.drop_table("reports")
