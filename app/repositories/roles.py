"""Roles in PostgreSQL (permissions as text[], data ranges as JSONB)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.identity.entities import Role
from app.domain.shared.errors import Conflict
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page, Sort
from app.repositories.listing import keyset, page_of
from app.repositories.tables import roles, user_roles

r = roles
COLUMNS = [
    r.c.id, r.c.key, r.c.name, r.c.description, r.c.is_system, r.c.permissions, r.c.data_ranges,
    r.c.created_at, r.c.updated_at, r.c.version,
]  # fmt: skip
BY_KEY = Sort("key", descending=False)


def _full_range(spec: Mapping[str, Any]) -> dict[str, Any]:
    # Seeded system roles store only {"range": ...}; the API always shows the three fields.
    return {
        "range": spec.get("range", "none"),
        "regions": spec.get("regions"),
        "customer_types": spec.get("customer_types"),
    }


def to_role(row: Any) -> Role:
    values = list(row[: len(COLUMNS)])
    values[5] = sorted(values[5])
    values[6] = {res: _full_range(spec) for res, spec in (values[6] or {}).items()}
    return Role(*values)


def _integrity(error: IntegrityError) -> Exception:
    if "uq_roles_tenant_key" in str(error.orig):
        return Conflict("a role with this key already exists")
    return error


class PgRoleRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _live(self, tenant_id: UUID) -> sa.ColumnElement[bool]:
        return sa.and_(r.c.tenant_id == tenant_id, r.c.deleted_at.is_(None))

    async def get(self, tenant_id: UUID, role_id: UUID) -> Role | None:
        row = (await self.conn.execute(sa.select(*COLUMNS).where(self._live(tenant_id), r.c.id == role_id))).first()
        return to_role(row) if row else None

    async def list(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[Role]:
        stmt = keyset(sa.select(*COLUMNS).where(self._live(tenant_id)), r, BY_KEY, cursor, limit)
        return page_of((await self.conn.execute(stmt)).all(), BY_KEY, limit, to_role)

    async def by_ids(self, tenant_id: UUID, role_ids: Iterable[UUID]) -> builtins.list[Role]:
        ids = list(role_ids)
        if not ids:
            return []
        rows = await self.conn.execute(sa.select(*COLUMNS).where(self._live(tenant_id), r.c.id.in_(ids)))
        return [to_role(row) for row in rows]

    async def by_keys(self, tenant_id: UUID, keys: Iterable[str]) -> builtins.list[Role]:
        wanted = list(keys)
        if not wanted:
            return []
        rows = await self.conn.execute(sa.select(*COLUMNS).where(self._live(tenant_id), r.c.key.in_(wanted)))
        return [to_role(row) for row in rows]

    async def key_owner(self, tenant_id: UUID, key: str) -> UUID | None:
        stmt = sa.select(r.c.id).where(self._live(tenant_id), r.c.key == key)
        return (await self.conn.execute(stmt)).scalar_one_or_none()

    async def insert(self, tenant_id: UUID, values: Mapping[str, Any], actor: UUID) -> Role:
        stmt = (
            r.insert()
            .values(tenant_id=tenant_id, id=new_id(), is_system=False, created_by=actor, updated_by=actor, **values)
            .returning(*COLUMNS)
        )
        try:
            return to_role((await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise _integrity(error)

    async def update(
        self, tenant_id: UUID, role_id: UUID, values: Mapping[str, Any], actor: UUID, version: int
    ) -> bool:
        stmt = (
            r.update()
            .where(self._live(tenant_id), r.c.id == role_id, r.c.version == version)
            .values(**values, updated_at=sa.func.now(), updated_by=actor, version=r.c.version + 1)
        )
        try:
            result = await self.conn.execute(stmt)
        except IntegrityError as error:
            raise _integrity(error)
        return result.rowcount == 1

    async def in_use(self, tenant_id: UUID, role_id: UUID) -> bool:
        held = sa.select(user_roles.c.user_id).where(
            user_roles.c.tenant_id == tenant_id, user_roles.c.role_id == role_id
        )
        return bool((await self.conn.execute(sa.select(sa.exists(held)))).scalar_one())

    async def delete(self, tenant_id: UUID, role_id: UUID, actor: UUID) -> None:
        await self.conn.execute(
            r.update()
            .where(self._live(tenant_id), r.c.id == role_id)
            .values(deleted_at=sa.func.now(), updated_at=sa.func.now(), updated_by=actor, version=r.c.version + 1)
        )
