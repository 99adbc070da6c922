"""What the campaign use cases need from storage (PostgreSQL adapters: app/repositories/campaigns.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from app.domain.marketing.campaign_entities import Campaign, CampaignSession, Member, MemberQuery, NewMember
from app.domain.shared.owned import OwnedRepository
from app.domain.shared.paging import Page
from app.domain.shared.ports import NewEvent
from app.domain.shared.scope import DataScope


class CampaignRepository(OwnedRepository[Campaign], Protocol):
    async def ancestors(self, tenant_id: UUID, campaign_id: UUID) -> list[UUID]:
        """The campaign's parent, its parent's parent... (at most a few hundred: a cycle stops it)."""
        ...


class SessionRepository(Protocol):
    async def list(self, tenant_id: UUID, campaign_id: UUID) -> list[CampaignSession]: ...
    async def get(
        self, tenant_id: UUID, campaign_id: UUID, session_id: UUID, *, for_update: bool = False
    ) -> CampaignSession | None: ...
    async def insert(
        self, tenant_id: UUID, campaign_id: UUID, actor: UUID, values: dict[str, Any]
    ) -> CampaignSession: ...
    async def update(
        self, tenant_id: UUID, session_id: UUID, actor: UUID, values: dict[str, Any]
    ) -> CampaignSession: ...
    async def delete(self, tenant_id: UUID, session_id: UUID, actor: UUID) -> int:
        """Soft-delete the session; returns how many members lost it (their session becomes none)."""
        ...


class MemberRepository(Protocol):
    """Members as the caller sees them: those whose contact or lead is within the given
    contacts / leads scopes (a member outside both does not exist for the caller)."""

    async def list_page(
        self, campaign_id: UUID, contacts: DataScope, leads: DataScope, query: MemberQuery
    ) -> Page[Member]: ...
    async def funnel(self, campaign_id: UUID, contacts: DataScope, leads: DataScope) -> dict[str, int]: ...
    async def get(
        self, campaign_id: UUID, member_id: UUID, contacts: DataScope, leads: DataScope, *, for_update: bool = False
    ) -> Member | None: ...
    async def visible_ids(self, scope: DataScope, kind: str, ids: Sequence[UUID]) -> set[UUID]:
        """Of `ids`, the live contacts (kind "contact") or leads within `scope`."""
        ...

    async def add(
        self,
        tenant_id: UUID,
        campaign_id: UUID,
        actor: UUID,
        contact_ids: Sequence[UUID],
        lead_ids: Sequence[UUID],
        source: str,
    ) -> list[NewMember]:
        """Insert the members not yet in the campaign (a removed one comes back); returns those."""
        ...

    async def advance(self, tenant_id: UUID, step: str, member_ids: Sequence[UUID], actor: UUID) -> list[UUID]: ...
    async def remove(self, tenant_id: UUID, member_id: UUID, actor: UUID) -> None: ...
    async def publish(self, tenant_id: UUID, events: Sequence[NewEvent]) -> None:
        """Many outbox events in one statement (a thousand members added at once)."""
        ...
