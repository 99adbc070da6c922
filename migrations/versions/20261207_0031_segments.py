"""Segments (issue 14): saved, dynamic audiences of contacts and leads. `conditions` is a condition
tree (app/domain/shared/conditions.py) kept as JSON, checked against the declared fields whenever
it is saved and again whenever it is evaluated (a custom field may have gone meanwhile).

Indexes for the segment conditions the benchmark and the web client's pickers use most: the
customer's level and industry (a contact reaches them through its customer).

Revision ID: 0031
Revises: 0029
Create Date: 2026-12-07 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0031"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)
ID = UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("conditions", JSONB, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", ID),
        sa.Column("updated_by", ID),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", TS),
        sa.CheckConstraint("audience IN ('contacts', 'leads', 'both')", name="audience"),
    )
    op.create_index(
        "ix_segments_name", "segments", ["tenant_id", "name", "id"], postgresql_where=sa.text("deleted_at IS NULL")
    )
    live = sa.text("deleted_at IS NULL")
    op.create_index("ix_customers_level", "customers", ["tenant_id", "level"], postgresql_where=live)
    op.create_index("ix_customers_industry", "customers", ["tenant_id", "industry"], postgresql_where=live)


def downgrade() -> None:
    op.drop_index("ix_customers_industry", table_name="customers")
    op.drop_index("ix_customers_level", table_name="customers")
    op.drop_index("ix_segments_name", table_name="segments")
    op.drop_table("segments")
