"""The audit log's read side: newest first by id (UUIDv7, so time order), keyset-paged."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.identity.entities import AuditEntry, AuditQuery
from app.domain.shared.paging import Cursor, Page, Sort
from app.repositories.tables import audit_log

a = audit_log
COLUMNS = [
    a.c.id, a.c.at, a.c.actor_id, a.c.api_token_id, a.c.action, a.c.entity, a.c.entity_id, a.c.changes,
    a.c.request_id, a.c.ip,
]  # fmt: skip
NEWEST_FIRST = Sort("id", descending=True)


def to_entry(row: Any) -> AuditEntry:
    return AuditEntry(*row[: len(COLUMNS)])


class PgAuditLogReader:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def list(self, tenant_id: UUID, query: AuditQuery) -> Page[AuditEntry]:
        stmt = sa.select(*COLUMNS).where(a.c.tenant_id == tenant_id)
        filters = ((a.c.actor_id, query.actor_id), (a.c.entity, query.entity), (a.c.entity_id, query.entity_id),
                   (a.c.action, query.action))  # fmt: skip
        stmt = stmt.where(*(column == value for column, value in filters if value is not None))
        if query.since is not None:
            stmt = stmt.where(a.c.at >= query.since)
        if query.until is not None:
            stmt = stmt.where(a.c.at < query.until)
        if query.cursor:
            # The id is the whole key: the cursor carries it twice (as value and as id).
            stmt = stmt.where(a.c.id < Cursor.decode(query.cursor, NEWEST_FIRST, datetime_field=False).id)
        rows = (await self.conn.execute(stmt.order_by(a.c.id.desc()).limit(query.limit + 1))).all()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        next_cursor = Cursor(str(NEWEST_FIRST), str(rows[-1].id), rows[-1].id).encode() if more and rows else None
        return Page([to_entry(r) for r in rows], next_cursor)
