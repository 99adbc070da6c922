"""Activity use cases. The data range on activities is by their owner (activities:* permissions);
the customer and contact an activity links to must be readable by the caller when they set them.
Each write appends to the audit log; creation is also published as `activity.created`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.activities.entities import Activity, ActivityQuery
from app.domain.activities.ports import ActivityRepository
from app.domain.contacts.ports import ContactRepository
from app.domain.customers.ports import CustomerRepository, WriteContextRepository
from app.domain.shared.access import scope_or_empty
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from app.domain.shared.ownership import owner_department, set_new_owner
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, EventOutbox, diff

RESOURCE = "activities"
ENTITY = "activity"


def _public(activity: Activity) -> dict[str, Any]:
    return asdict(activity)


class ActivityService:
    def __init__(
        self,
        activities: ActivityRepository,
        customers: CustomerRepository,
        contacts: ContactRepository,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        self.activities = activities
        self.customers = customers
        self.contacts = contacts
        self.context = context
        self.audit = audit
        self.outbox = outbox

    # -- reads -----------------------------------------------------------------------------

    async def get(self, principal: Principal, activity_id: UUID) -> Activity:
        found = await self.activities.get(principal.scope(RESOURCE, "read"), activity_id)
        if found is None:
            raise NotFound("no such activity")
        return found

    async def list_page(self, principal: Principal, query: ActivityQuery) -> Page[Any]:
        return await self.activities.list_page(principal.scope(RESOURCE, "read"), query)

    # -- writes ----------------------------------------------------------------------------

    async def create(self, principal: Principal, values: dict[str, Any]) -> Activity:
        principal.require(RESOURCE, "create")
        await set_new_owner(principal, RESOURCE, self.context, values)
        await self._resolve_links(principal, values, current=None)
        if values.get("occurred_at") is None:
            values["occurred_at"] = utcnow()
        activity = await self.activities.insert(principal.tenant_id, principal.user_id, values)
        await self.audit.record(principal, "activity.created", RESOURCE, activity.id, diff(None, _public(activity)))
        await self.outbox.publish(principal.tenant_id, "activity.created", ENTITY, activity.id, _public(activity))
        return activity

    async def update(
        self,
        principal: Principal,
        activity_id: UUID,
        changes: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> Activity:
        scope = principal.scope(RESOURCE, "update")
        current = await self.activities.get(scope, activity_id, for_update=True)
        if current is None:
            raise NotFound("no such activity")
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the activity is at version {current.version}, not {expected_version}")
        if "owner_id" in changes and changes["owner_id"] != current.owner_id:
            if not principal.can(RESOURCE, "assign"):
                raise PermissionDenied("changing owner_id requires the activities:assign permission")
            changes["department_id"] = await owner_department(principal, self.context, changes["owner_id"])
        await self._resolve_links(principal, changes, current=current)
        updated = await self.activities.update(scope, current, principal.user_id, changes)
        changed = diff(_public(current), _public(updated))
        changed.pop("updated_at", None)
        changed.pop("version", None)
        if changed:
            action = "activity.assigned" if "owner_id" in changed else "activity.updated"
            await self.audit.record(principal, action, RESOURCE, updated.id, changed)
        return updated

    async def assign(self, principal: Principal, activity_id: UUID, owner_id: UUID) -> Activity:
        scope = principal.scope(RESOURCE, "assign")
        current = await self.activities.get(scope, activity_id, for_update=True)
        if current is None:
            raise NotFound("no such activity")
        department_id = await owner_department(principal, self.context, owner_id)
        updated = await self.activities.update(
            scope,
            current,
            principal.user_id,
            {"owner_id": owner_id, "department_id": department_id},
        )
        changed = {
            k: v for k, v in diff(_public(current), _public(updated)).items() if k in ("owner_id", "department_id")
        }
        await self.audit.record(principal, "activity.assigned", RESOURCE, updated.id, changed)
        return updated

    async def delete(self, principal: Principal, activity_id: UUID) -> None:
        deleted = await self.activities.set_deleted(
            principal.scope(RESOURCE, "delete"), activity_id, principal.user_id, deleted=True
        )
        if deleted is None:
            raise NotFound("no such activity")
        change = {"deleted": {"before": False, "after": True}}
        await self.audit.record(principal, "activity.deleted", RESOURCE, activity_id, change)

    async def restore(self, principal: Principal, activity_id: UUID) -> Activity:
        restored = await self.activities.set_deleted(
            principal.scope(RESOURCE, "delete"), activity_id, principal.user_id, deleted=False
        )
        if restored is None:
            raise NotFound("no deleted activity with this id")
        change = {"deleted": {"before": True, "after": False}}
        await self.audit.record(principal, "activity.restored", RESOURCE, activity_id, change)
        return restored

    # -- helpers ---------------------------------------------------------------------------

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
