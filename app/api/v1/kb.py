"""/api/v1/kb: the knowledge base (categories, articles, revisions, votes) and, under
/api/v1/tickets/{ticket_id}, the articles suggested for a ticket and those linked to it. Thin
HTTP shapes around KbService."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, page_response, record_response
from app.api.services import KbCategories, KnowledgeBase
from app.api.v1.configured import configured_routes
from app.api.v1.params import IfMatch, expected_version
from app.api.v1.schemas.kb import (
    ArticleCreate,
    ArticleListParams,
    ArticleOut,
    ArticlePage,
    ArticlePatch,
    FeedbackBody,
    LinkBody,
    RenderBody,
    RenderOut,
    SuggestionList,
    TicketLinkList,
    TicketLinkOut,
    VersionList,
    VersionOut,
)
from app.api.v1.schemas.tickets import CategoryCreate, CategoryList, CategoryOut, CategoryPatch
from app.auth.principal import Principal
from app.domain.kb.entities import ArticleQuery, ArticleStatus
from app.domain.kb.render import render_markdown

router = APIRouter(route_class=IdempotentRoute, tags=["kb"])

READ = Annotated[Principal, requires("kb:read")]
CREATE = Annotated[Principal, requires("kb:create")]
UPDATE = Annotated[Principal, requires("kb:update")]
DELETE = Annotated[Principal, requires("kb:delete")]
TICKET_READ = Annotated[Principal, requires("tickets:read", "kb:read")]
TICKET_UPDATE = Annotated[Principal, requires("tickets:update", "kb:read")]
ArticleId = Annotated[UUID, Path()]

_one = partial(record_response, collection="kb/articles")

configured_routes(
    router,
    "kb/categories",
    "kb_categories",
    "knowledge-base categories (a tree: parent_id)",
    KbCategories,
    (CategoryCreate, CategoryPatch),
    (CategoryOut, CategoryList),
    read="kb:read",
    manage="kb:manage",
)


@router.get(
    "/kb/articles",
    operation_id="kb_articles_list",
    response_model=ArticlePage,
    summary="List or search knowledge-base articles",
    description="Readers (kb:read) see published articles; editors (kb:update) also drafts and archived ones. "
    "Filters combine with AND: `category`, `tag`, `status`, `visibility`. With `q`, ranked by relevance "
    "(title matches first), each with a snippet around the first term.",
    responses=problem_responses(401, 403, 422),
)
async def list_articles(
    caller: READ, service: KnowledgeBase, params: Annotated[ArticleListParams, Query()]
) -> Response:
    query = ArticleQuery(
        category_id=params.category,
        tag=params.tag,
        status=params.status,
        visibility=params.visibility,
        q=params.q,
        sort=params.sort,
        limit=params.limit,
        cursor=params.cursor,
    )
    page = await service.list_page(caller, query)
    return page_response(page.items, page.next_cursor)


@router.post(
    "/kb/articles",
    operation_id="kb_articles_create",
    status_code=201,
    response_model=ArticleOut,
    summary="Write an article (a draft, or published at once)",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_article(body: ArticleCreate, caller: CREATE, service: KnowledgeBase) -> Response:
    return _one(await service.create(caller, body.model_dump()), 201)


@router.get(
    "/kb/articles/{article_id}",
    operation_id="kb_articles_get",
    response_model=ArticleOut,
    summary="Read an article: Markdown and sanitized HTML (a published article counts a view)",
    description="A draft or archived article exists only for editors (kb:update); to others it is a 404.",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_article(article_id: ArticleId, caller: READ, service: KnowledgeBase) -> Response:
    return _one(await service.get(caller, article_id))


@router.patch(
    "/kb/articles/{article_id}",
    operation_id="kb_articles_update",
    response_model=ArticleOut,
    summary="Edit an article's content (the previous revision is kept)",
    description="Status moves are POST .../publish and .../archive. If-Match: the ETag of the read (412 when stale).",
    responses=problem_responses(401, 403, 404, 412, 413, 422),
)
async def update_article(
    article_id: ArticleId, body: ArticlePatch, caller: UPDATE, service: KnowledgeBase, if_match: IfMatch = None
) -> Response:
    updated = await service.update(caller, article_id, body.changes(), expected_version=expected_version(if_match))
    return _one(updated)


def _move_route(target: ArticleStatus, summary: str) -> None:
    async def move(article_id: ArticleId, caller: UPDATE, service: KnowledgeBase, if_match: IfMatch = None) -> Response:
        return _one(await service.move(caller, article_id, target, expected_version=expected_version(if_match)))

    verb = "publish" if target == ArticleStatus.PUBLISHED else "archive"
    router.add_api_route(
        f"/kb/articles/{{article_id}}/{verb}", move, methods=["POST"], operation_id=f"kb_articles_{verb}",
        response_model=ArticleOut, summary=summary, responses=problem_responses(401, 403, 404, 409, 412, 422),
    )  # fmt: skip


_move_route(ArticleStatus.PUBLISHED, "Publish a draft or archived article (409 when already published)")
_move_route(ArticleStatus.ARCHIVED, "Archive a draft or published article (409 when already archived)")


@router.delete(
    "/kb/articles/{article_id}",
    operation_id="kb_articles_delete",
    status_code=204,
    response_class=Response,
    summary="Soft-delete an article (restorable)",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_article(article_id: ArticleId, caller: DELETE, service: KnowledgeBase) -> Response:
    await service.delete(caller, article_id)
    return Response(status_code=204)


@router.post(
    "/kb/articles/{article_id}/restore",
    operation_id="kb_articles_restore",
    response_model=ArticleOut,
    summary="Undo a soft delete",
    responses=problem_responses(401, 403, 404, 422),
)
async def restore_article(article_id: ArticleId, caller: DELETE, service: KnowledgeBase) -> Response:
    return _one(await service.restore(caller, article_id))


@router.get(
    "/kb/articles/{article_id}/versions",
    operation_id="kb_articles_versions_list",
    response_model=VersionList,
    summary="The article's revisions, the current one first (editors only)",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_versions(article_id: ArticleId, caller: UPDATE, service: KnowledgeBase) -> Response:
    return json_response({"items": await service.versions(caller, article_id)})


@router.get(
    "/kb/articles/{article_id}/versions/{revision}",
    operation_id="kb_articles_versions_get",
    response_model=VersionOut,
    summary="One revision of the article, with its text and sanitized HTML (editors only)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_version(
    article_id: ArticleId,
    revision: Annotated[int, Path(ge=1, le=1_000_000)],
    caller: UPDATE,
    service: KnowledgeBase,
) -> Response:
    return json_response(await service.version(caller, article_id, revision))


@router.post(
    "/kb/articles/{article_id}/feedback",
    operation_id="kb_articles_feedback",
    response_model=ArticleOut,
    summary="Say whether a published article helped (one vote per reader; voting again replaces it)",
    responses=problem_responses(401, 403, 404, 422),
)
async def feedback(article_id: ArticleId, body: FeedbackBody, caller: READ, service: KnowledgeBase) -> Response:
    return _one(await service.feedback(caller, article_id, body.helpful))


@router.post(
    "/kb/render",
    operation_id="kb_render",
    response_model=RenderOut,
    summary="Render Markdown as an article would show it (sanitized HTML): the editor's preview",
    responses=problem_responses(401, 403, 413, 422),
)
async def render(body: RenderBody, caller: CREATE) -> Response:
    return json_response({"html": render_markdown(body.body)})


# -- a ticket's articles ----------------------------------------------------------------------


@router.get(
    "/tickets/{ticket_id}/kb-suggestions",
    operation_id="tickets_kb_suggestions",
    response_model=SuggestionList,
    summary="Published articles that may answer the ticket, ranked against its subject and description",
    responses=problem_responses(401, 403, 404, 422),
)
async def suggestions(
    ticket_id: UUID,
    caller: TICKET_READ,
    service: KnowledgeBase,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    return json_response({"items": await service.suggestions(caller, ticket_id, limit)})


@router.get(
    "/tickets/{ticket_id}/kb-links",
    operation_id="tickets_kb_links_list",
    response_model=TicketLinkList,
    summary="The articles linked to the ticket, oldest link first",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_links(ticket_id: UUID, caller: TICKET_READ, service: KnowledgeBase) -> Response:
    return json_response({"items": await service.ticket_links(caller, ticket_id)})


@router.post(
    "/tickets/{ticket_id}/kb-links",
    operation_id="tickets_kb_links_create",
    status_code=201,
    response_model=TicketLinkOut,
    summary="Link a published article to the ticket (it counts as used); 409 when already linked",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def link(ticket_id: UUID, body: LinkBody, caller: TICKET_UPDATE, service: KnowledgeBase) -> Response:
    return json_response(await service.link(caller, ticket_id, body.article_id), 201)


@router.delete(
    "/tickets/{ticket_id}/kb-links/{article_id}",
    operation_id="tickets_kb_links_delete",
    status_code=204,
    response_class=Response,
    summary="Unlink an article from the ticket",
    responses=problem_responses(401, 403, 404, 422),
)
async def unlink(ticket_id: UUID, article_id: ArticleId, caller: TICKET_UPDATE, service: KnowledgeBase) -> Response:
    await service.unlink(caller, ticket_id, article_id)
    return Response(status_code=204)
