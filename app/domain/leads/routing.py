"""Lead routing: a tenant's ordered assignment rules send a lead without an owner to a user, or
to a department's active sales users in turn (round robin) or to whoever has the fewest open
leads. A lead that no rule takes waits in the unassigned queue. The mechanism is shared with
tickets (app/domain/shared/routing.py); a lead rule matches by region, source and score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from app.domain.shared.routing import Method, Routed, RoutingRuleService, check_rule, route

__all__ = ["AssignmentRule", "AssignmentRuleService", "Method", "Routed", "check_rule", "route"]


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


class AssignmentRuleService(RoutingRuleService[AssignmentRule]):
    resource = "leads"
    entity = "lead_assignment_rule"
