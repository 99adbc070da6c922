"""The knowledge base: articles in Markdown that agents look up while serving a ticket, kept by
the service manager. An article is a draft, published or archived, meant for staff (internal) or
also for customers (public); every content edit keeps the revision it replaces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from app.domain.shared.paging import DEFAULT_LIMIT


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ArticleVisibility(StrEnum):
    INTERNAL = "internal"  # for staff only
    PUBLIC = "public"  # may be shown to customers


# publish: from a draft or an archived article; archive: from a draft or a published one.
MOVES: dict[str, frozenset[str]] = {
    ArticleStatus.DRAFT: frozenset({ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED}),
    ArticleStatus.PUBLISHED: frozenset({ArticleStatus.ARCHIVED}),
    ArticleStatus.ARCHIVED: frozenset({ArticleStatus.PUBLISHED}),
}

# The fields whose change is a new revision of the content.
CONTENT_FIELDS = ("title", "body", "category_id", "tags", "visibility")

SORTABLE = frozenset({"updated_at", "created_at", "view_count", "used_in_count"})


@dataclass(slots=True)
class Article:
    id: UUID
    category_id: UUID | None
    title: str
    body: str
    tags: list[str]
    status: str
    visibility: str
    revision: int
    revised_at: datetime
    revised_by: UUID | None
    published_at: datetime | None
    archived_at: datetime | None
    view_count: int
    helpful_count: int
    not_helpful_count: int
    used_in_count: int
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int
    # The body as sanitized HTML, rendered on a single read (app/domain/kb/render.py).
    body_html: str | None = field(default=None, metadata={"computed": True})


@dataclass(slots=True)
class ArticleSummary:
    """A list or search row: the body only as a snippet around the first match."""

    id: UUID
    category_id: UUID | None
    title: str
    tags: list[str]
    status: str
    visibility: str
    revision: int
    published_at: datetime | None
    view_count: int
    helpful_count: int
    not_helpful_count: int
    used_in_count: int
    created_at: datetime
    updated_at: datetime
    version: int
    snippet: str
    rank: float | None  # with `q`: title matches first, then by relevance


@dataclass(slots=True)
class ArticleVersion:
    revision: int
    title: str
    body: str
    category_id: UUID | None
    tags: list[str]
    visibility: str
    revised_at: datetime
    revised_by: UUID | None
    current: bool
    body_html: str | None = None


@dataclass(slots=True)
class Suggestion:
    article: ArticleSummary
    linked: bool  # already linked to the ticket


@dataclass(slots=True)
class TicketLink:
    ticket_id: UUID
    article_id: UUID
    title: str
    status: str
    linked_by: UUID | None
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    category_id: UUID | None = None
    tag: str | None = None
    status: str | None = None
    visibility: str | None = None
    q: str | None = None
    # Set by the service from `q` (app/domain/kb/search.py): the tsquery of all terms, the same
    # restricted to titles (title matches rank first), and the term a snippet centres on.
    q_title: str | None = None
    snippet_term: str | None = None
    # Set by the service: a reader without kb:update sees published articles only.
    published_only: bool = True
    sort: str = "-updated_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
