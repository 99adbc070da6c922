"""Customer use cases: the shared owned-record ones (app/domain/shared/owned.py) plus the
customer's own rules (configured type and level lists, duplicate email/phone), the transfer of a
leaving employee's book and the merge of two customers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.contacts.ports import ContactOwnerTransfer
from app.domain.custom_fields.entities import validate_values
from app.domain.customers.entities import Customer
from app.domain.customers.ports import CustomerRepository
from app.domain.shared.errors import Duplicate, NotFound, ValidationFailed
from app.domain.shared.normalize import email_key, phone_key
from app.domain.shared.owned import OwnedRecords, WriteContextRepository, fields_of
from app.domain.shared.ownership import owner_department
from app.domain.shared.ports import AuditTrail, EventOutbox


@dataclass(frozen=True, slots=True)
class Transferred:
    customer_ids: list[UUID]
    contact_ids: list[UUID]


class CustomerService(OwnedRecords[Customer]):
    resource = "customers"
    entity = "customer"
    records: CustomerRepository

    def __init__(
        self,
        customers: CustomerRepository,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
        contacts: ContactOwnerTransfer | None = None,
    ) -> None:
        super().__init__(customers, context, audit, outbox)
        self.contacts = contacts

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        settings, definitions = await self.context.write_context(principal.tenant_id, self.entity)
        _check_lists(values, settings)
        values["custom_fields"] = validate_values(definitions, values.get("custom_fields") or {})
        if not allow_duplicate:
            await self._refuse_duplicate(principal, values, exclude=None)

    async def _prepare_update(
        self, principal: Principal, current: Customer, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        settings, definitions = await self.context.write_context(principal.tenant_id, self.entity)
        _check_lists(changes, settings)
        if "custom_fields" in changes:
            changes["custom_fields"] = validate_values(
                definitions, changes["custom_fields"] or {}, current=current.custom_fields
            )
        if not allow_duplicate and ({"email", "phone"} & changes.keys()):
            await self._refuse_duplicate(principal, {**fields_of(current), **changes}, exclude=current.id)

    async def transfer(self, principal: Principal, from_owner: UUID, to_owner: UUID) -> Transferred:
        """Move every customer of `from_owner` within the caller's assign range to `to_owner`
        (a leaving employee's book). Their contacts (within the caller's contacts:assign range)
        follow through the contacts use case, in the same transaction."""
        principal.require(self.resource, "assign")
        if from_owner == to_owner:
            raise ValidationFailed.one("to_owner_id", "must differ from from_owner_id")
        department_id = await owner_department(principal, self.context, to_owner, field="to_owner_id")
        moved = await self.transfer_owner(principal, from_owner, to_owner, department_id)
        contact_ids: list[UUID] = []
        if self.contacts is not None:
            contact_ids = await self.contacts.transfer_owner(principal, from_owner, to_owner, department_id)
        return Transferred(moved, contact_ids)

    async def merge(self, principal: Principal, target_id: UUID, source_id: UUID) -> Customer:
        """Fold `source` into `target`: its contacts, activities, deals, quotes, orders, tickets,
        converted leads and survey answers move over, the source is soft-deleted, and both
        records' audit trails say so (with how many of each moved)."""
        if source_id == target_id:
            raise ValidationFailed.one("source_id", "must differ from the target customer")
        update_scope = principal.scope(self.resource, "update")
        delete_scope = principal.scope(self.resource, "delete")
        target = await self.records.get(update_scope, target_id, for_update=True)
        source = await self.records.get(delete_scope, source_id, for_update=True)
        if target is None:
            raise NotFound("no such customer")
        if source is None:
            raise NotFound("no such source customer")
        moved = await self.records.move_children(principal.tenant_id, source_id, target_id, principal.user_id)
        await self.records.set_deleted(delete_scope, source_id, principal.user_id, deleted=True)
        detail = {
            "merged_into": {"before": None, "after": target_id},
            **{k: {"before": 0, "after": v} for k, v in moved.items()},
        }
        await self._record(principal, "merged", source, detail)
        await self.audit.record(
            principal,
            "customer.merge_target",
            self.resource,
            target_id,
            {"merged_from": {"before": None, "after": source_id}},
        )
        return target

    async def _refuse_duplicate(self, principal: Principal, values: dict[str, Any], *, exclude: UUID | None) -> None:
        existing = await self.records.find_duplicate(
            principal.tenant_id,
            email_key(values.get("email")),
            phone_key(values.get("phone")),
            exclude=exclude,
        )
        if existing is not None:
            raise Duplicate(
                "a customer with this email or phone exists; pass allow_duplicate=true to create it anyway",
                existing_id=str(existing),
            )


def _check_lists(values: dict[str, Any], settings: dict[str, Any]) -> None:
    """customer_type and level come from the tenant's configured lists (when it has one)."""
    for field, setting in (("customer_type", "customer_types"), ("level", "customer_levels")):
        allowed = settings.get(setting) or []
        value = values.get(field)
        if value is not None and allowed and value not in allowed:
            raise ValidationFailed.one(field, f"must be one of: {', '.join(allowed)}")
