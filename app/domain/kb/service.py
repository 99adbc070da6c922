"""Knowledge-base use cases. Not a ranged resource: whoever holds kb:read reads the published
articles; drafts and archived articles exist only for those who may edit them (kb:update); to
anyone else they answer 404 and lists leave them out. Writes need kb:create / kb:update /
kb:delete; publishing and archiving are kb:update. Every write is audited and published to the
outbox as `kb_article.<event>`.

Each content edit (title, body, category, tags, visibility) keeps the previous revision; status
moves and counters do not make revisions, and counters (views, votes, uses) never bump the
record's version, so an editor's If-Match is not spoiled by readers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar
from uuid import UUID

from app.auth.principal import Principal
from app.domain.kb.entities import (
    CONTENT_FIELDS,
    MOVES,
    Article,
    ArticleQuery,
    ArticleStatus,
    ArticleSummary,
    ArticleVersion,
    Suggestion,
    TicketLink,
)
from app.domain.kb.ports import ArticleRepository, TicketLinkRepository
from app.domain.kb.render import render_markdown
from app.domain.kb.search import first_term, search_query, suggestion_query
from app.domain.shared import clock
from app.domain.shared.errors import Conflict, InvalidTransition, NotFound, PreconditionFailed
from app.domain.shared.owned import fields_of
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, EventOutbox, diff
from app.domain.tickets.settings import CategoryService

RESOURCE = "kb"
ENTITY = "kb_article"
# Counters and bookkeeping: never part of an audited change.
_NOT_CHANGES = ("updated_at", "updated_by", "version", "view_count", "helpful_count", "not_helpful_count",
                "used_in_count", "body_html")  # fmt: skip
SUGGESTIONS = 10


class KbCategoryService(CategoryService):
    """The category tree of the knowledge base (kb:manage to change, kb:read to see)."""

    resource = RESOURCE
    entity = "kb_category"


R = TypeVar("R", Article, ArticleVersion)


def _rendered(record: R) -> R:
    """The record with its body as sanitized HTML."""
    return replace(record, body_html=render_markdown(record.body))


def _editor(principal: Principal) -> bool:
    return principal.can(RESOURCE, "update")


class KbService:
    def __init__(
        self, articles: ArticleRepository, links: TicketLinkRepository, audit: AuditTrail, outbox: EventOutbox
    ) -> None:
        self.articles = articles
        self.links = links
        self.audit = audit
        self.outbox = outbox

    # -- reads -----------------------------------------------------------------------------

    async def list_page(self, principal: Principal, query: ArticleQuery) -> Page[ArticleSummary]:
        """A page of articles, or with `q` the ranked search. A reader's list holds published
        articles only, whatever `status` asks for."""
        principal.require(RESOURCE, "read")
        published_only = not _editor(principal)
        if published_only and query.status not in (None, ArticleStatus.PUBLISHED):
            return Page([], None)
        query = replace(query, published_only=published_only)
        if query.q is not None:
            terms = search_query(query.q)
            if terms is None:  # only punctuation: nothing can match
                return Page([], None)
            query = replace(query, q=terms, q_title=search_query(query.q, "A"), snippet_term=first_term(query.q))
        return await self.articles.list_page(principal.tenant_id, query)

    async def get(self, principal: Principal, article_id: UUID, *, count_view: bool = True) -> Article:
        """One article with its body rendered as sanitized HTML; reading a published article
        counts a view (in the same statement)."""
        principal.require(RESOURCE, "read")
        found = await self.articles.count_view(principal.tenant_id, article_id) if count_view else None
        if found is None:
            found = await self.articles.get(principal.tenant_id, article_id, published_only=not _editor(principal))
        if found is None:
            raise NotFound("no such article")
        return _rendered(found)

    async def versions(self, principal: Principal, article_id: UUID) -> list[ArticleVersion]:
        """The article's revisions, the current one first (editors only: old revisions may hold
        text that was never published)."""
        current = await self._editable(principal, article_id)
        return [self._current_version(current), *await self.articles.versions(principal.tenant_id, article_id)]

    async def version(self, principal: Principal, article_id: UUID, revision: int) -> ArticleVersion:
        current = await self._editable(principal, article_id)
        if revision == current.revision:
            found: ArticleVersion | None = self._current_version(current)
        else:
            found = await self.articles.version(principal.tenant_id, article_id, revision)
        if found is None:
            raise NotFound(f"the article has no revision {revision}")
        return _rendered(found)

    @staticmethod
    def _current_version(article: Article) -> ArticleVersion:
        return ArticleVersion(
            article.revision, article.title, article.body, article.category_id, list(article.tags),
            article.visibility, article.revised_at, article.revised_by, current=True,
        )  # fmt: skip

    async def _editable(self, principal: Principal, article_id: UUID) -> Article:
        principal.require(RESOURCE, "update")
        found = await self.articles.get(principal.tenant_id, article_id, published_only=False)
        if found is None:
            raise NotFound("no such article")
        return found

    # -- writes ----------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any]) -> Article:
        """A new article, a draft unless `status` says published."""
        principal.require(RESOURCE, "create")
        status = values.pop("status", None) or ArticleStatus.DRAFT
        if status == ArticleStatus.PUBLISHED:
            principal.require(RESOURCE, "update")
        values["tags"] = list(dict.fromkeys(values.get("tags") or []))
        at = clock.utcnow()
        values |= {"status": str(status), "revised_at": at, "revised_by": principal.user_id}
        if status == ArticleStatus.PUBLISHED:
            values["published_at"] = at
        article = await self.articles.insert(principal.tenant_id, principal.user_id, values)
        await self._record(principal, "created", article.id, diff(None, self._comparable(article)), article)
        if status == ArticleStatus.PUBLISHED:
            await self._record(principal, "published", article.id, {"status": {"before": None, "after": status}})
        return _rendered(article)

    async def update(
        self, principal: Principal, article_id: UUID, changes: dict[str, Any], *, expected_version: int | None
    ) -> Article:
        """Change the content (a new revision when any content field differs)."""
        current = await self._locked(principal, article_id, expected_version)
        if changes.get("tags") is not None:
            changes["tags"] = list(dict.fromkeys(changes["tags"]))
        content = {k: v for k, v in changes.items() if k in CONTENT_FIELDS and getattr(current, k) != v}
        if not content:
            return _rendered(current)
        await self.articles.add_version(principal.tenant_id, current, principal.user_id)
        content |= {"revision": current.revision + 1, "revised_at": clock.utcnow(), "revised_by": principal.user_id}
        updated = await self.articles.update(principal.tenant_id, current, principal.user_id, content)
        await self._changed(principal, "updated", current, updated)
        return _rendered(updated)

    async def move(
        self, principal: Principal, article_id: UUID, target: ArticleStatus, *, expected_version: int | None
    ) -> Article:
        """Publish (a draft or an archived article) or archive (a draft or a published one)."""
        current = await self._locked(principal, article_id, expected_version)
        if target not in MOVES[current.status]:
            raise InvalidTransition(f"a {current.status} article cannot become {target}")
        at = clock.utcnow()
        stamp = {"published_at": at} if target == ArticleStatus.PUBLISHED else {"archived_at": at}
        updated = await self.articles.update(
            principal.tenant_id, current, principal.user_id, {"status": str(target)} | stamp
        )
        await self._changed(principal, str(target), current, updated)
        return _rendered(updated)

    async def delete(self, principal: Principal, article_id: UUID) -> None:
        principal.require(RESOURCE, "delete")
        deleted = await self.articles.set_deleted(principal.tenant_id, article_id, principal.user_id, deleted=True)
        if deleted is None:
            raise NotFound("no such article")
        await self._record(principal, "deleted", article_id, {"deleted": {"before": False, "after": True}})

    async def restore(self, principal: Principal, article_id: UUID) -> Article:
        principal.require(RESOURCE, "delete")
        restored = await self.articles.set_deleted(principal.tenant_id, article_id, principal.user_id, deleted=False)
        if restored is None:
            raise NotFound("no deleted article with this id")
        await self._record(principal, "restored", article_id, {"deleted": {"before": True, "after": False}})
        return _rendered(restored)

    async def feedback(self, principal: Principal, article_id: UUID, helpful: bool) -> Article:
        """A reader's vote on a published article: one per reader, a second one replaces it."""
        principal.require(RESOURCE, "read")
        found = await self.articles.get(principal.tenant_id, article_id, published_only=True)
        if found is None:
            raise NotFound("no such published article")
        voted = await self.articles.vote(principal.tenant_id, article_id, principal.user_id, helpful)
        return _rendered(voted)

    # -- tickets: suggestions and links ----------------------------------------------------

    async def _ticket(self, principal: Principal, ticket_id: UUID, action: str) -> tuple[str, str | None]:
        principal.require(RESOURCE, "read")
        found = await self.links.visible_ticket(principal.scope("tickets", action), ticket_id)
        if found is None:
            raise NotFound("no such ticket")
        return found

    async def suggestions(self, principal: Principal, ticket_id: UUID, limit: int = SUGGESTIONS) -> list[Suggestion]:
        """Published articles ranked against the ticket's subject and description."""
        subject, description = await self._ticket(principal, ticket_id, "read")
        query = suggestion_query(subject, description)
        if query is None:
            return []
        return await self.links.suggest(principal.tenant_id, ticket_id, query, limit)

    async def ticket_links(self, principal: Principal, ticket_id: UUID) -> list[TicketLink]:
        await self._ticket(principal, ticket_id, "read")
        return await self.links.links(principal.tenant_id, ticket_id)

    async def link(self, principal: Principal, ticket_id: UUID, article_id: UUID) -> TicketLink:
        """Note that a published article served a ticket (tickets:update on the ticket): the
        article's used-in count goes up. Linking twice is a 409."""
        await self._ticket(principal, ticket_id, "update")
        found = await self.articles.get(principal.tenant_id, article_id, published_only=True, for_update=True)
        if found is None:
            raise NotFound("no such published article")
        made = await self.links.link(principal.tenant_id, ticket_id, article_id, principal.user_id)
        if made is None:
            raise Conflict("the article is already linked to the ticket", existing_id=str(article_id))
        await self._record(principal, "linked", article_id, {"ticket_id": {"before": None, "after": ticket_id}})
        return made

    async def unlink(self, principal: Principal, ticket_id: UUID, article_id: UUID) -> None:
        await self._ticket(principal, ticket_id, "update")
        if not await self.links.unlink(principal.tenant_id, ticket_id, article_id):
            raise NotFound("the article is not linked to the ticket")
        await self._record(principal, "unlinked", article_id, {"ticket_id": {"before": ticket_id, "after": None}})

    # -- helpers ---------------------------------------------------------------------------

    async def _locked(self, principal: Principal, article_id: UUID, expected_version: int | None) -> Article:
        principal.require(RESOURCE, "update")
        current = await self.articles.get(principal.tenant_id, article_id, published_only=False, for_update=True)
        if current is None:
            raise NotFound("no such article")
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the article is at version {current.version}, not {expected_version}")
        return current

    @staticmethod
    def _comparable(article: Article) -> dict[str, Any]:
        return {k: v for k, v in fields_of(article).items() if k not in _NOT_CHANGES}

    async def _changed(self, principal: Principal, event: str, before: Article, after: Article) -> None:
        await self._record(principal, event, after.id, diff(self._comparable(before), self._comparable(after)))

    async def _record(
        self,
        principal: Principal,
        event: str,
        article_id: UUID,
        changes: dict[str, Any],
        created: Article | None = None,
    ) -> None:
        name = f"{ENTITY}.{event}"
        await self.audit.record(principal, name, RESOURCE, article_id, changes)
        payload = self._comparable(created) if created is not None else {"id": article_id, "changes": changes}
        await self.outbox.publish(principal.tenant_id, name, ENTITY, article_id, payload)
