"""/api/v1/auth and /api/v1/signup: sign-in, sessions, the caller's own account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from app.api.deps import AppSettings, CurrentPrincipal, access_token_scheme
from app.api.errors import problem_responses
from app.api.middleware import client_address
from app.api.responses import json_response
from app.api.services import Auth, Tenants
from app.api.v1.schemas.identity import (
    LoginBody,
    LogoutBody,
    MeOut,
    PasswordChangeBody,
    RefreshBody,
    SignupBody,
    TokenPairOut,
)
from app.auth.jwt_tokens import decode_access_token
from app.auth.secrets import API_TOKEN_PREFIX
from app.domain.identity.auth import AccessToken
from app.domain.identity.entities import ClientContext

router = APIRouter(tags=["auth"])

# Token responses must not be cached anywhere.
NO_STORE = {"Cache-Control": "no-store"}


async def client_context(request: Request, settings: AppSettings) -> ClientContext:
    return ClientContext(
        address=client_address(request.scope, settings.trust_forwarded_for),
        request_id=request.scope.get("state", {}).get("request_id"),
    )


async def presented_access_token(
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(access_token_scheme)],
) -> AccessToken | None:
    """The access token of this request (already verified by the principal dependency); None
    for an API token."""
    if credentials is None or credentials.credentials.startswith(API_TOKEN_PREFIX):
        return None
    claims = decode_access_token(settings, credentials.credentials)
    return AccessToken(claims.jti, datetime.fromtimestamp(claims.expires_at, UTC))


Client = Annotated[ClientContext, Depends(client_context)]
PresentedToken = Annotated[AccessToken | None, Depends(presented_access_token)]


@router.post(
    "/auth/login",
    operation_id="auth_login",
    response_model=TokenPairOut,
    summary="Sign in with email and password",
    description="An unknown email and a wrong password get the same 401. Repeated failures for one account "
    "from one address answer 429 with Retry-After. A deactivated account answers 403 once the password is right.",
    responses=problem_responses(401, 403, 422, 429),
)
async def login(body: LoginBody, service: Auth, client: Client) -> Response:
    return json_response(await service.login(body.email, body.password, client), headers=NO_STORE)


@router.post(
    "/auth/refresh",
    operation_id="auth_refresh",
    response_model=TokenPairOut,
    summary="Trade a refresh token for a new pair",
    description="Each refresh token works once. Presenting one that was already used ends its whole session "
    "family (401): the next sign-in starts a new one.",
    responses=problem_responses(401, 422),
)
async def refresh(body: RefreshBody, service: Auth, client: Client) -> Response:
    return json_response(await service.refresh(body.refresh_token, client), headers=NO_STORE)


@router.post(
    "/auth/logout",
    operation_id="auth_logout",
    status_code=204,
    response_class=Response,
    summary="Sign out: revoke this access token (and the refresh token's session, if given)",
    responses=problem_responses(401, 422),
)
async def logout(
    caller: CurrentPrincipal, service: Auth, token: PresentedToken, body: LogoutBody | None = None
) -> Response:
    await service.logout(caller, token, body.refresh_token if body else None)
    return Response(status_code=204)


@router.get(
    "/auth/me",
    operation_id="auth_me",
    response_model=MeOut,
    summary="The caller: user, roles, effective permissions and data ranges",
    responses=problem_responses(401),
)
async def me(caller: CurrentPrincipal, service: Auth) -> Response:
    return json_response(await service.me(caller))


@router.post(
    "/auth/password",
    operation_id="auth_change_password",
    response_model=TokenPairOut,
    summary="Change your password",
    description="Ends every session of the account (other devices sign in again) and returns a fresh pair.",
    responses=problem_responses(401, 403, 422, 429),
)
async def change_password(
    body: PasswordChangeBody, caller: CurrentPrincipal, service: Auth, token: PresentedToken, client: Client
) -> Response:
    pair = await service.change_password(caller, body.current_password, body.new_password, token, client)
    return json_response(pair, headers=NO_STORE)


@router.post(
    "/signup",
    operation_id="auth_signup",
    status_code=201,
    response_model=TokenPairOut,
    summary="Create a company (tenant) and its first administrator, signed in",
    description="Answers 403 when the server runs with CRM_ALLOW_SIGNUP=false.",
    responses=problem_responses(403, 409, 422),
)
async def signup(body: SignupBody, service: Tenants, client: Client) -> Response:
    pair = await service.signup(body.company_name, body.name, body.email, body.password, client)
    return json_response(pair, 201, headers=NO_STORE)
