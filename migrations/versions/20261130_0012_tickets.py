"""Service tickets: categories (a tree), the business calendar (one per tenant), SLA policies,
assignment rules, tickets (gap-free numbers, SLA due times, pause, escalation level, lead link),
comments with attachment metadata, status history and escalations; leads link back to the ticket
they came from.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
JSONB = postgresql.JSONB()
TS = sa.TIMESTAMP(timezone=True)
NOW = sa.text("now()")
OPEN = "status IN ('new', 'open', 'pending')"
LIVE = sa.text("deleted_at IS NULL")


def _keyed(table: str) -> list[sa.Column]:
    return [sa.Column("tenant_id", UUID, nullable=False), sa.Column("id", UUID, nullable=False)]


def _record(table: str) -> list[sa.Column | sa.Constraint]:
    return [
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("created_by", UUID, nullable=True),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        *_pk(table),
    ]


def _pk(table: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _fk(table: str, column: str, target: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], name=name)


def upgrade() -> None:
    op.create_table(
        "ticket_categories",
        *_keyed("ticket_categories"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", UUID, nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_record("ticket_categories"),
        _fk("ticket_categories", "parent_id", "ticket_categories", "fk_ticket_categories_parent"),
    )
    op.create_table(
        "ticket_calendars",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("time_zone", sa.Text(), server_default="UTC", nullable=False),
        sa.Column("weekdays", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("open_minute", sa.Integer(), nullable=False),
        sa.Column("close_minute", sa.Integer(), nullable=False),
        sa.Column("holidays", postgresql.ARRAY(sa.Date()), server_default="{}", nullable=False),
        sa.Column("reopen_days", sa.Integer(), server_default="7", nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_ticket_calendars_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_ticket_calendars")),
    )
    op.create_table(
        "sla_policies",
        *_keyed("sla_policies"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("customer_level", sa.Text(), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_record("sla_policies"),
    )
    op.create_index(
        "uq_sla_policies_target",
        "sla_policies",
        ["tenant_id", "priority", sa.text("coalesce(customer_level, '')")],
        unique=True,
        postgresql_where=LIVE,
    )
    op.create_table(
        "ticket_assignment_rules",
        *_keyed("ticket_assignment_rules"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("category_id", UUID, nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("priority", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("user_id", UUID, nullable=True),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("method", sa.Text(), server_default="round_robin", nullable=False),
        sa.Column("turns", sa.BigInteger(), server_default="0", nullable=False),
        *_record("ticket_assignment_rules"),
        _fk("ticket_assignment_rules", "category_id", "ticket_categories", "fk_ticket_assignment_rules_category"),
        _fk("ticket_assignment_rules", "user_id", "users", "fk_ticket_assignment_rules_user"),
        _fk("ticket_assignment_rules", "department_id", "departments", "fk_ticket_assignment_rules_department"),
    )
    op.create_table(
        "tickets",
        *_keyed("tickets"),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="new", nullable=False),
        sa.Column("category_id", UUID, nullable=True),
        sa.Column("customer_id", UUID, nullable=True),
        sa.Column("contact_id", UUID, nullable=True),
        sa.Column("opportunity_id", UUID, nullable=True),
        sa.Column("order_id", UUID, nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("solution", sa.Text(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("custom_fields", JSONB, server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("owner_id", UUID, nullable=True),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("sla_policy_id", UUID, nullable=True),
        sa.Column("first_response_due_at", TS, nullable=True),
        sa.Column("first_responded_at", TS, nullable=True),
        sa.Column("resolution_due_at", TS, nullable=True),
        sa.Column("first_response_warn_at", TS, nullable=True),
        sa.Column("resolution_warn_at", TS, nullable=True),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("sla_paused_at", TS, nullable=True),
        sa.Column("sla_paused_seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lead_id", UUID, nullable=True),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("assigned", sa.Boolean(), sa.Computed("owner_id IS NOT NULL", persisted=True)),
        sa.Column("is_open", sa.Boolean(), sa.Computed(OPEN, persisted=True)),
        *_record("tickets"),
        _fk("tickets", "owner_id", "users", "fk_tickets_owner"),
        _fk("tickets", "department_id", "departments", "fk_tickets_department"),
        _fk("tickets", "category_id", "ticket_categories", "fk_tickets_category"),
        _fk("tickets", "customer_id", "customers", "fk_tickets_customer"),
        _fk("tickets", "contact_id", "contacts", "fk_tickets_contact"),
        _fk("tickets", "opportunity_id", "opportunities", "fk_tickets_opportunity"),
        _fk("tickets", "order_id", "orders", "fk_tickets_order"),
        _fk("tickets", "sla_policy_id", "sla_policies", "fk_tickets_sla_policy"),
        _fk("tickets", "lead_id", "leads", "fk_tickets_lead"),
    )
    op.create_index("uq_tickets_number", "tickets", ["tenant_id", "number"], unique=True)
    op.create_index("ix_tickets_updated", "tickets", ["tenant_id", "updated_at", "id"])
    for name, columns in {
        "ix_tickets_owner_updated": ["tenant_id", "owner_id", "updated_at", "id"],
        "ix_tickets_department_updated": ["tenant_id", "department_id", "updated_at", "id"],
        "ix_tickets_status_updated": ["tenant_id", "status", "updated_at", "id"],
    }.items():
        op.create_index(name, "tickets", columns, postgresql_where=LIVE)
    op.create_index(
        "ix_tickets_queue",
        "tickets",
        ["tenant_id", "department_id", "updated_at", "id"],
        postgresql_where=sa.text(f"owner_id IS NULL AND deleted_at IS NULL AND {OPEN}"),
    )
    op.create_index(
        "ix_tickets_resolution_due",
        "tickets",
        ["tenant_id", "resolution_due_at"],
        postgresql_where=sa.text(f"deleted_at IS NULL AND {OPEN}"),
    )
    op.create_index(
        "ix_tickets_first_response_due",
        "tickets",
        ["tenant_id", "first_response_due_at"],
        postgresql_where=sa.text(f"first_responded_at IS NULL AND deleted_at IS NULL AND {OPEN}"),
    )
    op.create_index(
        "ix_tickets_first_response_warn",
        "tickets",
        ["first_response_warn_at"],
        postgresql_where=sa.text(f"first_responded_at IS NULL AND deleted_at IS NULL AND {OPEN}"),
    )
    op.create_index(
        "ix_tickets_resolution_warn",
        "tickets",
        ["resolution_warn_at"],
        postgresql_where=sa.text(f"resolved_at IS NULL AND sla_paused_at IS NULL AND deleted_at IS NULL AND {OPEN}"),
    )
    op.create_index("ix_tickets_customer", "tickets", ["tenant_id", "customer_id", "created_at"])
    op.create_index(
        "ix_tickets_search",
        "tickets",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index("ix_tickets_tags", "tickets", ["tags"], postgresql_using="gin")
    op.create_table(
        "ticket_comments",
        *_keyed("ticket_comments"),
        sa.Column("ticket_id", UUID, nullable=False),
        sa.Column("visibility", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachments", JSONB, server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("author_id", UUID, nullable=True),
        *_record("ticket_comments"),
        _fk("ticket_comments", "ticket_id", "tickets", "fk_ticket_comments_ticket"),
    )
    op.create_index("ix_ticket_comments_ticket", "ticket_comments", ["tenant_id", "ticket_id", "created_at", "id"])
    op.create_table(
        "ticket_sla_alerts",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("ticket_id", UUID, nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_ticket_sla_alerts_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "ticket_id", "target", "kind", name=op.f("pk_ticket_sla_alerts")),
        _fk("ticket_sla_alerts", "ticket_id", "tickets", "fk_ticket_sla_alerts_ticket"),
    )
    op.create_table(
        "ticket_status_changes",
        *_keyed("ticket_status_changes"),
        sa.Column("ticket_id", UUID, nullable=False),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=False),
        sa.Column("changed_by", UUID, nullable=True),
        sa.Column("changed_at", TS, server_default=NOW, nullable=False),
        *_pk("ticket_status_changes"),
        _fk("ticket_status_changes", "ticket_id", "tickets", "fk_ticket_status_changes_ticket"),
    )
    op.create_index("ix_ticket_status_changes_ticket", "ticket_status_changes", ["tenant_id", "ticket_id", "changed_at"])
    op.create_table(
        "ticket_escalations",
        *_keyed("ticket_escalations"),
        sa.Column("ticket_id", UUID, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("from_priority", sa.Text(), nullable=False),
        sa.Column("to_priority", sa.Text(), nullable=False),
        sa.Column("from_owner_id", UUID, nullable=True),
        sa.Column("to_owner_id", UUID, nullable=True),
        sa.Column("escalated_by", UUID, nullable=True),
        sa.Column("escalated_at", TS, server_default=NOW, nullable=False),
        *_pk("ticket_escalations"),
        _fk("ticket_escalations", "ticket_id", "tickets", "fk_ticket_escalations_ticket"),
    )
    op.create_index("ix_ticket_escalations_ticket", "ticket_escalations", ["tenant_id", "ticket_id", "escalated_at"])
    op.add_column("leads", sa.Column("source_ticket_id", UUID, nullable=True))
    op.create_foreign_key(
        "fk_leads_source_ticket", "leads", "tickets", ["tenant_id", "source_ticket_id"], ["tenant_id", "id"]
    )
    # Indexes under the optional references, so deleting what they point at never scans the table.
    for table, column in (
        ("leads", "source_ticket_id"),
        ("tickets", "category_id"),
        ("tickets", "contact_id"),
        ("tickets", "lead_id"),
        ("tickets", "opportunity_id"),
        ("tickets", "order_id"),
        ("tickets", "sla_policy_id"),
    ):
        op.create_index(
            f"ix_{table}_{column}", table, ["tenant_id", column], postgresql_where=sa.text(f"{column} IS NOT NULL")
        )


def downgrade() -> None:
    op.drop_constraint("fk_leads_source_ticket", "leads", type_="foreignkey")
    op.drop_column("leads", "source_ticket_id")
    for table in (
        "ticket_escalations",
        "ticket_status_changes",
        "ticket_sla_alerts",
        "ticket_comments",
        "tickets",
        "ticket_assignment_rules",
        "sla_policies",
        "ticket_calendars",
        "ticket_categories",
    ):
        op.drop_table(table)
