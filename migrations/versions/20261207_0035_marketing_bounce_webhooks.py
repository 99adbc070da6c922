"""Marketing tracking (issue 14): the per-tenant secret of the bounce webhook, and the index the
suppression list is paged by.

- `marketing_webhook_secrets`: one row per tenant, the secret a mail provider's bounce callback
  (`POST /api/v1/public/marketing/bounces/{tenant_id}`) proves itself with: an HMAC-SHA256 of the
  body, or the secret itself as a bearer token. Kept in clear because an HMAC needs it; only
  campaign managers set or rotate it, and no API reads it back after rotation.
- `ix_marketing_suppressions_created`: the suppression list, newest first, by keyset.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)


def upgrade() -> None:
    op.create_table(
        "marketing_webhook_secrets",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", UUID(as_uuid=True)),
    )
    op.create_index(
        "ix_marketing_suppressions_created",
        "marketing_suppressions",
        ["tenant_id", sa.text("created_at DESC"), "channel", "address"],
    )


def downgrade() -> None:
    op.drop_index("ix_marketing_suppressions_created", table_name="marketing_suppressions")
    op.drop_table("marketing_webhook_secrets")
