"""Assignment rules in PostgreSQL, shared by leads and tickets (app/domain/shared/routing.py):
each rule's round-robin turn, and the candidates of a department — its active users holding the
permission to work the records, with how many open records each owns."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar
from uuid import UUID

import sqlalchemy as sa

from app.repositories.configured import ConfiguredTable
from app.repositories.tables import roles, user_roles, users

T = TypeVar("T")


class RoutingRuleTable(ConfiguredTable[T]):
    order_by = ("position", "id")
    records: ClassVar[sa.Table]  # what the rules route (leads, tickets)
    works: ClassVar[str]  # the permission a candidate holds: "leads:update"
    open_statuses: ClassVar[tuple[str, ...]]  # what counts as an open record for least_open

    async def next_turn(self, tenant_id: UUID, rule_id: UUID) -> int:
        a = self.table
        stmt = (
            a.update()
            .where(a.c.tenant_id == tenant_id, a.c.id == rule_id)
            .values(turns=a.c.turns + 1)
            .returning(a.c.turns - 1)
        )
        return int((await self.conn.execute(stmt)).scalar_one())

    async def candidates(self, tenant_id: UUID, department_id: UUID) -> list[tuple[UUID, int]]:
        u, ur, ro, t = users, user_roles, roles, self.records
        works: Any = sa.exists().where(
            ur.c.tenant_id == u.c.tenant_id,
            ur.c.user_id == u.c.id,
            ro.c.tenant_id == ur.c.tenant_id,
            ro.c.id == ur.c.role_id,
            ro.c.deleted_at.is_(None),
            sa.literal(self.works) == sa.any_(ro.c.permissions),
        )
        open_records = (
            sa.select(sa.func.count())
            .where(
                t.c.tenant_id == u.c.tenant_id,
                t.c.owner_id == u.c.id,
                t.c.deleted_at.is_(None),
                t.c.status.in_(self.open_statuses),
            )
            .scalar_subquery()
        )
        stmt = (
            sa.select(u.c.id, open_records)
            .where(
                u.c.tenant_id == tenant_id,
                u.c.department_id == department_id,
                u.c.active,
                u.c.deleted_at.is_(None),
                works,
            )
            .order_by(u.c.id)
        )
        return [(row[0], row[1]) for row in await self.conn.execute(stmt)]

    async def active_user_department(self, tenant_id: UUID, user_id: UUID) -> tuple[bool, UUID | None] | None:
        stmt = sa.select(users.c.active, users.c.department_id).where(
            users.c.tenant_id == tenant_id, users.c.id == user_id, users.c.deleted_at.is_(None)
        )
        row = (await self.conn.execute(stmt)).first()
        return (row.active, row.department_id) if row else None
