"""What a service manager keeps for the tenant's tickets (tickets:manage): the category tree,
SLA policies and the business calendar (one per tenant)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared.configured import ConfiguredRecords
from app.domain.shared.errors import Duplicate, ValidationFailed
from app.domain.shared.ports import AuditTrail, diff
from app.domain.tickets.entities import CalendarSettings, Category, SlaPolicy
from app.domain.tickets.ports import CalendarRepository
from app.domain.tickets.sla import business_calendar

# The tenant itself is the calendar's id in the audit log: there is one.
CALENDAR = "ticket_calendar"


class CategoryService(ConfiguredRecords[Category]):
    resource = "tickets"
    entity = "ticket_category"

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: Category | None) -> None:
        parent_id = values.get("parent_id")
        if parent_id is None:
            return
        # Walk up from the new parent: it must exist and must not be the category or below it.
        seen: set[UUID] = set()
        node: UUID | None = parent_id
        while node is not None and node not in seen:
            if current is not None and node == current.id:
                raise ValidationFailed.one("parent_id", "would put the category under itself")
            seen.add(node)
            found = await self.records.get(principal.tenant_id, node)
            if found is None:
                raise ValidationFailed.one("parent_id", "refers to no such category")
            node = found.parent_id


class SlaPolicyService(ConfiguredRecords[SlaPolicy]):
    resource = "tickets"
    entity = "sla_policy"

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: SlaPolicy | None) -> None:
        merged = {**asdict(current), **values} if current is not None else values
        if merged["resolution_minutes"] < merged["first_response_minutes"]:
            raise ValidationFailed.one("resolution_minutes", "must be at least first_response_minutes")
        if {"priority", "customer_level"} & values.keys():
            for other in await self.records.list(principal.tenant_id):
                same = (other.priority, other.customer_level) == (merged["priority"], merged.get("customer_level"))
                if same and (current is None or other.id != current.id):
                    raise Duplicate("a policy for this priority and customer level exists", existing_id=str(other.id))


class CalendarService:
    def __init__(self, calendars: CalendarRepository, audit: AuditTrail) -> None:
        self.calendars = calendars
        self.audit = audit

    async def get(self, principal: Principal) -> CalendarSettings:
        principal.require("tickets", "read")
        return await self.calendars.get(principal.tenant_id)

    async def put(self, principal: Principal, values: dict[str, Any]) -> CalendarSettings:
        principal.require("tickets", "manage")
        values["weekdays"] = sorted(set(values["weekdays"]))
        values["holidays"] = sorted(set(values["holidays"]))
        business_calendar(CalendarSettings(**values))  # refuses a bad zone, hours or weekdays (422)
        before = await self.calendars.get(principal.tenant_id)
        saved = await self.calendars.put(principal.tenant_id, principal.user_id, values)
        changes = diff(_comparable(before), _comparable(saved))
        await self.audit.record(principal, f"{CALENDAR}.updated", "tickets", principal.tenant_id, changes)
        return saved


def _comparable(settings: CalendarSettings) -> dict[str, Any]:
    return {k: v for k, v in asdict(settings).items() if k not in ("updated_at", "version")}
