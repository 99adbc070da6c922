"""Dashboards in PostgreSQL (app/domain/analytics/dashboards.py): a configured table with versions,
listed per owner or shared role key."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from app.domain.analytics.dashboards import Dashboard
from app.repositories.configured import ConfiguredTable
from app.repositories.tables import dashboards, roles

d = dashboards


class PgDashboardRepository(ConfiguredTable[Dashboard]):
    table = d
    record = Dashboard
    order_by = ("name", "id")
    fk_fields = {"fk_dashboards_owner": "owner_id"}

    async def visible(self, tenant_id: UUID, user_id: UUID, role_keys: list[str]) -> list[Dashboard]:
        mine = d.c.owner_id == user_id
        shared = d.c.shared_roles.overlap(sa.literal(role_keys, ARRAY(sa.Text)))
        stmt = self._live(tenant_id).where(sa.or_(mine, shared)).order_by(d.c.name, d.c.id)
        return [self._to_record(row) for row in await self.conn.execute(stmt)]

    async def get(self, tenant_id: UUID, dashboard_id: UUID, *, for_update: bool = False) -> Dashboard | None:
        if not for_update:
            return await super().get(tenant_id, dashboard_id)
        stmt = self._live(tenant_id).where(d.c.id == dashboard_id).with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return self._to_record(row) if row else None

    async def restore(self, tenant_id: UUID, dashboard_id: UUID, actor: UUID) -> Dashboard | None:
        stmt = (
            d.update()
            .where(d.c.tenant_id == tenant_id, d.c.id == dashboard_id, d.c.owner_id == actor)
            .where(d.c.deleted_at.is_not(None))
            .values(deleted_at=None, updated_by=actor, updated_at=sa.func.now(), version=d.c.version + 1)
            .returning(*self.columns)
        )
        row = (await self.conn.execute(stmt)).first()
        return self._to_record(row) if row else None

    async def role_keys(self, tenant_id: UUID) -> set[str]:
        r = roles
        stmt = sa.select(r.c.key).where(r.c.tenant_id == tenant_id, r.c.deleted_at.is_(None))
        return set((await self.conn.execute(stmt)).scalars())
