"""The audit log's read side: newest first, filtered, keyset-paged."""

from __future__ import annotations

from app.auth.principal import Principal
from app.domain.identity.entities import AuditEntry, AuditQuery
from app.domain.identity.ports import AuditLogReader
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.paging import Page


class AuditLogService:
    def __init__(self, reader: AuditLogReader) -> None:
        self.reader = reader

    async def list(self, principal: Principal, query: AuditQuery) -> Page[AuditEntry]:
        principal.require("audit_log", "read")
        if query.since is not None and query.until is not None and query.since >= query.until:
            raise ValidationFailed.one("to", "must be later than from")
        return await self.reader.list(principal.tenant_id, query)
