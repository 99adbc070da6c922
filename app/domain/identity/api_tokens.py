"""API tokens for scripts and integrations: a secret shown once, stored as a hash, limited to
scopes the creator holds. At use, the token's scopes are intersected with what its user may do
at that moment (app/api/deps.py), so a token never outgrows its user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, replace
from datetime import datetime
from uuid import UUID

from app.auth.principal import Principal
from app.auth.secrets import API_TOKEN_PREFIX, digest, new_secret
from app.domain.identity.entities import ApiToken, ApiTokenQuery, CreatedApiToken
from app.domain.identity.grants import unheld
from app.domain.identity.ports import ApiTokenRepository
from app.domain.identity.roles import check_permissions
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import NotFound, PermissionDenied, ValidationFailed
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail

# Enough of the secret to tell tokens apart in a list, far too little to guess the rest.
PREFIX_LENGTH = len(API_TOKEN_PREFIX) + 4


class ApiTokenService:
    def __init__(self, tokens: ApiTokenRepository, audit: AuditTrail) -> None:
        self.tokens = tokens
        self.audit = audit

    async def create(
        self, principal: Principal, name: str, scopes: Iterable[str], expires_at: datetime | None
    ) -> CreatedApiToken:
        principal.require("api_tokens", "create")
        if principal.api_token_id is not None:
            # A leaked token must not be able to mint longer-lived ones.
            raise PermissionDenied("API tokens are created from a signed-in session, not with an API token")
        wanted = check_permissions(scopes, "scopes")
        if not wanted:
            raise ValidationFailed.one("scopes", "must name at least one permission")
        # Scopes are permissions only (the token works within its user's data ranges), and a token
        # is always its creator's own: the same rule as every grant (app/domain/identity/grants.py),
        # with no exception for the owner.
        missing = unheld(principal, wanted, {})
        if missing is not None:
            raise PermissionDenied(f"you cannot give a token {missing!r}: it is not among your permissions")
        if expires_at is not None and expires_at <= utcnow():
            raise ValidationFailed.one("expires_at", "must be in the future")
        secret = new_secret(API_TOKEN_PREFIX)
        token = await self.tokens.insert(
            principal.tenant_id, principal.user_id, name, digest(secret), secret[:PREFIX_LENGTH], wanted, expires_at
        )
        await self.audit.record(
            principal,
            "api_token.created",
            "api_token",
            token.id,
            {
                "name": {"before": None, "after": name},
                "scopes": {"before": None, "after": wanted},
                "expires_at": {"before": None, "after": expires_at},
            },
        )
        return CreatedApiToken(**asdict(token), token=secret)

    async def list(self, principal: Principal, query: ApiTokenQuery) -> Page[ApiToken]:
        """The caller's own tokens; another user's (`user_id`) or everyone's (`all_users`) with
        api_tokens:manage."""
        principal.require("api_tokens", "read")
        if query.all_users or (query.user_id is not None and query.user_id != principal.user_id):
            principal.require("api_tokens", "manage")
        else:
            query = replace(query, user_id=principal.user_id)
        return await self.tokens.list(principal.tenant_id, query)

    async def revoke(self, principal: Principal, token_id: UUID) -> None:
        principal.require("api_tokens", "delete")
        token = await self.tokens.get(principal.tenant_id, token_id)
        if token is None or (token.user_id != principal.user_id and not principal.can("api_tokens", "manage")):
            raise NotFound("no such API token")
        if await self.tokens.revoke(principal.tenant_id, token_id):
            await self.audit.record(
                principal, "api_token.revoked", "api_token", token_id, {"name": {"before": token.name, "after": None}}
            )
