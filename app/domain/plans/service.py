"""Sales plan use cases: the shared owned-record ones (app/domain/shared/owned.py) plus the plan's
own: its period, targets the caller can read, and its progress."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.forecast.periods import Period
from app.domain.plans.entities import Progress, SalesPlan
from app.domain.shared.access import scope_or_empty
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.owned import OwnedRecords, OwnedRepository, WriteContextRepository
from app.domain.shared.ports import AuditTrail, EventOutbox
from app.domain.shared.scope import DataScope


class SalesPlanRepository(OwnedRepository[SalesPlan], Protocol):
    async def progress(self, tenant_id: UUID, plan: SalesPlan, period: Period) -> tuple[int, int]:
        """(done, still planned) activities of the plan's owner in the period with its targets."""
        ...

    async def visible(self, scope: DataScope, table: str, ids: list[UUID]) -> set[UUID]:
        """Which of these customers or leads are within the scope."""
        ...


class SalesPlanService(OwnedRecords[SalesPlan]):
    resource = "sales_plans"
    entity = "sales_plan"
    records: SalesPlanRepository

    def __init__(
        self, plans: SalesPlanRepository, context: WriteContextRepository, audit: AuditTrail, outbox: EventOutbox
    ) -> None:
        super().__init__(plans, context, audit, outbox)

    async def progress(self, principal: Principal, plan_id: UUID) -> tuple[SalesPlan, Progress]:
        plan = await self.get(principal, plan_id)
        period = Period.of(plan.period_kind, plan.period_start)  # type: ignore[arg-type]
        done, scheduled = await self.records.progress(principal.tenant_id, plan, period)
        return plan, Progress(plan.planned_activities, done, scheduled)

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        await self._check(principal, values)

    async def _prepare_update(
        self, principal: Principal, current: SalesPlan, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        await self._check(principal, changes)

    async def _check(self, principal: Principal, values: dict[str, Any]) -> None:
        if "period" in values:
            period = Period.parse(values.pop("period"))
            values["period_kind"], values["period_start"] = period.kind.value, period.start
        for field, table, resource in (
            ("target_customer_ids", "customers", "customers"),
            ("target_lead_ids", "leads", "leads"),
        ):
            if field not in values:
                continue
            wanted = list(dict.fromkeys(values[field] or []))
            seen = await self.records.visible(scope_or_empty(principal, resource, "read"), table, wanted)
            missing = [i for i, target in enumerate(wanted) if target not in seen]
            if missing:
                raise ValidationFailed.one(f"{field}.{missing[0]}", "is not a record you can see")
            values[field] = wanted
