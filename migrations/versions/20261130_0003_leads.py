"""Leads, their scoring and assignment rules, public capture forms, and rate-limit hits.

Leads are owned records like customers (keyset indexes per data range, trigram search, duplicate
keys), except that the owner may be empty: an unassigned lead waits in a queue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
UUID = postgresql.UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("created_at", TS, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TS, server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", UUID, nullable=True),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
    ]


def _tenant_fk(column: str, table: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], name=name)


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), server_default="other", nullable=False),
        sa.Column("campaign_id", UUID, nullable=True),
        sa.Column("status", sa.Text(), server_default="new", nullable=False),
        sa.Column("unqualified_reason", sa.Text(), nullable=True),
        sa.Column("rating", sa.Text(), nullable=True),
        sa.Column("score", sa.Integer(), server_default="0", nullable=False),
        sa.Column("score_reasons", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("region_id", UUID, nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("owner_id", UUID, nullable=True),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("custom_fields", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("converted_customer_id", UUID, nullable=True),
        sa.Column("converted_contact_id", UUID, nullable=True),
        sa.Column("converted_opportunity_id", UUID, nullable=True),  # its foreign key: 0004
        sa.Column("converted_at", TS, nullable=True),
        sa.Column("email_norm", sa.Text(), nullable=True),
        sa.Column("phone_norm", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        *_record_columns(),
        _tenant_fk("owner_id", "users", "fk_leads_owner"),
        _tenant_fk("department_id", "departments", "fk_leads_department"),
        _tenant_fk("region_id", "regions", "fk_leads_region"),
        _tenant_fk("converted_customer_id", "customers", "fk_leads_converted_customer"),
        _tenant_fk("converted_contact_id", "contacts", "fk_leads_converted_contact"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_leads_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_leads")),
    )
    # Keyset pages per data range (all / own / department) on the default sort, plus the others.
    for name, columns in {
        "ix_leads_updated": ["tenant_id", "updated_at", "id"],
        "ix_leads_owner_updated": ["tenant_id", "owner_id", "updated_at", "id"],
        "ix_leads_department_updated": ["tenant_id", "department_id", "updated_at", "id"],
        "ix_leads_score": ["tenant_id", "score", "id"],
        "ix_leads_email_norm": ["tenant_id", "email_norm"],
        "ix_leads_phone_norm": ["tenant_id", "phone_norm"],
    }.items():
        op.create_index(name, "leads", columns, postgresql_where=LIVE)
    op.create_index(
        "ix_leads_search", "leads", ["search_text"], postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"}
    )
    op.create_index("ix_leads_tags", "leads", ["tags"], postgresql_using="gin")
    op.create_index(
        "ix_leads_custom_fields",
        "leads",
        ["custom_fields"],
        postgresql_using="gin",
        postgresql_ops={"custom_fields": "jsonb_path_ops"},
    )

    op.create_table(
        "lead_scoring_rules",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("op", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_lead_scoring_rules_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lead_scoring_rules")),
    )


    op.create_table(
        "lead_assignment_rules",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("region_id", UUID, nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("min_score", sa.Integer(), nullable=True),
        sa.Column("user_id", UUID, nullable=True),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("method", sa.Text(), server_default="round_robin", nullable=False),
        sa.Column("turns", sa.BigInteger(), server_default="0", nullable=False),
        *_record_columns(),
        _tenant_fk("region_id", "regions", "fk_lead_assignment_rules_region"),
        _tenant_fk("user_id", "users", "fk_lead_assignment_rules_user"),
        _tenant_fk("department_id", "departments", "fk_lead_assignment_rules_department"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_lead_assignment_rules_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lead_assignment_rules")),
    )

    op.create_table(
        "lead_forms",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("form_key", sa.Text(), nullable=False),
        sa.Column("fields", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("campaign_id", UUID, nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_lead_forms_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_lead_forms")),
        sa.UniqueConstraint("form_key", name=op.f("uq_lead_forms_form_key")),
    )

    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bucket", sa.Text(), nullable=False),
        sa.Column("at", TS, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hits")),
    )
    op.create_index("ix_rate_limit_hits_bucket_at", "rate_limit_hits", ["bucket", "at"])


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
    op.drop_table("lead_forms")
    op.drop_table("lead_assignment_rules")
    op.drop_table("lead_scoring_rules")
    op.drop_table("leads")
