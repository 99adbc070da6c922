"""Whoever opened a ticket keeps reading it (app/repositories/scoping.py, `creator_reads`): the
ticket lists and gets of an agent reach `created_by = caller` besides their ranges, from a keyset
index like the owner's and the team's. And an SLA policy's blank customer level is "any level"
(null), as the unique index `uq_sla_policies_target` (coalesce(customer_level, '')) already held
it: rows saved blank before are made null.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_creator_updated",
        "tickets",
        ["tenant_id", "created_by", "updated_at", "id"],
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.execute("UPDATE sla_policies SET customer_level = NULL WHERE customer_level = ''")


def downgrade() -> None:
    # The blank levels stay null: both mean "any level".
    op.drop_index("ix_tickets_creator_updated", table_name="tickets")
