"""The tenant's lead scoring rules (leads:manage). A change applies at once to leads written from
then on, and the worker rescores the open leads already there (app/domain/leads/rescoring.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.auth.principal import Principal
from app.domain.leads.rescoring import request_rescore
from app.domain.leads.scoring import ScoringRule, check_rule
from app.domain.shared.configured import ConfiguredRecords, ConfiguredRepository
from app.domain.shared.ports import AuditTrail, EventOutbox


class ScoringRuleService(ConfiguredRecords[ScoringRule]):
    resource = "leads"
    entity = "lead_scoring_rule"

    def __init__(self, records: ConfiguredRepository[ScoringRule], audit: AuditTrail, outbox: EventOutbox) -> None:
        super().__init__(records, audit)
        self.outbox = outbox

    async def _changed(self, principal: Principal, record: ScoringRule) -> None:
        await request_rescore(self.outbox, principal.tenant_id, record.id)

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: ScoringRule | None) -> None:
        merged = {**asdict(current), **values} if current is not None else values
        check_rule(merged["field"], merged["op"], merged.get("value"))
