"""The knowledge base in PostgreSQL: articles with their weighted search vector (built by
app/domain/kb/search.py, matched by the GIN index), superseded revisions, votes, ticket links and
the category tree. A search is one statement: the match, the rank (title matches first, then
ts_rank with title lexemes weighing five times body ones) and a snippet around the first term."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.kb.entities import (
    SORTABLE,
    Article,
    ArticleQuery,
    ArticleStatus,
    ArticleSummary,
    ArticleVersion,
    Suggestion,
    TicketLink,
)
from app.domain.kb.render import plain_snippet
from app.domain.kb.search import document_vector
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Cursor, Page, Sort
from app.domain.shared.scope import DataScope
from app.domain.tickets.entities import Category
from app.repositories.configured import ConfiguredTable
from app.repositories.integrity import foreign_key_error
from app.repositories.listing import keyset, page_of
from app.repositories.scoping import scope_predicate
from app.repositories.tables import (
    kb_article_versions,
    kb_articles,
    kb_categories,
    kb_feedback,
    kb_ticket_links,
    tickets,
)

a = kb_articles
v = kb_article_versions
_COLUMNS = [a.c[f.name] for f in Article.__dataclass_fields__.values() if not f.metadata.get("computed")]
_SUMMARY = [a.c[name] for name in ArticleSummary.__dataclass_fields__ if name not in ("snippet", "rank")]
_VERSION = [v.c[name] for name in ArticleVersion.__dataclass_fields__ if name not in ("current", "body_html")]
# Title lexemes (A) weigh five times body ones (B); {D, C, B, A}.
_WEIGHTS = sa.literal("{0.02, 0.05, 0.2, 1.0}").cast(sa.ARRAY(sa.REAL))
_SNIPPET = 240
_FK_FIELDS = {"fk_kb_articles_category": "category_id"}


def _tsquery(name: str, value: str) -> sa.ColumnElement[Any]:
    return sa.cast(sa.bindparam(name, value, type_=sa.Text), TSQUERY)


def _vector(title: str, body: str) -> sa.ColumnElement[Any]:
    return sa.cast(sa.literal(document_vector(title, body), sa.Text), TSVECTOR)


def _snippet(term: str | None) -> sa.ColumnElement[str]:
    if term is None:
        return sa.func.left(a.c.body, _SNIPPET)
    at = sa.func.strpos(sa.func.lower(a.c.body), sa.literal(term, sa.Text))
    return sa.case(
        (at > 0, sa.func.substr(a.c.body, sa.func.greatest(at - _SNIPPET // 4, 1), _SNIPPET)),
        else_=sa.func.left(a.c.body, _SNIPPET),
    )


def _with_columns(tenant_id: UUID, top: sa.Subquery, snippet: sa.ColumnElement[str]) -> sa.Select[Any]:
    """The list columns and the snippet of the ranked `top` (id, rank) rows, best first: computed
    for the page only, not for every match (a snippet reads the whole body)."""
    return (
        sa.select(*_SUMMARY, snippet, top.c.rank)
        .select_from(a.join(top, sa.and_(a.c.tenant_id == tenant_id, a.c.id == top.c.id)))
        .order_by(top.c.rank.desc(), top.c.id.desc())
    )


def _summary(row: Any, rank: float | None) -> ArticleSummary:
    n = len(_SUMMARY)
    values: list[Any] = [*row[:n], plain_snippet(row[n]), rank]
    return ArticleSummary(*values)


def _version(row: Any) -> ArticleVersion:
    values: list[Any] = [*row, False]
    return ArticleVersion(*values)


class PgArticleRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # -- reads -----------------------------------------------------------------------------

    async def get(
        self,
        tenant_id: UUID,
        article_id: UUID,
        *,
        published_only: bool,
        for_update: bool = False,
        deleted: bool = False,
    ) -> Article | None:
        stmt = sa.select(*_COLUMNS).where(
            a.c.tenant_id == tenant_id,
            a.c.id == article_id,
            a.c.deleted_at.isnot(None) if deleted else a.c.deleted_at.is_(None),
        )
        if published_only:
            stmt = stmt.where(a.c.status == ArticleStatus.PUBLISHED.value)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return Article(*row) if row else None

    async def count_view(self, tenant_id: UUID, article_id: UUID) -> Article | None:
        stmt = (
            a.update()
            .where(
                a.c.tenant_id == tenant_id,
                a.c.id == article_id,
                a.c.deleted_at.is_(None),
                a.c.status == ArticleStatus.PUBLISHED.value,
            )
            .values(view_count=a.c.view_count + 1)
            .returning(*_COLUMNS)
        )
        row = (await self.conn.execute(stmt)).first()
        return Article(*row) if row else None

    async def list_page(self, tenant_id: UUID, query: ArticleQuery) -> Page[ArticleSummary]:
        where: list[sa.ColumnElement[bool]] = [a.c.tenant_id == tenant_id, a.c.deleted_at.is_(None)]
        if query.published_only:
            where.append(a.c.status == ArticleStatus.PUBLISHED.value)
        if query.status is not None:
            where.append(a.c.status == query.status)
        if query.visibility is not None:
            where.append(a.c.visibility == query.visibility)
        if query.category_id is not None:
            where.append(a.c.category_id == query.category_id)
        if query.tag is not None:
            where.append(a.c.tags.contains(sa.literal([query.tag], sa.ARRAY(sa.Text))))
        snippet = _snippet(query.snippet_term).label("snippet")
        if query.q is None:
            sort = Sort.parse(query.sort, SORTABLE)
            stmt = keyset(sa.select(*_SUMMARY, snippet).where(*where), a, sort, query.cursor, query.limit)
            rows = (await self.conn.execute(stmt)).all()
            return page_of(rows, sort, query.limit, lambda row: _summary(row, None))
        return await self._search(tenant_id, where, snippet, query)

    async def _search(
        self,
        tenant_id: UUID,
        where: list[sa.ColumnElement[bool]],
        snippet: sa.ColumnElement[str],
        query: ArticleQuery,
    ) -> Page[ArticleSummary]:
        """Ranked: every term matches; title matches first, then ts_rank; keyset on (rank, id)."""
        assert query.q is not None and query.q_title is not None
        terms, in_title = _tsquery("q", query.q), _tsquery("q_title", query.q_title)
        rank = sa.cast(sa.func.ts_rank(_WEIGHTS, a.c.search_vector, terms), sa.Float) + sa.case(
            (a.c.search_vector.op("@@")(in_title), 1.0), else_=0.0
        )
        sort = Sort("rank", descending=True)
        ranked = sa.select(a.c.id, rank.label("rank")).where(*where, a.c.search_vector.op("@@")(terms))
        if query.cursor:
            position = Cursor.decode(query.cursor, sort, datetime_field=False)
            after = sa.tuple_(rank, a.c.id) < sa.tuple_(
                sa.literal(float(position.value), sa.Float), sa.literal(position.id)
            )
            ranked = ranked.where(after)
        top = ranked.order_by(sa.desc("rank"), a.c.id.desc()).limit(query.limit + 1).subquery()
        rows = (await self.conn.execute(_with_columns(tenant_id, top, snippet))).all()
        return page_of(rows, sort, query.limit, lambda row: _summary(row, row.rank))

    async def versions(self, tenant_id: UUID, article_id: UUID) -> list[ArticleVersion]:
        columns = [sa.literal("") if c.name == "body" else c for c in _VERSION]
        stmt = (
            sa.select(*columns)
            .where(v.c.tenant_id == tenant_id, v.c.article_id == article_id)
            .order_by(v.c.revision.desc())
        )
        return [_version(row) for row in await self.conn.execute(stmt)]

    async def version(self, tenant_id: UUID, article_id: UUID, revision: int) -> ArticleVersion | None:
        stmt = sa.select(*_VERSION).where(
            v.c.tenant_id == tenant_id, v.c.article_id == article_id, v.c.revision == revision
        )
        row = (await self.conn.execute(stmt)).first()
        return _version(row) if row else None

    # -- writes ----------------------------------------------------------------------------

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Article:
        row = {"tenant_id": tenant_id, "id": new_id(), "created_by": actor, "updated_by": actor, **values}
        row["search_vector"] = _vector(values["title"], values.get("body") or "")
        stmt = a.insert().values(row)
        return await self._write(stmt.returning(*_COLUMNS))

    async def update(self, tenant_id: UUID, current: Article, actor: UUID, values: dict[str, Any]) -> Article:
        changes: dict[str, Any] = {
            **values,
            "updated_by": actor,
            "updated_at": sa.func.now(),
            "version": a.c.version + 1,
        }
        if {"title", "body"} & values.keys():
            changes["search_vector"] = _vector(values.get("title", current.title), values.get("body", current.body))
        stmt = (
            a.update()
            .where(a.c.tenant_id == tenant_id, a.c.id == current.id, a.c.deleted_at.is_(None))
            .values(changes)
            .returning(*_COLUMNS)
        )
        return await self._write(stmt)

    async def _write(self, stmt: sa.Executable) -> Article:
        try:
            return Article(*(await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise foreign_key_error(error, _FK_FIELDS)

    async def set_deleted(self, tenant_id: UUID, article_id: UUID, actor: UUID, *, deleted: bool) -> Article | None:
        stmt = (
            a.update()
            .where(
                a.c.tenant_id == tenant_id,
                a.c.id == article_id,
                a.c.deleted_at.is_(None) if deleted else a.c.deleted_at.isnot(None),
            )
            .values(
                deleted_at=sa.func.now() if deleted else None,
                updated_by=actor,
                updated_at=sa.func.now(),
                version=a.c.version + 1,
            )
            .returning(*_COLUMNS)
        )
        row = (await self.conn.execute(stmt)).first()
        return Article(*row) if row else None

    async def add_version(self, tenant_id: UUID, superseded: Article, actor: UUID) -> None:
        await self.conn.execute(
            v.insert().values(
                tenant_id=tenant_id, id=new_id(), article_id=superseded.id, revision=superseded.revision,
                title=superseded.title, body=superseded.body, category_id=superseded.category_id,
                tags=superseded.tags, visibility=superseded.visibility, revised_at=superseded.revised_at,
                revised_by=superseded.revised_by, superseded_by=actor,
            )
        )  # fmt: skip

    async def vote(self, tenant_id: UUID, article_id: UUID, user_id: UUID, helpful: bool) -> Article:
        f = kb_feedback
        mine = [f.c.tenant_id == tenant_id, f.c.article_id == article_id, f.c.user_id == user_id]
        before = (await self.conn.execute(sa.select(f.c.helpful).where(*mine).with_for_update())).scalar()
        if before is None:
            new = insert(f).values(tenant_id=tenant_id, article_id=article_id, user_id=user_id, helpful=helpful)
            inserted = (await self.conn.execute(new.on_conflict_do_nothing().returning(f.c.helpful))).first()
            if inserted is None:  # a concurrent first vote of the same reader won; this one moves it
                before = (await self.conn.execute(sa.select(f.c.helpful).where(*mine).with_for_update())).scalar()
        if before is not None and before != helpful:
            await self.conn.execute(f.update().where(*mine).values(helpful=helpful, updated_at=sa.func.now()))
        counts: dict[str, Any] = {}
        if before != helpful:
            mine_col, other_col = (
                ("helpful_count", "not_helpful_count") if helpful else ("not_helpful_count", "helpful_count")
            )
            counts[mine_col] = a.c[mine_col] + 1
            if before is not None:
                counts[other_col] = a.c[other_col] - 1
        stmt: sa.Executable
        if counts:
            stmt = (
                a.update().where(a.c.tenant_id == tenant_id, a.c.id == article_id).values(counts).returning(*_COLUMNS)
            )
        else:
            stmt = sa.select(*_COLUMNS).where(a.c.tenant_id == tenant_id, a.c.id == article_id)
        return Article(*(await self.conn.execute(stmt)).one())


class PgTicketLinkRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def visible_ticket(self, scope: DataScope, ticket_id: UUID) -> tuple[str, str | None] | None:
        t = tickets
        stmt = sa.select(t.c.subject, t.c.description).where(
            scope_predicate(t, scope), t.c.id == ticket_id, t.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt)).first()
        return (row.subject, row.description) if row else None

    async def suggest(self, tenant_id: UUID, ticket_id: UUID, query: str, limit: int) -> list[Suggestion]:
        terms = _tsquery("q", query)
        rank = sa.cast(sa.func.ts_rank(_WEIGHTS, a.c.search_vector, terms), sa.Float).label("rank")
        top = (
            sa.select(a.c.id, rank)
            .where(
                a.c.tenant_id == tenant_id,
                a.c.deleted_at.is_(None),
                a.c.status == ArticleStatus.PUBLISHED.value,
                a.c.search_vector.op("@@")(terms),
            )
            .order_by(rank.desc(), a.c.id.desc())
            .limit(limit)
            .subquery()
        )
        linked = sa.exists().where(
            kb_ticket_links.c.tenant_id == a.c.tenant_id,
            kb_ticket_links.c.ticket_id == ticket_id,
            kb_ticket_links.c.article_id == a.c.id,
        )
        stmt = _with_columns(tenant_id, top, _snippet(None)).add_columns(linked.label("linked"))
        return [Suggestion(_summary(row, row.rank), row.linked) for row in await self.conn.execute(stmt)]

    async def links(self, tenant_id: UUID, ticket_id: UUID) -> list[TicketLink]:
        k = kb_ticket_links
        stmt = (
            sa.select(k.c.ticket_id, k.c.article_id, a.c.title, a.c.status, k.c.linked_by, k.c.linked_at)
            .join(a, sa.and_(a.c.tenant_id == k.c.tenant_id, a.c.id == k.c.article_id))
            .where(k.c.tenant_id == tenant_id, k.c.ticket_id == ticket_id, a.c.deleted_at.is_(None))
            .order_by(k.c.linked_at, k.c.article_id)
        )
        return [TicketLink(*row) for row in await self.conn.execute(stmt)]

    async def link(self, tenant_id: UUID, ticket_id: UUID, article_id: UUID, actor: UUID) -> TicketLink | None:
        k = kb_ticket_links
        stmt = (
            insert(k)
            .values(tenant_id=tenant_id, ticket_id=ticket_id, article_id=article_id, linked_by=actor)
            .on_conflict_do_nothing()
            .returning(k.c.linked_by, k.c.linked_at)
        )
        made = (await self.conn.execute(stmt)).first()
        if made is None:
            return None
        title, status = (
            await self.conn.execute(
                a.update()
                .where(a.c.tenant_id == tenant_id, a.c.id == article_id)
                .values(used_in_count=a.c.used_in_count + 1)
                .returning(a.c.title, a.c.status)
            )
        ).one()
        return TicketLink(ticket_id, article_id, title, status, made.linked_by, made.linked_at)

    async def unlink(self, tenant_id: UUID, ticket_id: UUID, article_id: UUID) -> bool:
        k = kb_ticket_links
        stmt = k.delete().where(k.c.tenant_id == tenant_id, k.c.ticket_id == ticket_id, k.c.article_id == article_id)
        if (await self.conn.execute(stmt)).rowcount == 0:
            return False
        await self.conn.execute(
            a.update()
            .where(a.c.tenant_id == tenant_id, a.c.id == article_id)
            .values(used_in_count=sa.func.greatest(a.c.used_in_count - 1, 0))
        )
        return True


class PgKbCategoryRepository(ConfiguredTable[Category]):
    table = kb_categories
    record = Category
    order_by = ("position", "name", "id")
    fk_fields = {"fk_kb_categories_parent": "parent_id"}
