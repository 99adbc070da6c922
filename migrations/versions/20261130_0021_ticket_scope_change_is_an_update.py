"""A ticket whose customer changes owner or department (or is deleted or restored) gets a new
`updated_at` along with its copies of the customer's owner and department (migration 0018): the
ticket moved into someone's data range, and their sync feed (`GET /tickets?updated_since=`)
must show it. The trigger rewrites those ticket rows anyway; the version stays, as nothing a
client sees of the ticket changed.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _function(touch: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION customers_ticket_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets
    SET customer_owner_id = CASE WHEN NEW.deleted_at IS NULL THEN NEW.owner_id END,
        customer_department_id = CASE WHEN NEW.deleted_at IS NULL THEN NEW.department_id END{touch}
    WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.id;
    RETURN NULL;
END $$"""


def upgrade() -> None:
    op.execute(_function(",\n        updated_at = now()"))


def downgrade() -> None:
    op.execute(_function(""))
