"""Lead routing: a tenant's ordered assignment rules send a lead without an owner to a user, or
to a department's active sales users in turn (round robin) or to whoever has the fewest open
leads. A lead that no rule takes waits in the unassigned queue."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared.configured import ConfiguredRecords
from app.domain.shared.errors import ValidationFailed

if TYPE_CHECKING:
    from app.domain.leads.ports import AssignmentRuleRepository


class Method(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_OPEN = "least_open"


@dataclass(slots=True)
class AssignmentRule:
    id: UUID
    name: str
    position: int
    active: bool
    region_id: UUID | None
    source: str | None
    min_score: int | None
    user_id: UUID | None
    department_id: UUID | None
    method: str
    created_at: datetime
    updated_at: datetime
    version: int

    def takes(self, lead: dict[str, Any]) -> bool:
        return (
            self.active
            and (self.region_id is None or lead.get("region_id") == self.region_id)
            and (self.source is None or lead.get("source") == self.source)
            and (self.min_score is None or (lead.get("score") or 0) >= self.min_score)
        )


@dataclass(frozen=True, slots=True)
class Routed:
    owner_id: UUID | None
    department_id: UUID | None
    rule: AssignmentRule | None  # None: no rule took the lead (the queue)


def check_rule(values: dict[str, Any]) -> None:
    """A rule sends leads to exactly one user or one department."""
    if (values.get("user_id") is None) == (values.get("department_id") is None):
        raise ValidationFailed.one("user_id", "give exactly one of user_id and department_id")


class AssignmentRuleService(ConfiguredRecords[AssignmentRule]):
    resource = "leads"
    entity = "lead_assignment_rule"

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: AssignmentRule | None) -> None:
        merged = {**asdict(current), **values} if current is not None else values
        check_rule(merged)
        if current is None and values.get("position") is None:
            existing = await self.records.list(principal.tenant_id)
            values["position"] = max((rule.position for rule in existing), default=0) + 10


async def route(rules: AssignmentRuleRepository, tenant_id: UUID, lead: dict[str, Any]) -> Routed:
    """The first rule that takes the lead and has someone to give it to decides its owner."""
    for rule in await rules.list(tenant_id):  # in position order
        if not rule.takes(lead):
            continue
        if rule.user_id is not None:
            found = await rules.active_user_department(tenant_id, rule.user_id)
            if found is not None and found[0]:
                return Routed(rule.user_id, found[1], rule)
            continue
        assert rule.department_id is not None
        people = await rules.candidates(tenant_id, rule.department_id)
        if not people:
            continue
        if rule.method == Method.LEAST_OPEN:
            owner = min(people, key=lambda p: (p[1], p[0]))[0]
        else:
            owner = people[await rules.next_turn(tenant_id, rule.id) % len(people)][0]
        return Routed(owner, rule.department_id, rule)
    return Routed(None, None, None)
