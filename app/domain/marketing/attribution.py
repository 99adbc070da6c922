"""Campaign attribution: which campaign brought a lead or a deal, and which touched it last.

Rules:
- `campaign_id` is the first touch, `last_campaign_id` the last. Both must name a live campaign of
  the tenant when a client sets them (else 422 on that field). A record created with a campaign
  gets it as both; a first touch set later fills an empty last touch.
- A later touch (a registration, a click, a lead form of another campaign) moves only the last
  touch, through `Attribution.touch`: of the lead while it is open; once converted, of the deal it
  became while that deal is open. A contact's touch moves the last touch of their open deals
  (where they are the primary contact). Closed deals keep what they had when they closed.
- Converting a lead carries both touches to the deal and moves the lead's campaign members to
  `converted`. A deal created for a contact who is a member of a campaign, without a campaign
  given, has none: attribution is never guessed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared.errors import FieldError, ValidationFailed
from app.domain.shared.ports import AuditTrail, NewEvent

FIRST, LAST = "campaign_id", "last_campaign_id"
FIELDS = (FIRST, LAST)
NOT_LIVE = "refers to no campaign of yours (unknown or deleted)"
# The resource (permissions, audit) of each entity whose touches move.
RESOURCES = {"lead": "leads", "opportunity": "opportunities"}


@dataclass(frozen=True, slots=True)
class Touched:
    """A record whose last touch moved: the entity, its id, and the campaign it had before."""

    entity: str
    id: UUID
    before: UUID | None


@dataclass(frozen=True, slots=True)
class MemberMoved:
    id: UUID
    campaign_id: UUID
    contact_id: UUID | None
    lead_id: UUID | None


class CampaignDirectory(Protocol):
    async def live(self, tenant_id: UUID, ids: Collection[UUID]) -> set[UUID]:
        """The ids among `ids` that name a live (not deleted) campaign of the tenant."""
        ...


class TouchRepository(Protocol):
    async def touch_lead(self, tenant_id: UUID, lead_id: UUID, campaign_id: UUID, actor: UUID | None) -> list[Touched]:
        """Move the last touch of the open lead, or of the open deal a converted lead became."""
        ...

    async def touch_contact(
        self, tenant_id: UUID, contact_id: UUID, campaign_id: UUID, actor: UUID | None
    ) -> list[Touched]:
        """Move the last touch of the contact's open deals."""
        ...

    async def convert_members(self, tenant_id: UUID, lead_id: UUID, actor: UUID | None) -> list[MemberMoved]:
        """The lead's campaign members moved to `converted` (member_funnel.advance_members)."""
        ...


class Attribution:
    def __init__(self, campaigns: CampaignDirectory, touches: TouchRepository, audit: AuditTrail) -> None:
        self.campaigns = campaigns
        self.touches = touches
        self.audit = audit

    async def check(self, tenant_id: UUID, values: dict[str, Any], current: Any = None) -> None:
        """Refuse (422, per field) campaign ids that name no live campaign of the tenant, among
        those `values` sets or changes; complete the last touch from the first where it is empty."""
        wanted = {
            name: values[name]
            for name in FIELDS
            if values.get(name) is not None and (current is None or values[name] != getattr(current, name))
        }
        if wanted:
            live = await self.campaigns.live(tenant_id, set(wanted.values()))
            errors = [FieldError(name, NOT_LIVE) for name, value in wanted.items() if value not in live]
            if errors:
                raise ValidationFailed(errors, "; ".join(f"{e.field}: {e.message}" for e in errors))
        first = values.get(FIRST)
        last = values[LAST] if LAST in values else getattr(current, LAST, None)
        if first is not None and last is None:
            values[LAST] = first

    async def carried(self, tenant_id: UUID, first: UUID | None, last: UUID | None) -> dict[str, UUID | None]:
        """A lead's touches as its deal takes them: only those still naming a live campaign."""
        live = await self.campaigns.live(tenant_id, {c for c in (first, last) if c is not None})
        kept_first = first if first in live else None
        return {FIRST: kept_first, LAST: last if last in live else kept_first}

    async def keep_live(self, tenant_id: UUID, values: dict[str, Any]) -> None:
        """A lead from outside (a public capture): touches naming no live campaign are dropped
        rather than refused, and the last touch is completed from the first; one query for both."""
        wanted = {values[name] for name in FIELDS if values.get(name) is not None}
        live = await self.campaigns.live(tenant_id, wanted) if wanted else set()
        for name in FIELDS:
            values[name] = values.get(name) if values.get(name) in live else None
        if values[FIRST] is not None and values[LAST] is None:
            values[LAST] = values[FIRST]

    async def touch(
        self,
        tenant_id: UUID,
        campaign_id: UUID,
        *,
        lead_id: UUID | None = None,
        contact_id: UUID | None = None,
        principal: Principal | None = None,
    ) -> list[Touched]:
        """A later touch of a lead or contact by `campaign_id`: moves only last touches (see the
        module's rules), each audited and published as `<entity>.updated` in the caller's
        transaction. The one entry point for registrations, clicks and lead forms."""
        if (lead_id is None) == (contact_id is None):
            raise ValueError("touch a lead or a contact")
        actor = principal.user_id if principal is not None else None
        if lead_id is not None:
            moved = await self.touches.touch_lead(tenant_id, lead_id, campaign_id, actor)
        else:
            assert contact_id is not None
            moved = await self.touches.touch_contact(tenant_id, contact_id, campaign_id, actor)
        for touched in moved:
            name = f"{touched.entity}.updated"
            changes = {LAST: {"before": touched.before, "after": campaign_id}}
            event = NewEvent(name, touched.entity, touched.id, {"id": touched.id, "changes": changes})
            await self.audit.record(
                principal, name, RESOURCES[touched.entity], touched.id, changes, tenant_id=tenant_id, events=[event]
            )
        return moved

    async def lead_converted(self, principal: Principal, lead_id: UUID) -> list[MemberMoved]:
        """The converted lead's campaign members reach `converted` (campaign_member.converted)."""
        moved = await self.touches.convert_members(principal.tenant_id, lead_id, principal.user_id)
        for member in moved:
            payload = {
                "campaign_id": member.campaign_id,
                "member_id": member.id,
                "contact_id": member.contact_id,
                "lead_id": member.lead_id,
                "step": "converted",
            }
            event = NewEvent("campaign_member.converted", "campaign_member", member.id, payload)
            changes = {"status": {"before": None, "after": "converted"}, "campaign_id": {"before": None,
                       "after": member.campaign_id}}  # fmt: skip
            await self.audit.record(
                principal, "campaign_member.converted", "campaigns", member.id, changes, events=[event]
            )
        return moved
