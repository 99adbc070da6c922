"""Activity use cases: the shared owned-record ones (app/domain/shared/owned.py); the data range
on activities is by their owner (activities:* permissions). The customer, contact, lead and deal
an activity links to must be readable by the caller when they set them. Tasks and appointments
are planned work: an appointment has a start and an end, and one that overlaps another planned
appointment of the same person is a 409 unless forced; the worker sends their reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.activities.entities import PLANNED_KINDS, Activity, ActivityKind, ActivityStatus
from app.domain.activities.ports import ActivityRepository, LinkedRecords
from app.domain.contacts.ports import ContactRepository
from app.domain.customers.ports import CustomerRepository
from app.domain.shared.access import scope_or_empty
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import Conflict, ValidationFailed
from app.domain.shared.owned import OwnedRecords, WriteContextRepository, fields_of
from app.domain.shared.ownership import owner_department
from app.domain.shared.ports import AuditTrail, EventOutbox

# At most this many items in one calendar answer.
CALENDAR_LIMIT = 500


class ActivityService(OwnedRecords[Activity]):
    resource = "activities"
    entity = "activity"
    transfer_open_only = True
    records: ActivityRepository

    def __init__(
        self,
        activities: ActivityRepository,
        customers: CustomerRepository,
        contacts: ContactRepository,
        linked: LinkedRecords,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        super().__init__(activities, context, audit, outbox)
        self.customers = customers
        self.contacts = contacts
        self.linked = linked

    # `allow_duplicate` of the shared use cases is, for activities, `force`: save an appointment
    # that overlaps another of the same person.

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        values.setdefault("status", None)
        if values["status"] is None:
            values["status"] = (
                ActivityStatus.PLANNED.value if values["kind"] in PLANNED_KINDS else ActivityStatus.DONE.value
            )
        await self._check(principal, values, None, force=allow_duplicate)

    async def _prepare_update(
        self, principal: Principal, current: Activity, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        await self._check(principal, changes, current, force=allow_duplicate)

    async def calendar(
        self, principal: Principal, start: datetime, end: datetime, assignee: UUID | None
    ) -> list[Activity]:
        """Tasks due and appointments happening between `start` and `end`, within the caller's
        read range; `assignee` narrows to one person's (assigned to them, or owned and unassigned)."""
        if end <= start:
            raise ValidationFailed.one("to", "must be after from")
        scope = principal.scope(self.resource, "read")
        return await self.records.calendar(scope, start, end, assignee, CALENDAR_LIMIT)

    async def _check(
        self, principal: Principal, values: dict[str, Any], current: Activity | None, *, force: bool
    ) -> None:
        merged = {**(fields_of(current) if current is not None else {}), **values}
        _times(values, merged)
        await self._resolve_links(principal, values, current=current)
        if values.get("assignee_id") not in (None, merged.get("owner_id"), current and current.assignee_id):
            await owner_department(principal, self.context, values["assignee_id"], field="assignee_id")
        merged = {**merged, **values}
        if not force and merged["kind"] == ActivityKind.APPOINTMENT and merged["status"] == ActivityStatus.PLANNED:
            person = merged.get("assignee_id") or merged.get("owner_id") or principal.user_id
            clashes = await self.records.overlapping(
                principal.tenant_id,
                person,
                merged["starts_at"],
                merged["ends_at"],
                exclude=current.id if current else None,
            )
            if clashes:
                raise Conflict(
                    "the appointment overlaps another of the same person; pass force=true to keep both",
                    conflicts=[str(c) for c in clashes],
                )

    async def _resolve_links(self, principal: Principal, values: dict[str, Any], *, current: Activity | None) -> None:
        """Check the records that `values` links (a create body, or a patch over `current`):
        each must be readable by the caller (else 422 on that field), at least one must remain,
        and a contact or deal that belongs to a customer brings that customer along (an activity
        logged with a contact shows on its company's timeline)."""

        def before(name: str) -> Any:
            return getattr(current, name) if current is not None else None

        def changed(name: str) -> bool:
            return name in values and values[name] != before(name)

        def now(name: str) -> Any:
            return values[name] if name in values else before(name)

        customer_id, contact_id = now("customer_id"), now("contact_id")
        if changed("customer_id") and customer_id is not None:
            found = await self.customers.get(scope_or_empty(principal, "customers", "read"), customer_id)
            if found is None:
                raise ValidationFailed.one("customer_id", "is not a customer you can see")
        if contact_id is not None and (changed("contact_id") or changed("customer_id")):
            contact = await self.contacts.get(scope_or_empty(principal, "contacts", "read"), contact_id)
            if contact is None:
                if changed("contact_id"):
                    raise ValidationFailed.one("contact_id", "is not a contact you can see")
            elif contact.customer_id is not None:
                if customer_id is None:
                    customer_id = values["customer_id"] = contact.customer_id
                elif customer_id != contact.customer_id:
                    field = "contact_id" if changed("contact_id") else "customer_id"
                    raise ValidationFailed.one(field, "the contact belongs to another customer")
        leads = scope_or_empty(principal, "leads", "read")
        if (
            changed("lead_id")
            and now("lead_id") is not None
            and not await self.linked.lead_visible(leads, now("lead_id"))
        ):
            raise ValidationFailed.one("lead_id", "is not a lead you can see")
        if changed("opportunity_id") and now("opportunity_id") is not None:
            deal_customer = await self.linked.opportunity_customer(
                scope_or_empty(principal, "opportunities", "read"), now("opportunity_id")
            )
            if deal_customer is None:
                raise ValidationFailed.one("opportunity_id", "is not a deal you can see")
            if customer_id is None:
                customer_id = values["customer_id"] = deal_customer
            elif customer_id != deal_customer:
                raise ValidationFailed.one("opportunity_id", "the deal belongs to another customer")
        if customer_id is None and contact_id is None and now("lead_id") is None and now("opportunity_id") is None:
            raise ValidationFailed.one(
                "customer_id", "an activity needs a customer_id, a contact_id, a lead_id or an opportunity_id"
            )


def _times(values: dict[str, Any], merged: dict[str, Any]) -> None:
    """An appointment runs from starts_at to a later ends_at and happens at its start; a task
    happens at its due time; anything else when it occurred (default now)."""
    kind = merged["kind"]
    if kind == ActivityKind.APPOINTMENT:
        if merged.get("starts_at") is None or merged.get("ends_at") is None:
            raise ValidationFailed.one("starts_at", "an appointment needs starts_at and ends_at")
        if merged["ends_at"] <= merged["starts_at"]:
            raise ValidationFailed.one("ends_at", "must be after starts_at")
        values["occurred_at"] = merged["starts_at"]
    elif kind == ActivityKind.TASK and merged.get("due_at") is not None:
        values["occurred_at"] = merged["due_at"]
    elif merged.get("occurred_at") is None:
        values["occurred_at"] = utcnow()
    if merged.get("reminder_minutes") is not None and kind not in PLANNED_KINDS:
        raise ValidationFailed.one("reminder_minutes", "only tasks and appointments have reminders")
    if any(k in values for k in ("starts_at", "due_at", "reminder_minutes")):
        values["reminded_at"] = None  # a moved or new reminder is sent again
