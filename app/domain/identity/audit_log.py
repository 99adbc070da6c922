"""The audit log's read side: newest first, filtered, keyset-paged.

Who did what to which record is visible to every reader (`audit_log:read`); the field values of
a business record's entry only to a reader who may read that resource. So the audit
administrator sees that a customer was changed, and by whom, but not the customer's data
(separation of duties). Entries of administration (users, roles, departments, regions, tokens,
refused attempts) are shown whole.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.auth.permissions import Resource
from app.auth.principal import Principal
from app.domain.identity.entities import AuditEntry, AuditQuery
from app.domain.identity.ports import AuditLogReader
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.paging import Page

REDACTED = "[redacted]"
# Entities recorded under a singular name, and the resource whose read permission shows them.
ENTITY_RESOURCE = {
    "user": Resource.USERS,
    "role": Resource.ROLES,
    "department": Resource.DEPARTMENTS,
    "region": Resource.REGIONS,
    "api_token": Resource.API_TOKENS,
    "custom_field": Resource.CUSTOM_FIELDS,
    "kb_article": Resource.KB,
}
# Shown whole to every reader of the log: who holds what, and who tried what.
ADMINISTRATION = frozenset(
    {Resource.USERS, Resource.ROLES, Resource.DEPARTMENTS, Resource.REGIONS, Resource.API_TOKENS, Resource.AUDIT_LOG}
)
SECURITY_ENTITIES = frozenset({"permission"})
RESOURCE_NAMES = frozenset(str(r) for r in Resource)


def _redact(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        field: {"before": REDACTED, "after": REDACTED}
        if isinstance(value, dict) and set(value) <= {"before", "after"}
        else REDACTED
        for field, value in changes.items()
    }


def visible(principal: Principal, entry: AuditEntry) -> AuditEntry:
    if entry.entity in SECURITY_ENTITIES or not entry.changes:
        return entry
    resource = ENTITY_RESOURCE.get(entry.entity) or (entry.entity if entry.entity in RESOURCE_NAMES else None)
    if resource is not None and (resource in ADMINISTRATION or principal.can(resource, "read")):
        return entry
    # A business record (or one this reader cannot place): the field names stay, the values go.
    return replace(entry, changes=_redact(entry.changes))


class AuditLogService:
    def __init__(self, reader: AuditLogReader) -> None:
        self.reader = reader

    async def list(self, principal: Principal, query: AuditQuery) -> Page[AuditEntry]:
        principal.require("audit_log", "read")
        if query.since is not None and query.until is not None and query.since >= query.until:
            raise ValidationFailed.one("to", "must be later than from")
        page = await self.reader.list(principal.tenant_id, query)
        return Page([visible(principal, entry) for entry in page.items], page.next_cursor)
