"""Event registration (issue 14): when each member's current registration was submitted (the
waitlist's order), and the partial indexes that count a campaign's taken seats and find its next
waitlisted member without reading the whole member list.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("campaign_members", sa.Column("registration_at", sa.TIMESTAMP(timezone=True)))
    # Seats taken, per campaign and session: counted under the campaign's seat lock on every
    # registration (an index-only count of the registered, however many members were targeted).
    op.create_index(
        "ix_campaign_members_seats", "campaign_members", ["tenant_id", "campaign_id", "session_id"],
        postgresql_where=sa.text("registration_status = 'registered' AND deleted_at IS NULL"),
    )  # fmt: skip
    # The waitlist in order: the first of a session is promoted when a seat frees.
    op.create_index(
        "ix_campaign_members_waitlist", "campaign_members",
        ["tenant_id", "campaign_id", "session_id", "registration_at", "id"],
        postgresql_where=sa.text("registration_status = 'waitlisted' AND deleted_at IS NULL"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_campaign_members_waitlist", "campaign_members")
    op.drop_index("ix_campaign_members_seats", "campaign_members")
    op.drop_column("campaign_members", "registration_at")
