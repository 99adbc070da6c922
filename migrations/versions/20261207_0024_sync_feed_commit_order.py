"""Sync feeds follow commit order, not time (issue 13, section 3).

`updated_at` is its transaction's start: a poller that resumes from the newest `updated_at` it saw
misses every change of a transaction that started before and committed after (a 6.7 s transfer
of 1,113 customers vanished from a poller's view). So every synced table gets `sync_xid`, the
writing transaction's id, set by a BEFORE INSERT OR UPDATE row trigger, so every write path (bulk
transfers, merges, rows rewritten by other triggers such as 0018's) stamps it. A feed pass
remembers the oldest transaction still running when it began (`pg_snapshot_xmin`): every change
it could not see has an id at least that, so the next pass resumes from it (app/repositories/
sync.py). The constant default '0' adds the column without rewriting the table; rows written
before this migration were visible to every pass that hands out a token.

A record that leaves a caller's data range changes nothing that caller can still read, so an
AFTER UPDATE row trigger appends the OLD values of every column a data range reads to
`sync_departures` when one of them changes (the WHEN clause: other updates pay nothing); the feed
turns those into `out_of_range` tombstones. Contacts, activities, deals and tickets are narrowed
by region and customer type through their customer: a departure stores the customer's values,
and a customer whose region or type changes records departures for, and re-stamps, the records
that hang off it (rare: an administrator's edit). The worker purges departures after
CRM_SYNC_RETENTION_DAYS and keeps the newest purged id per tenant in `sync_horizons`; a token
older than that is answered 410 Gone.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 18:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# table -> the columns its data-range predicate reads (app/repositories/scoping.py), besides
# tenant_id; "via customer" tables read the customer's region and type.
SCOPE_COLUMNS = {
    "customers": ("owner_id", "department_id", "region_id", "customer_type"),
    "leads": ("owner_id", "department_id", "region_id"),
    "contacts": ("owner_id", "department_id", "customer_id"),
    "activities": ("owner_id", "department_id", "customer_id"),
    "opportunities": ("owner_id", "department_id", "customer_id"),
    "tickets": ("owner_id", "department_id", "customer_id", "customer_owner_id", "customer_department_id"),
}
VIA_CUSTOMER = ("contacts", "activities", "opportunities", "tickets")

# The primary key is also the feed's keyset order per resource.
DEPARTURES_TABLE = """
CREATE TABLE sync_departures (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    resource text NOT NULL,
    sync_xid xid8 NOT NULL,
    record_id uuid NOT NULL,
    owner_id uuid,
    department_id uuid,
    region_id uuid,
    customer_type text,
    customer_id uuid,
    customer_owner_id uuid,
    customer_department_id uuid,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_sync_departures PRIMARY KEY (tenant_id, resource, sync_xid, record_id)
)"""
HORIZONS_TABLE = """
CREATE TABLE sync_horizons (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    purged_xid xid8 NOT NULL,
    CONSTRAINT pk_sync_horizons PRIMARY KEY (tenant_id)
)"""

STAMP_FUNCTION = """
CREATE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sync_xid := pg_current_xact_id();
    RETURN NEW;
END $$"""


def _departure_function(table: str) -> str:
    columns = SCOPE_COLUMNS[table]
    if table in VIA_CUSTOMER:
        region_type = (
            "(SELECT c.region_id FROM customers c WHERE c.tenant_id = OLD.tenant_id AND c.id = OLD.customer_id),"
            " (SELECT c.customer_type FROM customers c WHERE c.tenant_id = OLD.tenant_id AND c.id = OLD.customer_id)"
        )
    else:
        region_type = "OLD.region_id, " + ("OLD.customer_type" if "customer_type" in columns else "NULL")
    owner_via = "OLD.customer_owner_id, OLD.customer_department_id" if "customer_owner_id" in columns else "NULL, NULL"
    customer = "OLD.customer_id" if "customer_id" in columns else "NULL"
    # The first departure of a record in a transaction holds the committed values; later ones
    # only states no other transaction saw.
    return f"""
