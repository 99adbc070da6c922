"""The tenant's lead scoring rules (leads:manage). A change applies to leads as they are next
written; rescoring every lead at once is a job for the worker."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.leads.ports import ScoringRuleRepository
from app.domain.leads.scoring import ScoringRule, check_rule
from app.domain.shared.errors import NotFound
from app.domain.shared.ports import AuditTrail, diff

RESOURCE = "leads"


class ScoringRuleService:
    def __init__(self, rules: ScoringRuleRepository, audit: AuditTrail) -> None:
        self.rules = rules
        self.audit = audit

    async def list(self, principal: Principal) -> list[ScoringRule]:
        principal.require(RESOURCE, "read")
        return await self.rules.list(principal.tenant_id)

    async def create(self, principal: Principal, values: dict[str, Any]) -> ScoringRule:
        principal.require(RESOURCE, "manage")
        check_rule(values["field"], values["op"], values.get("value"))
        rule = await self.rules.insert(principal.tenant_id, principal.user_id, values)
        await self.audit.record(principal, "lead_scoring_rule.created", RESOURCE, rule.id, diff(None, asdict(rule)))
        return rule

    async def update(self, principal: Principal, rule_id: UUID, changes: dict[str, Any]) -> ScoringRule:
        principal.require(RESOURCE, "manage")
        current = await self._get(principal, rule_id)
        merged = {**asdict(current), **changes}
        check_rule(merged["field"], merged["op"], merged["value"])
        updated = await self.rules.update(principal.tenant_id, rule_id, principal.user_id, changes)
        changed = diff(asdict(current), asdict(updated))
        await self.audit.record(principal, "lead_scoring_rule.updated", RESOURCE, rule_id, changed)
        return updated

    async def delete(self, principal: Principal, rule_id: UUID) -> None:
        principal.require(RESOURCE, "manage")
        await self._get(principal, rule_id)
        await self.rules.delete(principal.tenant_id, rule_id, principal.user_id)
        change = {"deleted": {"before": False, "after": True}}
        await self.audit.record(principal, "lead_scoring_rule.deleted", RESOURCE, rule_id, change)

    async def _get(self, principal: Principal, rule_id: UUID) -> ScoringRule:
        found = await self.rules.get(principal.tenant_id, rule_id)
        if found is None:
            raise NotFound("no such scoring rule")
        return found
