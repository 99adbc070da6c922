"""Satisfaction surveys: templates of questions, invitations (a one-time public link sent after a
ticket is resolved), responses (through the link, or taken by phone in a call-back) and
call-backs (回访: an agent's phone follow-up with a customer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.shared.paging import DEFAULT_LIMIT


@dataclass(slots=True)
class Survey:
    id: UUID
    name: str
    description: str | None
    questions: list[dict[str, Any]]
    active: bool
    is_ticket_csat: bool
    link_valid_days: int
    created_at: datetime
    updated_at: datetime
    version: int


class InvitationState(StrEnum):
    PENDING = "pending"
    ANSWERED = "answered"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(slots=True)
class Invitation:
    id: UUID
    survey_id: UUID
    token: str
    ticket_id: UUID | None
    customer_id: UUID | None
    contact_id: UUID | None
    owner_id: UUID | None
    department_id: UUID | None
    expires_at: datetime
    answered_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    def state(self, now: datetime) -> InvitationState:
        if self.answered_at is not None:
            return InvitationState.ANSWERED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= now:
            return InvitationState.EXPIRED
        return InvitationState.PENDING


@dataclass(frozen=True, slots=True)
class PublicInvitation:
    """What the anonymous holder of a link may learn: the survey's questions, the tenant's name and
    the ticket's subject."""

    tenant_id: UUID
    invitation: Invitation
    survey: Survey
    tenant_name: str
    ticket_subject: str | None
    survey_live: bool  # not deleted since the link was made


class Channel(StrEnum):
    LINK = "link"
    CALL_BACK = "call_back"


class Outcome(StrEnum):
    REACHED = "reached"
    NOT_REACHED = "not_reached"
    REFUSED = "refused"
    WRONG_NUMBER = "wrong_number"
    CALL_LATER = "call_later"


@dataclass(slots=True)
class CallBack:
    id: UUID
    customer_id: UUID | None
    contact_id: UUID | None
    ticket_id: UUID | None
    survey_id: UUID | None
    outcome: str
    notes: str | None
    next_action: str | None
    next_action_at: datetime | None
    called_at: datetime
    owner_id: UUID | None  # the agent who called
    department_id: UUID | None
    created_at: datetime
    version: int
    response_id: UUID | None = None  # the answers taken on the call, if any


@dataclass(frozen=True, slots=True)
class CallBackQuery:
    customer_id: UUID | None = None
    ticket_id: UUID | None = None
    owner_id: UUID | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class GroupBy(StrEnum):
    AGENT = "agent"
    TEAM = "team"
    MONTH = "month"
    WEEK = "week"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class ResultsQuery:
    start: datetime | None = None
    end: datetime | None = None
    owner_id: UUID | None = None
    department_id: UUID | None = None
    channel: str | None = None
    group_by: GroupBy | None = None
    comments: int = 20
