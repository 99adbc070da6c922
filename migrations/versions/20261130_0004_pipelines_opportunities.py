"""Pipelines with ordered stages, opportunities with line items and stage history.

Opportunities are owned records (keyset indexes per data range, trigram search); the board reads
a pipeline's live deals stage by stage, hence the (pipeline, stage, updated_at) index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
UUID = postgresql.UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)
NOW = sa.text("now()")


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("created_by", UUID, nullable=True),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
    ]


def _fk(table: str, column: str, target: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], name=name)


def _keys(table: str, tenant_fk: bool = True) -> list[sa.Constraint]:
    keys: list[sa.Constraint] = [sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}"))]
    if tenant_fk:
        keys.append(sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")))
    return keys


def upgrade() -> None:
    op.create_table(
        "pipelines",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("currency", sa.Text(), server_default="CNY", nullable=False),
        *_record_columns(),
        *_keys("pipelines"),
    )
    op.create_table(
        "pipeline_stages",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("pipeline_id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), server_default="open", nullable=False),
        sa.Column("required_fields", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("rotting_days", sa.Integer(), nullable=True),
        *_record_columns(),
        _fk("pipeline_stages", "pipeline_id", "pipelines", "fk_pipeline_stages_pipeline"),
        *_keys("pipeline_stages"),
    )
    op.create_index("ix_pipeline_stages_pipeline", "pipeline_stages", ["tenant_id", "pipeline_id", "position"])

    op.create_table(
        "opportunities",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("customer_id", UUID, nullable=False),
        sa.Column("primary_contact_id", UUID, nullable=True),
        sa.Column("amount", sa.Numeric(18, 2), server_default="0", nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("expected_close_date", sa.Date(), nullable=True),
        sa.Column("pipeline_id", UUID, nullable=False),
        sa.Column("stage_id", UUID, nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("forecast_category", sa.Text(), nullable=False),
        sa.Column("source_lead_id", UUID, nullable=True),
        sa.Column("campaign_id", UUID, nullable=True),
        sa.Column("competitors", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("lost_reason", sa.Text(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("owner_id", UUID, nullable=False),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("custom_fields", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("stage_entered_at", TS, server_default=NOW, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        *_record_columns(),
        _fk("opportunities", "customer_id", "customers", "fk_opportunities_customer"),
        _fk("opportunities", "primary_contact_id", "contacts", "fk_opportunities_contact"),
        _fk("opportunities", "pipeline_id", "pipelines", "fk_opportunities_pipeline"),
        _fk("opportunities", "stage_id", "pipeline_stages", "fk_opportunities_stage"),
        _fk("opportunities", "source_lead_id", "leads", "fk_opportunities_lead"),
        _fk("opportunities", "owner_id", "users", "fk_opportunities_owner"),
        _fk("opportunities", "department_id", "departments", "fk_opportunities_department"),
        *_keys("opportunities"),
    )
    for name, columns in {
        "ix_opportunities_updated": ["tenant_id", "updated_at", "id"],
        "ix_opportunities_owner_updated": ["tenant_id", "owner_id", "updated_at", "id"],
        "ix_opportunities_department_updated": ["tenant_id", "department_id", "updated_at", "id"],
        "ix_opportunities_board": ["tenant_id", "pipeline_id", "stage_id", "updated_at", "id"],
        "ix_opportunities_customer": ["tenant_id", "customer_id"],
        "ix_opportunities_close": ["tenant_id", "expected_close_date", "id"],
    }.items():
        op.create_index(name, "opportunities", columns, postgresql_where=LIVE)
    op.create_index(
        "ix_opportunities_search",
        "opportunities",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )

    op.create_foreign_key(
        "fk_leads_converted_opportunity",
        "leads",
        "opportunities",
        ["tenant_id", "converted_opportunity_id"],
        ["tenant_id", "id"],
    )

    op.create_table(
        "opportunity_line_items",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("opportunity_id", UUID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_name", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(18, 4), nullable=False),
        sa.Column("unit_price", sa.Numeric(18, 2), nullable=False),
        sa.Column("discount_percent", sa.Numeric(5, 2), server_default="0", nullable=False),
        _fk("opportunity_line_items", "opportunity_id", "opportunities", "fk_opportunity_line_items_opportunity"),
        *_keys("opportunity_line_items", tenant_fk=False),
    )
    op.create_index(
        "ix_opportunity_line_items_opportunity", "opportunity_line_items", ["tenant_id", "opportunity_id", "position"]
    )
    op.create_table(
        "opportunity_stage_history",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("opportunity_id", UUID, nullable=False),
        sa.Column("from_stage_id", UUID, nullable=True),
        sa.Column("to_stage_id", UUID, nullable=False),
        sa.Column("changed_by", UUID, nullable=True),
        sa.Column("changed_at", TS, server_default=NOW, nullable=False),
        sa.Column("seconds_in_from_stage", sa.BigInteger(), nullable=True),
        _fk(
            "opportunity_stage_history", "opportunity_id", "opportunities", "fk_opportunity_stage_history_opportunity"
        ),
        *_keys("opportunity_stage_history", tenant_fk=False),
    )
    op.create_index(
        "ix_opportunity_stage_history_opportunity",
        "opportunity_stage_history",
        ["tenant_id", "opportunity_id", "changed_at"],
    )


def downgrade() -> None:
    op.drop_table("opportunity_stage_history")
    op.drop_table("opportunity_line_items")
    op.drop_constraint("fk_leads_converted_opportunity", "leads", type_="foreignkey")
    op.drop_table("opportunities")
    op.drop_table("pipeline_stages")
    op.drop_table("pipelines")
