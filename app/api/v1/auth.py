"""/api/v1/auth and /api/v1/signup: sign-in, sessions, the caller's own account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Cookie, Depends, Path, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from app.api.deps import AppSettings, CurrentPrincipal, access_token_scheme
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.middleware import client_address
from app.api.responses import json_response
from app.api.services import Auth, PasswordLinks, Tenants
from app.api.v1.schemas.identity import (
    LoginBody,
    LogoutBody,
    MeOut,
    PasswordChangeBody,
    PasswordLinkBody,
    PasswordLinkOut,
    PasswordResetRequestBody,
    RefreshBody,
    SessionList,
    SignupBody,
    TokenPairOut,
)
from app.auth.jwt_tokens import decode_access_token
from app.auth.secrets import API_TOKEN_PREFIX
from app.domain.identity.auth import BAD_REFRESH, AccessToken
from app.domain.identity.entities import ClientContext, TokenPair
from app.domain.shared.errors import Unauthenticated
from app.settings import Settings

router = APIRouter(route_class=IdempotentRoute, tags=["auth"])

# Token responses must not be cached anywhere.
NO_STORE = {"Cache-Control": "no-store"}

# Browser sessions keep the refresh token in this cookie: httpOnly (scripts never see it),
# SameSite=Strict (never sent from another site), sent only to the /auth endpoints.
REFRESH_COOKIE = "crm_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"

# The cookie as an operation parameter, so the contract shows it.
RefreshCookie = Annotated[
    str | None,
    Cookie(
        alias=REFRESH_COOKIE,
        max_length=512,
        description="The browser session's refresh token (httpOnly; set by a login with browser=true).",
    ),
]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def pair_response(
    pair: TokenPair, request: Request, settings: Settings, *, cookie: bool, status_code: int = 200
) -> Response:
    """The token pair in the body, or, for a browser session, the refresh token in the cookie and
    null in the body."""
    if not cookie:
        return json_response(pair, status_code, headers=NO_STORE)
    body: dict[str, Any] = {
        "access_token": pair.access_token,
        "token_type": pair.token_type,
        "expires_in": pair.expires_in,
        "refresh_token": None,
        "refresh_expires_in": pair.refresh_expires_in,
    }
    response = json_response(body, status_code, headers=NO_STORE)
    response.set_cookie(
        REFRESH_COOKIE,
        pair.refresh_token,
        max_age=pair.refresh_expires_in,  # the token's own expiry: never past the session's
        path=REFRESH_COOKIE_PATH,
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return response


def clear_refresh_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, secure=_secure(request), httponly=True, samesite="strict"
    )


async def client_context(request: Request, settings: AppSettings) -> ClientContext:
    return ClientContext(
        address=client_address(request.scope, settings.trust_forwarded_for),
        request_id=request.scope.get("state", {}).get("request_id"),
        user_agent=request.headers.get("user-agent"),
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
async def login(body: LoginBody, service: Auth, client: Client, request: Request, settings: AppSettings) -> Response:
    pair = await service.login(body.email, body.password, client)
    return pair_response(pair, request, settings, cookie=body.browser)


@router.post(
    "/auth/refresh",
    operation_id="auth_refresh",
    response_model=TokenPairOut,
    summary="Trade a refresh token for a new pair",
    description="Each refresh token works once. Presenting one that was already used ends its whole session "
    "family (401): the next sign-in starts a new one. Without a token in the body, the browser session's "
    "refresh cookie is used and the next one is set in its place.",
    responses=problem_responses(401, 422),
)
async def refresh(
    service: Auth,
    client: Client,
    request: Request,
    settings: AppSettings,
    body: RefreshBody | None = None,
    crm_refresh: RefreshCookie = None,
) -> Response:
    if body is not None and body.refresh_token:
        return pair_response(await service.refresh(body.refresh_token, client), request, settings, cookie=False)
    if not crm_refresh:
        raise Unauthenticated(BAD_REFRESH)
    return pair_response(await service.refresh(crm_refresh, client), request, settings, cookie=True)


@router.post(
    "/auth/logout",
    operation_id="auth_logout",
    status_code=204,
    response_class=Response,
    summary="Sign out: revoke this access token (and the refresh token's session, if given)",
    description="A browser session's refresh cookie, when sent, ends its session too and is cleared.",
    responses=problem_responses(401, 422),
)
async def logout(
    caller: CurrentPrincipal,
    service: Auth,
    token: PresentedToken,
    request: Request,
    body: LogoutBody | None = None,
    crm_refresh: RefreshCookie = None,
) -> Response:
    await service.logout(caller, token, (body.refresh_token if body else None) or crm_refresh)
    response = Response(status_code=204)
    if crm_refresh is not None:
        clear_refresh_cookie(response, request)
    return response


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
    description="Ends every other session of the account at once (other devices sign in again) and revokes "
    "your API tokens unless `keep_api_tokens` is true. This session goes on with a fresh pair (the access "
    "token and refresh token sent before are void). A browser session (one that sends the refresh cookie) "
    "gets the new refresh token as its cookie. An API token cannot change a password (403).",
    responses=problem_responses(401, 403, 422, 429),
)
async def change_password(
    body: PasswordChangeBody,
    caller: CurrentPrincipal,
    service: Auth,
    token: PresentedToken,
    client: Client,
    request: Request,
    settings: AppSettings,
) -> Response:
    pair = await service.change_password(
        caller, body.current_password, body.new_password, token, client, keep_api_tokens=body.keep_api_tokens
    )
    return pair_response(pair, request, settings, cookie=REFRESH_COOKIE in request.cookies)


@router.get(
    "/auth/sessions",
    operation_id="auth_list_sessions",
    response_model=SessionList,
    summary="Your signed-in devices: the live sessions of your account",
    description="One session per sign-in, refreshed under the same id until it ends or reaches its absolute "
    "expiry. `current` marks the session of this request. An API token gets 403.",
    responses=problem_responses(401, 403),
)
async def list_sessions(caller: CurrentPrincipal, service: Auth) -> Response:
    return json_response({"items": await service.sessions_of_caller(caller)}, headers=NO_STORE)


@router.delete(
    "/auth/sessions/{session_id}",
    operation_id="auth_end_session",
    status_code=204,
    response_class=Response,
    summary="Sign a device out: end one of your sessions at once",
    description="Its refresh token stops working and its access tokens are refused from the next request. "
    "Ending the current session signs you out. Another user's session answers 404; an API token gets 403.",
    responses=problem_responses(401, 403, 404, 422),
)
async def end_session(session_id: UUID, caller: CurrentPrincipal, service: Auth) -> Response:
    await service.end_own_session(caller, session_id)
    return Response(status_code=204)


@router.post(
    "/auth/password-reset",
    operation_id="auth_request_password_reset",
    status_code=202,
    response_class=Response,
    summary="Forgot password: mail a reset link to this address, if it belongs to an account",
    description="Always 202, whether or not the address is known. At most a few requests per address and hour "
    "are acted on; the rest are dropped silently.",
    responses=problem_responses(422),
)
async def request_password_reset(body: PasswordResetRequestBody, service: PasswordLinks, client: Client) -> Response:
    await service.request_reset(body.email, client)
    return Response(status_code=202)


LinkToken = Annotated[str, Path(max_length=200, description="The secret from the mailed link")]


@router.get(
    "/auth/password-links/{token}",
    operation_id="auth_password_link_get",
    response_model=PasswordLinkOut,
    summary="What an invitation or reset link is for (the page that sets the password shows it)",
    responses=problem_responses(404, 410, 422),
)
async def get_password_link(token: LinkToken, service: PasswordLinks) -> Response:
    return json_response(await service.inspect(token), headers=NO_STORE)


@router.post(
    "/auth/password-links/{token}",
    operation_id="auth_password_link_accept",
    status_code=204,
    response_class=Response,
    summary="Choose your password through an invitation or reset link (once)",
    description="The password policy of a password change applies. Ends every session of the account; sign in "
    "with the new password. 410 when the link expired, was used or was replaced by a newer one.",
    responses=problem_responses(404, 410, 422),
)
async def accept_password_link(
    token: LinkToken, body: PasswordLinkBody, service: PasswordLinks, client: Client
) -> Response:
    await service.accept(token, body.password, client)
    return Response(status_code=204)


@router.post(
    "/signup",
    operation_id="auth_signup",
    status_code=201,
    response_model=TokenPairOut,
    summary="Create a company (tenant) and its first administrator, signed in",
    description="Answers 403 when the server runs with CRM_ALLOW_SIGNUP=false, 429 after five attempts from "
    "one address within an hour.",
    responses=problem_responses(403, 409, 422, 429),
)
async def signup(body: SignupBody, service: Tenants, client: Client) -> Response:
    pair = await service.signup(body.company_name, body.name, body.email, body.password, client)
    return json_response(pair, 201, headers=NO_STORE)
