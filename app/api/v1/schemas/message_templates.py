from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.v1.schemas.common import Name, RequestModel
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT

Locale = Literal["zh-CN", "en"]
Channel = Literal["email", "sms"]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]

_LANGUAGE = (
    'Jinja-style: `{{ contact.name }}`, `{{ customer.name | default("贵公司") }}`, '
    "`{% if lead %}...{% else %}...{% endif %}`. Only the variables of GET /message-templates/variables, "
    "the filters it lists, `{% if %}`, `==`/`!=`, `and`/`or`/`not` and `~` (join); variables are escaped in HTML."
)


class LocaleContent(RequestModel):
    """One language's parts. An e-mail needs a subject and an HTML or a text body (the text is made
    from the HTML when left out); an SMS has a text only (at most 1,000 characters)."""

    subject: str | None = Field(None, max_length=300, description="E-mail only; one line.")
    html: str | None = Field(None, max_length=100_000, description="E-mail only.")
    text: str | None = Field(None, max_length=20_000)


Content = Annotated[
    dict[Locale, LocaleContent],
    Field(min_length=1, description="The message per language (zh-CN and/or en). " + _LANGUAGE),
]


class TemplateCreate(RequestModel):
    name: Name
    channel: Channel
    description: Description | None = None
    default_locale: Locale | None = Field(
        None, description="The language a recipient gets when theirs is missing (default: the first written)."
    )
    content: Content


class TemplatePatch(RequestModel):
    """The channel stays. `content` replaces the whole content (send both languages to keep both)."""

    name: Name = None  # type: ignore[assignment]
    description: Description | None = None
    default_locale: Locale = None  # type: ignore[assignment]
    content: Content = None  # type: ignore[assignment]


class TemplateListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    channel: Channel | None = None
    q: str | None = Field(None, min_length=1, max_length=200, description="A part of the name, any case.")
    sort: str = Field("-updated_at", max_length=20, description="updated_at, created_at or name; '-' for descending")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page.")


class SmsLengthOut(BaseModel):
    characters: int
    encoding: Literal["gsm7", "ucs2"] = Field(
        description="gsm7: 160 a segment (153 when split); ucs2 (Chinese): 70 (67)."
    )
    segments: int = Field(description="The SMS parts a carrier bills.")


class LocaleContentOut(BaseModel):
    subject: str | None = None
    html: str | None = None
    text: str | None = None


class TemplateOut(BaseModel):
    id: UUID
    name: str
    channel: Channel
    description: str | None
    default_locale: Locale
    content: dict[Locale, LocaleContentOut]
    variables: list[str] = Field(description="The variables the template uses (contact.name, ...).")
    sms_length: dict[Locale, SmsLengthOut] | None = Field(description="SMS: each language's length as written.")
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class TemplateSummaryOut(BaseModel):
    id: UUID
    name: str
    channel: Channel
    description: str | None
    default_locale: Locale
    locales: list[Locale]
    subject: str | None = Field(description="E-mail: the default language's subject (as written).")
    created_at: datetime
    updated_at: datetime
    version: int


class TemplatePage(BaseModel):
    items: list[TemplateSummaryOut]
    next_cursor: str | None


class PreviewBody(RequestModel):
    contact_id: UUID | None = Field(None, description="Render for this contact (within your contacts range).")
    lead_id: UUID | None = Field(None, description="Or for this lead (within your leads range).")
    campaign_id: UUID | None = Field(None, description="Fill `campaign` and `links.registration` from it.")
    locale: Locale | None = Field(None, description="Default: the template's default language.")
    timezone: str = Field("UTC", max_length=64, description="IANA zone for the campaign's times (Asia/Shanghai).")


class UnsavedPreviewBody(PreviewBody):
    channel: Channel
    default_locale: Locale | None = None
    content: Content


class PreviewOut(BaseModel):
    channel: Channel
    locale: Locale = Field(description="The language rendered (the default when the template lacks the one asked).")
    subject: str | None
    html: str | None = Field(description="Variables HTML-escaped, as sent.")
    text: str | None = Field(
        description="E-mail: the text part (made from the HTML when none is written); SMS: the message."
    )
    sms_length: SmsLengthOut | None
    missing: list[str] = Field(description="Variables the template uses that have no value for this record.")
    sample: bool = Field(description="True when no record or campaign was chosen: sample values.")


class VariableField(BaseModel):
    path: str
    label_en: str
    label_zh: str


class VariableGroup(BaseModel):
    name: str
    label_en: str
    label_zh: str
    fields: list[VariableField]


class VariablesOut(BaseModel):
    items: list[VariableGroup]
    filters: list[str]
    sample: dict[str, dict[str, str]] = Field(description="The values an unsaved preview without a record uses.")
