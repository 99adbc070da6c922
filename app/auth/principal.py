"""The caller of one request, resolved once (one SQL statement) and handed to every use case.

Effective permissions are the union of the user's roles' permissions as they are now, intersected
with the token's scopes: a token never does more than its user can do at this moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from uuid import UUID

from app.domain.shared.errors import PermissionDenied
from app.domain.shared.scope import DataRange, DataScope, Grant


@dataclass(frozen=True, slots=True)
class RoleGrant:
    key: str
    permissions: frozenset[str]
    # resource -> Grant (range plus optional narrowing)
    data_ranges: dict[str, Grant]

    @classmethod
    def from_row(cls, key: str, permissions: list[str], data_ranges: dict[str, Any]) -> RoleGrant:
        return cls(key, frozenset(permissions), {res: grant_from_json(spec) for res, spec in data_ranges.items()})


def grant_from_json(spec: dict[str, Any]) -> Grant:
    regions = spec.get("regions")
    types = spec.get("customer_types")
    return Grant(
        DataRange(spec.get("range", "none")),
        frozenset(UUID(str(r)) for r in regions) if regions else None,
        frozenset(types) if types else None,
    )


@dataclass(frozen=True)
class Principal:
    tenant_id: UUID
    user_id: UUID
    email: str
    name: str
    department_id: UUID | None
    # The caller's department and all of its sub-departments.
    department_ids: tuple[UUID, ...]
    roles: tuple[RoleGrant, ...]
    # None: a user session whose scopes are the roles' permissions; otherwise the token's scopes.
    token_scopes: frozenset[str] | None = None
    api_token_id: UUID | None = None
    # The sign-in session of an access token (None for API tokens).
    session_id: UUID | None = None
    request_id: str | None = None
    ip: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def permissions(self) -> frozenset[str]:
        granted = frozenset().union(*(r.permissions for r in self.roles))
        return granted if self.token_scopes is None else granted & self.token_scopes

    def can(self, resource: str, action: str) -> bool:
        return f"{resource}:{action}" in self.permissions

    def require(self, resource: str, action: str) -> None:
        if not self.can(resource, action):
            raise PermissionDenied(f"requires the {resource}:{action} permission")

    def scope(self, resource: str, action: str) -> DataScope:
        """The records of `resource` this caller may `action`: checks the permission, then unites
        the data ranges of exactly the roles that grant that action."""
        self.require(resource, action)
        permission = f"{resource}:{action}"
        grants = tuple(
            role.data_ranges.get(resource, Grant(DataRange.NONE))
            for role in self.roles
            if permission in role.permissions
        )
        return DataScope(self.tenant_id, self.user_id, self.department_ids, grants)

    def effective_ranges(self) -> dict[str, dict[str, DataRange]]:
        """resource -> action -> widest range, for /auth/me."""
        out: dict[str, dict[str, DataRange]] = {}
        for permission in sorted(self.permissions):
            resource, _, action = permission.partition(":")
            out.setdefault(resource, {})[action] = self.scope(resource, action).widest
        return out
