"""The tenant's lead scoring rules (leads:manage). A change applies to leads as they are next
written; rescoring every lead at once is a job for the worker."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.auth.principal import Principal
from app.domain.leads.scoring import ScoringRule, check_rule
from app.domain.shared.configured import ConfiguredRecords


class ScoringRuleService(ConfiguredRecords[ScoringRule]):
    resource = "leads"
    entity = "lead_scoring_rule"

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: ScoringRule | None) -> None:
        merged = {**asdict(current), **values} if current is not None else values
        check_rule(merged["field"], merged["op"], merged.get("value"))
