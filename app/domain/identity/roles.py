"""Roles: a set of permissions plus, per ranged resource, a data range.

System roles (app/auth/permissions.SYSTEM_ROLES) are seeded per tenant. Their key, permissions and
data ranges are fixed: they are the product's reference definitions, the same in every tenant and
upgraded with the product. Their name and description may be changed (translated, say). A tenant
that wants a variant creates a custom role. System roles and roles held by users cannot be
deleted.

Nobody defines a role granting more than they hold themselves (app/domain/identity/grants.py;
the owner aside), and nobody changes the permissions of a role they hold.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.auth.permissions import ALL_PERMISSIONS, RANGED_RESOURCES
from app.auth.principal import Principal
from app.domain.identity.entities import Role
from app.domain.identity.grants import require_holds
from app.domain.identity.ports import RegionRepository, RoleRepository
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, diff
from app.domain.shared.scope import DataRange

KEY = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
FIXED_ON_SYSTEM_ROLES = ("key", "permissions", "data_ranges")
RANGE_FIELDS = {"range", "regions", "customer_types"}


def check_permissions(permissions: Iterable[str], field: str = "permissions") -> list[str]:
    """Sorted, de-duplicated; 422 naming the first unknown permission."""
    listed = list(permissions)
    for index, permission in enumerate(listed):
        if permission not in ALL_PERMISSIONS:
            raise ValidationFailed.one(f"{field}.{index}", f"unknown permission {permission!r}")
    return sorted(set(listed))


@dataclass(frozen=True, slots=True)
class _Definition:
    """A role's grant as submitted, before it is stored."""

    permissions: builtins.list[str]
    data_ranges: Mapping[str, Mapping[str, Any]]


