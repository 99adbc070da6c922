"""Sales targets (targets:read to see, targets:manage to set): an amount, and optionally a count
of won deals, for one user or one department in a month, quarter or year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.forecast.periods import Period
from app.domain.shared.configured import ConfiguredRecords
from app.domain.shared.errors import Conflict, ValidationFailed


@dataclass(slots=True)
class Target:
    id: UUID
    user_id: UUID | None
    department_id: UUID | None
    period_kind: str
    period_start: date
    amount: Decimal
    won_count: int | None
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def period(self) -> Period:
        return Period.of(self.period_kind, self.period_start)  # type: ignore[arg-type]


class TargetService(ConfiguredRecords[Target]):
    resource = "targets"
    entity = "sales_target"

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: Target | None) -> None:
        if "period" in values:
            period = Period.parse(values.pop("period"))
            values["period_kind"], values["period_start"] = period.kind.value, period.start
        if current is not None:
            return
        if (values.get("user_id") is None) == (values.get("department_id") is None):
            raise ValidationFailed.one("user_id", "give exactly one of user_id and department_id")
        subject = values.get("user_id") or values.get("department_id")
        for existing in await self.records.list(principal.tenant_id):
            same = (existing.user_id or existing.department_id) == subject
            if same and (existing.period_kind, existing.period_start) == (
                values["period_kind"],
                values["period_start"],
            ):
                raise Conflict(
                    "this user or department already has a target for the period", existing_id=str(existing.id)
                )
