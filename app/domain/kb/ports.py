"""What the knowledge-base use cases need from storage."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.domain.kb.entities import Article, ArticleQuery, ArticleSummary, ArticleVersion, Suggestion, TicketLink
from app.domain.shared.configured import ConfiguredRepository
from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope
from app.domain.tickets.entities import Category


class ArticleRepository(Protocol):
    async def get(
        self,
        tenant_id: UUID,
        article_id: UUID,
        *,
        published_only: bool,
        for_update: bool = False,
        deleted: bool = False,
    ) -> Article | None: ...

    async def count_view(self, tenant_id: UUID, article_id: UUID) -> Article | None:
        """A published article, its view counted in the same statement (None when not published)."""
        ...

    async def list_page(self, tenant_id: UUID, query: ArticleQuery) -> Page[ArticleSummary]: ...

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Article: ...

    async def update(self, tenant_id: UUID, current: Article, actor: UUID, values: dict[str, Any]) -> Article: ...

    async def set_deleted(self, tenant_id: UUID, article_id: UUID, actor: UUID, *, deleted: bool) -> Article | None: ...

    async def add_version(self, tenant_id: UUID, superseded: Article, actor: UUID) -> None:
        """Keep the content of `superseded` (its revision) before an edit replaces it."""
        ...

    async def versions(self, tenant_id: UUID, article_id: UUID) -> list[ArticleVersion]:
        """The superseded revisions, newest first, without their bodies."""
        ...

    async def version(self, tenant_id: UUID, article_id: UUID, revision: int) -> ArticleVersion | None: ...

    async def vote(self, tenant_id: UUID, article_id: UUID, user_id: UUID, helpful: bool) -> Article:
        """Record the reader's vote (one per reader; a changed mind moves it) and return the
        article with its counters."""
        ...


class TicketLinkRepository(Protocol):
    async def visible_ticket(self, scope: DataScope, ticket_id: UUID) -> tuple[str, str | None] | None:
        """(subject, description) of a live ticket within `scope`."""
        ...

    async def suggest(self, tenant_id: UUID, ticket_id: UUID, query: str, limit: int) -> list[Suggestion]: ...

    async def links(self, tenant_id: UUID, ticket_id: UUID) -> list[TicketLink]: ...

    async def link(self, tenant_id: UUID, ticket_id: UUID, article_id: UUID, actor: UUID) -> TicketLink | None:
        """Link and count the use; None when already linked."""
        ...

    async def unlink(self, tenant_id: UUID, ticket_id: UUID, article_id: UUID) -> bool: ...


class KbCategoryRepository(ConfiguredRepository[Category], Protocol): ...
