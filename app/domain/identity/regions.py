"""Regions: a flat list per tenant (code unique), used on users and customers and to narrow data
ranges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.identity.entities import Region
from app.domain.identity.ports import RegionRepository
from app.domain.shared.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, diff


def _view(r: Region) -> dict[str, Any]:
    return {"code": r.code, "name": r.name}


class RegionService:
    def __init__(self, regions: RegionRepository, audit: AuditTrail) -> None:
        self.regions = regions
        self.audit = audit

    async def list(self, principal: Principal, limit: int, cursor: str | None) -> Page[Region]:
        principal.require("regions", "read")
        return await self.regions.list(principal.tenant_id, limit, cursor)

    async def get(self, principal: Principal, region_id: UUID) -> Region:
        principal.require("regions", "read")
        return await self._get(principal.tenant_id, region_id)

    async def create(self, principal: Principal, code: str, name: str) -> Region:
        principal.require("regions", "create")
        await self._code_free(principal.tenant_id, code, None)
        created = await self.regions.insert(principal.tenant_id, code, name, principal.user_id)
        await self.audit.record(principal, "region.created", "region", created.id, diff(None, _view(created)))
        return created

    async def update(
        self, principal: Principal, region_id: UUID, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> Region:
        principal.require("regions", "update")
        current = await self._get(principal.tenant_id, region_id)
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed("the region changed since you read it")
        values = {k: changes[k] for k in ("code", "name") if k in changes and changes[k] != getattr(current, k)}
        for key, value in values.items():
            if value is None:
                raise ValidationFailed.one(key, "must not be null")
        if not values:
            return current
        if "code" in values:
            await self._code_free(principal.tenant_id, values["code"], region_id)
        if not await self.regions.update(principal.tenant_id, region_id, values, principal.user_id, current.version):
            raise PreconditionFailed("the region changed since you read it")
        updated = await self._get(principal.tenant_id, region_id)
        await self.audit.record(principal, "region.updated", "region", region_id, diff(_view(current), _view(updated)))
        return updated

    async def delete(self, principal: Principal, region_id: UUID) -> None:
        principal.require("regions", "delete")
        current = await self._get(principal.tenant_id, region_id)
        if await self.regions.in_use(principal.tenant_id, region_id):
            raise Conflict("the region is still used by users, customers or role data ranges")
        await self.regions.delete(principal.tenant_id, region_id, principal.user_id)
        await self.audit.record(principal, "region.deleted", "region", region_id, diff(_view(current), None))

    async def _get(self, tenant_id: UUID, region_id: UUID) -> Region:
        found = await self.regions.get(tenant_id, region_id)
        if found is None:
            raise NotFound("no such region")
        return found

    async def _code_free(self, tenant_id: UUID, code: str, own_id: UUID | None) -> None:
        owner = await self.regions.code_owner(tenant_id, code)
        if owner is not None and owner != own_id:
            raise Conflict(f"a region with code {code!r} already exists", existing_id=str(owner))
