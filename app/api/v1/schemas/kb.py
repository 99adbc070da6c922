from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.v1.schemas.common import RequestModel, Tag
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT

Status = Literal["draft", "published", "archived"]
Visibility = Literal["public", "internal"]  # the order of the ticket comments' (one cached schema)
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Body = Annotated[str, StringConstraints(max_length=100_000)]


class ArticleListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Search title and body, Chinese or Latin: every word must match (a Latin word as a prefix, "
        "Chinese as a phrase); ranked, title matches first. Sorted by relevance (`sort` is ignored).",
    )
    category: UUID | None = None
    tag: str | None = Field(None, max_length=50)
    status: Status | None = Field(None, description="Without kb:update only published articles are listed.")
    visibility: Visibility | None = None
    sort: str = Field("-updated_at", max_length=20, description="updated_at, created_at, view_count or used_in_count")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page.")


class ArticleCreate(RequestModel):
    title: Title
    body: Body = ""
    category_id: UUID | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    visibility: Visibility = Field("internal", description="internal: staff only; public: may be shown to customers.")
    status: Literal["draft", "published"] = Field("draft", description="published: publish at once (kb:update).")


class ArticlePatch(RequestModel):
    title: Title = None  # type: ignore[assignment]
    body: Body = None  # type: ignore[assignment]
    category_id: UUID | None = None
    tags: list[Tag] = Field(None, max_length=30)  # type: ignore[arg-type]
    visibility: Visibility = None  # type: ignore[assignment]


class FeedbackBody(RequestModel):
    helpful: bool


class RenderBody(RequestModel):
    body: Body


class RenderOut(BaseModel):
    html: str


class LinkBody(RequestModel):
    article_id: UUID


class _Counters(BaseModel):
    view_count: int
    helpful_count: int
    not_helpful_count: int
    used_in_count: int = Field(description="Tickets the article is linked to.")


class ArticleOut(_Counters):
    id: UUID
    category_id: UUID | None
    title: str
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="The body rendered and sanitized: safe to insert into a page.")
    tags: list[str]
    status: Status
    visibility: Visibility
    revision: int = Field(description="The content's revision; GET .../versions lists the earlier ones.")
    revised_at: datetime
    revised_by: UUID | None
    published_at: datetime | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class ArticleSummaryOut(_Counters):
    id: UUID
    category_id: UUID | None
    title: str
    tags: list[str]
    status: Status
    visibility: Visibility
    revision: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    snippet: str = Field(description="Plain text around the first search term (or the body's start).")
    rank: float | None = Field(description="With `q`: the relevance (above 1: the title matches).")


class ArticlePage(BaseModel):
    items: list[ArticleSummaryOut]
    next_cursor: str | None


class VersionOut(BaseModel):
    revision: int
    title: str
    body: str = Field(description="Empty in the list; the full text in GET .../versions/{revision}.")
    body_html: str | None
    category_id: UUID | None
    tags: list[str]
    visibility: Visibility
    revised_at: datetime
    revised_by: UUID | None
    current: bool


class VersionList(BaseModel):
    items: list[VersionOut]


class SuggestionOut(BaseModel):
    article: ArticleSummaryOut
    linked: bool = Field(description="Already linked to the ticket.")


class SuggestionList(BaseModel):
    items: list[SuggestionOut]


class TicketLinkOut(BaseModel):
    ticket_id: UUID
    article_id: UUID
    title: str
    status: Status
    linked_by: UUID | None
    linked_at: datetime


class TicketLinkList(BaseModel):
    items: list[TicketLinkOut]
