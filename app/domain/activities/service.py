"""Activity use cases: the shared owned-record ones (app/domain/shared/owned.py); the data range
on activities is by their owner (activities:* permissions). The customer and contact an activity
links to must be readable by the caller when they set them."""

from __future__ import annotations

from typing import Any

from app.auth.principal import Principal
from app.domain.activities.entities import Activity
from app.domain.activities.ports import ActivityRepository
from app.domain.contacts.ports import ContactRepository
from app.domain.customers.ports import CustomerRepository
from app.domain.shared.access import scope_or_empty
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.owned import OwnedRecords, WriteContextRepository
from app.domain.shared.ports import AuditTrail, EventOutbox


class ActivityService(OwnedRecords[Activity]):
    resource = "activities"
    entity = "activity"
    records: ActivityRepository

    def __init__(
        self,
        activities: ActivityRepository,
        customers: CustomerRepository,
        contacts: ContactRepository,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        super().__init__(activities, context, audit, outbox)
        self.customers = customers
        self.contacts = contacts

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        await self._resolve_links(principal, values, current=None)
        if values.get("occurred_at") is None:
            values["occurred_at"] = utcnow()

    async def _prepare_update(
        self, principal: Principal, current: Activity, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        await self._resolve_links(principal, changes, current=current)

    async def _resolve_links(self, principal: Principal, values: dict[str, Any], *, current: Activity | None) -> None:
        """Check the customer and contact that `values` sets (a create body, or a patch over
        `current`): each must be readable by the caller (else 422 on that field), at least one
        must remain, and a contact that belongs to a customer brings that customer along (an
        activity logged with a contact shows on its company's timeline)."""

        def before(name: str) -> Any:
            return getattr(current, name) if current is not None else None

        customer_set = "customer_id" in values and values["customer_id"] != before("customer_id")
        contact_set = "contact_id" in values and values["contact_id"] != before("contact_id")
        customer_id = values["customer_id"] if "customer_id" in values else before("customer_id")
        contact_id = values["contact_id"] if "contact_id" in values else before("contact_id")
        if customer_set and customer_id is not None:
            found = await self.customers.get(scope_or_empty(principal, "customers", "read"), customer_id)
            if found is None:
                raise ValidationFailed.one("customer_id", "is not a customer you can see")
        if contact_id is not None and (contact_set or customer_set):
            contact = await self.contacts.get(scope_or_empty(principal, "contacts", "read"), contact_id)
            if contact is None:
                if contact_set:
                    raise ValidationFailed.one("contact_id", "is not a contact you can see")
            elif contact.customer_id is not None:
                if customer_id is None:
                    customer_id = values["customer_id"] = contact.customer_id
                elif customer_id != contact.customer_id:
                    field = "contact_id" if contact_set else "customer_id"
                    raise ValidationFailed.one(field, "the contact belongs to another customer")
        if customer_id is None and contact_id is None:
            raise ValidationFailed.one("customer_id", "an activity needs a customer_id, a contact_id or both")
