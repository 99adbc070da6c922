"""Sessions: login, refresh-token rotation, logout, password change, signed-in devices, and
"who am I".

A session is one sign-in: a refresh-token family with an absolute expiry fixed at login
(`session_max_days`; rotation never issues a refresh token past it). Every access token carries
its session's id (`sid`) and is honoured only while the session is alive, so ending a session
(sign-out, a password change, reuse of a rotated refresh token, its owner or an administrator
from the devices list) stops its access tokens at their next request.

Login answers an unknown email and a wrong password with the same 401, the same body and about
the same time (a dummy verification for unknown emails). Failures are recorded through
`SecurityLog`, which commits on its own: the request that reports a failure rolls back.

Throttling (state in PostgreSQL, shared by every process):
- per account and client address: `max_failures_per_address` failures within the window -> 429;
- per client address across accounts: `max_failures_per_client` failures within the window -> 429
  (one address trying many accounts), except for an account that signed in successfully from that
  address lately (colleagues behind the sprayer's NAT keep signing in);
- per account: `max_failures_per_account_hour` failures within an hour -> 429, except from an
  address the account signed in from successfully lately (a stranger spraying the account from
  many addresses cannot lock its owner out of the owner's usual address).
While throttled, nothing is verified or counted (a correct password still gets 429), so one
address cannot push an account beyond the per-address rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from app.auth.passwords import burn_verify, verify_password
from app.auth.permissions import RANGED_RESOURCES
from app.auth.principal import Principal
from app.auth.secrets import REFRESH_TOKEN_PREFIX, digest, new_secret
from app.domain.identity.entities import ClientContext, Credentials, Me, Session, TokenPair
from app.domain.identity.errors import AccountDeactivated
from app.domain.identity.passwords import set_password
from app.domain.identity.ports import (
    AccessTokenIssuer,
    ApiTokenRepository,
    SecurityLog,
    SessionRepository,
    TenantRepository,
    UserRepository,
)
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import (
    NotFound,
    PermissionDenied,
    TooManyRequests,
    Unauthenticated,
    ValidationFailed,
)
from app.domain.shared.ports import AuditTrail

BAD_CREDENTIALS = "invalid email or password"
BAD_REFRESH = "invalid, expired or revoked refresh token"
HOUR = 3600


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    refresh_token_days: int = 30
    session_max_days: int = 30
    max_failures_per_address: int = 10
    failure_window_minutes: int = 15
    max_failures_per_account_hour: int = 100
    max_failures_per_client: int = 20


def _retry_after(nth_failure_at: datetime, window_seconds: int) -> int:
    """Seconds until the failure that reached the limit leaves the window."""
    remaining = (nth_failure_at + timedelta(seconds=window_seconds) - utcnow()).total_seconds()
    return max(1, math.ceil(remaining))


@dataclass(frozen=True, slots=True)
class AccessToken:
    """The access token a request came with (None for API tokens): what logout revokes."""

    jti: UUID
    expires_at: datetime


class AuthService:
    def __init__(
        self,
        users: UserRepository,
        tenants: TenantRepository,
        sessions: SessionRepository,
        security: SecurityLog,
        audit: AuditTrail,
        issue_access: AccessTokenIssuer,
        policy: AuthPolicy,
        api_tokens: ApiTokenRepository,
    ) -> None:
        self.users = users
        self.tenants = tenants
        self.sessions = sessions
        self.security = security
        self.audit = audit
        self.issue_access = issue_access
        self.policy = policy
        self.api_tokens = api_tokens

    # -- sign in ---------------------------------------------------------------------------------

    async def login(self, email: str, password: str, ctx: ClientContext) -> TokenPair:
        account = email.strip().lower()
        credentials = await self.users.credentials_by_email(account)
        await self._throttle(account, ctx, credentials)
        if credentials is None or credentials.password_hash is None:
            await burn_verify(password)
            verified = False
        else:
            verified = await verify_password(password, credentials.password_hash)
        if not verified:
            await self._failed(account, ctx, credentials, "bad_credentials")
            raise Unauthenticated(BAD_CREDENTIALS)
        assert credentials is not None
        if not credentials.active:
            # The password was right: saying so leaks nothing, and the client can explain it.
            await self.security.login_failed(
                account,
                ctx.address,
                ctx.request_id,
                tenant_id=credentials.tenant_id,
                user_id=credentials.user_id,
                reason="deactivated",
                count=False,
            )
            raise AccountDeactivated("this account has been deactivated; ask an administrator")
        principal = await self._principal(credentials.tenant_id, credentials.user_id, ctx)
        pair = await self.start_session(principal, ctx)
        await self.users.record_login(principal.tenant_id, principal.user_id)
        await self.audit.record(principal, "auth.login", "user", principal.user_id)
        return pair

    async def start_session(self, principal: Principal, ctx: ClientContext) -> TokenPair:
        """A new session (refresh-token family) and an access token carrying the user's permissions."""
        expires_at = utcnow() + timedelta(days=self.policy.session_max_days)
        session_id = await self.sessions.open(
            principal.tenant_id, principal.user_id, expires_at, ctx.user_agent, ctx.address
        )
        return await self._issue(principal, session_id, expires_at)

    async def refresh(self, refresh_token: str, ctx: ClientContext) -> TokenPair:
        token_hash = digest(refresh_token)
        row = await self.sessions.rotate(token_hash)
        if row is None:
            stale = await self.sessions.find(token_hash)
            if stale is not None and stale.rotated_at is not None and stale.revoked_at is None:
                # A rotated token came back: it was stolen (or the client is confused). End the
                # whole family, for good, whatever this request does next.
                await self.security.refresh_reused(stale, ctx.address, ctx.request_id)
            raise Unauthenticated(BAD_REFRESH)
        principal = await self.users.principal(
            row.tenant_id, row.user_id, address=ctx.address, request_id=ctx.request_id
        )
        if principal is None:  # deactivated since
            raise Unauthenticated(BAD_REFRESH)
        # The session's absolute expiry caps the new refresh token (rotation never extends it).
        session_expires = await self.sessions.touch(row.tenant_id, row.family_id, ctx.user_agent, ctx.address)
        if session_expires is None:  # ended or past its absolute lifetime
            raise Unauthenticated(BAD_REFRESH)
        return await self._issue(principal, row.family_id, session_expires)

    # -- signed in -------------------------------------------------------------------------------

    async def logout(self, principal: Principal, access: AccessToken | None, refresh_token: str | None) -> None:
        if access is not None:
            await self.sessions.revoke_access(access.jti, access.expires_at)
        if principal.session_id is not None:  # the access token's own session
            await self.sessions.revoke_family(principal.tenant_id, principal.session_id)
        if refresh_token:
            row = await self.sessions.find(digest(refresh_token))
            # Only the caller's own session; anything else is ignored without saying why.
            if row is not None and (row.tenant_id, row.user_id) == (principal.tenant_id, principal.user_id):
                await self.sessions.revoke_family(row.tenant_id, row.family_id)
        await self.audit.record(principal, "auth.logout", "user", principal.user_id)

    async def change_password(
        self,
        principal: Principal,
        current_password: str,
        new_password: str,
        access: AccessToken | None,
        ctx: ClientContext,
        *,
        keep_api_tokens: bool = False,
    ) -> TokenPair:
        """Verify the current password and set the new one: every other session of the user ends
        at once, and the API tokens unless kept (`set_password`). The caller's own session goes on
        with a fresh pair; its earlier refresh token and this request's access token are void."""
        session_id = self._own_session(principal, "an API token cannot change a password; sign in")
        credentials = await self.users.credentials(principal.tenant_id, principal.user_id)
        if credentials is None:
            raise Unauthenticated("invalid, expired or revoked credentials")
        account = credentials.email.strip().lower()
        await self._throttle(account, ctx, credentials)
        if credentials.password_hash is None or not await verify_password(current_password, credentials.password_hash):
            await self._failed(account, ctx, credentials, "bad_current_password")
            raise ValidationFailed.one("current_password", "is not the current password")
        if new_password == current_password:
            raise ValidationFailed.one("new_password", "must differ from the current password")
        await set_password(
            self.users, self.sessions, self.api_tokens, self.audit,
            tenant_id=principal.tenant_id, user_id=principal.user_id, email=credentials.email,
            new_password=new_password, by=principal, action="user.password_changed",
            keep_session=session_id, keep_api_tokens=keep_api_tokens,
        )  # fmt: skip
        await self.sessions.retire_refresh(principal.tenant_id, session_id)
        if access is not None:
            await self.sessions.revoke_access(access.jti, access.expires_at)
        expires_at = await self.sessions.touch(principal.tenant_id, session_id, ctx.user_agent, ctx.address)
        if expires_at is None:  # ended meanwhile (the principal's check saw it alive)
            raise Unauthenticated("invalid, expired or revoked credentials")
        fresh = await self._principal(principal.tenant_id, principal.user_id, ctx)
        return await self._issue(fresh, session_id, expires_at)

    # -- signed-in devices -----------------------------------------------------------------------

    async def sessions_of_caller(self, principal: Principal) -> list[Session]:
        """The caller's live sessions, the one making the request marked `current`."""
        current = self._own_session(principal, "an API token cannot list sign-in sessions; sign in")
        found = await self.sessions.list_sessions(principal.tenant_id, principal.user_id)
        for session in found:
            session.current = session.id == current
        return found

    async def end_own_session(self, principal: Principal, session_id: UUID) -> None:
        """Sign a device out (the current one too: that is a sign-out). Another user's session
        does not exist for the caller (404)."""
        self._own_session(principal, "an API token cannot end sign-in sessions; sign in")
        if not await self.sessions.end_session(principal.tenant_id, principal.user_id, session_id):
            raise NotFound("no such session")
        await self.audit.record(principal, "auth.session_ended", "user", principal.user_id, {"session_id": session_id})

    async def me(self, principal: Principal) -> Me:
        user = await self.users.get(principal.tenant_id, principal.user_id)
        if user is None:
            raise NotFound("no such user")
        ranges = {
            resource: {action: str(widest) for action, widest in actions.items()}
            for resource, actions in principal.effective_ranges().items()
            if resource in RANGED_RESOURCES
        }
        return Me(
            user=user,
            tenant_id=principal.tenant_id,
            tenant_name=await self.tenants.tenant_name(principal.tenant_id) or "",
            roles=await self.users.roles_of(principal.tenant_id, principal.user_id),
            permissions=sorted(principal.permissions),
            data_ranges=ranges,
            api_token_id=principal.api_token_id,
        )

    # -- internals -------------------------------------------------------------------------------

    async def _principal(self, tenant_id: UUID, user_id: UUID, ctx: ClientContext) -> Principal:
        principal = await self.users.principal(tenant_id, user_id, address=ctx.address, request_id=ctx.request_id)
        if principal is None:
            raise Unauthenticated(BAD_CREDENTIALS)
        return principal

    @staticmethod
    def _own_session(principal: Principal, refusal: str) -> UUID:
        if principal.session_id is None:
            raise PermissionDenied(refusal)
        return principal.session_id

    async def _issue(self, principal: Principal, session_id: UUID, session_expires: datetime) -> TokenPair:
        now = utcnow()
        expires_at = min(now + timedelta(days=self.policy.refresh_token_days), session_expires)
        secret = new_secret(REFRESH_TOKEN_PREFIX)
        await self.sessions.insert_refresh(
            principal.tenant_id, principal.user_id, session_id, digest(secret), expires_at
        )
        access, lifetime = self.issue_access(
            user_id=principal.user_id, tenant_id=principal.tenant_id, scopes=principal.permissions,
            session_id=session_id,
        )  # fmt: skip
        return TokenPair(
            access_token=access,
            expires_in=lifetime,
            refresh_token=secret,
            refresh_expires_in=max(0, round((expires_at - now).total_seconds())),
        )

    async def _throttle(self, account: str, ctx: ClientContext, credentials: Credentials | None) -> None:
        policy = self.policy
        window = policy.failure_window_minutes * 60
        nth = await self.security.failures(account, ctx.address, window, policy.max_failures_per_address)
        if nth is not None:
            raise TooManyRequests(
                "too many failed sign-ins from this address; try again later",
                retry_after=_retry_after(nth, window),
            )
        known: bool | None = None  # looked up once, only when a rule needs it

        async def is_known() -> bool:
            nonlocal known
            if known is None:
                known = credentials is not None and await self.security.known_address(
                    credentials.tenant_id, credentials.user_id, ctx.address
                )
            return known

        nth = await self.security.address_failures(ctx.address, window, policy.max_failures_per_client)
        if nth is not None and not await is_known():
            raise TooManyRequests(
                "too many failed sign-ins from this address; try again later",
                retry_after=_retry_after(nth, window),
            )
        nth = await self.security.account_failures(account, HOUR, policy.max_failures_per_account_hour)
        if nth is not None and not await is_known():
            raise TooManyRequests(
                "too many failed sign-ins for this account; try again later",
                retry_after=_retry_after(nth, HOUR),
            )

    async def _failed(self, account: str, ctx: ClientContext, credentials: Credentials | None, reason: str) -> None:
        await self.security.login_failed(
            account,
            ctx.address,
            ctx.request_id,
            tenant_id=credentials.tenant_id if credentials else None,
            user_id=credentials.user_id if credentials else None,
            reason=reason,
        )
