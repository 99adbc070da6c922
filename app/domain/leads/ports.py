from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.domain.leads.entities import Lead
from app.domain.leads.scoring import ScoringRule
from app.domain.shared.owned import OwnedRepository


class LeadRepository(OwnedRepository[Lead], Protocol):
    async def mark_converted(
        self, tenant_id: UUID, lead_id: UUID, actor: UUID, customer_id: UUID, contact_id: UUID | None
    ) -> Lead: ...


class DuplicateFinder(Protocol):
    async def matching(
        self, tenant_id: UUID, emails: list[str], phones: list[str], *, exclude_lead: UUID | None
    ) -> list[dict[str, Any]]:
        """Live leads, contacts and customers of the tenant holding one of these normalized
        emails or phones: [{"entity": "lead" | "contact" | "customer", "id": ...}]."""
        ...


class ScoringRuleRepository(Protocol):
    async def active(self, tenant_id: UUID) -> list[ScoringRule]: ...
    async def list(self, tenant_id: UUID) -> list[ScoringRule]: ...
    async def get(self, tenant_id: UUID, rule_id: UUID) -> ScoringRule | None: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> ScoringRule: ...
    async def update(self, tenant_id: UUID, rule_id: UUID, actor: UUID, values: dict[str, Any]) -> ScoringRule: ...
    async def delete(self, tenant_id: UUID, rule_id: UUID, actor: UUID) -> bool: ...
