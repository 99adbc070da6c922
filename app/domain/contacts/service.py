"""Contact use cases, shaped like the customers' ones: every read and write goes through the
caller's data range; each write appends to the audit log and the outbox in the caller's
transaction. A contact may link to a customer, which the caller must be able to read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.contacts.entities import Contact, ContactQuery, email_keys, phone_keys
from app.domain.contacts.ports import ContactRepository
from app.domain.custom_fields.entities import parse_filters, validate_values
from app.domain.customers.ports import CustomerRepository, WriteContextRepository
from app.domain.shared.access import scope_or_empty
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

RESOURCE = "contacts"
ENTITY = "contact"


def _public(contact: Contact) -> dict[str, Any]:
    return asdict(contact)


def _distinct(raw: list[str], key: Callable[[str | None], str | None]) -> list[str]:
    """Drop entries whose normalized key repeats an earlier one ('A@x.cn' after 'a@x.cn')."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in raw:
        k = key(value) or value
        if k not in seen:
            seen.add(k)
            kept.append(value)
    return kept


class ContactService:
    def __init__(
        self,
        contacts: ContactRepository,
        customers: CustomerRepository,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        self.contacts = contacts
        self.customers = customers
        self.context = context
        self.audit = audit
        self.outbox = outbox

    # -- reads -----------------------------------------------------------------------------

    async def get(self, principal: Principal, contact_id: UUID) -> Contact:
        found = await self.contacts.get(principal.scope(RESOURCE, "read"), contact_id)
        if found is None:
            raise NotFound("no such contact")
        return found

    async def list_page(self, principal: Principal, query: ContactQuery, custom_filters: dict[str, str]) -> Page[Any]:
        scope = principal.scope(RESOURCE, "read")
        if custom_filters:
            _, definitions = await self.context.write_context(principal.tenant_id, ENTITY)
            query = replace(query, custom=parse_filters(definitions, custom_filters))
        return await self.contacts.list_page(scope, query)

    # -- writes ----------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool = False) -> Contact:
        principal.require(RESOURCE, "create")
        await set_new_owner(principal, RESOURCE, self.context, values)
        _, definitions = await self.context.write_context(principal.tenant_id, ENTITY)
        values["custom_fields"] = validate_values(definitions, values.get("custom_fields") or {})
        _tidy_lists(values)
        await self._check_customer(principal, values.get("customer_id"))
        if not allow_duplicate:
            await self._refuse_duplicate(principal, values, exclude=None)
        contact = await self.contacts.insert(principal.tenant_id, principal.user_id, values)
        await self._record(principal, "contact.created", contact, diff(None, _public(contact)))
        return contact

    async def update(
        self,
        principal: Principal,
        contact_id: UUID,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
        allow_duplicate: bool = False,
    ) -> Contact:
        scope = principal.scope(RESOURCE, "update")
        current = await self.contacts.get(scope, contact_id, for_update=True)
        if current is None:
            raise NotFound("no such contact")
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the contact is at version {current.version}, not {expected_version}")
        if "owner_id" in changes and changes["owner_id"] != current.owner_id:
            if not principal.can(RESOURCE, "assign"):
                raise PermissionDenied("changing owner_id requires the contacts:assign permission")
            changes["department_id"] = await owner_department(principal, self.context, changes["owner_id"])
        if "custom_fields" in changes:
            _, definitions = await self.context.write_context(principal.tenant_id, ENTITY)
            changes["custom_fields"] = validate_values(
                definitions, changes["custom_fields"] or {}, current=current.custom_fields
            )
        _tidy_lists(changes)
        if changes.get("customer_id") not in (None, current.customer_id):
            await self._check_customer(principal, changes["customer_id"])
        if not allow_duplicate and ({"emails", "phones"} & changes.keys()):
            await self._refuse_duplicate(principal, {**_public(current), **changes}, exclude=contact_id)
        updated = await self.contacts.update(scope, current, principal.user_id, changes)
        changed = diff(_public(current), _public(updated))
        changed.pop("updated_at", None)
        changed.pop("version", None)
        if changed:
            event = "contact.assigned" if "owner_id" in changed else "contact.updated"
            await self._record(principal, event, updated, changed)
        return updated

    async def assign(self, principal: Principal, contact_id: UUID, owner_id: UUID) -> Contact:
        scope = principal.scope(RESOURCE, "assign")
        current = await self.contacts.get(scope, contact_id, for_update=True)
        if current is None:
            raise NotFound("no such contact")
        department_id = await owner_department(principal, self.context, owner_id)
        updated = await self.contacts.update(
            scope,
            current,
            principal.user_id,
            {"owner_id": owner_id, "department_id": department_id},
        )
        changed = {
            k: v for k, v in diff(_public(current), _public(updated)).items() if k in ("owner_id", "department_id")
        }
        await self._record(principal, "contact.assigned", updated, changed)
        return updated

    async def transfer_owner(
        self, principal: Principal, from_owner: UUID, to_owner: UUID, department_id: UUID | None
    ) -> list[UUID]:
        """Move every live contact of `from_owner` within the caller's contacts:assign range to
        `to_owner` (whose department the caller has resolved). Part of the customers' transfer;
        without contacts:assign the range is empty and nothing moves."""
        scope = scope_or_empty(principal, RESOURCE, "assign")
        if scope.is_empty:
            return []
        moved = await self.contacts.reassign_owner(scope, from_owner, to_owner, department_id, principal.user_id)
        change = {"owner_id": {"before": from_owner, "after": to_owner}}
        for contact_id in moved:
            await self.audit.record(principal, "contact.assigned", RESOURCE, contact_id, change)
            await self.outbox.publish(
                principal.tenant_id,
                "contact.assigned",
                ENTITY,
                contact_id,
                {"id": contact_id, "changes": change},
            )
        return moved

    async def delete(self, principal: Principal, contact_id: UUID) -> None:
        deleted = await self.contacts.set_deleted(
            principal.scope(RESOURCE, "delete"), contact_id, principal.user_id, deleted=True
        )
        if deleted is None:
            raise NotFound("no such contact")
        await self._record(principal, "contact.deleted", deleted, {"deleted": {"before": False, "after": True}})

    async def restore(self, principal: Principal, contact_id: UUID) -> Contact:
        restored = await self.contacts.set_deleted(
            principal.scope(RESOURCE, "delete"), contact_id, principal.user_id, deleted=False
        )
        if restored is None:
            raise NotFound("no deleted contact with this id")
        await self._record(principal, "contact.restored", restored, {"deleted": {"before": True, "after": False}})
        return restored

    # -- helpers ---------------------------------------------------------------------------

    async def _check_customer(self, principal: Principal, customer_id: UUID | None) -> None:
        """A contact links only to a live customer the caller can read (else 422, not 404: the
        contact is what is being written)."""
        if customer_id is None:
            return
        if await self.customers.get(scope_or_empty(principal, "customers", "read"), customer_id) is None:
            raise ValidationFailed.one("customer_id", "is not a customer you can see")

    async def _refuse_duplicate(self, principal: Principal, values: dict[str, Any], *, exclude: UUID | None) -> None:
        existing = await self.contacts.find_duplicate(
            principal.tenant_id,
            email_keys(values.get("emails") or []),
            phone_keys(values.get("phones") or []),
            exclude=exclude,
        )
        if existing is not None:
            raise Duplicate(
                "a contact with one of these emails or phones exists; pass allow_duplicate=true to save it anyway",
                existing_id=str(existing),
            )

    async def _record(self, principal: Principal, event: str, contact: Contact, changes: dict[str, Any]) -> None:
        await self.audit.record(principal, event, RESOURCE, contact.id, changes)
        payload = {"id": contact.id, "changes": changes} if event != "contact.created" else _public(contact)
        await self.outbox.publish(principal.tenant_id, event, ENTITY, contact.id, payload)


def _tidy_lists(values: dict[str, Any]) -> None:
    """Emails and phones that normalize alike are one entry; tags are a set (order kept)."""
    if values.get("emails") is not None:
        values["emails"] = _distinct(values["emails"], email_key)
    if values.get("phones") is not None:
        values["phones"] = _distinct(values["phones"], phone_key)
    if values.get("tags") is not None:
        values["tags"] = list(dict.fromkeys(values["tags"]))
