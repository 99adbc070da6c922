"""Customer use cases. Every read and write goes through the caller's data range (a DataScope);
a record outside it does not exist for the caller. Each write appends to the audit log and, for
business events, to the outbox, in the caller's transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.contacts.ports import ContactOwnerTransfer
from app.domain.custom_fields.entities import parse_filters, validate_values
from app.domain.customers.entities import Customer, CustomerQuery
from app.domain.customers.ports import CustomerRepository, WriteContextRepository
from app.domain.shared.errors import (
    Duplicate,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from app.domain.shared.normalize import email_key, phone_key
from app.domain.shared.ownership import owner_department, set_new_owner
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, EventOutbox, diff

RESOURCE = "customers"
ENTITY = "customer"


def _public(customer: Customer) -> dict[str, Any]:
    return asdict(customer)


@dataclass(frozen=True, slots=True)
class Transferred:
    customer_ids: list[UUID]
    contact_ids: list[UUID]


class CustomerService:
    def __init__(
        self,
        customers: CustomerRepository,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
        contacts: ContactOwnerTransfer | None = None,
    ) -> None:
        self.customers = customers
        self.context = context
        self.audit = audit
        self.outbox = outbox
        self.contacts = contacts

    # -- reads -----------------------------------------------------------------------------

    async def get(self, principal: Principal, customer_id: UUID) -> Customer:
        found = await self.customers.get(principal.scope(RESOURCE, "read"), customer_id)
        if found is None:
            raise NotFound("no such customer")
        return found

    async def list_page(self, principal: Principal, query: CustomerQuery, custom_filters: dict[str, str]) -> Page[Any]:
        scope = principal.scope(RESOURCE, "read")
        if custom_filters:
            _, definitions = await self.context.write_context(principal.tenant_id, ENTITY)
            query = replace(query, custom=parse_filters(definitions, custom_filters))
        return await self.customers.list_page(scope, query)

    # -- writes ----------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool = False) -> Customer:
        principal.require(RESOURCE, "create")
        await set_new_owner(principal, RESOURCE, self.context, values)
        settings, definitions = await self.context.write_context(principal.tenant_id, ENTITY)
        _check_lists(values, settings)
        values["custom_fields"] = validate_values(definitions, values.get("custom_fields") or {})
        if not allow_duplicate:
            await self._refuse_duplicate(principal, values, exclude=None)
        customer = await self.customers.insert(principal.tenant_id, principal.user_id, values)
        await self._record(principal, "customer.created", customer, diff(None, _public(customer)))
        return customer

    async def update(
        self,
        principal: Principal,
        customer_id: UUID,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
        allow_duplicate: bool = False,
    ) -> Customer:
        scope = principal.scope(RESOURCE, "update")
        current = await self.customers.get(scope, customer_id, for_update=True)
        if current is None:
            raise NotFound("no such customer")
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the customer is at version {current.version}, not {expected_version}")
        if "owner_id" in changes and changes["owner_id"] != current.owner_id:
            if not principal.can(RESOURCE, "assign"):
                raise PermissionDenied("changing owner_id requires the customers:assign permission")
            changes["department_id"] = await owner_department(principal, self.context, changes["owner_id"])
        settings, definitions = await self.context.write_context(principal.tenant_id, ENTITY)
        _check_lists(changes, settings)
        if "custom_fields" in changes:
            changes["custom_fields"] = validate_values(
                definitions, changes["custom_fields"] or {}, current=current.custom_fields
            )
        if not allow_duplicate and ({"email", "phone"} & changes.keys()):
            await self._refuse_duplicate(principal, {**_public(current), **changes}, exclude=customer_id)
        updated = await self.customers.update(scope, current, principal.user_id, changes)
        changed = diff(_public(current), _public(updated))
        changed.pop("updated_at", None)
        changed.pop("version", None)
        if changed:
            event = "customer.assigned" if set(changed) & {"owner_id"} else "customer.updated"
            await self._record(principal, event, updated, changed)
        return updated

    async def assign(self, principal: Principal, customer_id: UUID, owner_id: UUID) -> Customer:
        principal.require(RESOURCE, "assign")
        scope = principal.scope(RESOURCE, "assign")
        current = await self.customers.get(scope, customer_id, for_update=True)
        if current is None:
            raise NotFound("no such customer")
        department_id = await owner_department(principal, self.context, owner_id)
        updated = await self.customers.update(
            scope,
            current,
            principal.user_id,
            {"owner_id": owner_id, "department_id": department_id},
        )
        changed = {
            k: v for k, v in diff(_public(current), _public(updated)).items() if k in ("owner_id", "department_id")
        }
        await self._record(principal, "customer.assigned", updated, changed)
        return updated

    async def transfer(self, principal: Principal, from_owner: UUID, to_owner: UUID) -> Transferred:
        """Move every customer of `from_owner` within the caller's assign range to `to_owner`
        (a leaving employee's book). Their contacts (within the caller's contacts:assign range)
        follow through the contacts use case, in the same transaction."""
        scope = principal.scope(RESOURCE, "assign")
        if from_owner == to_owner:
            raise ValidationFailed.one("to_owner_id", "must differ from from_owner_id")
        department_id = await owner_department(principal, self.context, to_owner, field="to_owner_id")
        moved = await self.customers.reassign_owner(scope, from_owner, to_owner, department_id, principal.user_id)
        for customer_id in moved:
            change = {"owner_id": {"before": from_owner, "after": to_owner}}
            await self.audit.record(principal, "customer.assigned", RESOURCE, customer_id, change)
            await self.outbox.publish(
                principal.tenant_id,
                "customer.assigned",
                ENTITY,
                customer_id,
                {"id": customer_id, "changes": change},
            )
        contact_ids: list[UUID] = []
        if self.contacts is not None:
            contact_ids = await self.contacts.transfer_owner(principal, from_owner, to_owner, department_id)
        return Transferred(moved, contact_ids)

    async def delete(self, principal: Principal, customer_id: UUID) -> None:
        deleted = await self.customers.set_deleted(
            principal.scope(RESOURCE, "delete"), customer_id, principal.user_id, deleted=True
        )
        if deleted is None:
            raise NotFound("no such customer")
        await self._record(principal, "customer.deleted", deleted, {"deleted": {"before": False, "after": True}})

    async def restore(self, principal: Principal, customer_id: UUID) -> Customer:
        restored = await self.customers.set_deleted(
            principal.scope(RESOURCE, "delete"), customer_id, principal.user_id, deleted=False
        )
        if restored is None:
            raise NotFound("no deleted customer with this id")
        await self._record(principal, "customer.restored", restored, {"deleted": {"before": True, "after": False}})
        return restored

    async def merge(self, principal: Principal, target_id: UUID, source_id: UUID) -> Customer:
        """Fold `source` into `target`: its contacts and activities move over, the source is
        soft-deleted, and both records' audit trails say so."""
        if source_id == target_id:
            raise ValidationFailed.one("source_id", "must differ from the target customer")
        update_scope = principal.scope(RESOURCE, "update")
        delete_scope = principal.scope(RESOURCE, "delete")
        target = await self.customers.get(update_scope, target_id, for_update=True)
        source = await self.customers.get(delete_scope, source_id, for_update=True)
        if target is None:
            raise NotFound("no such customer")
        if source is None:
            raise NotFound("no such source customer")
        moved = await self.customers.move_children(principal.tenant_id, source_id, target_id, principal.user_id)
        await self.customers.set_deleted(delete_scope, source_id, principal.user_id, deleted=True)
        detail = {
            "merged_into": {"before": None, "after": target_id},
            **{k: {"before": 0, "after": v} for k, v in moved.items()},
        }
        await self._record(principal, "customer.merged", source, detail)
        await self.audit.record(
            principal,
            "customer.merge_target",
            RESOURCE,
            target_id,
            {"merged_from": {"before": None, "after": source_id}},
        )
        return target

    # -- helpers ---------------------------------------------------------------------------

    async def _refuse_duplicate(self, principal: Principal, values: dict[str, Any], *, exclude: UUID | None) -> None:
        existing = await self.customers.find_duplicate(
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

    async def _record(self, principal: Principal, event: str, customer: Customer, changes: dict[str, Any]) -> None:
        await self.audit.record(principal, event, RESOURCE, customer.id, changes)
        payload = {"id": customer.id, "changes": changes} if event != "customer.created" else _public(customer)
        await self.outbox.publish(principal.tenant_id, event, ENTITY, customer.id, payload)


def _check_lists(values: dict[str, Any], settings: dict[str, Any]) -> None:
    """customer_type and level come from the tenant's configured lists (when it has one)."""
    for field, setting in (("customer_type", "customer_types"), ("level", "customer_levels")):
        allowed = settings.get(setting) or []
        value = values.get(field)
        if value is not None and allowed and value not in allowed:
            raise ValidationFailed.one(field, f"must be one of: {', '.join(allowed)}")