class RoleService:
    def __init__(self, roles: RoleRepository, regions: RegionRepository, audit: AuditTrail) -> None:
        self.roles = roles
        self.regions = regions
        self.audit = audit

    async def list(self, principal: Principal, limit: int, cursor: str | None) -> Page[Role]:
        principal.require("roles", "read")
        return await self.roles.list(principal.tenant_id, limit, cursor)

    async def get(self, principal: Principal, role_id: UUID) -> Role:
        principal.require("roles", "read")
        return await self._get(principal.tenant_id, role_id)

    async def create(
        self,
        principal: Principal,
        *,
        key: str | None,
        name: str,
        description: str,
        permissions: Iterable[str],
        data_ranges: Mapping[str, Mapping[str, Any]],
    ) -> Role:
        principal.require("roles", "create")
        tenant_id = principal.tenant_id
        key = key or f"custom_{new_id().hex[-12:]}"
        await self._check_key(tenant_id, key, None)
        perms = check_permissions(permissions)
        ranges = await self._check_ranges(tenant_id, perms, data_ranges)
        require_holds(principal, [_Definition(perms, ranges)], "create a role granting")
        role = await self.roles.insert(
            tenant_id,
            {"key": key, "name": name, "description": description, "permissions": perms, "data_ranges": ranges},
            principal.user_id,
        )
        await self.audit.record(principal, "role.created", "role", role.id, diff(None, role.audit_view()))
        return role

    async def update(
        self, principal: Principal, role_id: UUID, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> Role:
        principal.require("roles", "update")
        tenant_id = principal.tenant_id
        current = await self._get(tenant_id, role_id)
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed("the role changed since you read it")
        for key in ("key", "name", "description", "permissions", "data_ranges"):
            if key in changes and changes[key] is None:
                raise ValidationFailed.one(key, "must not be null")
        values: dict[str, Any] = {k: changes[k] for k in ("key", "name", "description") if k in changes}
        if "key" in values:
            await self._check_key(tenant_id, values["key"], role_id)
        perms = check_permissions(changes["permissions"]) if "permissions" in changes else current.permissions
        if "permissions" in changes or "data_ranges" in changes:
            values["permissions"] = perms
            values["data_ranges"] = await self._check_ranges(
                tenant_id, perms, changes.get("data_ranges", current.data_ranges)
            )
        values = {k: v for k, v in values.items() if v != getattr(current, k)}
        if not values:
            return current
        if current.is_system:
            fixed = [k for k in FIXED_ON_SYSTEM_ROLES if k in values]
            if fixed:
                raise Conflict(
                    f"the {', '.join(fixed)} of a system role cannot be changed; create a custom role instead"
                )
        if "permissions" in values or "data_ranges" in values:
            if any(held.key == current.key for held in principal.roles):
                raise PermissionDenied("you cannot change a role you hold")
            definition = _Definition(
                values.get("permissions", current.permissions), values.get("data_ranges", current.data_ranges)
            )
            require_holds(principal, [definition], "give a role")
        if not await self.roles.update(tenant_id, role_id, values, principal.user_id, current.version):
            raise PreconditionFailed("the role changed since you read it")
        updated = await self._get(tenant_id, role_id)
        await self.audit.record(
            principal, "role.updated", "role", role_id, diff(current.audit_view(), updated.audit_view())
        )
        return updated

    async def delete(self, principal: Principal, role_id: UUID) -> None:
        principal.require("roles", "delete")
        current = await self._get(principal.tenant_id, role_id)
        if current.is_system:
            raise Conflict("a system role cannot be deleted")
        if await self.roles.in_use(principal.tenant_id, role_id):
            raise Conflict("the role is still held by users; take it from them first")
        await self.roles.delete(principal.tenant_id, role_id, principal.user_id)
        await self.audit.record(principal, "role.deleted", "role", role_id, diff(current.audit_view(), None))

    async def _get(self, tenant_id: UUID, role_id: UUID) -> Role:
        found = await self.roles.get(tenant_id, role_id)
        if found is None:
            raise NotFound("no such role")
        return found

    async def _check_key(self, tenant_id: UUID, key: str, own_id: UUID | None) -> None:
        if not KEY.match(key):
            raise ValidationFailed.one("key", "must be 2-63 characters: a-z, 0-9 and _, starting with a letter")
        owner = await self.roles.key_owner(tenant_id, key)
        if owner is not None and owner != own_id:
            raise Conflict(f"a role with key {key!r} already exists", existing_id=str(owner))

    async def _check_ranges(
        self, tenant_id: UUID, permissions: builtins.list[str], data_ranges: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        """Normalized data ranges. A ranged resource the role grants anything on needs one (a
        missing range would silently grant nothing)."""
        out: dict[str, dict[str, Any]] = {}
        for resource, spec in data_ranges.items():
            field = f"data_ranges.{resource}"
            if resource not in RANGED_RESOURCES:
                raise ValidationFailed.one(field, f"only {', '.join(sorted(RANGED_RESOURCES))} take a data range")
            unknown = set(spec) - RANGE_FIELDS
            if unknown:
                raise ValidationFailed.one(f"{field}.{sorted(unknown)[0]}", "is not a data-range field")
            try:
                range_ = DataRange(str(spec.get("range")))
            except ValueError:
                raise ValidationFailed.one(f"{field}.range", "must be one of none, own, department, all")
            regions = spec.get("regions")
            if regions is not None:
                try:
                    region_ids = [UUID(str(r)) for r in regions]
                except ValueError:
                    raise ValidationFailed.one(f"{field}.regions", "must be a list of region ids")
                if not region_ids:
                    raise ValidationFailed.one(f"{field}.regions", "must not be empty; null means any region")
                known = await self.regions.existing(tenant_id, region_ids)
                for index, region_id in enumerate(region_ids):
                    if region_id not in known:
                        raise ValidationFailed.one(f"{field}.regions.{index}", f"refers to no such region: {region_id}")
                regions = sorted({str(r) for r in region_ids})
            types = spec.get("customer_types")
            if types is not None:
                if not types:
                    raise ValidationFailed.one(f"{field}.customer_types", "must not be empty; null means any type")
                types = sorted(set(types))
            out[resource] = {"range": str(range_), "regions": regions, "customer_types": types}
        for resource in sorted({p.partition(":")[0] for p in permissions} & RANGED_RESOURCES):
            if resource not in out:
                raise ValidationFailed.one(
                    f"data_ranges.{resource}", f"is required: the role grants {resource} permissions"
                )
        return out
