"""Survey use cases: templates (surveys:manage to keep them, surveys:read to see them), the ticket
CSAT invitation made when a ticket is resolved, the public answer through its link, call-backs
(surveys:create) and results.

Whose responses and call-backs a caller sees: the caller's *tickets* read range applied to the
response's agent and team (owner_id, department_id: the ticket's assignee and team when it was
resolved) - an agent their own, a manager their team's, an analyst all. A role without tickets:read
sees none (deny by default).

Decisions:
- Questions of a survey that has responses are fixed: changing them is a 409 (copy the survey to a
  new one to ask differently); name, description, active and the CSAT mark stay editable.
- One survey per tenant is the ticket CSAT survey (`is_ticket_csat`); marking another moves the mark.
- One invitation per resolution (keyed by the ticket.resolved event); a re-resolution after a
  reopen invites again and revokes the earlier unanswered link (410).
- The link token is stored as it is, not hashed: staff must be able to send (and re-send) the link
  while it is valid. It is 256 random bits, reaches one survey of one ticket, answers once and
  expires; whoever can read the table can read the responses themselves anyway.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared import clock
from app.domain.shared.configured import ConfiguredRecords
from app.domain.shared.errors import Conflict, Gone, NotFound, TooManyRequests, ValidationFailed
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail, EventOutbox, RateLimiter
from app.domain.shared.scope import DataScope
from app.domain.surveys.entities import (
    CallBack,
    CallBackQuery,
    Channel,
    Invitation,
    InvitationState,
    Outcome,
    PublicInvitation,
    ResultsQuery,
    Survey,
)
from app.domain.surveys.ports import (
    CallBackRepository,
    InvitationRepository,
    ResponseRepository,
    ResultsRepository,
    SurveyRepository,
)
from app.domain.surveys.questions import check_answers, normalize_questions
from app.domain.surveys.results import summarize

RESOURCE = "surveys"
INVITATION_CREATED = "survey.invitation_created"
RESPONDED = "survey.responded"
RESOLVED_STATUSES = ("resolved", "closed")
# The SPA's page for a link; integrations put their own origin in front.
PUBLIC_PATH = "/survey/{token}"
# Tries per link and client address (a customer correcting a refused answer retries a few times).
ANSWERS_PER_WINDOW = 30
WINDOW_SECONDS = 600


def now() -> datetime:
    """The instant links expire against; tests move it."""
    return clock.utcnow()


def public_path(token: str) -> str:
    return PUBLIC_PATH.format(token=token)


def response_scope(principal: Principal, action: str) -> DataScope:
    """surveys:<action>, then the caller's tickets read range (none without tickets:read)."""
    principal.require(RESOURCE, action)
    if principal.can("tickets", "read"):
        return principal.scope("tickets", "read")
    return DataScope(principal.tenant_id, principal.user_id, principal.department_ids, ())


class SurveyService(ConfiguredRecords[Survey]):
    resource = RESOURCE
    entity = "survey"
    records: SurveyRepository

    async def get(self, principal: Principal, survey_id: UUID) -> Survey:
        principal.require(self.resource, "read")
        return await self._get(principal, survey_id)

    async def _prepare(self, principal: Principal, values: dict[str, Any], current: Survey | None) -> None:
        if "questions" in values:
            if current is not None and await self.records.has_responses(principal.tenant_id, current.id):
                raise Conflict("the survey has responses: its questions are fixed; copy it to a new survey instead")
            values["questions"] = normalize_questions(values["questions"])
        if values.get("is_ticket_csat"):
            keep = current.id if current is not None else None
            await self.records.clear_ticket_csat(principal.tenant_id, principal.user_id, keep)


