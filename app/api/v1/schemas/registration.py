"""Event registration: the campaign's registration settings (staff), the public page and its
registration, the cancel link, and check-in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.api.v1.schemas.common import RequestModel

Language = Literal["zh-CN", "en"]
LocalizedText = Annotated[
    dict[Language, Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]],
    Field(description='The text in Chinese and English: {"zh-CN": "…", "en": "…"} (the page shows the reader\'s one).'),
]
FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Lenient on purpose: the registration's own rules check these and answer in the registrant's language.
Loose = Annotated[str | None, Field(default=None, max_length=10_000)]


class FormFieldIn(RequestModel):
    key: FieldKey = Field(description="The answer's key in `answers` (not a standard field: name, email ...).")
    label: LocalizedText
    type: Literal["text", "select", "checkbox"]
    required: bool = False
    options: list[Option] = Field(default_factory=list, max_length=50, description="A select field's choices.")


class RegistrationConsentIn(RequestModel):
    key: FieldKey
    channel: Literal["email", "sms"] = Field(description="The channel the person agrees to be contacted on.")
    text: LocalizedText = Field(description="The checkbox's wording, kept as the consent's proof.")
    required: bool = Field(False, description="Registration is refused unless it is checked.")


class RegistrationSettingsIn(RequestModel):
    open: bool = Field(description="Take registrations on the public page (the first opening makes its key).")
    fields: list[FormFieldIn] = Field(default_factory=list, max_length=30, description="The form's own fields.")
    consents: list[RegistrationConsentIn] = Field(default_factory=list, max_length=5)
    capacity: int | None = Field(None, ge=0, le=1_000_000, description="Seats for the whole event; null: no limit.")
    confirmation: LocalizedText | None = Field(None, description="Shown and mailed to a registered person.")


class FormFieldOut(BaseModel):
    key: str
    label: dict[str, str]
    type: str
    required: bool
    options: list[str]


class RegistrationConsentOut(BaseModel):
    key: str
    channel: str
    text: dict[str, str]
    required: bool


class SessionSeatsOut(BaseModel):
    id: UUID
    name: str
    starts_at: datetime
    ends_at: datetime | None
    location: str | None
    online_url: str | None
    capacity: int | None
    registered: int
    seats_left: int | None = Field(description="null: no limit.")


class RegistrationSettingsOut(BaseModel):
    campaign_id: UUID
    open: bool
    page_live: bool = Field(description="Whether the public page answers: open, and the campaign scheduled or running.")
    public_key: str | None
    public_url: str | None = Field(description="The public registration page (null until first opened).")
    fields: list[FormFieldOut]
    consents: list[RegistrationConsentOut]
    capacity: int | None
    confirmation: dict[str, str]
    sessions: list[SessionSeatsOut]
    registered: int
    waitlisted: int
    cancelled: int
    attended: int
    version: int


class PublicSessionOut(BaseModel):
    id: UUID
    name: str
    starts_at: datetime
    ends_at: datetime | None
    location: str | None
    online_url: str | None
    capacity: int | None
    seats_left: int | None = Field(description="null: no limit.")
    full: bool = Field(description="A registration for it now goes to the waiting list.")


class PublicEventOut(BaseModel):
    key: str
    name: str
    description: str | None
    type: str
    starts_on: date | None
    ends_on: date | None
    state: Literal["open", "full", "closed"] = Field(
        description="open: seats left; full: registrations go to the waiting list; closed: none taken."
    )
    waitlist: bool = Field(description="Whether a registration now would be waitlisted.")
    capacity: int | None
    seats_left: int | None
    sessions: list[PublicSessionOut]
    fields: list[FormFieldOut]
    consents: list[RegistrationConsentOut]


class RegistrationIn(RequestModel):
    name: Loose
    email: Loose
    phone: Loose
    company: Loose
    session_id: UUID | None = Field(None, description="Required when the event has more than one session.")
    answers: dict[str, Any] = Field(default_factory=dict, max_length=50, description="The form's fields, by key.")
    consents: dict[str, Any] = Field(
        default_factory=dict, max_length=10, description="Each consent checkbox by key: true when checked."
    )
    website: Loose = Field(None, description="Leave empty (a field people never see).")


class RegistrationOut(BaseModel):
    status: Literal["registered", "waitlisted"]
    check_in_code: str | None = Field(
        description="Shown at the entrance; null when waitlisted, or when the person had already registered."
    )
    message: str = Field(description="The confirmation, in the registrant's language.")
    language: Language
    already_registered: bool


class PublicRegistrationOut(BaseModel):
    event: str
    name: str
    session: str | None
    starts_at: datetime | None
    status: Literal["registered", "waitlisted", "cancelled"]


class CancelledOut(BaseModel):
    status: Literal["cancelled"]


class CheckInIn(RequestModel):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None = None
    member_id: UUID | None = None

    @model_validator(mode="after")
    def _one(self) -> CheckInIn:
        if (self.code is None) == (self.member_id is None):
            raise ValueError("give either code or member_id")
        return self


class MemberRegistrationOut(BaseModel):
    id: UUID
    campaign_id: UUID
    contact_id: UUID | None
    lead_id: UUID | None
    status: str
    registration_status: str | None
    session_id: UUID | None
    name: str | None
    email: str | None
    phone: str | None
    company: str | None
    check_in_code: str | None
    registered_at: datetime | None
    attended_at: datetime | None


class CheckInOut(MemberRegistrationOut):
    already_checked_in: bool


class CancelRegistrationOut(BaseModel):
    member: MemberRegistrationOut
    promoted: list[MemberRegistrationOut] = Field(description="Waitlisted members who took the freed seat(s).")
