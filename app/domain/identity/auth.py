"""Sessions: login, refresh-token rotation, logout, password change, and "who am I".

Login answers an unknown email and a wrong password with the same 401, the same body and about
the same time (a dummy verification for unknown emails). Failures are recorded through
`SecurityLog`, which commits on its own: the request that reports a failure rolls back.

Throttling (state in PostgreSQL, shared by every process):
- per account and client address: `max_failures_per_address` failures within the window -> 429;
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

from app.auth.passwords import burn_verify, check_policy, hash_password, verify_password
from app.auth.permissions import RANGED_RESOURCES
from app.auth.principal import Principal
from app.auth.secrets import REFRESH_TOKEN_PREFIX, digest, new_secret
from app.domain.identity.clock import this_second
from app.domain.identity.entities import ClientContext, Credentials, Me, TokenPair
from app.domain.identity.errors import AccountDeactivated
from app.domain.identity.ports import (
    AccessTokenIssuer,
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
from app.domain.shared.ids import new_id
from app.domain.shared.ports import AuditTrail

BAD_CREDENTIALS = "invalid email or password"
BAD_REFRESH = "invalid, expired or revoked refresh token"
HOUR = 3600


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    refresh_token_days: int = 30
    max_failures_per_address: int = 10
    failure_window_minutes: int = 15
    max_failures_per_account_hour: int = 100


def _retry_after(nth_failure_at: datetime, window_seconds: int) -> int:
    """Seconds until the failure that reached the limit leaves the window."""
    remaining = (nth_failure_at + timedelta(seconds=window_seconds) - utcnow()).total_seconds()
    return max(1, math.ceil(remaining))


@dataclass(frozen=True, slots=True)
class AccessToken:
    """The access token a request came with (None for API tokens): what logout revokes."""

    jti: UUID
    expires_at: datetime


async def replace_password(
    users: UserRepository,
    sessions: SessionRepository,
    tenant_id: UUID,
    user_id: UUID,
    password_hash: str | None,
    actor: UUID,
    tokens_valid_after: datetime,
) -> None:
    """The one way a password changes (own change, a link, an administrator's forced reset with
    None): set it and end every session of the user (refresh tokens; access tokens issued before
    `tokens_valid_after`)."""
    await users.set_password(tenant_id, user_id, password_hash, actor, tokens_valid_after)
    await sessions.revoke_user(tenant_id, user_id)


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
    ) -> None:
        self.users = users
        self.tenants = tenants
        self.sessions = sessions
        self.security = security
        self.audit = audit
        self.issue_access = issue_access
        self.policy = policy

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
        pair = await self.start_session(principal)
        await self.users.record_login(principal.tenant_id, principal.user_id)
        await self.audit.record(principal, "auth.login", "user", principal.user_id)
        return pair

    async def start_session(self, principal: Principal) -> TokenPair:
        """A new refresh-token family and an access token carrying the user's permissions."""
        return await self._issue(principal, new_id())

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
        return await self._issue(principal, row.family_id)

    # -- signed in -------------------------------------------------------------------------------

    async def logout(self, principal: Principal, access: AccessToken | None, refresh_token: str | None) -> None:
        if access is not None:
            await self.sessions.revoke_access(access.jti, access.expires_at)
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
    ) -> TokenPair:
        """Verify the current password, set the new one, end every session of the user (refresh
        tokens, access tokens issued before now) and start a fresh one."""
        if principal.api_token_id is not None:
            raise PermissionDenied("an API token cannot change a password; sign in")
        credentials = await self.users.credentials(principal.tenant_id, principal.user_id)
        if credentials is None:
            raise Unauthenticated("invalid, expired or revoked credentials")
        account = credentials.email.strip().lower()
        await self._throttle(account, ctx, credentials)
        if credentials.password_hash is None or not await verify_password(current_password, credentials.password_hash):
            await self._failed(account, ctx, credentials, "bad_current_password")
            raise ValidationFailed.one("current_password", "is not the current password")
        check_policy(new_password, email=credentials.email, field="new_password")
        if new_password == current_password:
            raise ValidationFailed.one("new_password", "must differ from the current password")
        await replace_password(
            self.users,
            self.sessions,
            principal.tenant_id,
            principal.user_id,
            await hash_password(new_password),
            principal.user_id,
            this_second(),
        )
        if access is not None:  # the token of this very request, even if issued this second
            await self.sessions.revoke_access(access.jti, access.expires_at)
        await self.audit.record(principal, "user.password_changed", "user", principal.user_id)
        fresh = await self._principal(principal.tenant_id, principal.user_id, ctx)
        return await self.start_session(fresh)

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

    async def _issue(self, principal: Principal, family_id: UUID) -> TokenPair:
        secret = new_secret(REFRESH_TOKEN_PREFIX)
        await self.sessions.insert_refresh(
            principal.tenant_id,
            principal.user_id,
            family_id,
            digest(secret),
            utcnow() + timedelta(days=self.policy.refresh_token_days),
        )
        access, lifetime = self.issue_access(
            user_id=principal.user_id, tenant_id=principal.tenant_id, scopes=principal.permissions
        )
        return TokenPair(access_token=access, expires_in=lifetime, refresh_token=secret)

    async def _throttle(self, account: str, ctx: ClientContext, credentials: Credentials | None) -> None:
        policy = self.policy
        window = policy.failure_window_minutes * 60
        nth = await self.security.failures(account, ctx.address, window, policy.max_failures_per_address)
        if nth is not None:
            raise TooManyRequests(
                "too many failed sign-ins from this address; try again later",
                retry_after=_retry_after(nth, window),
            )
        nth = await self.security.account_failures(account, HOUR, policy.max_failures_per_account_hour)
        if nth is not None:
            known = credentials is not None and await self.security.known_address(
                credentials.tenant_id, credentials.user_id, ctx.address
            )
            if not known:
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
