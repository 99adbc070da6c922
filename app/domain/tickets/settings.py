"""What a service manager keeps for the tenant's tickets (tickets:manage): the category tree,
SLA policies, the business calendar (one per tenant) and the escalation rules."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared.configured import ConfiguredRecords
from app.domain.shared.errors import Duplicate, ValidationFailed
from app.domain.shared.ports import AuditTrail, diff
from app.domain.tickets.entities import (
    CalendarSettings,
    Category,
    EscalationCondition,
    Reassign,
    SlaPolicy,
    TicketEscalationRule,
)
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
        if "customer_level" in values:
            # A blank level is "any level": the unique index (coalesce(customer_level, '')) holds them alike.
            values["customer_level"] = values["customer_level"] or None
        merged = {**asdict(current), **values} if current is not None else values
        if merged["resolution_minutes"] < merged["first_response_minutes"]:
            raise ValidationFailed.one("resolution_minutes", "must be at least first_response_minutes")
        if {"priority", "customer_level"} & values.keys():
            target = (merged["priority"], merged.get("customer_level") or None)
            for other in await self.records.list(principal.tenant_id):
                same = (other.priority, other.customer_level or None) == target
                if same and (current is None or other.id != current.id):
                    raise Duplicate("a policy for this priority and customer level exists", existing_id=str(other.id))


class EscalationRuleService(ConfiguredRecords[TicketEscalationRule]):
    """Ordered rules the worker applies to open tickets (app/domain/tickets/escalation_job.py)."""

    resource = "tickets"
    entity = "ticket_escalation_rule"

    async def _prepare(
        self, principal: Principal, values: dict[str, Any], current: TicketEscalationRule | None
    ) -> None:
        merged = {**asdict(current), **values} if current is not None else values
        check_escalation_rule(merged)
        if current is None and values.get("position") is None:
            existing = await self.records.list(principal.tenant_id)
            values["position"] = max((rule.position for rule in existing), default=0) + 10


def check_escalation_rule(rule: dict[str, Any]) -> None:
    """The fields a rule needs together: minutes for the unassigned condition (and only there),
    the target of a reassignment, and at least one action."""
    unassigned = rule.get("condition") == EscalationCondition.UNASSIGNED
    if unassigned and rule.get("minutes") is None:
        raise ValidationFailed.one("minutes", "is required for the unassigned condition")
    if not unassigned and rule.get("minutes") is not None:
        raise ValidationFailed.one("minutes", "applies to the unassigned condition only")
    reassign = rule.get("reassign")
    for field, wanted in (("user_id", Reassign.USER), ("department_id", Reassign.DEPARTMENT)):
        if (rule.get(field) is not None) != (reassign == wanted):
            raise ValidationFailed.one(field, f"is given exactly when reassign is {wanted.value}")
    if rule.get("raise_priority") is None and reassign is None and not rule.get("notify"):
        raise ValidationFailed.one("notify", "a rule needs an action: raise_priority, reassign or notify")


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
