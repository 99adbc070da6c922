"""Knowledge base: categories (a tree), articles (Markdown body, tags, draft/published/archived,
internal/public, counters, a weighted search vector of words and Chinese bigrams), the revisions
each content edit supersedes, one helpful/not-helpful vote per reader, and links to tickets.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)
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
        *_pk(table),
    ]


def _pk(table: str, *columns: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", *(columns or ("id",)), name=op.f(f"pk_{table}")),
    ]


def _fk(column: str, target: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], name=name)


def upgrade() -> None:
    op.create_table(
        "kb_categories",
        *_keyed(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", UUID, nullable=True),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *_record("kb_categories"),
        _fk("parent_id", "kb_categories", "fk_kb_categories_parent"),
    )
    op.create_table(
        "kb_articles",
        *_keyed(),
        sa.Column("category_id", UUID, nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("status", sa.Text(), server_default="draft", nullable=False),
        sa.Column("visibility", sa.Text(), server_default="internal", nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("revised_at", TS, server_default=NOW, nullable=False),
        sa.Column("revised_by", UUID, nullable=True),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("archived_at", TS, nullable=True),
        sa.Column("view_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("helpful_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("not_helpful_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("used_in_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), server_default="", nullable=False),
        *_record("kb_articles"),
        _fk("category_id", "kb_categories", "fk_kb_articles_category"),
        sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name=op.f("ck_kb_articles_status")),
        sa.CheckConstraint("visibility IN ('internal', 'public')", name=op.f("ck_kb_articles_visibility")),
    )
    op.create_index("ix_kb_articles_updated", "kb_articles", ["tenant_id", "updated_at", "id"], postgresql_where=LIVE)
    op.create_index(
        "ix_kb_articles_status_updated", "kb_articles", ["tenant_id", "status", "updated_at", "id"], postgresql_where=LIVE
    )
    op.create_index("ix_kb_articles_search", "kb_articles", ["search_vector"], postgresql_using="gin")
    op.create_index("ix_kb_articles_tags", "kb_articles", ["tags"], postgresql_using="gin")
    op.create_index(
        "ix_kb_articles_category_id",
        "kb_articles",
        ["tenant_id", "category_id"],
        postgresql_where=sa.text("category_id IS NOT NULL"),
    )
    op.create_table(
        "kb_article_versions",
        *_keyed(),
        sa.Column("article_id", UUID, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category_id", UUID, nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("visibility", sa.Text(), nullable=False),
        sa.Column("revised_at", TS, nullable=False),
        sa.Column("revised_by", UUID, nullable=True),
        sa.Column("superseded_at", TS, server_default=NOW, nullable=False),
        sa.Column("superseded_by", UUID, nullable=True),
        *_pk("kb_article_versions"),
        _fk("article_id", "kb_articles", "fk_kb_article_versions_article"),
    )
    op.create_index(
        "uq_kb_article_versions_revision", "kb_article_versions", ["tenant_id", "article_id", "revision"], unique=True
    )
    op.create_table(
        "kb_feedback",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("article_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("updated_at", TS, server_default=NOW, nullable=False),
        *_pk("kb_feedback", "article_id", "user_id"),
        _fk("article_id", "kb_articles", "fk_kb_feedback_article"),
        _fk("user_id", "users", "fk_kb_feedback_user"),
    )
    op.create_index("ix_kb_feedback_user", "kb_feedback", ["tenant_id", "user_id"])
    op.create_table(
        "kb_ticket_links",
        sa.Column("tenant_id", UUID, nullable=False),
        sa.Column("ticket_id", UUID, nullable=False),
        sa.Column("article_id", UUID, nullable=False),
        sa.Column("linked_by", UUID, nullable=True),
        sa.Column("linked_at", TS, server_default=NOW, nullable=False),
        *_pk("kb_ticket_links", "ticket_id", "article_id"),
        _fk("ticket_id", "tickets", "fk_kb_ticket_links_ticket"),
        _fk("article_id", "kb_articles", "fk_kb_ticket_links_article"),
    )
    op.create_index("ix_kb_ticket_links_article", "kb_ticket_links", ["tenant_id", "article_id"])


def downgrade() -> None:
    for table in ("kb_ticket_links", "kb_feedback", "kb_article_versions", "kb_articles", "kb_categories"):
        op.drop_table(table)
