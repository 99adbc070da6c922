"""/api/v1/api-tokens: personal tokens for scripts and integrations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, page_response
from app.api.services import ApiTokens
from app.api.v1.params import CursorParam, Limit
from app.api.v1.schemas.identity import ApiTokenCreate, ApiTokenCreated, ApiTokenPage
from app.auth.principal import Principal
from app.domain.identity.entities import ApiTokenQuery
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/api-tokens", tags=["api_tokens"])

READ = Annotated[Principal, requires("api_tokens:read")]
CREATE = Annotated[Principal, requires("api_tokens:create")]
DELETE = Annotated[Principal, requires("api_tokens:delete")]


@router.post(
    "",
    operation_id="api_tokens_create",
    status_code=201,
    response_model=ApiTokenCreated,
    summary="Create an API token (the secret is shown once)",
    description="Scopes must be among your current permissions. Use as `Authorization: Bearer crm_pat_...`; "
    "the token never does more than its user may do at the time of use.",
    responses=problem_responses(401, 403, 422),
)
async def create_api_token(body: ApiTokenCreate, caller: CREATE, service: ApiTokens) -> Response:
    created = await service.create(caller, body.name, body.scopes, body.expires_at)
    return json_response(created, 201, {"Cache-Control": "no-store", "Location": f"/api/v1/api-tokens/{created.id}"})


@router.get(
    "",
    operation_id="api_tokens_list",
    response_model=ApiTokenPage,
    summary="List API tokens not revoked, newest first",
    description="Your own tokens; `user_id` (someone else's) or `all=true` (everyone's) need api_tokens:manage.",
    responses=problem_responses(401, 403, 422),
)
async def list_api_tokens(
    caller: READ,
    service: ApiTokens,
    user_id: UUID | None = None,
    all_users: Annotated[bool, Query(alias="all")] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    page = await service.list(caller, ApiTokenQuery(user_id=user_id, all_users=all_users, limit=limit, cursor=cursor))
    return page_response(page.items, page.next_cursor)


@router.delete(
    "/{token_id}",
    operation_id="api_tokens_revoke",
    status_code=204,
    response_class=Response,
    summary="Revoke an API token (yours, or anyone's with api_tokens:manage)",
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_api_token(token_id: UUID, caller: DELETE, service: ApiTokens) -> Response:
    await service.revoke(caller, token_id)
    return Response(status_code=204)
