from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.custom_fields.entities import CustomFieldDef
from app.domain.shared.ids import new_id
from app.repositories.tables import custom_field_defs as t

COLUMNS = [
    t.c.id,
    t.c.entity,
    t.c.key,
    t.c.label,
    t.c.type,
    t.c.required,
    t.c.options,
    t.c.position,
    t.c.created_at,
    t.c.updated_at,
    t.c.version,
]


def definitions_query(tenant_id: UUID | Any, entity: str | Any) -> sa.Select[Any]:
    """Live definitions of one entity; also embedded as a subquery by the records' repositories."""
    return (
        sa.select(*COLUMNS)
        .where(t.c.tenant_id == tenant_id, t.c.entity == entity, t.c.deleted_at.is_(None))
        .order_by(t.c.position, t.c.key)
    )


def to_def(row: Any) -> CustomFieldDef:
    return CustomFieldDef(**row._mapping)


class PgCustomFieldRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def list_all(self, tenant_id: UUID, entity: str | None) -> list[CustomFieldDef]:
        stmt = sa.select(*COLUMNS).where(t.c.tenant_id == tenant_id, t.c.deleted_at.is_(None))
        if entity:
            stmt = stmt.where(t.c.entity == entity)
        rows = await self.conn.execute(stmt.order_by(t.c.entity, t.c.position, t.c.key))
        return [to_def(r) for r in rows]

    async def get(self, tenant_id: UUID, field_id: UUID) -> CustomFieldDef | None:
        row = (
            await self.conn.execute(
                sa.select(*COLUMNS).where(t.c.tenant_id == tenant_id, t.c.id == field_id, t.c.deleted_at.is_(None))
            )
        ).first()
        return to_def(row) if row else None

    async def key_exists(self, tenant_id: UUID, entity: str, key: str) -> bool:
        row = (
            await self.conn.execute(
                sa.select(t.c.id).where(
                    t.c.tenant_id == tenant_id,
                    t.c.entity == entity,
                    t.c.key == key,
                    t.c.deleted_at.is_(None),
                )
            )
        ).first()
        return row is not None

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> CustomFieldDef:
        row = (
            await self.conn.execute(
                t.insert()
                .values(tenant_id=tenant_id, id=new_id(), created_by=actor, updated_by=actor, **values)
                .returning(*COLUMNS)
            )
        ).one()
        return to_def(row)

    async def update(
        self, tenant_id: UUID, field_id: UUID, actor: UUID, changes: dict[str, Any]
    ) -> CustomFieldDef | None:
        row = (
            await self.conn.execute(
                t.update()
                .where(t.c.tenant_id == tenant_id, t.c.id == field_id, t.c.deleted_at.is_(None))
                .values(**changes, updated_by=actor, updated_at=sa.func.now(), version=t.c.version + 1)
                .returning(*COLUMNS)
            )
        ).first()
        return to_def(row) if row else None

    async def soft_delete(self, tenant_id: UUID, field_id: UUID, actor: UUID) -> bool:
        result = await self.conn.execute(
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.id == field_id, t.c.deleted_at.is_(None))
            .values(
                deleted_at=sa.func.now(),
                updated_by=actor,
                updated_at=sa.func.now(),
                version=t.c.version + 1,
            )
        )
        return bool(result.rowcount)
