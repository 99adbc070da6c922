"""Departments in PostgreSQL: a materialized-path tree ("/<root>/.../<id>/")."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.identity.entities import Department
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page, Sort
from app.repositories.listing import keyset, page_of
from app.repositories.tables import departments, users

d = departments
COLUMNS = [d.c.id, d.c.name, d.c.parent_id, d.c.path, d.c.created_at, d.c.updated_at, d.c.version]
# Tree order: a parent comes before its children. Paths are unique, so they make a keyset.
BY_PATH = Sort("path", descending=False)


def to_department(row: Any) -> Department:
    return Department(*row[: len(COLUMNS)])


class PgDepartmentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _live(self, tenant_id: UUID) -> sa.ColumnElement[bool]:
        return sa.and_(d.c.tenant_id == tenant_id, d.c.deleted_at.is_(None))

    async def get(self, tenant_id: UUID, department_id: UUID) -> Department | None:
        row = (
            await self.conn.execute(sa.select(*COLUMNS).where(self._live(tenant_id), d.c.id == department_id))
        ).first()
        return to_department(row) if row else None

    async def list(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[Department]:
        stmt = keyset(sa.select(*COLUMNS).where(self._live(tenant_id)), d, BY_PATH, cursor, limit)
        return page_of((await self.conn.execute(stmt)).all(), BY_PATH, limit, to_department)

    async def lock_tree(self, tenant_id: UUID) -> None:
        # A transaction-scoped advisory lock keyed by the tenant: released at commit/rollback.
        await self.conn.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(f"departments:{tenant_id}", 0)))
        )

    async def insert(self, tenant_id: UUID, name: str, parent: Department | None, actor: UUID) -> Department:
        dept_id = new_id()
        path = f"{parent.path if parent else '/'}{dept_id}/"
        stmt = (
            d.insert()
            .values(
                tenant_id=tenant_id, id=dept_id, name=name, parent_id=parent.id if parent else None, path=path,
                created_by=actor, updated_by=actor,
            )
            .returning(*COLUMNS)
        )  # fmt: skip
        return to_department((await self.conn.execute(stmt)).one())

    async def update(
        self, tenant_id: UUID, department: Department, name: str, parent: Department | None, move: bool, actor: UUID
    ) -> bool:
        values: dict[str, Any] = {"name": name}
        new_path = department.path
        if move:
            new_path = f"{parent.path if parent else '/'}{department.id}/"
            values |= {"parent_id": parent.id if parent else None, "path": new_path}
        result = await self.conn.execute(
            d.update()
            .where(self._live(tenant_id), d.c.id == department.id, d.c.version == department.version)
            .values(**values, updated_at=sa.func.now(), updated_by=actor, version=d.c.version + 1)
        )
        if result.rowcount != 1:
            return False
        if move:
            # Every descendant (deleted ones too, so a restore finds a consistent path).
            old = department.path
            await self.conn.execute(
                d.update()
                .where(d.c.tenant_id == tenant_id, d.c.path.startswith(old, autoescape=True), d.c.id != department.id)
                .values(path=sa.literal(new_path) + sa.func.substr(d.c.path, len(old) + 1))
            )
        return True

    async def has_members_or_children(self, tenant_id: UUID, department_id: UUID) -> bool:
        members = sa.select(users.c.id).where(
            users.c.tenant_id == tenant_id, users.c.department_id == department_id, users.c.deleted_at.is_(None)
        )
        children = sa.select(d.c.id).where(self._live(tenant_id), d.c.parent_id == department_id)
        stmt = sa.select(sa.or_(sa.exists(members), sa.exists(children)))
        return bool((await self.conn.execute(stmt)).scalar_one())

    async def delete(self, tenant_id: UUID, department_id: UUID, actor: UUID) -> None:
        await self.conn.execute(
            d.update()
            .where(self._live(tenant_id), d.c.id == department_id)
            .values(deleted_at=sa.func.now(), updated_at=sa.func.now(), updated_by=actor, version=d.c.version + 1)
        )
