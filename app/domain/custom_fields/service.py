"""Custom-field definitions: admins shape the forms; everyone reads them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.custom_fields.entities import KEY_PATTERN, CustomFieldDef, FieldType
from app.domain.custom_fields.ports import CustomFieldRepository
from app.domain.shared.errors import Conflict, NotFound, ValidationFailed
from app.domain.shared.ports import AuditTrail, diff

RESOURCE = "custom_fields"
EDITABLE = frozenset({"label", "required", "options", "position"})


def _check_options(field_type: str, options: list[str]) -> None:
    if field_type in (FieldType.SELECT, FieldType.MULTISELECT):
        if not options:
            raise ValidationFailed.one("options", f"a {field_type} field needs at least one option")
        if len(set(options)) != len(options):
            raise ValidationFailed.one("options", "must not repeat")
    elif options:
        raise ValidationFailed.one("options", f"only select and multiselect fields take options, not {field_type}")


class CustomFieldService:
    def __init__(self, repo: CustomFieldRepository, audit: AuditTrail) -> None:
        self.repo = repo
        self.audit = audit

    async def list_all(self, principal: Principal, entity: str | None) -> list[CustomFieldDef]:
        principal.require(RESOURCE, "read")
        return await self.repo.list_all(principal.tenant_id, entity)

    async def get(self, principal: Principal, field_id: UUID) -> CustomFieldDef:
        principal.require(RESOURCE, "read")
        found = await self.repo.get(principal.tenant_id, field_id)
        if found is None:
            raise NotFound("no such custom field")
        return found

    async def create(self, principal: Principal, values: dict[str, Any]) -> CustomFieldDef:
        principal.require(RESOURCE, "create")
        if not KEY_PATTERN.match(values["key"]):
            raise ValidationFailed.one("key", "must start with a letter and hold only a-z, 0-9 and _ (at most 63)")
        _check_options(values["type"], values.get("options") or [])
        if await self.repo.key_exists(principal.tenant_id, values["entity"], values["key"]):
            raise Conflict(f"a {values['entity']} field with key '{values['key']}' exists")
        created = await self.repo.insert(principal.tenant_id, principal.user_id, values)
        await self.audit.record(principal, "custom_field.created", RESOURCE, created.id, diff(None, asdict(created)))
        return created

    async def update(self, principal: Principal, field_id: UUID, changes: dict[str, Any]) -> CustomFieldDef:
        principal.require(RESOURCE, "update")
        current = await self.get(principal, field_id)
        frozen = set(changes) - EDITABLE
        if frozen:
            name = sorted(frozen)[0]
            raise ValidationFailed.one(name, "cannot be changed after creation")
        if "options" in changes:
            _check_options(current.type, changes["options"] or [])
        updated = await self.repo.update(principal.tenant_id, field_id, principal.user_id, changes)
        if updated is None:
            raise NotFound("no such custom field")
        await self.audit.record(
            principal,
            "custom_field.updated",
            RESOURCE,
            field_id,
            diff(asdict(current), asdict(updated)),
        )
        return updated

    async def delete(self, principal: Principal, field_id: UUID) -> None:
        """Removes the definition; stored values stay in the records but are no longer shown as
        fields nor validated."""
        principal.require(RESOURCE, "delete")
        if not await self.repo.soft_delete(principal.tenant_id, field_id, principal.user_id):
            raise NotFound("no such custom field")
        await self.audit.record(principal, "custom_field.deleted", RESOURCE, field_id)
