"""Repository ports of consent, suppression, unsubscribe, tracking and bounces (adapters in
app/repositories/marketing_consent.py and app/repositories/tracking.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope

if TYPE_CHECKING:
    from app.domain.marketing.consent import Consent, Subject
    from app.domain.marketing.suppressions import Suppression, SuppressionQuery


@dataclass(frozen=True, slots=True)
class DeliveryRef:
    """A delivery as the public endpoints see it: where it went, for whom, in which campaign."""

    tenant_id: UUID
    id: UUID
    channel: str
    address: str | None
    status: str
    member_id: UUID | None
    contact_id: UUID | None
    lead_id: UUID | None
    campaign_id: UUID
    campaign_name: str


class ConsentRepository(Protocol):
    async def subject_in_scope(self, scope: DataScope, subject: Subject, *, lock: bool = False) -> bool: ...
    async def list_for(self, tenant_id: UUID, subject: Subject) -> list[Consent]: ...
    async def current(self, tenant_id: UUID, subject: Subject, channel: str) -> Consent | None: ...
    async def put(
        self,
        tenant_id: UUID,
        subject: Subject,
        channel: str,
        status: str,
        source: str,
        proof: str | None,
        actor: UUID | None,
        *,
        status_only: bool = False,
    ) -> tuple[Consent, Consent | None] | None:
        """(The new state, the state before it), or None when the row already held it (see
        ConsentRecorder.record)."""
        ...


class SuppressionRepository(Protocol):
    async def list_page(self, tenant_id: UUID, query: SuppressionQuery) -> Page[Suppression]: ...
    async def add(
        self,
        tenant_id: UUID,
        channel: str,
        address: str,
        reason: str,
        *,
        detail: str | None,
        delivery_id: UUID | None,
        actor: UUID | None,
    ) -> Suppression | None:
        """The new entry, or None when the address was already listed (the first reason stays)."""
        ...

    async def listed(self, tenant_id: UUID, channel: str, address: str) -> bool: ...
    async def remove(self, tenant_id: UUID, channel: str, address: str) -> Suppression | None: ...


class DeliveryRepository(Protocol):
    async def get(self, tenant_id: UUID, delivery_id: UUID) -> DeliveryRef | None: ...
    async def by_message_ids(self, tenant_id: UUID, message_ids: Sequence[str]) -> list[DeliveryRef]: ...
    async def mark(self, tenant_id: UUID, delivery_ids: Sequence[UUID], *, bounced: bool, error: str) -> None:
        """Record a provider's report on deliveries: `bounced` sets their status, `error` the text."""
        ...


class MemberFunnel(Protocol):
    async def advance(self, tenant_id: UUID, step: str, member_ids: Sequence[UUID]) -> list[UUID]:
        """app/repositories/member_funnel.advance_members: the ids whose status changed."""
        ...


class TrackingRecorder(Protocol):
    async def record(
        self, kind: str, tenant_id: UUID, delivery_id: UUID, url: str | None, ip: str | None, user_agent: str | None
    ) -> None:
        """Count an open or a click on the delivery, its log row, the member's step and its event."""
        ...


class WebhookSecrets(Protocol):
    async def get(self, tenant_id: UUID) -> str | None: ...
    async def put(self, tenant_id: UUID, secret: str, actor: UUID) -> None: ...
