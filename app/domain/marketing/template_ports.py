"""What the message-template use cases need from storage."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.domain.marketing.templates import MessageTemplate, TemplateQuery, TemplateSummary
from app.domain.marketing.variables import CampaignFacts, RecipientFacts
from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope


class MessageTemplateRepository(Protocol):
    async def get(
        self, tenant_id: UUID, template_id: UUID, *, for_update: bool = False, deleted: bool = False
    ) -> MessageTemplate | None: ...

    async def list_page(self, tenant_id: UUID, query: TemplateQuery) -> Page[TemplateSummary]: ...

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> MessageTemplate:
        """Conflict (with the existing id) when a live template has the same name."""
        ...

    async def update(self, tenant_id: UUID, template_id: UUID, actor: UUID, values: dict[str, Any]) -> MessageTemplate:
        """Conflict (with the existing id) when a live template has the new name."""
        ...

    async def set_deleted(
        self, tenant_id: UUID, template_id: UUID, actor: UUID, *, deleted: bool
    ) -> MessageTemplate | None:
        """None when no such live (or, to restore, deleted) template; Conflict when restoring
        a name another live template took meanwhile."""
        ...


class RecipientDirectory(Protocol):
    """A message's recipient and campaign, each read in one statement within the caller's range."""

    async def contact(self, scope: DataScope, contact_id: UUID, *, customers_scope: DataScope) -> RecipientFacts | None:
        """The live contact with its owner and, where `customers_scope` reaches it, its customer
        (and the customer's region); the owner is the customer's when there is one."""
        ...

    async def lead(self, scope: DataScope, lead_id: UUID) -> RecipientFacts | None:
        """The live lead with its owner."""
        ...

    async def contacts(
        self, scope: DataScope, contact_ids: list[UUID], *, customers_scope: DataScope
    ) -> dict[UUID, RecipientFacts]:
        """`contact` for many at once (a send's batch), in one statement; out of range: left out."""
        ...

    async def leads(self, scope: DataScope, lead_ids: list[UUID]) -> dict[UUID, RecipientFacts]:
        """`lead` for many at once, in one statement; out of range: left out."""
        ...

    async def campaign(self, scope: DataScope, campaign_id: UUID, public_url: str) -> CampaignFacts | None:
        """The live campaign with its first session's time and place, and its public
        registration link (under `public_url`) while registration is open."""
        ...
