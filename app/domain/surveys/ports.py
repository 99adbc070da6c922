"""What the survey use cases need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from app.domain.shared.configured import ConfiguredRepository
from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope
from app.domain.surveys.entities import CallBack, CallBackQuery, Invitation, PublicInvitation, ResultsQuery, Survey


class SurveyRepository(ConfiguredRepository[Survey], Protocol):
    async def has_responses(self, tenant_id: UUID, survey_id: UUID) -> bool: ...

    async def clear_ticket_csat(self, tenant_id: UUID, actor: UUID, keep: UUID | None) -> None:
        """No survey but `keep` stays the ticket CSAT survey."""
        ...

    async def ticket_csat(self, tenant_id: UUID) -> Survey | None:
        """The tenant's live, active ticket CSAT survey."""
        ...


class InvitationRepository(Protocol):
    async def ticket_facts(self, tenant_id: UUID, ticket_id: UUID) -> dict[str, Any] | None:
        """A live ticket's status, customer, contact, assignee and team."""
        ...

    async def visible_ticket(self, scope: DataScope, ticket_id: UUID) -> dict[str, Any] | None:
        """The same facts for a ticket within `scope` (tickets' data range), else None."""
        ...

    async def insert(self, tenant_id: UUID, values: dict[str, Any]) -> Invitation | None:
        """None when an invitation for the same source event exists."""
        ...

    async def revoke_pending(self, tenant_id: UUID, ticket_id: UUID, keep: UUID, at: datetime) -> int: ...

    async def by_token(self, token: str, *, lock: bool) -> PublicInvitation | None: ...

    async def mark_answered(self, tenant_id: UUID, invitation_id: UUID, at: datetime) -> None: ...

    async def for_ticket(self, tenant_id: UUID, ticket_id: UUID) -> list[Invitation]: ...


class ResponseRepository(Protocol):
    async def insert(self, tenant_id: UUID, actor: UUID | None, values: dict[str, Any]) -> UUID: ...


class CallBackRepository(Protocol):
    async def customer_exists(self, tenant_id: UUID, customer_id: UUID, contact_id: UUID | None) -> bool:
        """A live customer of the tenant (and, when given, a live contact of that customer)."""
        ...

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> CallBack: ...

    async def list_page(self, scope: DataScope, query: CallBackQuery) -> Page[CallBack]: ...


class ResultsRepository(Protocol):
    async def results(self, scope: DataScope, survey: Survey, query: ResultsQuery) -> dict[str, Any]: ...
