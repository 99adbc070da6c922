"""Sessions: one row per sign-in (a refresh-token family), with an absolute expiry.

Access tokens carry the session's id (`sid`) and the caller's statement checks the session is
alive, so ending a session (sign-out, password change, refresh-token reuse, an administrator)
cuts its access tokens at once, not at their expiry. `expires_at` is fixed at sign-in: rotation
never issues a refresh token that outlives it.

Existing families become sessions: created at their first token, expiring at their last token's
expiry but no later than 30 days (the default absolute lifetime) after sign-in, ended when none
of their tokens is left unrevoked.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)

BACKFILL = """
INSERT INTO user_sessions (tenant_id, id, user_id, created_at, last_used_at, expires_at, revoked_at)
SELECT tenant_id, family_id, (array_agg(user_id))[1], min(created_at), max(created_at),
       least(max(expires_at), min(created_at) + interval '30 days'),
       CASE WHEN bool_and(revoked_at IS NOT NULL) THEN max(revoked_at) END
  FROM refresh_tokens
 GROUP BY tenant_id, family_id
"""


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        # The refresh-token family's id.
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("last_used_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
        sa.Column("user_agent", sa.Text),
        sa.Column("created_ip", sa.Text),
        sa.Column("last_ip", sa.Text),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"], ["users.tenant_id", "users.id"], name="fk_user_sessions_user"
        ),
    )
    op.create_index("ix_user_sessions_user", "user_sessions", ["tenant_id", "user_id"])
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("user_sessions")
