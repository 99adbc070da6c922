"""Ticket escalation rules: per-tenant ordered rules (a condition such as an SLA breach or an
unassigned ticket, optional matches on priority/category/kind/channel, and actions: raise the
priority, reassign, notify) that the worker applies; an escalation a rule made names it
(`ticket_escalations.rule_id`), at most once per ticket and rule.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)
NOW = sa.text("now()")


def _fk(column: str, target: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], name=name)


def upgrade() -> None:
    op.create_table(
        "ticket_escalation_rules",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Text(), nullable=True),
        sa.Column("category_id", UUID, nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("raise_priority", sa.Text(), nullable=True),
        sa.Column("reassign", sa.Text(), nullable=True),
        sa.Column("user_id", UUID, nullable=True),
        sa.Column("department_id", UUID, nullable=True),
        sa.Column("notify", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("created_by", UUID, nullable=True),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_ticket_escalation_rules_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_ticket_escalation_rules")),
        _fk("category_id", "ticket_categories", "fk_ticket_escalation_rules_category"),
        _fk("user_id", "users", "fk_ticket_escalation_rules_user"),
        _fk("department_id", "departments", "fk_ticket_escalation_rules_department"),
    )
    for column in ("category_id", "user_id", "department_id"):
        op.create_index(
            f"ix_ticket_escalation_rules_{column}",
            "ticket_escalation_rules",
            ["tenant_id", column],
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    op.add_column("ticket_escalations", sa.Column("rule_id", UUID, nullable=True))
    op.create_foreign_key(
        "fk_ticket_escalations_rule",
        "ticket_escalations",
        "ticket_escalation_rules",
        ["tenant_id", "rule_id"],
        ["tenant_id", "id"],
    )
    # A rule fires at most once per ticket: the second worker's insert finds this one.
    op.create_index(
        "uq_ticket_escalations_rule",
        "ticket_escalations",
        ["tenant_id", "rule_id", "ticket_id"],
        unique=True,
        postgresql_where=sa.text("rule_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_ticket_escalations_rule", table_name="ticket_escalations")
    op.drop_constraint("fk_ticket_escalations_rule", "ticket_escalations", type_="foreignkey")
    op.drop_column("ticket_escalations", "rule_id")
    op.drop_table("ticket_escalation_rules")
