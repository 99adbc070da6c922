"""Repository ports of the identity use cases. PostgreSQL adapters live in app/repositories/.

Adapters run on the request's connection (one transaction, rolled back when the use case raises),
except `SecurityLog`: what it writes must survive a failed request, so it commits on its own.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.identity.entities import (
    ApiToken,
    ApiTokenQuery,
    AuditEntry,
    AuditQuery,
    Credentials,
    Department,
    LinkPurpose,
    OutgoingMail,
    PasswordLink,
    RefreshTokenRow,
    Region,
    Role,
    RoleSummary,
    Session,
    User,
    UserQuery,
)
from app.domain.shared.paging import Page


class AccessTokenIssuer(Protocol):
    """Signs an access token; returns (token, lifetime in seconds)."""

    def __call__(
        self, *, user_id: UUID, tenant_id: UUID, scopes: frozenset[str], session_id: UUID
    ) -> tuple[str, int]: ...


class TenantRepository(Protocol):
    async def insert_tenant(self, name: str) -> UUID: ...
    async def insert_system_roles(self, tenant_id: UUID) -> dict[str, UUID]: ...
    async def tenant_name(self, tenant_id: UUID) -> str | None: ...


class UserRepository(Protocol):
    async def get(self, tenant_id: UUID, user_id: UUID) -> User | None: ...
    async def list(self, tenant_id: UUID, query: UserQuery) -> Page[User]: ...
    async def email_owner(self, email: str) -> UUID | None:
        """The id of the user holding this email (any tenant, case-insensitive)."""
        ...

    async def insert(
        self, tenant_id: UUID, values: Mapping[str, Any], password_hash: str | None, actor: UUID | None
    ) -> UUID: ...
    async def update(
        self, tenant_id: UUID, user_id: UUID, values: Mapping[str, Any], actor: UUID, version: int
    ) -> bool:
        """Apply `values` when the row is still at `version`; False when it moved on."""
        ...

    async def set_roles(self, tenant_id: UUID, user_id: UUID, role_ids: Iterable[UUID]) -> None: ...
    async def set_active(
        self,
        tenant_id: UUID,
        user_id: UUID,
        active: bool,
        actor: UUID,
        tokens_valid_after: datetime,
    ) -> None: ...
    async def set_password(self, tenant_id: UUID, user_id: UUID, password_hash: str | None, actor: UUID) -> None:
        """Only the hash (None clears it: nobody signs in with a password until the user sets one);
        what a new password ends is `set_password` (app/domain/identity/passwords.py)."""
        ...

    async def move_owned_records(self, tenant_id: UUID, owner_id: UUID, department_id: UUID | None) -> None:
        """Keep the department of everything the user owns in step with the user's department."""
        ...

    async def record_login(self, tenant_id: UUID, user_id: UUID) -> None: ...
    async def credentials_by_email(self, email: str) -> Credentials | None: ...
    async def credentials(self, tenant_id: UUID, user_id: UUID) -> Credentials | None: ...
    async def principal(
        self, tenant_id: UUID, user_id: UUID, *, address: str | None, request_id: str | None
    ) -> Principal | None:
        """The user as a caller (roles as they are now); None when unknown or deactivated."""
        ...

    async def roles_of(self, tenant_id: UUID, user_id: UUID) -> builtins.list[RoleSummary]: ...


