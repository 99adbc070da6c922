"""Sales analysis reads deals by when they closed (performance, revenue), by pipeline and when
they were created (the funnel's and time in stage's cohort), and the open ones by stage (open
pipeline per owner). These partial indexes carry the columns those statements group and sum, so
they read the index alone (no heap visit per deal) on a vacuumed table.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-08 00:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0041"
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "deleted_at IS NULL"
# name -> (key columns, included columns, condition)
INDEXES = {
    "ix_opportunities_closed_analysis": (
        ["tenant_id", "closed_at"],
        ["stage_id", "pipeline_id", "owner_id", "department_id", "customer_id", "currency", "amount", "created_at"],
        f"{LIVE} AND closed_at IS NOT NULL",
    ),
    "ix_opportunities_created_analysis": (
        ["tenant_id", "pipeline_id", "created_at"],
        ["stage_id", "owner_id", "department_id", "customer_id"],
        LIVE,
    ),
    "ix_opportunities_stage_analysis": (
        ["tenant_id", "stage_id"],
        ["pipeline_id", "owner_id", "department_id", "customer_id", "currency", "amount"],
        LIVE,
    ),
}


def upgrade() -> None:
    for name, (keys, included, where) in INDEXES.items():
        op.create_index(name, "opportunities", keys, postgresql_include=included, postgresql_where=where)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="opportunities")