CREATE FUNCTION sync_departure_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_departures (tenant_id, resource, sync_xid, record_id, owner_id, department_id,
                                 region_id, customer_type, customer_id, customer_owner_id,
                                 customer_department_id)
    VALUES (OLD.tenant_id, '{table}', pg_current_xact_id(), OLD.id, OLD.owner_id, OLD.department_id,
            {region_type}, {customer}, {owner_via})
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$"""


def _dependents_block(table: str) -> str:
    return f"""
    INSERT INTO sync_departures (tenant_id, resource, sync_xid, record_id, owner_id, department_id,
                                 region_id, customer_type, customer_id, customer_owner_id,
                                 customer_department_id)
    SELECT r.tenant_id, '{table}', pg_current_xact_id(), r.id, r.owner_id, r.department_id,
           OLD.region_id, OLD.customer_type, r.customer_id,
           {"r.customer_owner_id, r.customer_department_id" if table == "tickets" else "NULL, NULL"}
    FROM {table} r WHERE r.tenant_id = NEW.tenant_id AND r.customer_id = NEW.id
    ON CONFLICT DO NOTHING;
    UPDATE {table} SET sync_xid = sync_xid WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.id;"""


# Their region or type narrows the ranges of the records of the customer: they leave some ranges
# (departures) and enter others (re-stamped by the no-op update's BEFORE trigger).
CUSTOMER_DEPENDENTS_FUNCTION = (
    "CREATE FUNCTION sync_customer_dependents() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN"
    + "".join(_dependents_block(t) for t in VIA_CUSTOMER)
    + "\n    RETURN NULL;\nEND $$"
)


def _changed(columns: Sequence[str]) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def upgrade() -> None:
    op.execute(DEPARTURES_TABLE)
    op.create_index("ix_sync_departures_occurred_at", "sync_departures", ["occurred_at"])  # the purge
    # A first sync's keyset order (`updated_since`: departures by time).
    op.create_index(
        "ix_sync_departures_resource_occurred_at",
        "sync_departures",
        ["tenant_id", "resource", "occurred_at", "record_id"],
    )
    op.execute(HORIZONS_TABLE)
    op.execute(STAMP_FUNCTION)
    for table, columns in SCOPE_COLUMNS.items():
        op.execute(f"ALTER TABLE {table} ADD COLUMN sync_xid xid8 NOT NULL DEFAULT '0'")
        op.create_index(f"ix_{table}_sync", table, ["tenant_id", "sync_xid", "id"])
        op.execute(f"CREATE TRIGGER {table}_sync_stamp BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW"
                   " EXECUTE FUNCTION sync_stamp()")  # fmt: skip
        op.execute(_departure_function(table))
        op.execute(
            f"CREATE TRIGGER {table}_sync_departure AFTER UPDATE OF {', '.join(columns)} ON {table}"
            f" FOR EACH ROW WHEN ({_changed(columns)}) EXECUTE FUNCTION sync_departure_{table}()"
        )
    op.execute(CUSTOMER_DEPENDENTS_FUNCTION)
    op.execute(
        "CREATE TRIGGER customers_sync_dependents AFTER UPDATE OF region_id, customer_type ON customers"
        f" FOR EACH ROW WHEN ({_changed(('region_id', 'customer_type'))})"
        " EXECUTE FUNCTION sync_customer_dependents()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER customers_sync_dependents ON customers")
    op.execute("DROP FUNCTION sync_customer_dependents()")
    for table in SCOPE_COLUMNS:
        op.execute(f"DROP TRIGGER {table}_sync_departure ON {table}")
        op.execute(f"DROP FUNCTION sync_departure_{table}()")
        op.execute(f"DROP TRIGGER {table}_sync_stamp ON {table}")
        op.drop_index(f"ix_{table}_sync", table_name=table)
        op.drop_column(table, "sync_xid")
    op.execute("DROP FUNCTION sync_stamp()")
    op.drop_table("sync_horizons")
    op.drop_table("sync_departures")