class DepartmentRepository(Protocol):
    async def get(self, tenant_id: UUID, department_id: UUID) -> Department | None: ...
    async def list(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[Department]: ...
    async def insert(self, tenant_id: UUID, name: str, parent: Department | None, actor: UUID) -> Department: ...
    async def lock_tree(self, tenant_id: UUID) -> None:
        """Serialize department writes of one tenant until the transaction ends."""
        ...

    async def update(
        self, tenant_id: UUID, department: Department, name: str, parent: Department | None, move: bool, actor: UUID
    ) -> bool:
        """Rename and, with `move`, re-parent under `parent` (None: a root), rewriting the path of
        the whole subtree. False when the row is no longer at `department.version`."""
        ...

    async def has_members_or_children(self, tenant_id: UUID, department_id: UUID) -> bool: ...
    async def delete(self, tenant_id: UUID, department_id: UUID, actor: UUID) -> None: ...


class RegionRepository(Protocol):
    async def get(self, tenant_id: UUID, region_id: UUID) -> Region | None: ...
    async def list(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[Region]: ...
    async def code_owner(self, tenant_id: UUID, code: str) -> UUID | None: ...
    async def insert(self, tenant_id: UUID, code: str, name: str, actor: UUID) -> Region: ...
    async def update(
        self, tenant_id: UUID, region_id: UUID, values: Mapping[str, Any], actor: UUID, version: int
    ) -> bool: ...
    async def in_use(self, tenant_id: UUID, region_id: UUID) -> bool: ...
    async def delete(self, tenant_id: UUID, region_id: UUID, actor: UUID) -> None: ...
    async def existing(self, tenant_id: UUID, region_ids: Iterable[UUID]) -> set[UUID]: ...


class RoleRepository(Protocol):
    async def get(self, tenant_id: UUID, role_id: UUID) -> Role | None: ...
    async def list(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[Role]: ...
    async def by_ids(self, tenant_id: UUID, role_ids: Iterable[UUID]) -> builtins.list[Role]: ...
    async def by_keys(self, tenant_id: UUID, keys: Iterable[str]) -> builtins.list[Role]: ...
    async def key_owner(self, tenant_id: UUID, key: str) -> UUID | None: ...
    async def insert(self, tenant_id: UUID, values: Mapping[str, Any], actor: UUID) -> Role: ...
    async def update(
        self, tenant_id: UUID, role_id: UUID, values: Mapping[str, Any], actor: UUID, version: int
    ) -> bool: ...
    async def in_use(self, tenant_id: UUID, role_id: UUID) -> bool: ...
    async def delete(self, tenant_id: UUID, role_id: UUID, actor: UUID) -> None: ...


class SessionRepository(Protocol):
    """Sessions (one per sign-in; the id is its refresh-token family's and its access tokens'
    `sid`), refresh tokens (opaque, stored hashed) and revoked access-token ids, on the request's
    connection."""

    async def open(
        self, tenant_id: UUID, user_id: UUID, expires_at: datetime, user_agent: str | None, address: str | None
    ) -> UUID:
        """A new session; its id."""
        ...

    async def touch(
        self, tenant_id: UUID, session_id: UUID, user_agent: str | None, address: str | None
    ) -> datetime | None:
        """Record a use of a live session; its absolute expiry, or None when it has ended or expired."""
        ...

    async def list_sessions(self, tenant_id: UUID, user_id: UUID) -> builtins.list[Session]:
        """The user's live sessions, most recently used first."""
        ...

    async def end_session(self, tenant_id: UUID, user_id: UUID, session_id: UUID) -> bool:
        """End one live session of this user (and its refresh tokens); False when none."""
        ...

    async def retire_refresh(self, tenant_id: UUID, session_id: UUID) -> None:
        """Revoke the session's outstanding refresh tokens; the session goes on."""
        ...

    async def insert_refresh(
        self,
        tenant_id: UUID,
        user_id: UUID,
        family_id: UUID,
        token_hash: bytes,
        expires_at: datetime,
    ) -> None: ...
    async def rotate(self, token_hash: bytes) -> RefreshTokenRow | None:
        """Mark a live token rotated and return it; None when it is unknown, expired, revoked or
        already rotated (atomic: of two concurrent rotations only one succeeds)."""
        ...

    async def find(self, token_hash: bytes) -> RefreshTokenRow | None: ...
    async def revoke_family(self, tenant_id: UUID, family_id: UUID) -> None:
        """End the session and its refresh tokens."""
        ...

    async def revoke_user(self, tenant_id: UUID, user_id: UUID, *, keep: UUID | None = None) -> int:
        """End every session of the user except `keep`; how many live ones were ended."""
        ...

    async def revoke_access(self, jti: UUID, expires_at: datetime) -> None: ...


class SecurityLog(Protocol):
    """Durable security records: each call commits in its own short transaction, so that a login
    failure (throttling, audit) and a refresh-token family revocation outlive the request that
    answers 401/403."""

    async def failures(self, account: str, address: str, window_seconds: int, nth: int) -> datetime | None:
        """The instant of the nth most recent failure for (account, address) within the window."""
        ...

    async def account_failures(self, account: str, window_seconds: int, nth: int) -> datetime | None:
        """The same across all addresses."""
        ...

    async def address_failures(self, address: str, window_seconds: int, nth: int) -> datetime | None:
        """The same for one address across all accounts."""
        ...

    async def known_address(self, tenant_id: UUID, user_id: UUID, address: str) -> bool:
        """Whether this user logged in successfully from this address lately."""
        ...

    async def login_failed(
        self,
        account: str,
        ctx_address: str,
        request_id: str | None,
        *,
        tenant_id: UUID | None,
        user_id: UUID | None,
        reason: str,
        count: bool = True,
    ) -> None:
        """Count a failure (unless count=False) and, for a known account, audit it."""
        ...

    async def refresh_reused(self, row: RefreshTokenRow, address: str, request_id: str | None) -> None:
        """End the session of a reused refresh token (its family and access tokens), and audit it."""
        ...


class ApiTokenRepository(Protocol):
    async def insert(
        self,
        tenant_id: UUID,
        user_id: UUID,
        name: str,
        token_hash: bytes,
        prefix: str,
        scopes: builtins.list[str],
        expires_at: datetime | None,
    ) -> ApiToken: ...
    async def get(self, tenant_id: UUID, token_id: UUID) -> ApiToken | None: ...
    async def list(self, tenant_id: UUID, query: ApiTokenQuery) -> Page[ApiToken]: ...
    async def revoke(self, tenant_id: UUID, token_id: UUID) -> bool: ...
    async def revoke_user(self, tenant_id: UUID, user_id: UUID) -> int:
        """Revoke every live API token of the user; how many."""
        ...


class AuditLogReader(Protocol):
    async def list(self, tenant_id: UUID, query: AuditQuery) -> Page[AuditEntry]: ...


class PasswordLinkRepository(Protocol):
    """One-time password links, on the request's (or the worker's) connection."""

    async def insert(
        self, tenant_id: UUID, user_id: UUID, purpose: LinkPurpose, expires_at: datetime, actor: UUID | None
    ) -> UUID:
        """A new link (no secret yet), withdrawing the user's earlier open links."""
        ...

    async def get(self, tenant_id: UUID, link_id: UUID) -> PasswordLink | None: ...
    async def by_hash(self, token_hash: bytes) -> PasswordLink | None: ...
    async def set_secret(self, tenant_id: UUID, link_id: UUID, token_hash: bytes) -> None:
        """Store the hash of the mailed secret, and when it was sent."""
        ...

    async def use(self, tenant_id: UUID, link_id: UUID) -> bool:
        """Mark the link used, if it is still open and unexpired (atomic: one use wins)."""
        ...

    async def revoke_user(self, tenant_id: UUID, user_id: UUID) -> None: ...


class Mailer(Protocol):
    """Sends one message; raises when it could not be handed over (the worker retries)."""

    async def send(self, mail: OutgoingMail) -> None: ...
