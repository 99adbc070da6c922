"""Quotes and orders, numbered per tenant without gaps (document_counters).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)
NOW = sa.text("now()")


def _common(table: str) -> list[sa.Column | sa.Constraint]:
    return [
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("total", sa.Numeric(18, 2), nullable=False),
        sa.Column("items", postgresql.JSONB(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("owner_id", UUID, nullable=False),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("created_by", UUID, nullable=True),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "opportunity_id"], ["opportunities.tenant_id", "opportunities.id"], name=f"fk_{table}_opportunity"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"], name=f"fk_{table}_customer"
        ),
        sa.ForeignKeyConstraint(["tenant_id", "owner_id"], ["users.tenant_id", "users.id"], name=f"fk_{table}_owner"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "document_counters",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("next_value", sa.BigInteger(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_document_counters_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "kind", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "quotes",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("opportunity_id", UUID, nullable=False),
        sa.Column("customer_id", UUID, nullable=False),
        sa.Column("status", sa.Text(), server_default="draft", nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        *_common("quotes"),
    )
    op.create_index("uq_quotes_number", "quotes", ["tenant_id", "number"], unique=True)
    op.create_index("ix_quotes_opportunity", "quotes", ["tenant_id", "opportunity_id"])
    op.create_table(
        "orders",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("quote_id", UUID, nullable=False),
        sa.Column("opportunity_id", UUID, nullable=False),
        sa.Column("customer_id", UUID, nullable=False),
        sa.Column("status", sa.Text(), server_default="confirmed", nullable=False),
        sa.Column("delivery_status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("payment_status", sa.Text(), server_default="unpaid", nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "quote_id"], ["quotes.tenant_id", "quotes.id"], name="fk_orders_quote"),
        *_common("orders"),
    )
    op.create_index("uq_orders_number", "orders", ["tenant_id", "number"], unique=True)
    op.create_index("uq_orders_quote", "orders", ["tenant_id", "quote_id"], unique=True)
    for table in ("quotes", "orders"):
        for name, columns in {
            f"ix_{table}_updated": ["tenant_id", "updated_at", "id"],
            f"ix_{table}_owner_updated": ["tenant_id", "owner_id", "updated_at", "id"],
            f"ix_{table}_department_updated": ["tenant_id", "department_id", "updated_at", "id"],
        }.items():
            op.create_index(name, table, columns, postgresql_where=sa.text("deleted_at IS NULL"))


def downgrade() -> None:
    op.drop_table("orders")
    op.drop_table("quotes")
    op.drop_table("document_counters")
