"""Indexes under the foreign keys of the large tables that had none: deleting (or purging) a lead,
a deal, a contact, a stage or a region made PostgreSQL scan every activity or lead for references (183 lead
deletes took minutes on the benchmark data), and a lead's or deal's activities had no index to
be listed by. Partial where the column is optional: most rows hold no reference.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (column, optional)
INDEXED = {
    "customers": [("region_id", True)],
    "activities": [("lead_id", True), ("opportunity_id", True)],
    "leads": [
        ("region_id", True),
        ("converted_customer_id", True),
        ("converted_contact_id", True),
        ("converted_opportunity_id", True),
    ],
    "opportunities": [("primary_contact_id", True), ("source_lead_id", True), ("stage_id", False)],
    "quotes": [("customer_id", False)],
    "orders": [("customer_id", False), ("opportunity_id", False)],
}


def upgrade() -> None:
    for table, columns in INDEXED.items():
        for column, optional in columns:
            op.create_index(
                f"ix_{table}_{column}",
                table,
                ["tenant_id", column],
                postgresql_where=sa.text(f"{column} IS NOT NULL") if optional else None,
            )


def downgrade() -> None:
    for table, columns in INDEXED.items():
        for column, _ in columns:
            op.drop_index(f"ix_{table}_{column}", table)
