"""Ownership moves shared by every owned table (customers, contacts, activities)."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.scope import DataScope
from app.repositories.scoping import scope_predicate


async def reassign_owner(
    conn: AsyncConnection,
    table: sa.Table,
    scope: DataScope,
    from_owner: UUID,
    to_owner: UUID,
    department_id: UUID | None,
    actor: UUID,
) -> list[UUID]:
    """Give every live record of `from_owner` within `scope` to `to_owner`; returns their ids."""
    stmt = (
        table.update()
        .where(scope_predicate(table, scope), table.c.owner_id == from_owner, table.c.deleted_at.is_(None))
        .values(
            owner_id=to_owner,
            department_id=department_id,
            updated_by=actor,
            updated_at=sa.func.now(),
            version=table.c.version + 1,
        )
        .returning(table.c.id)
    )
    return list((await conn.execute(stmt)).scalars())
