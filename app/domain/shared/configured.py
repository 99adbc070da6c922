"""Tenant configuration records (lead scoring rules, assignment rules, lead forms, ...): a list
an administrator keeps, read by the use cases that apply it. The same four use cases for each:
list, create, change, delete (soft), each audited. A module subclasses `ConfiguredRecords`,
names the permission resource and entity, and checks values in `_prepare`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared.errors import NotFound
from app.domain.shared.ports import AuditTrail, diff

T = TypeVar("T")


class ConfiguredRepository(Protocol[T]):
    async def list(self, tenant_id: UUID) -> list[T]: ...
    async def get(self, tenant_id: UUID, record_id: UUID) -> T | None: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> T: ...
    async def update(self, tenant_id: UUID, record_id: UUID, actor: UUID, values: dict[str, Any]) -> T: ...
    async def delete(self, tenant_id: UUID, record_id: UUID, actor: UUID) -> None: ...


class ConfiguredRecords(Generic[T]):
    resource: ClassVar[str]  # permissions: "<resource>:manage" to change, `read_action` to list
    entity: ClassVar[str]  # audit actions and messages: "lead_scoring_rule"
    read_action: ClassVar[str] = "read"

    def __init__(self, records: ConfiguredRepository[T], audit: AuditTrail) -> None:
        self.records = records
        self.audit = audit

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: T | None) -> None:
        """Check and complete the values of a new record, or the changes to `current`."""

    async def list(self, principal: Principal) -> list[T]:
        principal.require(self.resource, self.read_action)
        return await self.records.list(principal.tenant_id)

    async def create(self, principal: Principal, values: dict[str, Any]) -> T:
        principal.require(self.resource, "manage")
        await self._prepare(principal, values, None)
        made = await self.records.insert(principal.tenant_id, principal.user_id, values)
        await self._audit(principal, "created", made, diff(None, asdict(made)))  # type: ignore[call-overload]
        return made

    async def update(self, principal: Principal, record_id: UUID, changes: dict[str, Any]) -> T:
        principal.require(self.resource, "manage")
        current = await self._get(principal, record_id)
        await self._prepare(principal, changes, current)
        updated = await self.records.update(principal.tenant_id, record_id, principal.user_id, changes)
        await self._audit(principal, "updated", updated, diff(asdict(current), asdict(updated)))  # type: ignore[call-overload]
        return updated

    async def delete(self, principal: Principal, record_id: UUID) -> None:
        principal.require(self.resource, "manage")
        current = await self._get(principal, record_id)
        await self.records.delete(principal.tenant_id, record_id, principal.user_id)
        await self._audit(principal, "deleted", current, {"deleted": {"before": False, "after": True}})

    async def _get(self, principal: Principal, record_id: UUID) -> T:
        found = await self.records.get(principal.tenant_id, record_id)
        if found is None:
            raise NotFound(f"no such {self.entity.replace('_', ' ')}")
        return found

    async def _audit(self, principal: Principal, event: str, record: T, changes: dict[str, Any]) -> None:
        record_id: UUID = record.id  # type: ignore[attr-defined]
        await self.audit.record(principal, f"{self.entity}.{event}", self.resource, record_id, changes)
        await self._changed(principal, record)

    async def _changed(self, principal: Principal, record: T) -> None:
        """After a create, change or delete, in its transaction: what else follows from it."""
