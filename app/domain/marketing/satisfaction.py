"""Satisfaction with an event: POST /campaigns/{id}/survey sends a survey (Step 4) to the
campaign's attendees, the way a resolved ticket invites its customer (app/domain/surveys): one
invitation with a one-time link per attendee, published as `survey.invitation_created` for the
integration that delivers it; the answers come back through the public survey link.

- Needs campaigns:update on a campaign in the caller's range (404 otherwise) and surveys:read; the
  survey must be live and active (422).
- Attendees are members whose check-in time is set. A contact within the caller's contacts range
  is invited once per (campaign, survey): sending again reaches only those not invited yet. Leads
  have no contact to invite (a survey link rates a customer's contact): they are skipped and
  counted, as are contacts outside the caller's range.
- The campaign keeps the survey (`survey_id`); its stats show the responses and average score.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared import clock
from app.domain.shared.access import scope_or_empty
from app.domain.shared.errors import NotFound, ValidationFailed
from app.domain.shared.ports import AuditTrail, NewEvent
from app.domain.shared.scope import DataScope
from app.domain.surveys.entities import Invitation, Survey
from app.domain.surveys.service import INVITATION_CREATED, public_path

RESOURCE = "campaigns"


@dataclass(frozen=True, slots=True)
class SurveyedCampaign:
    id: UUID
    owner_id: UUID
    department_id: UUID | None
    survey_id: UUID | None


class SatisfactionRepository(Protocol):
    async def campaign_for_update(self, scope: DataScope, campaign_id: UUID) -> SurveyedCampaign | None: ...

    async def attendees(self, tenant_id: UUID, campaign_id: UUID) -> list[tuple[UUID | None, UUID | None]]:
        """(contact_id, lead_id) of the live members who attended."""
        ...

    async def contacts_in(self, scope: DataScope, contact_ids: list[UUID]) -> dict[UUID, UUID | None]:
        """The live contacts among `contact_ids` within `scope`, with their customer."""
        ...

    async def invite(self, tenant_id: UUID, rows: list[dict[str, Any]]) -> list[Invitation]:
        """Insert invitations; those already made for the same (campaign, survey, contact) are skipped."""
        ...

    async def set_survey(self, tenant_id: UUID, campaign_id: UUID, survey_id: UUID, actor: UUID) -> None: ...


class SurveyGetter(Protocol):
    async def get(self, tenant_id: UUID, record_id: UUID) -> Survey | None: ...


class EventSatisfaction:
    def __init__(self, campaigns: SatisfactionRepository, surveys: SurveyGetter, audit: AuditTrail) -> None:
        self.campaigns = campaigns
        self.surveys = surveys
        self.audit = audit

    async def send_survey(self, principal: Principal, campaign_id: UUID, survey_id: UUID) -> dict[str, Any]:
        principal.require("surveys", "read")
        campaign = await self.campaigns.campaign_for_update(principal.scope(RESOURCE, "update"), campaign_id)
        if campaign is None:
            raise NotFound("no such campaign")
        survey = await self.surveys.get(principal.tenant_id, survey_id)
        if survey is None or not survey.active:
            raise ValidationFailed.one("survey_id", "refers to no active survey")
        tenant = principal.tenant_id
        attendees = await self.campaigns.attendees(tenant, campaign.id)
        contact_ids = [contact for contact, _ in attendees if contact is not None]
        reachable = await self.campaigns.contacts_in(scope_or_empty(principal, "contacts", "read"), contact_ids)
        at = clock.utcnow()
        rows = [
            {
                "survey_id": survey.id,
                "campaign_id": campaign.id,
                "token": secrets.token_urlsafe(32),
                "expires_at": at + timedelta(days=survey.link_valid_days),
                "contact_id": contact_id,
                "customer_id": customer_id,
                # Whose work the answers rate: the campaign's owner and team.
                "owner_id": campaign.owner_id,
                "department_id": campaign.department_id,
                "created_by": principal.user_id,
                "updated_by": principal.user_id,
            }
            for contact_id, customer_id in sorted(reachable.items())
        ]
        made = await self.campaigns.invite(tenant, rows) if rows else []
        for invitation in made:
            payload = {
                "invitation_id": invitation.id,
                "survey_id": survey.id,
                "campaign_id": campaign.id,
                "ticket_id": None,
                "customer_id": invitation.customer_id,
                "contact_id": invitation.contact_id,
                "token": invitation.token,
                "path": public_path(invitation.token),
                "expires_at": invitation.expires_at.isoformat(),
            }
            event = NewEvent(INVITATION_CREATED, "survey_invitation", invitation.id, payload)
            changes = {"campaign_id": {"before": None, "after": campaign.id},
                       "survey_id": {"before": None, "after": survey.id}}  # fmt: skip
            await self.audit.record(principal, "survey_invitation.created", "surveys", invitation.id, changes,
                                    events=[event])  # fmt: skip
        if campaign.survey_id != survey.id:
            await self.campaigns.set_survey(tenant, campaign.id, survey.id, principal.user_id)
            changes = {"survey_id": {"before": campaign.survey_id, "after": survey.id}}
            event = NewEvent("campaign.updated", "campaign", campaign.id, {"id": campaign.id, "changes": changes})
            await self.audit.record(principal, "campaign.updated", RESOURCE, campaign.id, changes, events=[event])
        return {
            "campaign_id": campaign.id,
            "survey_id": survey.id,
            "attendees": len(attendees),
            "invited": len(made),
            "already_invited": len(reachable) - len(made),
            "skipped_leads": sum(1 for contact, _ in attendees if contact is None),
            "skipped_out_of_range": len(contact_ids) - len(reachable),
        }
