"""Sends and delivery (issue 14): what the worker needs beyond the marketing foundation.

- `message_sends.locale`: the locale every message of the send is written in (zh-CN | en), or
  null for each recipient's own (their `locale` custom field, else the tenant's default, else the
  template's default). `paced_until`: the end of the time the send's rate (`rate_per_minute`)
  has already handed out to claimed batches, shared by every worker, so two workers together keep
  to the rate. `error`: why a send failed as a whole (its template gone, say).
- `message_deliveries.booked_at`: when a finished delivery (sent, bounced, failed) was booked: its
  member moved along the funnel, its outbox event published, a bounced address suppressed, the
  send's counters moved. The hot path records only the delivery's status; booking follows after
  each batch, in one transaction, so it happens exactly once even when a worker dies between.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
# "0029" as agreed; in this branch it also joins the heads of the merged templates (0030) and
# segments (0031) branches, which the lead re-chains at merge.
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)


def upgrade() -> None:
    op.add_column("message_sends", sa.Column("locale", sa.Text))
    op.add_column("message_sends", sa.Column("paced_until", TS))
    op.add_column("message_sends", sa.Column("error", sa.Text))
    op.create_check_constraint("locale", "message_sends", "locale IN ('zh-CN', 'en')")
    op.add_column("message_deliveries", sa.Column("booked_at", TS))
    op.add_column("message_deliveries", sa.Column("locale", sa.Text))
    # The booking pass's queue: finished deliveries not booked yet.
    op.create_index(
        "ix_message_deliveries_unbooked", "message_deliveries", ["tenant_id", "send_id", "id"],
        postgresql_where=sa.text("booked_at IS NULL AND status IN ('sent', 'bounced', 'failed')"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_message_deliveries_unbooked", table_name="message_deliveries")
    op.drop_column("message_deliveries", "locale")
    op.drop_column("message_deliveries", "booked_at")
    op.drop_column("message_sends", "error")
    op.drop_column("message_sends", "paced_until")
    op.drop_column("message_sends", "locale")
