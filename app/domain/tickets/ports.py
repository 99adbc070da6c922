"""What the ticket use cases need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from app.domain.shared.configured import ConfiguredRepository
from app.domain.shared.owned import OwnedRepository
from app.domain.shared.routing import RoutingRules
from app.domain.shared.scope import DataScope
from app.domain.tickets.entities import (
    CalendarSettings,
    Category,
    Comment,
    Escalation,
    SlaPolicy,
    Ticket,
    TicketAssignmentRule,
    TicketEscalationRule,
)
from app.domain.tickets.history import HistoryEntry


class TicketRepository(OwnedRepository[Ticket], Protocol):
    async def take_number(self, tenant_id: UUID, ticket_id: UUID, prefix: str, digits: int) -> str:
        """Give a ticket this transaction inserted without a number the tenant's next one
        (`prefix` and at least `digits` digits), gap-free: other creators wait for this
        transaction to end, so it comes last."""
        ...

    async def customer_facts(self, tenant_id: UUID, customer_id: UUID) -> tuple[str, str | None] | None:
        """(name, level) of a live customer of the tenant."""
        ...

    async def team_manager(self, tenant_id: UUID, department_id: UUID, exclude: UUID | None) -> UUID | None:
        """An active user of the department who may assign tickets (the team's manager)."""
        ...

    async def add_status_change(
        self, tenant_id: UUID, ticket_id: UUID, before: str | None, after: str, actor: UUID | None, at: datetime
    ) -> None:
        """A status move at `at`, the instant the SLA clocks read for it."""
        ...

    async def add_escalation(self, tenant_id: UUID, values: dict[str, Any]) -> Escalation | None:
        """The escalation recorded; None when `values` names a rule that already escalated the ticket."""
        ...

    async def history(self, scope: DataScope, ticket_id: UUID) -> list[HistoryEntry]:
        """The ticket's status moves, escalations and audited assignments/priority changes (unordered)."""
        ...

    async def escalations(self, scope: DataScope, ticket_id: UUID) -> list[Escalation]: ...


class CommentRepository(Protocol):
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Comment: ...

    async def list(self, tenant_id: UUID, ticket_id: UUID, visibility: str | None, limit: int) -> list[Comment]: ...


class CalendarRepository(Protocol):
    async def get(self, tenant_id: UUID) -> CalendarSettings:
        """The tenant's calendar, or the defaults when none was saved."""
        ...

    async def put(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> CalendarSettings: ...


class SlaPolicyRepository(ConfiguredRepository[SlaPolicy], Protocol): ...


class CategoryRepository(ConfiguredRepository[Category], Protocol): ...


class TicketRoutingRules(ConfiguredRepository[TicketAssignmentRule], RoutingRules[TicketAssignmentRule], Protocol): ...


class EscalationRuleRepository(ConfiguredRepository[TicketEscalationRule], Protocol): ...
