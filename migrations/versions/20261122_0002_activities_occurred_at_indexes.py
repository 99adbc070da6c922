"""Activities: keyset indexes for the default sort (-occurred_at) in each data range.

The lists of activities sort by occurred_at (newest first) by default; without these, a page for
an "all" range sorts every live activity of the tenant, and an "own"/"department" page every
activity of that owner or department.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
INDEXES = {
    "ix_activities_occurred": ["tenant_id", "occurred_at", "id"],
    "ix_activities_owner_occurred": ["tenant_id", "owner_id", "occurred_at", "id"],
    "ix_activities_department_occurred": ["tenant_id", "department_id", "occurred_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "activities", columns, unique=False, postgresql_where=LIVE)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="activities", postgresql_where=LIVE)
