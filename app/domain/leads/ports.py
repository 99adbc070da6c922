from __future__ import annotations

from typing import Any, NamedTuple, Protocol
from uuid import UUID

from app.domain.leads.entities import Lead
from app.domain.leads.forms import LeadForm
from app.domain.leads.routing import AssignmentRule
from app.domain.leads.scoring import ScoringRule
from app.domain.shared.configured import ConfiguredRepository
from app.domain.shared.owned import OwnedRepository


class LeadRepository(OwnedRepository[Lead], Protocol):
    async def mark_converted(
        self,
        tenant_id: UUID,
        lead_id: UUID,
        actor: UUID,
        customer_id: UUID,
        contact_id: UUID | None,
        opportunity_id: UUID | None,
    ) -> Lead: ...


class DuplicateFinder(Protocol):
    async def matching(
        self, tenant_id: UUID, emails: list[str], phones: list[str], *, exclude_lead: UUID | None
    ) -> list[dict[str, Any]]:
        """Live leads, contacts and customers of the tenant holding one of these normalized
        emails or phones: [{"entity": "lead" | "contact" | "customer", "id": ...}]."""
        ...


class ScoringRuleRepository(ConfiguredRepository[ScoringRule], Protocol):
    async def active(self, tenant_id: UUID) -> list[ScoringRule]: ...


class AssignmentRuleRepository(ConfiguredRepository[AssignmentRule], Protocol):
    async def next_turn(self, tenant_id: UUID, rule_id: UUID) -> int:
        """This rule's round-robin counter, then advanced (serialized per rule)."""
        ...

    async def candidates(self, tenant_id: UUID, department_id: UUID) -> list[tuple[UUID, int]]:
        """(user, open leads) for the department's active users who may work leads, by user id."""
        ...

    async def active_user_department(self, tenant_id: UUID, user_id: UUID) -> tuple[bool, UUID | None] | None: ...


class FormEntry(NamedTuple):
    tenant_id: UUID
    form: LeadForm
    retry_after: int | None


class LeadFormRepository(ConfiguredRepository[LeadForm], Protocol): ...


class LeadFormGate(Protocol):
    async def enter(self, form_key: str, address: str, limit: int, window_seconds: int) -> FormEntry | None:
        """A submission to the live, active form of `form_key` (None: no such form, nothing
        counted) from `address`, counted as a (shared) `RateLimiter` hit in the bucket of that form and
        address: the form, its tenant, and None when within the limit, else the seconds to wait."""
        ...
