"""Who owns a record: the rules every owned resource (customers, contacts, activities) shares.

A new record belongs to its creator unless the caller names another owner, which needs the
resource's `assign` permission; the owner's department is stored beside the owner so that data
ranges stay plain predicates (DESIGN.md section 2)."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared.errors import PermissionDenied, ValidationFailed


class UserDirectory(Protocol):
    async def active_user_department(self, tenant_id: UUID, user_id: UUID) -> tuple[bool, UUID | None] | None:
        """(user exists and is active, their department), or None when no such user."""
        ...


async def owner_department(
    principal: Principal, users: UserDirectory, owner_id: UUID, field: str = "owner_id"
) -> UUID | None:
    """The department of `owner_id`, who must be an active user of the caller's tenant."""
    found = await users.active_user_department(principal.tenant_id, owner_id)
    if found is None or not found[0]:
        raise ValidationFailed.one(field, "is not an active user of this tenant")
    return found[1]


async def set_new_owner(principal: Principal, resource: str, users: UserDirectory, values: dict[str, Any]) -> None:
    """Fill values["owner_id"] and values["department_id"] for a record being created."""
    owner_id = values.get("owner_id")
    if owner_id is None or owner_id == principal.user_id:
        values["owner_id"], values["department_id"] = principal.user_id, principal.department_id
        return
    if not principal.can(resource, "assign"):
        raise PermissionDenied(f"setting owner_id requires the {resource}:assign permission")
    values["department_id"] = await owner_department(principal, users, owner_id)
