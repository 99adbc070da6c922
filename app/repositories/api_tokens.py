"""API tokens in PostgreSQL (the secret only as its SHA-256 hash). Resolving a presented token is
app/repositories/principals.py's job; this is the management side."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.identity.entities import ApiToken, ApiTokenQuery
from app.domain.shared.ids import new_id
from app.domain.shared.paging import Page, Sort
from app.repositories.listing import keyset, page_of
from app.repositories.tables import api_tokens

t = api_tokens
COLUMNS = [
    t.c.id, t.c.user_id, t.c.name, t.c.prefix, t.c.scopes, t.c.expires_at, t.c.last_used_at, t.c.revoked_at,
    t.c.created_at,
]  # fmt: skip
NEWEST_FIRST = Sort("created_at", descending=True)


def to_token(row: Any) -> ApiToken:
    values = list(row[: len(COLUMNS)])
    values[4] = list(values[4])
    return ApiToken(*values)


class PgApiTokenRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def insert(
        self,
        tenant_id: UUID,
        user_id: UUID,
        name: str,
        token_hash: bytes,
        prefix: str,
        scopes: builtins.list[str],
        expires_at: datetime | None,
    ) -> ApiToken:
        stmt = (
            t.insert()
            .values(
                tenant_id=tenant_id, id=new_id(), user_id=user_id, name=name, token_hash=token_hash, prefix=prefix,
                scopes=scopes, expires_at=expires_at,
            )
            .returning(*COLUMNS)
        )  # fmt: skip
        return to_token((await self.conn.execute(stmt)).one())

    async def get(self, tenant_id: UUID, token_id: UUID) -> ApiToken | None:
        row = (
            await self.conn.execute(sa.select(*COLUMNS).where(t.c.tenant_id == tenant_id, t.c.id == token_id))
        ).first()
        return to_token(row) if row else None

    async def list(self, tenant_id: UUID, query: ApiTokenQuery) -> Page[ApiToken]:
        """Tokens not revoked (expired ones included, so their owner sees why a script stopped)."""
        stmt = sa.select(*COLUMNS).where(t.c.tenant_id == tenant_id, t.c.revoked_at.is_(None))
        if query.user_id is not None:
            stmt = stmt.where(t.c.user_id == query.user_id)
        rows = (await self.conn.execute(keyset(stmt, t, NEWEST_FIRST, query.cursor, query.limit))).all()
        return page_of(rows, NEWEST_FIRST, query.limit, to_token)

    async def revoke(self, tenant_id: UUID, token_id: UUID) -> bool:
        result = await self.conn.execute(
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.id == token_id, t.c.revoked_at.is_(None))
            .values(revoked_at=sa.func.now())
        )
        return result.rowcount == 1

    async def revoke_user(self, tenant_id: UUID, user_id: UUID) -> int:
        result = await self.conn.execute(
            t.update()
            .where(t.c.tenant_id == tenant_id, t.c.user_id == user_id, t.c.revoked_at.is_(None))
            .values(revoked_at=sa.func.now())
        )
        return result.rowcount
