from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from app.domain.marketing.registration.entities import EventCampaign, EventSession, Member, Seats, Tally
from app.domain.shared.scope import DataScope


class RegistrationRepository(Protocol):
    async def campaign(self, scope: DataScope, campaign_id: UUID, *, for_update: bool = False) -> EventCampaign | None:
        """A live campaign within the scope."""
        ...

    async def by_public_key(self, public_key: str) -> EventCampaign | None:
        """The live campaign of a public key, whatever its tenant and state."""
        ...

    async def campaign_of(self, tenant_id: UUID, campaign_id: UUID) -> EventCampaign | None: ...

    async def save_settings(self, campaign: EventCampaign, actor: UUID, values: dict[str, Any]) -> EventCampaign:
        """Set registration_open, registration_form, capacity and public_key; bumps the version."""
        ...

    async def sessions(self, tenant_id: UUID, campaign_id: UUID, *, counted: bool = True) -> list[EventSession]:
        """The live sessions in time order, each with its registered members counted (`taken`;
        0 when not `counted`)."""
        ...

    async def tally(self, tenant_id: UUID, campaign_id: UUID) -> Tally: ...

    async def lock_seats(self, tenant_id: UUID, campaign_id: UUID) -> None:
        """Serialize the seat decisions of one campaign until the transaction ends."""
        ...

    async def seats(self, tenant_id: UUID, campaign_id: UUID, session_id: UUID | None) -> Seats: ...

    async def member_of(
        self, tenant_id: UUID, campaign_id: UUID, *, contact_id: UUID | None, lead_id: UUID | None
    ) -> Member | None:
        """The campaign's live member for this contact or lead, locked."""
        ...

    async def member(
        self, tenant_id: UUID, campaign_id: UUID | None, member_id: UUID, *, for_update: bool = False
    ) -> Member | None: ...

    async def member_by_code(self, tenant_id: UUID, campaign_id: UUID, code: str) -> Member | None:
        """Locked."""
        ...

    async def insert_member(self, tenant_id: UUID, values: dict[str, Any]) -> Member: ...

    async def insert_seated(
        self, tenant_id: UUID, values: dict[str, Any], capacity: int | None, session_capacity: int | None
    ) -> Member:
        """A new member registering: registered, and at the funnel's `registered` step, while the
        campaign's and the session's registered members are below their capacities (None: no
        limit), as `RegistrationService._room` decides; else waitlisted. The seat lock (as
        `lock_seats`), the decision and the insert are one statement."""
        ...

    async def update_member(
        self, tenant_id: UUID, member_id: UUID, actor: UUID | None, values: dict[str, Any]
    ) -> Member: ...

    async def first_waitlisted(self, tenant_id: UUID, campaign_id: UUID, session_id: UUID | None) -> Member | None:
        """The waitlist's head for the session (or the campaign without sessions), locked."""
        ...

    async def advance(self, tenant_id: UUID, step: str, member_ids: list[UUID], actor: UUID | None) -> list[UUID]:
        """member_funnel.advance_members: the ids whose status changed."""
        ...


class LastTouch(Protocol):
    """Attribution's later touch (app/domain/marketing/attribution.py `Attribution.touch`)."""

    async def touch(
        self, tenant_id: UUID, campaign_id: UUID, *, lead_id: UUID | None = None, contact_id: UUID | None = None
    ) -> Sequence[object]:
        """Move the last touch of the lead (or the deal it became) or the contact's open deals."""
        ...
