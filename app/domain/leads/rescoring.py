"""Rescoring after the scoring rules change: a rule's create, change or delete puts a
`leads.rescore` event in the outbox (in the rule's transaction); the worker then walks the
tenant's open leads in id order, a batch per event, and each batch that is not the last queues the
next one. So a tenant with a million leads is rescored in many short transactions, a worker
killed midway resumes where it stopped, and a second rule change simply starts another walk.

A lead whose score would not change is not written. A lead written by someone else since the batch
read it keeps that write (its score already followed the new rules). Converted and unqualified
leads keep the score they had when they were worked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from app.domain.leads.ports import ScoringRuleRepository
from app.domain.leads.scoring import score
from app.domain.shared.ports import EventOutbox

RESCORE_EVENT = "leads.rescore"
BATCH = 500


@dataclass(slots=True)
class ScoredLead:
    id: UUID
    version: int
    values: dict[str, Any]  # the fields rules look at, and custom_fields
    score: int
    reasons: list[dict[str, Any]]


class RescoringRepository(Protocol):
    async def open_leads_after(self, tenant_id: UUID, after: UUID | None, limit: int) -> list[ScoredLead]:
        """Live leads in an open status with id > `after`, in id order."""
        ...

    async def set_scores(self, tenant_id: UUID, scored: list[ScoredLead]) -> int:
        """Write score and reasons where the lead's version is still the one read; how many were."""
        ...


async def request_rescore(outbox: EventOutbox, tenant_id: UUID, rule_id: UUID) -> None:
    await outbox.publish(tenant_id, RESCORE_EVENT, "lead_scoring_rule", rule_id, {"after": None})


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    """Reasons compared as stored (a rule id read back from JSON is text)."""

    def key(reasons: list[dict[str, Any]]) -> list[tuple[str, Any, Any]]:
        return [(str(r.get("rule_id")), r.get("label"), r.get("points")) for r in reasons]

    return key(a) == key(b)


async def rescore_batch(
    tenant_id: UUID,
    rule_id: UUID,
    after: UUID | None,
    leads: RescoringRepository,
    rules: ScoringRuleRepository,
    outbox: EventOutbox,
    *,
    batch: int | None = None,
) -> int:
    """Rescore the next batch of open leads after `after`; queue the following batch if there may
    be one. Returns how many leads were rewritten."""
    size = batch or BATCH
    active = await rules.active(tenant_id)
    found = await leads.open_leads_after(tenant_id, after, size)
    changed: list[ScoredLead] = []
    for lead in found:
        points, reasons = score(active, lead.values)
        if points != lead.score or not _same(reasons, lead.reasons):
            lead.score, lead.reasons = points, reasons
            changed.append(lead)
    written = await leads.set_scores(tenant_id, changed) if changed else 0
    if len(found) == size:
        await outbox.publish(tenant_id, RESCORE_EVENT, "lead_scoring_rule", rule_id, {"after": str(found[-1].id)})
    return written
