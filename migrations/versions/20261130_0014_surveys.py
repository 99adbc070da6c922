"""Satisfaction surveys: templates (questions as JSONB, one per tenant marked as the ticket CSAT
survey), invitations (a one-time public link per ticket resolution), responses (from a link or a
call-back, linked to ticket, customer, agent and team) and call-backs (phone follow-ups).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
JSONB = postgresql.JSONB()
TS = sa.TIMESTAMP(timezone=True)
NOW = sa.text("now()")
LIVE = sa.text("deleted_at IS NULL")


def _keyed() -> list[sa.Column]:
    return [sa.Column("tenant_id", UUID, nullable=False), sa.Column("id", UUID, nullable=False)]


def _record(table: str) -> list[sa.Column | sa.Constraint]:
    return [
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("created_by", UUID, nullable=True),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _fk(column: str, target: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], name=name)


def _links(table: str) -> list[sa.Column | sa.Constraint]:
    """ticket, customer, contact, the agent (owner_id) and the team (department_id)."""
    return [
        sa.Column("ticket_id", UUID, nullable=True),
        sa.Column("customer_id", UUID, nullable=True),
        sa.Column("contact_id", UUID, nullable=True),
        sa.Column("owner_id", UUID, nullable=True),
        sa.Column("department_id", UUID, nullable=True),
        _fk("ticket_id", "tickets", f"fk_{table}_ticket"),
        _fk("customer_id", "customers", f"fk_{table}_customer"),
        _fk("contact_id", "contacts", f"fk_{table}_contact"),
        _fk("owner_id", "users", f"fk_{table}_owner"),
        _fk("department_id", "departments", f"fk_{table}_department"),
    ]


def _link_indexes(table: str, *more: str) -> None:
    """Each foreign key needs an index leading with its columns (tests/integration/test_migrations.py)."""
    for column in ("ticket_id", "customer_id", "contact_id", "owner_id", "department_id", *more):
        op.create_index(f"ix_{table}_{column.removesuffix('_id')}", table, ["tenant_id", column])


def upgrade() -> None:
    op.create_table(
        "surveys",
        *_keyed(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("questions", JSONB, server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("is_ticket_csat", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("link_valid_days", sa.Integer(), server_default="14", nullable=False),
        *_record("surveys"),
    )
    op.create_index(
        "uq_surveys_ticket_csat",
        "surveys",
        ["tenant_id"],
        unique=True,
        postgresql_where=sa.text("is_ticket_csat AND deleted_at IS NULL"),
    )
    op.create_table(
        "survey_call_backs",
        *_keyed(),
        sa.Column("survey_id", UUID, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("next_action", sa.Text(), nullable=True),
        sa.Column("next_action_at", TS, nullable=True),
        sa.Column("called_at", TS, server_default=NOW, nullable=False),
        *_links("survey_call_backs"),
        *_record("survey_call_backs"),
        _fk("survey_id", "surveys", "fk_survey_call_backs_survey"),
    )
    op.create_index("ix_survey_call_backs_called", "survey_call_backs", ["tenant_id", "called_at", "id"])
    _link_indexes("survey_call_backs", "survey_id")
    op.create_table(
        "survey_invitations",
        *_keyed(),
        sa.Column("survey_id", UUID, nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("source_event_id", UUID, nullable=True),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        *_links("survey_invitations"),
        *_record("survey_invitations"),
        _fk("survey_id", "surveys", "fk_survey_invitations_survey"),
    )
    # The public link carries only the token: it is looked up across tenants.
    op.create_index("uq_survey_invitations_token", "survey_invitations", ["token"], unique=True)
    op.create_index(
        "uq_survey_invitations_source_event", "survey_invitations", ["tenant_id", "source_event_id"], unique=True
    )
    _link_indexes("survey_invitations", "survey_id")
    op.create_table(
        "survey_responses",
        *_keyed(),
        sa.Column("survey_id", UUID, nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("invitation_id", UUID, nullable=True),
        sa.Column("call_back_id", UUID, nullable=True),
        sa.Column("answers", JSONB, nullable=False),
        sa.Column("answered_at", TS, server_default=NOW, nullable=False),
        *_links("survey_responses"),
        *_record("survey_responses"),
        _fk("survey_id", "surveys", "fk_survey_responses_survey"),
        _fk("invitation_id", "survey_invitations", "fk_survey_responses_invitation"),
        _fk("call_back_id", "survey_call_backs", "fk_survey_responses_call_back"),
    )
    op.create_index(
        "uq_survey_responses_invitation",
        "survey_responses",
        ["tenant_id", "invitation_id"],
        unique=True,
        postgresql_where=sa.text("invitation_id IS NOT NULL"),
    )
    op.create_index(
        "ix_survey_responses_survey", "survey_responses", ["tenant_id", "survey_id", "answered_at"], postgresql_where=LIVE
    )
    _link_indexes("survey_responses", "call_back_id")


def downgrade() -> None:
    op.drop_table("survey_responses")
    op.drop_table("survey_invitations")
    op.drop_table("survey_call_backs")
    op.drop_table("surveys")
