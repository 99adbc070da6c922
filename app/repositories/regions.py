"""Regions in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.identity.entities import Region
from app.domain.shared.errors import Conflict
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page, Sort
from app.repositories.listing import keyset, page_of
from app.repositories.tables import customers, regions, roles, users

r = regions
COLUMNS = [r.c.id, r.c.code, r.c.name, r.c.created_at, r.c.updated_at, r.c.version]
BY_CODE = Sort("code", descending=False)


def to_region(row: Any) -> Region:
    return Region(*row[: len(COLUMNS)])


def _integrity(error: IntegrityError) -> Exception:
    if "uq_regions_tenant_code" in str(error.orig):
        return Conflict("a region with this code already exists")
    return error


class PgRegionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _live(self, tenant_id: UUID) -> sa.ColumnElement[bool]:
        return sa.and_(r.c.tenant_id == tenant_id, r.c.deleted_at.is_(None))

    async def get(self, tenant_id: UUID, region_id: UUID) -> Region | None:
        row = (await self.conn.execute(sa.select(*COLUMNS).where(self._live(tenant_id), r.c.id == region_id))).first()
        return to_region(row) if row else None

    async def list(self, tenant_id: UUID, limit: int, cursor: str | None) -> Page[Region]:
        stmt = keyset(sa.select(*COLUMNS).where(self._live(tenant_id)), r, BY_CODE, cursor, limit)
        return page_of((await self.conn.execute(stmt)).all(), BY_CODE, limit, to_region)

    async def code_owner(self, tenant_id: UUID, code: str) -> UUID | None:
        stmt = sa.select(r.c.id).where(self._live(tenant_id), r.c.code == code)
        return (await self.conn.execute(stmt)).scalar_one_or_none()

    async def existing(self, tenant_id: UUID, region_ids: Iterable[UUID]) -> set[UUID]:
        ids = list(region_ids)
        if not ids:
            return set()
        stmt = sa.select(r.c.id).where(self._live(tenant_id), r.c.id.in_(ids))
        return set((await self.conn.execute(stmt)).scalars())

    async def insert(self, tenant_id: UUID, code: str, name: str, actor: UUID) -> Region:
        stmt = (
            r.insert()
            .values(tenant_id=tenant_id, id=new_id(), code=code, name=name, created_by=actor, updated_by=actor)
            .returning(*COLUMNS)
        )
        try:
            return to_region((await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise _integrity(error)

    async def update(
        self, tenant_id: UUID, region_id: UUID, values: Mapping[str, Any], actor: UUID, version: int
    ) -> bool:
        stmt = (
            r.update()
            .where(self._live(tenant_id), r.c.id == region_id, r.c.version == version)
            .values(**values, updated_at=sa.func.now(), updated_by=actor, version=r.c.version + 1)
        )
        try:
            result = await self.conn.execute(stmt)
        except IntegrityError as error:
            raise _integrity(error)
        return result.rowcount == 1

    async def in_use(self, tenant_id: UUID, region_id: UUID) -> bool:
        by_users = sa.select(users.c.id).where(
            users.c.tenant_id == tenant_id, users.c.region_id == region_id, users.c.deleted_at.is_(None)
        )
        by_customers = sa.select(customers.c.id).where(
            customers.c.tenant_id == tenant_id, customers.c.region_id == region_id, customers.c.deleted_at.is_(None)
        )
        # A data range narrowed to this region: {"customers": {"regions": ["<id>", ...]}, ...}
        by_roles = sa.select(roles.c.id).where(
            roles.c.tenant_id == tenant_id,
            roles.c.deleted_at.is_(None),
            sa.func.jsonb_path_exists(
                roles.c.data_ranges,
                sa.literal_column("'$.*.regions[*] ? (@ == $id)'::jsonpath"),
                sa.func.jsonb_build_object("id", sa.cast(str(region_id), sa.Text)),
            ),
        )
        stmt = sa.select(sa.or_(sa.exists(by_users), sa.exists(by_customers), sa.exists(by_roles)))
        return bool((await self.conn.execute(stmt)).scalar_one())

    async def delete(self, tenant_id: UUID, region_id: UUID, actor: UUID) -> None:
        await self.conn.execute(
            r.update()
            .where(self._live(tenant_id), r.c.id == region_id)
            .values(deleted_at=sa.func.now(), updated_at=sa.func.now(), updated_by=actor, version=r.c.version + 1)
        )
