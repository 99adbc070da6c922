"""Departments: a tree per tenant, kept as a materialized path so "my department and everything
below it" is one prefix match. Writes take a per-tenant tree lock, so two concurrent moves can
never build a cycle and a new child never lands under a path that is being rewritten."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.identity.entities import Department
from app.domain.identity.ports import DepartmentRepository
from app.domain.shared.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, diff


def _view(d: Department) -> dict[str, Any]:
    return {"name": d.name, "parent_id": d.parent_id}


class DepartmentService:
    def __init__(self, departments: DepartmentRepository, audit: AuditTrail) -> None:
        self.departments = departments
        self.audit = audit

    async def list(self, principal: Principal, limit: int, cursor: str | None) -> Page[Department]:
        principal.require("departments", "read")
        return await self.departments.list(principal.tenant_id, limit, cursor)

    async def get(self, principal: Principal, department_id: UUID) -> Department:
        principal.require("departments", "read")
        return await self._get(principal.tenant_id, department_id)

    async def create(self, principal: Principal, name: str, parent_id: UUID | None) -> Department:
        principal.require("departments", "create")
        tenant_id = principal.tenant_id
        await self.departments.lock_tree(tenant_id)
        parent = await self._parent(tenant_id, parent_id)
        created = await self.departments.insert(tenant_id, name, parent, principal.user_id)
        await self.audit.record(principal, "department.created", "department", created.id, diff(None, _view(created)))
        return created

    async def update(
        self, principal: Principal, department_id: UUID, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> Department:
        """Rename and/or re-parent (`parent_id: null` makes it a root)."""
        principal.require("departments", "update")
        tenant_id = principal.tenant_id
        await self.departments.lock_tree(tenant_id)
        current = await self._get(tenant_id, department_id)
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed("the department changed since you read it")
        name = changes.get("name", current.name)
        if name is None:
            raise ValidationFailed.one("name", "must not be null")
        moving = "parent_id" in changes and changes["parent_id"] != current.parent_id
        parent: Department | None = None
        if moving:
            parent = await self._parent(tenant_id, changes["parent_id"])
            if parent is not None and parent.path.startswith(current.path):
                raise ValidationFailed.one("parent_id", "cannot be the department itself or one of its sub-departments")
        if name == current.name and not moving:
            return current
        if not await self.departments.update(tenant_id, current, name, parent, moving, principal.user_id):
            raise PreconditionFailed("the department changed since you read it")
        updated = await self._get(tenant_id, department_id)
        await self.audit.record(
            principal, "department.updated", "department", department_id, diff(_view(current), _view(updated))
        )
        return updated

    async def delete(self, principal: Principal, department_id: UUID) -> None:
        principal.require("departments", "delete")
        tenant_id = principal.tenant_id
        await self.departments.lock_tree(tenant_id)
        current = await self._get(tenant_id, department_id)
        if await self.departments.has_members_or_children(tenant_id, department_id):
            raise Conflict("the department still has members or sub-departments; move them first")
        await self.departments.delete(tenant_id, department_id, principal.user_id)
        await self.audit.record(
            principal, "department.deleted", "department", department_id, diff(_view(current), None)
        )

    async def _get(self, tenant_id: UUID, department_id: UUID) -> Department:
        found = await self.departments.get(tenant_id, department_id)
        if found is None:
            raise NotFound("no such department")
        return found

    async def _parent(self, tenant_id: UUID, parent_id: UUID | None) -> Department | None:
        if parent_id is None:
            return None
        parent = await self.departments.get(tenant_id, parent_id)
        if parent is None:
            raise ValidationFailed.one("parent_id", "refers to no such department")
        return parent
