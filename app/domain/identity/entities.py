"""What identity use cases return. Field names are the JSON names: the API serializes these
dataclasses straight to JSON (orjson), so nothing secret (password hashes, token hashes) lives here
except in the internal `Credentials`, which never leaves the domain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.shared.paging import DEFAULT_LIMIT


@dataclass(slots=True)
class User:
    id: UUID
    email: str
    name: str
    department_id: UUID | None
    region_id: UUID | None
    locale: str
    timezone: str
    active: bool
    role_ids: list[UUID]
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    # False until the user sets a password through their invitation (or after a forced reset).
    password_set: bool = True

    def audit_view(self) -> dict[str, Any]:
        """The fields an audit diff compares (everything but timestamps and version)."""
        return {
            "email": self.email,
            "name": self.name,
            "department_id": self.department_id,
            "region_id": self.region_id,
            "locale": self.locale,
            "timezone": self.timezone,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class Credentials:
    """What login needs about an account. Internal: never serialized."""

    tenant_id: UUID
    user_id: UUID
    email: str
    password_hash: str | None  # None: no password set (invited, or reset by an administrator)
    active: bool


# Fields of a user an administrator may set (role_ids are handled apart; passwords only by their
# owner, through a link: app/domain/identity/password_links.py).
USER_WRITABLE = ("email", "name", "department_id", "region_id", "locale", "timezone")
USER_SORTABLE = frozenset({"name", "email", "created_at", "updated_at"})


@dataclass(frozen=True, slots=True)
class UserQuery:
    q: str | None = None
    department_id: UUID | None = None
    active: bool | None = None
    sort: str = "name"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(slots=True)
class Department:
    id: UUID
    name: str
    parent_id: UUID | None
    # "/<root id>/.../<own id>/": the subtree of a department is a prefix match.
    path: str
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(slots=True)
class Region:
    id: UUID
    code: str
    name: str
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(slots=True)
class Role:
    id: UUID
    key: str
    name: str
    description: str
    is_system: bool
    permissions: list[str]
    # {resource: {"range": "own", "regions": [uuid] | None, "customer_types": [str] | None}}
    data_ranges: dict[str, dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    version: int

    def audit_view(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "permissions": self.permissions,
            "data_ranges": self.data_ranges,
        }


@dataclass(frozen=True, slots=True)
class RoleSummary:
    id: UUID
    key: str
    name: str


@dataclass(slots=True)
class ApiToken:
    id: UUID
    user_id: UUID
    name: str
    # The first characters of the secret, to recognise a token in a list.
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


@dataclass(slots=True)
class CreatedApiToken(ApiToken):
    """An API token as created: the only time the secret is shown."""

    token: str


@dataclass(frozen=True, slots=True)
class ApiTokenQuery:
    user_id: UUID | None = None  # None with all_users=False: the caller's own
    all_users: bool = False
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    # Seconds the refresh token lives: never past its session's absolute expiry.
    refresh_expires_in: int
    token_type: str = "bearer"


@dataclass(slots=True)
class Session:
    """A sign-in (one refresh-token family) as its owner and administrators see it."""

    id: UUID
    created_at: datetime
    last_used_at: datetime
    # Absolute: fixed at sign-in, refreshing never extends it.
    expires_at: datetime
    user_agent: str | None
    created_ip: str | None
    last_ip: str | None
    # The session of the request asking.
    current: bool = False


@dataclass(frozen=True, slots=True)
class PasswordSet:
    """What setting a new password ended."""

    sessions_ended: int
    api_tokens_revoked: int


@dataclass(frozen=True, slots=True)
class RefreshTokenRow:
    """The stored state of one refresh token (looked up by the hash of the secret)."""

    tenant_id: UUID
    user_id: UUID
    family_id: UUID
    rotated_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ClientContext:
    """Where a request came from: for throttling and for the audit entries written without a
    principal (login failures)."""

    address: str
    request_id: str | None = None
    # Recorded on the session a sign-in or refresh starts or continues ("signed-in devices").
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class Me:
    user: User
    tenant_id: UUID
    tenant_name: str
    roles: list[RoleSummary]
    # The effective permission set of this request (user roles, narrowed by an API token's scopes).
    permissions: list[str]
    # resource -> action -> widest data range, for the resources that take a data range.
    data_ranges: dict[str, dict[str, str]]
    api_token_id: UUID | None = None


@dataclass(slots=True)
class AuditEntry:
    id: UUID
    at: datetime
    actor_id: UUID | None
    api_token_id: UUID | None
    action: str
    entity: str
    entity_id: UUID | None
    changes: dict[str, Any]
    request_id: str | None
    ip: str | None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor_id: UUID | None = None
    entity: str | None = None
    entity_id: UUID | None = None
    action: str | None = None
    since: datetime | None = None  # `from`, inclusive
    until: datetime | None = None  # `to`, exclusive
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class NewTenant:
    tenant_id: UUID
    admin_id: UUID
    role_ids: dict[str, UUID] = field(default_factory=dict)


class LinkPurpose(StrEnum):
    INVITATION = "invitation"
    RESET = "reset"


@dataclass(frozen=True, slots=True)
class PasswordLink:
    """A one-time link by which a user sets their own password. Internal."""

    tenant_id: UUID
    id: UUID
    user_id: UUID
    purpose: LinkPurpose
    expires_at: datetime
    sent_at: datetime | None
    used_at: datetime | None
    revoked_at: datetime | None
    # The addressee, for the message and the page.
    email: str
    name: str
    locale: str
    active: bool


@dataclass(frozen=True, slots=True)
class PasswordLinkInfo:
    """What the public page shows about a valid link."""

    purpose: str
    email: str
    name: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    to_email: str
    to_name: str
    subject: str
    text: str
    html: str
