"""Users in PostgreSQL: administration reads and writes, credentials for sign-in, and the
department hand-over of owned records."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.principal import Principal
from app.domain.identity.entities import USER_SORTABLE, Credentials, RoleSummary, User, UserQuery
from app.domain.shared.errors import Conflict, ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import search_pattern
from app.domain.shared.paging import Page, Sort
from app.repositories.listing import keyset, page_of
from app.repositories.principals import PgPrincipalRepository
from app.repositories.tables import activities, contacts, customers, roles, user_roles, users

u = users
ROLE_IDS = (
    sa.select(sa.func.array_agg(aggregate_order_by(user_roles.c.role_id, user_roles.c.role_id)))
    .where(user_roles.c.tenant_id == u.c.tenant_id, user_roles.c.user_id == u.c.id)
    .scalar_subquery()
    .label("role_ids")
)
COLUMNS = [
    u.c.id, u.c.email, u.c.name, u.c.department_id, u.c.region_id, u.c.locale, u.c.timezone, u.c.active,
    ROLE_IDS, u.c.last_login_at, u.c.created_at, u.c.updated_at, u.c.version,
    u.c.password_hash.is_not(None).label("password_set"),
]  # fmt: skip
# Tables whose rows carry their owner's department (DESIGN.md section 2).
OWNED_TABLES = (customers, contacts, activities)
FK_FIELDS = {"fk_users_department": "department_id", "fk_users_region": "region_id"}


def to_user(row: Any) -> User:
    values = list(row[: len(COLUMNS)])
    values[8] = list(values[8] or [])
    return User(*values)


def _integrity(error: IntegrityError) -> Exception:
    text = str(error.orig)
    if "uq_users_email" in text:
        return Conflict("a user with this email already exists")
    for constraint, field in FK_FIELDS.items():
        if constraint in text:
            return ValidationFailed.one(field, "refers to no such record")
    return error


class PgUserRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, tenant_id: UUID, user_id: UUID) -> User | None:
        stmt = sa.select(*COLUMNS).where(u.c.tenant_id == tenant_id, u.c.id == user_id, u.c.deleted_at.is_(None))
        row = (await self.conn.execute(stmt)).first()
        return to_user(row) if row else None

    async def list(self, tenant_id: UUID, query: UserQuery) -> Page[User]:
        sort = Sort.parse(query.sort, USER_SORTABLE)
        stmt = sa.select(*COLUMNS).where(u.c.tenant_id == tenant_id, u.c.deleted_at.is_(None))
        if query.department_id is not None:
            stmt = stmt.where(u.c.department_id == query.department_id)
        if query.active is not None:
            stmt = stmt.where(u.c.active.is_(query.active))
        if query.q:
            pattern = search_pattern(query.q)
            stmt = stmt.where(sa.or_(sa.func.lower(u.c.name).like(pattern), sa.func.lower(u.c.email).like(pattern)))
        rows = (await self.conn.execute(keyset(stmt, u, sort, query.cursor, query.limit))).all()
        return page_of(rows, sort, query.limit, to_user)

    async def email_owner(self, email: str) -> UUID | None:
        stmt = sa.select(u.c.id).where(sa.func.lower(u.c.email) == email.strip().lower())
        return (await self.conn.execute(stmt)).scalar_one_or_none()

    async def insert(
        self, tenant_id: UUID, values: Mapping[str, Any], password_hash: str | None, actor: UUID | None
    ) -> UUID:
        user_id = new_id()
        try:
            await self.conn.execute(
                u.insert().values(
                    tenant_id=tenant_id, id=user_id, password_hash=password_hash,
                    created_by=actor or user_id, updated_by=actor or user_id,
                    # A second earlier, so a token issued in the creating second verifies.
                    tokens_valid_after=sa.text("now() - interval '1 second'"),
                    **values,
                )
            )  # fmt: skip
        except IntegrityError as error:
            raise _integrity(error)
        return user_id

    async def update(
        self, tenant_id: UUID, user_id: UUID, values: Mapping[str, Any], actor: UUID, version: int
    ) -> bool:
        stmt = (
            u.update()
            .where(u.c.tenant_id == tenant_id, u.c.id == user_id, u.c.version == version)
            .values(**values, updated_at=sa.func.now(), updated_by=actor, version=u.c.version + 1)
        )
        try:
            result = await self.conn.execute(stmt)
        except IntegrityError as error:
            raise _integrity(error)
        return result.rowcount == 1

    async def set_roles(self, tenant_id: UUID, user_id: UUID, role_ids: Iterable[UUID]) -> None:
        await self.conn.execute(
            user_roles.delete().where(user_roles.c.tenant_id == tenant_id, user_roles.c.user_id == user_id)
        )
        rows = [{"tenant_id": tenant_id, "user_id": user_id, "role_id": r} for r in dict.fromkeys(role_ids)]
        if rows:
            await self.conn.execute(user_roles.insert(), rows)

    async def set_active(
        self, tenant_id: UUID, user_id: UUID, active: bool, actor: UUID, tokens_valid_after: datetime
    ) -> None:
        await self.conn.execute(
            u.update()
            .where(u.c.tenant_id == tenant_id, u.c.id == user_id)
            .values(
                active=active, tokens_valid_after=tokens_valid_after, updated_at=sa.func.now(), updated_by=actor,
                version=u.c.version + 1,
            )
        )  # fmt: skip

    async def set_password(self, tenant_id: UUID, user_id: UUID, password_hash: str | None, actor: UUID) -> None:
        await self.conn.execute(
            u.update()
            .where(u.c.tenant_id == tenant_id, u.c.id == user_id)
            .values(password_hash=password_hash, updated_at=sa.func.now(), updated_by=actor)
        )

    async def move_owned_records(self, tenant_id: UUID, owner_id: UUID, department_id: UUID | None) -> None:
        """Plain UPDATEs in the caller's transaction: the records follow their owner at once, so
        department data ranges stay plain indexed predicates. Versions are left alone (the record
        itself did not change; a client's If-Match stays valid)."""
        for table in OWNED_TABLES:
            await self.conn.execute(
                table.update()
                .where(
                    table.c.tenant_id == tenant_id,
                    table.c.owner_id == owner_id,
                    table.c.department_id.is_distinct_from(department_id),
                )
                .values(department_id=department_id)
            )

    async def record_login(self, tenant_id: UUID, user_id: UUID) -> None:
        await self.conn.execute(
            u.update().where(u.c.tenant_id == tenant_id, u.c.id == user_id).values(last_login_at=sa.func.now())
        )

    async def credentials_by_email(self, email: str) -> Credentials | None:
        return await self._credentials(sa.func.lower(u.c.email) == email.strip().lower())

    async def credentials(self, tenant_id: UUID, user_id: UUID) -> Credentials | None:
        return await self._credentials(sa.and_(u.c.tenant_id == tenant_id, u.c.id == user_id))

    async def _credentials(self, where: sa.ColumnElement[bool]) -> Credentials | None:
        stmt = sa.select(u.c.tenant_id, u.c.id, u.c.email, u.c.password_hash, u.c.active).where(
            where, u.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt)).first()
        return Credentials(*row) if row else None

    async def principal(
        self, tenant_id: UUID, user_id: UUID, *, address: str | None, request_id: str | None
    ) -> Principal | None:
        caller = await PgPrincipalRepository(self.conn).by_user(tenant_id, user_id, new_id())
        if caller is None or not caller.active:
            return None
        return Principal(
            tenant_id=caller.tenant_id, user_id=caller.user_id, email=caller.email, name=caller.name,
            department_id=caller.department_id, department_ids=caller.department_ids, roles=caller.roles,
            request_id=request_id, ip=address,
        )  # fmt: skip

    async def roles_of(self, tenant_id: UUID, user_id: UUID) -> builtins.list[RoleSummary]:
        stmt = (
            sa.select(roles.c.id, roles.c.key, roles.c.name)
            .join(user_roles, sa.and_(user_roles.c.tenant_id == roles.c.tenant_id, user_roles.c.role_id == roles.c.id))
            .where(user_roles.c.tenant_id == tenant_id, user_roles.c.user_id == user_id, roles.c.deleted_at.is_(None))
            .order_by(roles.c.key)
        )
        return [RoleSummary(*row) for row in await self.conn.execute(stmt)]
