"""Activities become tasks and appointments too: status, assignee, due and start/end times,
evaluation, reminders, and links to a lead or an opportunity.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)
FKS = {
    "lead_id": ("leads", "fk_activities_lead"),
    "opportunity_id": ("opportunities", "fk_activities_opportunity"),
    "assignee_id": ("users", "fk_activities_assignee"),
}


def upgrade() -> None:
    for column in ("lead_id", "opportunity_id", "assignee_id"):
        op.add_column("activities", sa.Column(column, UUID, nullable=True))
    op.add_column("activities", sa.Column("status", sa.Text(), server_default="done", nullable=False))
    for column in ("due_at", "starts_at", "ends_at", "reminded_at"):
        op.add_column("activities", sa.Column(column, TS, nullable=True))
    op.add_column("activities", sa.Column("evaluation", sa.Text(), nullable=True))
    op.add_column("activities", sa.Column("reminder_minutes", sa.Integer(), nullable=True))
    for column, (table, name) in FKS.items():
        op.create_foreign_key(name, "activities", table, ["tenant_id", column], ["tenant_id", "id"])
    # The calendar and the overlap check: one assignee's appointments by start.
    op.create_index(
        "ix_activities_assignee_starts",
        "activities",
        ["tenant_id", "assignee_id", "starts_at"],
        postgresql_where=sa.text("deleted_at IS NULL AND starts_at IS NOT NULL"),
    )
    # The worker's reminder job: planned work with a reminder not yet sent.
    op.create_index(
        "ix_activities_reminders",
        "activities",
        [sa.text("coalesce(starts_at, due_at)")],
        postgresql_where=sa.text(
            "deleted_at IS NULL AND status = 'planned' AND reminder_minutes IS NOT NULL AND reminded_at IS NULL"
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_activities_reminders", table_name="activities")
    op.drop_index("ix_activities_assignee_starts", table_name="activities")
    for name in ("fk_activities_lead", "fk_activities_opportunity", "fk_activities_assignee"):
        op.drop_constraint(name, "activities", type_="foreignkey")
    for column in (
        "lead_id", "opportunity_id", "assignee_id", "status", "due_at", "starts_at", "ends_at", "reminded_at",
        "evaluation", "reminder_minutes",
    ):  # fmt: skip
        op.drop_column("activities", column)
