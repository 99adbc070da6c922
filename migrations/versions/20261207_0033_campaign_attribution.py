"""Campaign attribution (issue 14): leads and deals name a real campaign of their tenant.

- `campaign_id` on leads, opportunities and lead forms was a free UUID (kept for attribution
  until campaigns existed). Ids naming no campaign of the tenant are nulled (they attribute
  nothing and would break the foreign key), then tenant-scoped foreign keys hold them.
- `last_campaign_id` on leads and opportunities: the last campaign that touched the record
  (`campaign_id` stays the first touch). Existing rows start with last touch = first touch.
- `survey_invitations.campaign_id`: an event's satisfaction survey invites each attending contact
  once per (campaign, survey); its responses count on the campaign.

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0033"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = UUID(as_uuid=True)
# (table, column) pairs that name a campaign.
ATTRIBUTED = [
    ("leads", "campaign_id"),
    ("leads", "last_campaign_id"),
    ("opportunities", "campaign_id"),
    ("opportunities", "last_campaign_id"),
    ("lead_forms", "campaign_id"),
    ("survey_invitations", "campaign_id"),
]


def _name(table: str, column: str) -> str:
    return f"{table}_{column.removesuffix('_id')}"


def upgrade() -> None:
    for table in ("leads", "opportunities"):
        op.add_column(table, sa.Column("last_campaign_id", ID))
    op.add_column("survey_invitations", sa.Column("campaign_id", ID))
    for table in ("leads", "opportunities", "lead_forms"):
        op.execute(
            f"UPDATE {table} t SET campaign_id = NULL WHERE campaign_id IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM campaigns c WHERE c.tenant_id = t.tenant_id AND c.id = t.campaign_id)"
        )
    for table in ("leads", "opportunities"):
        op.execute(f"UPDATE {table} SET last_campaign_id = campaign_id WHERE campaign_id IS NOT NULL")
    for table, column in ATTRIBUTED:
        op.create_foreign_key(
            f"fk_{_name(table, column)}", table, "campaigns", ["tenant_id", column], ["tenant_id", "id"]
        )
        op.create_index(
            f"ix_{_name(table, column)}", table, ["tenant_id", column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )  # fmt: skip
    # One invitation per attending contact, campaign and survey: sending again reaches only new attendees.
    op.create_index(
        "uq_survey_invitations_campaign_contact", "survey_invitations",
        ["tenant_id", "campaign_id", "survey_id", "contact_id"], unique=True,
        postgresql_where=sa.text("campaign_id IS NOT NULL"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_survey_invitations_campaign_contact", table_name="survey_invitations")
    for table, column in reversed(ATTRIBUTED):
        op.drop_index(f"ix_{_name(table, column)}", table_name=table)
        op.drop_constraint(f"fk_{_name(table, column)}", table, type_="foreignkey")
    op.drop_column("survey_invitations", "campaign_id")
    for table in ("leads", "opportunities"):
        op.drop_column(table, "last_campaign_id")
