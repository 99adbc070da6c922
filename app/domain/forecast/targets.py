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
from app.domain.forecast.service import Departments, subjects_in_range
from app.domain.shared.access import scope_or_empty
from app.domain.shared.configured import ConfiguredRecords, ConfiguredRepository
from app.domain.shared.errors import Conflict, NotFound, ValidationFailed
from app.domain.shared.ports import AuditTrail


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
    """Targets follow the data range of the deals they measure, as the forecast does: a caller
    sees, changes and sets the targets of the users and departments within their opportunities
    read range (app/domain/forecast/service.py, `subjects_in_range`); others do not exist for them."""

    resource = "targets"
    entity = "sales_target"

    def __init__(self, records: ConfiguredRepository[Target], audit: AuditTrail, people: Departments) -> None:
        super().__init__(records, audit)
        self.people = people

    async def _visible(self, principal: Principal, targets: list[Target]) -> list[Target]:
        scope = scope_or_empty(principal, "opportunities", "read")
        users = [t.user_id for t in targets if t.user_id is not None]
        departments = [t.department_id for t in targets if t.department_id is not None]
        seen = {
            *await subjects_in_range(self.people, scope, False, list(dict.fromkeys(users))),
            *await subjects_in_range(self.people, scope, True, list(dict.fromkeys(departments))),
        }
        return [t for t in targets if (t.user_id or t.department_id) in seen]

    async def list(self, principal: Principal) -> list[Target]:
        return await self._visible(principal, await super().list(principal))

    async def _get(self, principal: Principal, record_id: UUID) -> Target:
        found = await super()._get(principal, record_id)
        if not await self._visible(principal, [found]):
            raise NotFound("no such sales target")
        return found

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: Target | None) -> None:
        if "period" in values:
            period = Period.parse(values.pop("period"))
            values["period_kind"], values["period_start"] = period.kind.value, period.start
        if current is not None:
            return
        if (values.get("user_id") is None) == (values.get("department_id") is None):
            raise ValidationFailed.one("user_id", "give exactly one of user_id and department_id")
        field = "user_id" if values.get("user_id") is not None else "department_id"
        scope = scope_or_empty(principal, "opportunities", "read")
        if not await subjects_in_range(self.people, scope, field == "department_id", [values[field]]):
            raise ValidationFailed.one(field, "refers to no one within your data range")
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
