from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StrictInt, StringConstraints

from app.api.v1.schemas.common import LongText, Name, RequestModel
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT

QuestionType = Literal["rating", "nps", "single", "multiple", "text"]
Outcome = Literal["reached", "not_reached", "refused", "wrong_number", "call_later"]
QuestionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Choice = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
# A value per question id: a whole number (rating 1-5, NPS 0-10), a choice, a list of choices or text.
AnswerValue = Annotated[
    StrictInt | Annotated[str, StringConstraints(max_length=2000, strict=True)] | list[Choice] | None,
    Field(union_mode="left_to_right"),
]
Answers = Annotated[
    dict[Annotated[str, StringConstraints(max_length=40)], AnswerValue],
    Field(max_length=50, description="{question id: value}; leave a question out (or null) to skip it."),
]


class QuestionIn(RequestModel):
    id: str | None = Field(
        None, max_length=40, description="Stable key of the question (letters, digits, _ and -); made when left out."
    )
    type: QuestionType
    text: QuestionText
    required: bool = False
    choices: list[Choice] = Field(default_factory=list, max_length=20, description="single/multiple only: 2-20")


class QuestionOut(BaseModel):
    id: str
    type: QuestionType
    text: str
    required: bool
    choices: list[str]


class SurveyCreate(RequestModel):
    name: Name
    description: LongText | None = None
    questions: list[QuestionIn] = Field(max_length=50)
    active: bool = True
    is_ticket_csat: bool = Field(
        False, description="Invite each resolved ticket's customer to this survey (one per tenant: moves the mark)."
    )
    link_valid_days: int = Field(14, ge=1, le=90, description="How long an invitation link can be answered.")


class SurveyPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    description: LongText | None = None
    questions: list[QuestionIn] = Field(
        None,  # type: ignore[arg-type]
        max_length=50,
        description="Replaces the questions; refused (409) once the survey has responses.",
    )
    active: bool = None  # type: ignore[assignment]
    is_ticket_csat: bool = None  # type: ignore[assignment]
    link_valid_days: int = Field(None, ge=1, le=90)  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class SurveyOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    questions: list[QuestionOut]
    active: bool
    is_ticket_csat: bool
    link_valid_days: int
    created_at: datetime
    updated_at: datetime
    version: int


class SurveyList(BaseModel):
    items: list[SurveyOut]


class InvitationOut(BaseModel):
    id: UUID
    survey_id: UUID
    token: str = Field(description="The link's secret: send `path` (on the web client's origin) to the customer.")
    path: str
    state: Literal["pending", "answered", "expired", "revoked"]
    ticket_id: UUID | None
    customer_id: UUID | None
    contact_id: UUID | None
    owner_id: UUID | None = Field(description="The agent whose service is rated.")
    department_id: UUID | None
    expires_at: datetime
    answered_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class InvitationList(BaseModel):
    items: list[InvitationOut]


class PublicSurveyOut(BaseModel):
    organization: str
    subject: str | None = Field(description="The ticket's subject, or the event's name for an event's survey.")
    name: str
    description: str | None
    questions: list[QuestionOut]
    expires_at: datetime


class PublicAnswer(RequestModel):
    answers: Answers


class Thanks(BaseModel):
    status: Literal["answered"]


class CallBackCreate(RequestModel):
    customer_id: UUID | None = Field(None, description="Required unless ticket_id is given (then the ticket's).")
    contact_id: UUID | None = None
    ticket_id: UUID | None = None
    survey_id: UUID | None = None
    answers: Answers | None = Field(None, description="The survey's answers, taken on the customer's behalf.")
    outcome: Outcome
    notes: LongText | None = None
    next_action: ShortNote | None = None
    next_action_at: datetime | None = None
    called_at: datetime | None = Field(None, description="When the call was made; default now.")


class CallBackOut(BaseModel):
    id: UUID
    customer_id: UUID | None
    contact_id: UUID | None
    ticket_id: UUID | None
    survey_id: UUID | None
    response_id: UUID | None
    outcome: Outcome
    notes: str | None
    next_action: str | None
    next_action_at: datetime | None
    called_at: datetime
    owner_id: UUID | None = Field(description="The agent who called.")
    department_id: UUID | None
    created_at: datetime
    version: int


class CallBackPage(BaseModel):
    items: list[CallBackOut]
    next_cursor: str | None


class CallBackListParams(BaseModel):
    customer: UUID | None = None
    ticket: UUID | None = None
    agent: UUID | None = Field(None, description="The agent who called.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=512)


class CsatOut(BaseModel):
    answered: int
    satisfied: int = Field(description="Answers of 4 or 5.")
    percent: float | None


class NpsOut(BaseModel):
    answered: int
    promoters: int
    passives: int
    detractors: int
    score: float | None = Field(description="% promoters - % detractors, -100 to 100.")


class Headline(BaseModel):
    responses: int
    csat: CsatOut
    nps: NpsOut
    average_rating: float | None


class GroupOut(Headline):
    key: str | None = Field(description="Agent or team id, or the period's first day (YYYY-MM-DD, UTC).")
    label: str | None


class Count(BaseModel):
    value: Any
    count: int


class QuestionResult(BaseModel):
    id: str
    type: QuestionType
    text: str
    answered: int
    distribution: list[Count]
    average: float | None


class SurveyCommentOut(BaseModel):
    response_id: UUID
    question_id: str
    text: str
    answered_at: datetime
    channel: Literal["link", "call_back"]
    ticket_id: UUID | None
    customer_id: UUID | None
    owner_id: UUID | None


class ResultsOut(Headline):
    survey_id: UUID
    csat_question_id: str | None = Field(description="The first rating question: CSAT % is its share of 4 and 5.")
    nps_question_id: str | None
    questions: list[QuestionResult]
    groups: list[GroupOut]
    comments: list[SurveyCommentOut]
