"""Tickets carry their customer's owner and department (`customer_owner_id`,
`customer_department_id`), so the "own" and "department" ranges of tickets, which also reach the
tickets of the caller's customers (app/repositories/scoping.py), compare two columns of the ticket
instead of listing the customers first: a sales manager's department has about 500,000 customers,
and the ticket list that matched against their ids took 1.2-1.4 s.

The database keeps the copies in step, so no write path can forget them:
- a ticket takes its customer's values when inserted and when its customer changes (a BEFORE
  trigger; it reads the customer FOR SHARE, so a concurrent reassignment of that customer either
  commits first and is seen, or waits for the ticket and then updates it);
- a customer whose owner or department changes, or which is deleted or restored, passes the change
  on to its tickets: a row-level AFTER trigger, named columns and a WHEN clause, so it fires only
  for rows where one of them did change. Statement-level with transition tables (as 0010's) would
  fire on every UPDATE of customers, a name edit too: PostgreSQL takes no column list on triggers
  with transition tables. In bulk it was no faster: moving 10,000 customers (11,112 tickets) from
  one rep to another took 2.9-8.8 s row-level and 4.0-5.7 s statement-level over three rounds on
  a busy test server (0.7-1.1 s without either); rewriting the tickets, whose every index gets the
  new row version, is most of it either way.
A deleted customer's tickets carry nulls: the range reached only live customers, and still does.
No foreign keys: the values are copies of the customer's, which has them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
LIVE = sa.text("deleted_at IS NULL")
# The list's keyset order per range, as the ticket's own owner and department indexes have it.
INDEXES = {
    "ix_tickets_customer_owner_updated": ["tenant_id", "customer_owner_id", "updated_at", "id"],
    "ix_tickets_customer_department_updated": ["tenant_id", "customer_department_id", "updated_at", "id"],
}

TICKET_FUNCTION = """
CREATE FUNCTION tickets_customer_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- No row (no customer): both become null.
    SELECT CASE WHEN c.deleted_at IS NULL THEN c.owner_id END,
           CASE WHEN c.deleted_at IS NULL THEN c.department_id END
    INTO NEW.customer_owner_id, NEW.customer_department_id
    FROM customers c
    WHERE c.tenant_id = NEW.tenant_id AND c.id = NEW.customer_id
    FOR SHARE;
    RETURN NEW;
END $$"""

CUSTOMER_FUNCTION = """
CREATE FUNCTION customers_ticket_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets
    SET customer_owner_id = CASE WHEN NEW.deleted_at IS NULL THEN NEW.owner_id END,
        customer_department_id = CASE WHEN NEW.deleted_at IS NULL THEN NEW.department_id END
    WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.id;
    RETURN NULL;
END $$"""

CHANGED = (
    "OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.department_id IS DISTINCT FROM NEW.department_id"
    " OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)"
)
TRIGGERS = {
    "tickets_customer_scope_insert": (
        "tickets",
        "BEFORE INSERT ON tickets FOR EACH ROW",
        "tickets_customer_scope",
    ),
    "tickets_customer_scope_update": (
        "tickets",
        "BEFORE UPDATE OF customer_id ON tickets FOR EACH ROW"
        " WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)",
        "tickets_customer_scope",
    ),
    "customers_ticket_scope": (
        "customers",
        f"AFTER UPDATE OF owner_id, department_id, deleted_at ON customers FOR EACH ROW WHEN ({CHANGED})",
        "customers_ticket_scope",
    ),
}


def upgrade() -> None:
    op.add_column("tickets", sa.Column("customer_owner_id", UUID, nullable=True))
    op.add_column("tickets", sa.Column("customer_department_id", UUID, nullable=True))
    op.execute(
        """UPDATE tickets t
        SET customer_owner_id = c.owner_id, customer_department_id = c.department_id
        FROM customers c
        WHERE c.tenant_id = t.tenant_id AND c.id = t.customer_id AND c.deleted_at IS NULL
          AND (c.owner_id IS NOT NULL OR c.department_id IS NOT NULL)"""
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "tickets", columns, postgresql_where=LIVE)
    op.execute(TICKET_FUNCTION)
    op.execute(CUSTOMER_FUNCTION)
    for name, (_table, when, function) in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")


def downgrade() -> None:
    for name, (table, _when, _function) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION customers_ticket_scope()")
    op.execute("DROP FUNCTION tickets_customer_scope()")
    for name in INDEXES:
        op.drop_index(name, table_name="tickets")
    op.drop_column("tickets", "customer_department_id")
    op.drop_column("tickets", "customer_owner_id")
