"""Rate limits on the whole API: request counters per caller and fixed window, and failed logins
looked up by client address across accounts.

`rate_limit_counters` holds one row per (caller, window): each API process counts locally and adds
its counts here in one statement every few hundred milliseconds (app/domain/shared/quotas.py).
UNLOGGED: the counters live for a minute, so they need no WAL (nor replicas); a crash empties
the table, which only forgives the current window.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("bucket", sa.Text(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_rate_limit_counters")),
        prefixes=["UNLOGGED"],
    )
    op.create_index("ix_rate_limit_counters_expires_at", "rate_limit_counters", ["expires_at"])
    # The per-address rule across accounts (app/domain/identity/auth.py).
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_address_at", table_name="login_failures")
    op.drop_table("rate_limit_counters")