class InvitationService:
    def __init__(
        self,
        surveys: SurveyRepository,
        invitations: InvitationRepository,
        responses: ResponseRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        self.surveys = surveys
        self.invitations = invitations
        self.responses = responses
        self.audit = audit
        self.outbox = outbox

    async def invite_on_resolution(self, tenant_id: UUID, ticket_id: UUID, event_id: UUID) -> Invitation | None:
        """The worker's handler of ticket.resolved: invite the customer to the tenant's CSAT survey,
        once per resolution event. Nothing when the ticket was reopened meanwhile, or the tenant
        has no active CSAT survey."""
        ticket = await self.invitations.ticket_facts(tenant_id, ticket_id)
        if ticket is None or ticket["status"] not in RESOLVED_STATUSES:
            return None
        survey = await self.surveys.ticket_csat(tenant_id)
        if survey is None:
            return None
        at = now()
        made = await self.invitations.insert(
            tenant_id,
            {
                "survey_id": survey.id,
                "token": secrets.token_urlsafe(32),
                "source_event_id": event_id,
                "expires_at": at + timedelta(days=survey.link_valid_days),
                "ticket_id": ticket_id,
                **{k: ticket[k] for k in ("customer_id", "contact_id", "owner_id", "department_id")},
            },
        )
        if made is None:  # this event was handled before
            return None
        await self.invitations.revoke_pending(tenant_id, ticket_id, made.id, at)
        payload = {
            "invitation_id": made.id,
            "survey_id": survey.id,
            "ticket_id": ticket_id,
            "ticket_number": ticket["number"],
            "customer_id": made.customer_id,
            "contact_id": made.contact_id,
            "agent_id": made.owner_id,
            "token": made.token,
            "path": public_path(made.token),
            "expires_at": made.expires_at.isoformat(),
        }
        await self.outbox.publish(tenant_id, INVITATION_CREATED, "survey_invitation", made.id, payload)
        changes = {"ticket_id": {"before": None, "after": ticket_id}, "survey_id": {"before": None, "after": survey.id}}
        await self.audit.record(None, "survey_invitation.created", RESOURCE, made.id, changes, tenant_id=tenant_id)
        return made

    async def for_ticket(self, principal: Principal, ticket_id: UUID) -> list[dict[str, Any]]:
        """A ticket's invitations (newest first) with their state and link, for staff to send."""
        principal.require(RESOURCE, "read")
        if await self.invitations.visible_ticket(principal.scope("tickets", "read"), ticket_id) is None:
            raise NotFound("no such ticket")
        at = now()
        return [
            {**_fields(i), "state": i.state(at).value, "path": public_path(i.token)}
            for i in await self.invitations.for_ticket(principal.tenant_id, ticket_id)
        ]


def _fields(invitation: Invitation) -> dict[str, Any]:
    return {name: getattr(invitation, name) for name in invitation.__dataclass_fields__}


class PublicSurveys:
    """The anonymous side of a link: the token is all the caller holds and all it reaches."""

    def __init__(
        self,
        invitations: InvitationRepository,
        responses: ResponseRepository,
        limiter: RateLimiter,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        self.invitations = invitations
        self.responses = responses
        self.limiter = limiter
        self.audit = audit
        self.outbox = outbox

    async def view(self, token: str) -> PublicInvitation:
        return self._usable(await self.invitations.by_token(token, lock=False))

    async def answer(self, token: str, answers: dict[str, Any], address: str) -> None:
        retry = await self.limiter.hit(f"survey-answer:{token}:{address}", ANSWERS_PER_WINDOW, WINDOW_SECONDS)
        if retry is not None:
            raise TooManyRequests("too many tries for this link from this address; try again later", retry_after=retry)
        found = self._usable(await self.invitations.by_token(token, lock=True))
        invitation, tenant_id = found.invitation, found.tenant_id
        clean = check_answers(found.survey.questions, answers)
        at = now()
        response_id = await self.responses.insert(
            tenant_id,
            None,
            {
                "survey_id": found.survey.id,
                "channel": Channel.LINK.value,
                "invitation_id": invitation.id,
                "answers": clean,
                "answered_at": at,
                **{k: getattr(invitation, k) for k in ("ticket_id", "customer_id", "contact_id", "owner_id")},
                "department_id": invitation.department_id,
            },
        )
        await self.invitations.mark_answered(tenant_id, invitation.id, at)
        await _responded(self.audit, self.outbox, None, tenant_id, response_id, found.survey.id, invitation.ticket_id)

    def _usable(self, found: PublicInvitation | None) -> PublicInvitation:
        if found is None:
            raise NotFound("no such survey link")
        state = found.invitation.state(now())
        if state == InvitationState.ANSWERED:
            raise Conflict("this survey was already answered; thank you")
        if state in (InvitationState.EXPIRED, InvitationState.REVOKED) or not found.survey_live:
            raise Gone("this survey link has expired")
        return found


async def _responded(
    audit: AuditTrail,
    outbox: EventOutbox,
    principal: Principal | None,
    tenant_id: UUID,
    response_id: UUID,
    survey_id: UUID,
    ticket_id: UUID | None,
) -> None:
    payload = {"response_id": response_id, "survey_id": survey_id, "ticket_id": ticket_id}
    await audit.record(
        principal,
        "survey_response.created",
        RESOURCE,
        response_id,
        {"survey_id": {"before": None, "after": survey_id}},
        tenant_id=tenant_id,
    )
    await outbox.publish(tenant_id, RESPONDED, "survey_response", response_id, payload)


class CallBackService:
    def __init__(
        self,
        call_backs: CallBackRepository,
        surveys: SurveyRepository,
        invitations: InvitationRepository,
        responses: ResponseRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        self.call_backs = call_backs
        self.surveys = surveys
        self.invitations = invitations
        self.responses = responses
        self.audit = audit
        self.outbox = outbox

    async def create(self, principal: Principal, values: dict[str, Any]) -> CallBack:
        """Log a phone follow-up (surveys:create) about a customer and/or a ticket within the
        caller's tickets range; `answers` to `survey_id`'s questions, taken on the customer's
        behalf, count in the survey's results as channel call_back, rated to the ticket's agent."""
        principal.require(RESOURCE, "create")
        answers = values.pop("answers", None) or {}
        tenant = principal.tenant_id
        rated: tuple[UUID | None, UUID | None] = (principal.user_id, principal.department_id)
        if values.get("ticket_id") is not None:
            ticket = None
            if principal.can("tickets", "read"):
                ticket = await self.invitations.visible_ticket(principal.scope("tickets", "read"), values["ticket_id"])
            if ticket is None:
                raise ValidationFailed.one("ticket_id", "refers to no such record")
            if values.get("customer_id") is None:
                values["customer_id"] = ticket["customer_id"]
                values["contact_id"] = values.get("contact_id") or ticket["contact_id"]
            elif values["customer_id"] != ticket["customer_id"]:
                raise ValidationFailed.one("customer_id", "is not the ticket's customer")
            if ticket["owner_id"] is not None:
                rated = (ticket["owner_id"], ticket["department_id"])
        elif values.get("customer_id") is None:
            raise ValidationFailed.one("customer_id", "a call-back is about a customer or a ticket")
        if values.get("customer_id") is not None and not await self.call_backs.customer_exists(
            tenant, values["customer_id"], values.get("contact_id")
        ):
            field = "customer_id" if values.get("contact_id") is None else "contact_id"
            raise ValidationFailed.one(field, "refers to no such record")
        survey: Survey | None = None
        if values.get("survey_id") is not None:
            survey = await self.surveys.get(tenant, values["survey_id"])
            if survey is None or not survey.active:
                raise ValidationFailed.one("survey_id", "refers to no active survey")
        clean: dict[str, Any] = {}
        if answers:
            if survey is None:
                raise ValidationFailed.one("survey_id", "is required with answers")
            if values["outcome"] != Outcome.REACHED:
                raise ValidationFailed.one("outcome", "answers are taken only when the customer was reached")
            clean = check_answers(survey.questions, answers)
        values |= {"owner_id": principal.user_id, "department_id": principal.department_id}
        values.setdefault("called_at", None)
        if values["called_at"] is None:
            values["called_at"] = now()
        made = await self.call_backs.insert(tenant, principal.user_id, values)
        change = {
            "outcome": {"before": None, "after": made.outcome},
            "customer_id": {"before": None, "after": made.customer_id},
        }
        await self.audit.record(principal, "survey_call_back.created", RESOURCE, made.id, change)
        payload = {"call_back_id": made.id, "customer_id": made.customer_id, "ticket_id": made.ticket_id,
                   "outcome": made.outcome}  # fmt: skip
        await self.outbox.publish(tenant, "survey.call_back_logged", "survey_call_back", made.id, payload)
        if survey is not None and clean:
            response_id = await self.responses.insert(
                tenant,
                principal.user_id,
                {
                    "survey_id": survey.id,
                    "channel": Channel.CALL_BACK.value,
                    "call_back_id": made.id,
                    "answers": clean,
                    "answered_at": made.called_at,
                    "ticket_id": made.ticket_id,
                    "customer_id": made.customer_id,
                    "contact_id": made.contact_id,
                    "owner_id": rated[0],
                    "department_id": rated[1],
                },
            )
            await _responded(self.audit, self.outbox, principal, tenant, response_id, survey.id, made.ticket_id)
            made = replace(made, response_id=response_id)
        return made

    async def list_page(self, principal: Principal, query: CallBackQuery) -> Page[CallBack]:
        return await self.call_backs.list_page(response_scope(principal, "read"), query)


class ResultsService:
    def __init__(self, surveys: SurveyRepository, results: ResultsRepository) -> None:
        self.surveys = surveys
        self.counts = results

    async def results(self, principal: Principal, survey_id: UUID, query: ResultsQuery) -> dict[str, Any]:
        scope = response_scope(principal, "read")
        survey = await self.surveys.get(principal.tenant_id, survey_id)
        if survey is None:
            raise NotFound("no such survey")
        if query.start is not None and query.end is not None and query.start >= query.end:
            raise ValidationFailed.one("from", "must be before to")
        return summarize(survey, await self.counts.results(scope, survey, query))
