"""PostgreSQL adapter for tenant configuration records (app/domain/shared/configured.py): a
table keyed by (tenant_id, id) with the record columns, rows mapped to a domain dataclass,
soft-deleted. A module subclasses `ConfiguredTable` with its table, record class and order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.ids import new_id
from app.repositories.integrity import foreign_key_error
from app.repositories.prepared import Prepared, StatementCache

T = TypeVar("T")
_STATEMENTS = StatementCache()


class ConfiguredTable(Generic[T]):
    table: ClassVar[sa.Table]
    record: ClassVar[Callable[..., Any]]
    order_by: ClassVar[tuple[str, ...]] = ("created_at", "id")
    # Foreign keys a client can point at a missing row: constraint -> the field that gets the 422.
    fk_fields: ClassVar[dict[str, str]] = {}
    columns: ClassVar[list[sa.Column[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "record" in cls.__dict__:  # not an intermediate base (app/repositories/routing.py)
            cls.columns = [cls.table.c[name] for name in cls.record.__dataclass_fields__]  # type: ignore[attr-defined]

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _live(self, tenant_id: UUID | sa.BindParameter[Any]) -> sa.Select[Any]:
        t = self.table
        return sa.select(*self.columns).where(t.c.tenant_id == tenant_id, t.c.deleted_at.is_(None))

    def _to_record(self, row: Any) -> T:
        return self.record(*row[: len(self.columns)])  # type: ignore[no-any-return]

    def _prepared(self, one: bool) -> Prepared:
        """The live records of a tenant in order, or (one) the one of an id: prepared once per
        class. Writes read their tenant's configuration (routing rules, SLA policies, a public
        form's scoring rules) on every call."""
        t = self.table

        def build() -> sa.ClauseElement:
            stmt = self._live(sa.bindparam("tenant_id", type_=t.c.tenant_id.type))
            if one:
                return stmt.where(t.c.id == sa.bindparam("id", type_=t.c.id.type))
            return stmt.order_by(*(t.c[name] for name in self.order_by))

        return _STATEMENTS.get((type(self), one), build)

    async def list(self, tenant_id: UUID) -> list[T]:
        rows = await self._prepared(False).rows(self.conn, {"tenant_id": tenant_id})
        return [self._to_record(row) for row in rows]

    async def get(self, tenant_id: UUID, record_id: UUID) -> T | None:
        rows = await self._prepared(True).rows(self.conn, {"tenant_id": tenant_id, "id": record_id})
        return self._to_record(rows[0]) if rows else None

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> T:
        stmt = (
            self.table.insert()
            .values(tenant_id=tenant_id, id=new_id(), created_by=actor, updated_by=actor, **values)
            .returning(*self.columns)
        )
        return await self._write(stmt)

    async def update(self, tenant_id: UUID, record_id: UUID, actor: UUID, values: dict[str, Any]) -> T:
        t = self.table
        stmt = (
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.id == record_id, t.c.deleted_at.is_(None))
            .values(**values, updated_by=actor, updated_at=sa.func.now(), version=t.c.version + 1)
            .returning(*self.columns)
        )
        return await self._write(stmt)

    async def delete(self, tenant_id: UUID, record_id: UUID, actor: UUID) -> None:
        t = self.table
        await self.conn.execute(
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.id == record_id, t.c.deleted_at.is_(None))
            .values(deleted_at=sa.func.now(), updated_by=actor, updated_at=sa.func.now(), version=t.c.version + 1)
        )

    async def _write(self, stmt: sa.Executable) -> T:
        try:
            return self._to_record((await self.conn.execute(stmt)).one())
        except IntegrityError as error:
            raise foreign_key_error(error, self.fk_fields)
