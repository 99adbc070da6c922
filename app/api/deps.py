"""Request-scoped dependencies: the connection (the edge owns the transaction) and the caller.

Safe methods get an autocommit connection: each read is one round trip, no BEGIN/ROLLBACK.
Other methods get one transaction for the whole use case, committed when the handler returns and
rolled back when it raises. The caller is resolved on that same connection, once per request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.api.middleware import client_address
from app.api.rate_limits import enforce
from app.auth.jwt_tokens import decode_access_token
from app.auth.principal import Principal
from app.auth.secrets import API_TOKEN_PREFIX, digest
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import PermissionDenied, Unauthenticated
from app.repositories.principals import CallerRow, PgPrincipalRepository
from app.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)

access_token_scheme = HTTPBearer(
    scheme_name="accessToken",
    bearerFormat="JWT",
    auto_error=False,
    description="A 15-minute access token from POST /api/v1/auth/login or /auth/refresh.",
)
api_token_scheme = HTTPBearer(
    scheme_name="apiToken",
    bearerFormat="crm_pat_…",
    auto_error=False,
    description="An API token (crm_pat_…) from POST /api/v1/api-tokens, for scripts and integrations.",
)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


def get_read_engine(request: Request) -> AsyncEngine:
    """The autocommit engine: reads, and single statements that must not join the request's
    transaction (a rate limit's hit)."""
    engine: AsyncEngine = request.app.state.read_engine
    return engine


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    if request.method in SAFE_METHODS:
        async with request.app.state.read_engine.connect() as conn:
            yield conn
    else:
        async with request.app.state.engine.begin() as conn:
            yield conn


# scope="function": commit (or roll back) when the handler returns, before the response is sent,
# so a client never sees a success for a write that then fails to commit.
Connection = Annotated[AsyncConnection, Depends(get_connection, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


async def _authenticate(request: Request, conn: AsyncConnection, settings: Settings, token: str) -> Principal:
    counter = request.app.state.quotas
    repo = PgPrincipalRepository(conn, quotas=counter is not None)
    caller: CallerRow | None
    if token.startswith(API_TOKEN_PREFIX):
        caller = await repo.by_api_token(digest(token))
        if caller is not None and caller.token_id is not None:
            last = caller.token_last_used_at
            if last is None or utcnow() - last > TOKEN_TOUCH_INTERVAL:
                await repo.touch_api_token(caller.tenant_id, caller.token_id)
        scopes = caller.token_scopes if caller else None
        session_id = None
    else:
        claims = decode_access_token(settings, token)
        caller = await repo.by_user(claims.tenant_id, claims.user_id, claims.jti, claims.session_id)
        # A token without a session (issued before sessions existed, 15 minutes at most) is
        # refused: its client refreshes and gets one bound to its session.
        if caller is not None and (caller.revoked or not caller.session_alive or claims.issued_at < caller.valid_after):
            caller = None
        scopes = claims.scopes
        session_id = claims.session_id
    if caller is None or not caller.active:
        raise Unauthenticated("invalid, expired or revoked credentials")
    if counter is not None:
        policies = request.app.state.quota_policies
        enforce(request.state, counter, policies, caller.user_id, caller.token_id, caller.rate_limits)
    return Principal(
        tenant_id=caller.tenant_id,
        user_id=caller.user_id,
        email=caller.email,
        name=caller.name,
        department_id=caller.department_id,
        department_ids=caller.department_ids,
        roles=caller.roles,
        token_scopes=scopes,
        api_token_id=caller.token_id,
        session_id=session_id,
        request_id=request.scope.get("state", {}).get("request_id"),
        ip=client_address(request.scope, settings.trust_forwarded_for),
    )


async def authenticated(
    request: Request,
    security_scopes: SecurityScopes,
    conn: Connection,
    settings: AppSettings,
    access: Annotated[HTTPAuthorizationCredentials | None, Depends(access_token_scheme)],
    api: Annotated[HTTPAuthorizationCredentials | None, Depends(api_token_scheme)],
) -> Principal:
    credentials = access or api
    if credentials is None:
        raise Unauthenticated("missing bearer token")
    # Several dependencies of one route may ask for the caller (with different scopes): resolve once.
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        principal = await _authenticate(request, conn, settings, credentials.credentials)
        request.state.principal = principal
    for needed in security_scopes.scopes:
        resource, _, action = needed.partition(":")
        if not principal.can(resource, action):
            raise PermissionDenied(f"requires the {needed} permission")
    return principal


def requires(*permissions: str) -> Principal:
    """`caller: Annotated[Principal, requires("customers:read")]`: authenticated, holding the
    permissions; the scopes appear on the operation in the OpenAPI document."""
    return Security(authenticated, scopes=list(permissions))  # type: ignore[no-any-return]


CurrentPrincipal = Annotated[Principal, Security(authenticated)]
