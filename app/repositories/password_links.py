"""One-time password links (invitations, resets) in PostgreSQL: hashed secrets, single use."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.identity.entities import LinkPurpose, PasswordLink
from app.domain.shared.ids import new_id
from app.repositories.tables import password_links, users

pl = password_links
COLUMNS = [
    pl.c.tenant_id, pl.c.id, pl.c.user_id, pl.c.purpose, pl.c.expires_at, pl.c.sent_at, pl.c.used_at,
    pl.c.revoked_at, users.c.email, users.c.name, users.c.locale, users.c.active,
]  # fmt: skip
JOINED = pl.join(users, sa.and_(users.c.tenant_id == pl.c.tenant_id, users.c.id == pl.c.user_id))


def _link(row: Any) -> PasswordLink:
    values = list(row)
    values[3] = LinkPurpose(values[3])
    return PasswordLink(*values)


def _open(tenant_id: UUID, user_id: UUID) -> sa.ColumnElement[bool]:
    return sa.and_(
        pl.c.tenant_id == tenant_id, pl.c.user_id == user_id, pl.c.used_at.is_(None), pl.c.revoked_at.is_(None)
    )


class PgPasswordLinkRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def insert(
        self, tenant_id: UUID, user_id: UUID, purpose: LinkPurpose, expires_at: datetime, actor: UUID | None
    ) -> UUID:
        await self.revoke_user(tenant_id, user_id)
        link_id = new_id()
        await self.conn.execute(
            pl.insert().values(
                tenant_id=tenant_id, id=link_id, user_id=user_id, purpose=str(purpose), expires_at=expires_at,
                created_by=actor,
            )
        )  # fmt: skip
        return link_id

    async def get(self, tenant_id: UUID, link_id: UUID) -> PasswordLink | None:
        stmt = sa.select(*COLUMNS).select_from(JOINED).where(pl.c.tenant_id == tenant_id, pl.c.id == link_id)
        row = (await self.conn.execute(stmt)).first()
        return _link(row) if row else None

    async def by_hash(self, token_hash: bytes) -> PasswordLink | None:
        stmt = sa.select(*COLUMNS).select_from(JOINED).where(pl.c.token_hash == token_hash)
        row = (await self.conn.execute(stmt)).first()
        return _link(row) if row else None

    async def set_secret(self, tenant_id: UUID, link_id: UUID, token_hash: bytes) -> None:
        await self.conn.execute(
            pl.update()
            .where(pl.c.tenant_id == tenant_id, pl.c.id == link_id)
            .values(token_hash=token_hash, sent_at=sa.func.now())
        )

    async def use(self, tenant_id: UUID, link_id: UUID) -> bool:
        result = await self.conn.execute(
            pl.update()
            .where(
                pl.c.tenant_id == tenant_id,
                pl.c.id == link_id,
                pl.c.used_at.is_(None),
                pl.c.revoked_at.is_(None),
                pl.c.expires_at > sa.func.now(),
            )
            .values(used_at=sa.func.now())
        )
        return result.rowcount == 1

    async def revoke_user(self, tenant_id: UUID, user_id: UUID) -> None:
        await self.conn.execute(pl.update().where(_open(tenant_id, user_id)).values(revoked_at=sa.func.now()))
