"""Message templates of the marketing module: an e-mail (subject, HTML, text) or an SMS (text) per
locale (zh-CN, en) as template sources in one JSONB column, a default locale, and the record
columns; a name is unique (case-insensitively) among a tenant's live templates.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)
NOW = sa.text("now()")
LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "message_templates",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("default_locale", sa.Text(), nullable=False),
        sa.Column("content", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        sa.Column("created_by", UUID, nullable=True),
        sa.Column("updated_by", UUID, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_message_templates_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_message_templates")),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_message_templates_channel")),
        sa.CheckConstraint("default_locale IN ('zh-CN', 'en')", name=op.f("ck_message_templates_default_locale")),
    )
    op.create_index(
        "uq_message_templates_name",
        "message_templates",
        ["tenant_id", sa.text("lower(name)")],
        unique=True,
        postgresql_where=LIVE,
    )
    op.create_index(
        "ix_message_templates_updated", "message_templates", ["tenant_id", "updated_at", "id"], postgresql_where=LIVE
    )
    op.create_index(
        "ix_message_templates_name", "message_templates", ["tenant_id", "name", "id"], postgresql_where=LIVE
    )


def downgrade() -> None:
    op.drop_table("message_templates")
