"""Contact use cases: the shared owned-record ones (app/domain/shared/owned.py) plus the
contact's own rules: emails and phones kept distinct, duplicates refused, and the customer a
contact links to must be one the caller can read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.contacts.entities import Contact, email_keys, phone_keys
from app.domain.contacts.ports import ContactRepository
from app.domain.custom_fields.entities import validate_values
from app.domain.customers.ports import CustomerRepository
from app.domain.shared.access import scope_or_empty
from app.domain.shared.errors import Duplicate, ValidationFailed
from app.domain.shared.normalize import email_key, phone_key
from app.domain.shared.owned import OwnedRecords, WriteContextRepository, fields_of
from app.domain.shared.ports import AuditTrail, EventOutbox


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


class ContactService(OwnedRecords[Contact]):
    resource = "contacts"
    entity = "contact"
    records: ContactRepository

    def __init__(
        self,
        contacts: ContactRepository,
        customers: CustomerRepository,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        super().__init__(contacts, context, audit, outbox)
        self.customers = customers

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
        values["custom_fields"] = validate_values(definitions, values.get("custom_fields") or {})
        _tidy_lists(values)
        await self._check_customer(principal, values.get("customer_id"))
        if not allow_duplicate:
            await self._refuse_duplicate(principal, values, exclude=None)

    async def _prepare_update(
        self, principal: Principal, current: Contact, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        if "custom_fields" in changes:
            _, definitions = await self.context.write_context(principal.tenant_id, self.entity)
            changes["custom_fields"] = validate_values(
                definitions, changes["custom_fields"] or {}, current=current.custom_fields
            )
        _tidy_lists(changes)
        if changes.get("customer_id") not in (None, current.customer_id):
            await self._check_customer(principal, changes["customer_id"])
        if not allow_duplicate and ({"emails", "phones"} & changes.keys()):
            await self._refuse_duplicate(principal, {**fields_of(current), **changes}, exclude=current.id)

    async def _check_customer(self, principal: Principal, customer_id: UUID | None) -> None:
        """A contact links only to a live customer the caller can read (else 422, not 404: the
        contact is what is being written)."""
        if customer_id is None:
            return
        if await self.customers.get(scope_or_empty(principal, "customers", "read"), customer_id) is None:
            raise ValidationFailed.one("customer_id", "is not a customer you can see")

    async def _refuse_duplicate(self, principal: Principal, values: dict[str, Any], *, exclude: UUID | None) -> None:
        existing = await self.records.find_duplicate(
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


def _tidy_lists(values: dict[str, Any]) -> None:
    """Emails and phones that normalize alike are one entry; tags are a set (order kept)."""
    if values.get("emails") is not None:
        values["emails"] = _distinct(values["emails"], email_key)
    if values.get("phones") is not None:
        values["phones"] = _distinct(values["phones"], phone_key)
    if values.get("tags") is not None:
        values["tags"] = list(dict.fromkeys(values["tags"]))
