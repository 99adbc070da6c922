"""Won and lost reasons (`GET /analytics/sales/reasons`): the deals closed in a window (by when
they entered their won or lost stage), optionally of one pipeline, per outcome and reason: how
many, and their amount per currency. Within the caller's opportunities read range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.analytics.parts import add_money, drill, instants_query, local_today, money, window_echo
from app.domain.analytics.window import Window
from app.domain.shared.scope import DataScope

OUTCOMES = ("won", "lost")


@dataclass(frozen=True, slots=True)
class ReasonSum:
    outcome: str  # won | lost
    reason: str | None  # None: no reason given
    currency: str
    deals: int
    amount: Decimal


class ReasonRepository(Protocol):
    async def time_zone(self, tenant_id: UUID) -> str: ...

    async def reason_sums(
        self, scope: DataScope, window: Window, time_zone: str, pipeline_id: UUID | None
    ) -> list[ReasonSum]:
        """Live deals within `scope` in a won or lost stage, closed in the window, per outcome,
        reason and currency."""
        ...


class ReasonService:
    def __init__(self, repo: ReasonRepository) -> None:
        self.repo = repo

    async def analyse(
        self, principal: Principal, start: date | None, to: date | None, pipeline_id: UUID | None, now: datetime
    ) -> dict[str, Any]:
        scope = principal.scope("opportunities", "read")
        time_zone = await self.repo.time_zone(principal.tenant_id)
        window = Window.parse(start, to, None, today=local_today(now, time_zone))
        sums = await self.repo.reason_sums(scope, window, time_zone, pipeline_id)
        base = {**instants_query(window, time_zone, "closed_from", "closed_to"), "pipeline": pipeline_id}
        out: dict[str, Any] = {"window": window_echo(window, time_zone), "pipeline": pipeline_id}
        for outcome in OUTCOMES:
            per_reason: dict[str | None, tuple[int, dict[str, Decimal]]] = {}
            total_deals, total_amount = 0, dict[str, Decimal]()
            for s in sums:
                if s.outcome != outcome:
                    continue
                deals, amounts = per_reason.get(s.reason, (0, {}))
                add_money(amounts, s.currency, s.amount)
                per_reason[s.reason] = (deals + s.deals, amounts)
                total_deals += s.deals
                add_money(total_amount, s.currency, s.amount)
            field = f"{outcome}_reason"
            out[outcome] = {
                "deals": total_deals,
                "amount": money(total_amount),
                "drill": drill("/api/v1/opportunities", {**base, "status": outcome}),
                "reasons": [
                    {
                        "reason": reason,
                        "deals": deals,
                        "amount": money(amounts),
                        # a deal without a reason has no list filter of its own: the outcome's list
                        "drill": drill("/api/v1/opportunities", {**base, "status": outcome, field: reason}),
                    }
                    for reason, (deals, amounts) in sorted(
                        per_reason.items(), key=lambda item: (item[0] is None, -item[1][0], item[0] or "")
                    )
                ],
            }
        return out
