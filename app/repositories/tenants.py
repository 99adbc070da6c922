"""Tenants in PostgreSQL: creation (with the system roles) reuses PgIdentityRepository."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories.identity import PgIdentityRepository
from app.repositories.tables import tenants


class PgTenantRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.identity = PgIdentityRepository(conn)

    async def insert_tenant(self, name: str) -> UUID:
        return await self.identity.insert_tenant(name)

    async def insert_system_roles(self, tenant_id: UUID) -> dict[str, UUID]:
        return await self.identity.insert_system_roles(tenant_id)

    async def tenant_name(self, tenant_id: UUID) -> str | None:
        stmt = sa.select(tenants.c.name).where(tenants.c.id == tenant_id)
        return (await self.conn.execute(stmt)).scalar_one_or_none()
