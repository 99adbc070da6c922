"""Message templates: an e-mail (subject, HTML and text) or an SMS (text), written in zh-CN and/or
en, with variables (app/domain/marketing/variables.py) in the sandboxed template language
(app/domain/marketing/sandbox.py). The rules a template's content keeps are checked here, on
save and before a preview: the locales and parts the channel needs, their sizes, and each part's
syntax and variables (errors name the part: `content.en.subject`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.marketing.sandbox import TemplateInvalid, check
from app.domain.shared.errors import FieldError, ValidationFailed
from app.domain.shared.paging import DEFAULT_LIMIT


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


LOCALES = ("zh-CN", "en")
PARTS: dict[str, tuple[str, ...]] = {Channel.EMAIL: ("subject", "html", "text"), Channel.SMS: ("text",)}
# The most characters each part may hold (a template, before rendering).
MAX_CHARS = {"subject": 300, "html": 100_000, "text": 20_000, "sms": 1_000}
SORTABLE = frozenset({"updated_at", "created_at", "name"})


@dataclass(slots=True)
class MessageTemplate:
    id: UUID
    name: str
    channel: str
    description: str | None
    default_locale: str
    # {locale: {part: template source}}: "subject", "html", "text" (e-mail) or "text" (SMS).
    content: dict[str, dict[str, str]]
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int
    # Computed on read: the variables the parts use, and an SMS's length per locale.
    variables: list[str] = field(default_factory=list, metadata={"computed": True})
    sms_length: dict[str, SmsLength] | None = field(default=None, metadata={"computed": True})


@dataclass(slots=True)
class TemplateSummary:
    id: UUID
    name: str
    channel: str
    description: str | None
    default_locale: str
    locales: list[str]
    subject: str | None  # the default locale's (e-mail)
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class TemplateQuery:
    channel: str | None = None
    q: str | None = None
    sort: str = "-updated_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


# -- SMS length ------------------------------------------------------------------------------

# The GSM 03.38 alphabet: a message wholly in it is sent 7 bits a character (160 a segment);
# anything else (Chinese) as UCS-2 (70 a segment). Extension characters take two places.
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True, slots=True)
class SmsLength:
    characters: int
    encoding: str  # "gsm7" | "ucs2"
    segments: int


def sms_length(text: str) -> SmsLength:
    """How long an SMS is for a carrier: characters, encoding and segments (a long message is
    split into parts of 153 GSM or 67 UCS-2 characters)."""
    if all(c in _GSM or c in _GSM_EXTENSION for c in text):
        units = sum(2 if c in _GSM_EXTENSION else 1 for c in text)
        single, part, encoding = 160, 153, "gsm7"
    else:
        # UCS-2 counts UTF-16 code units: a character outside the BMP (an emoji) takes two.
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "ucs2"
    segments = 0 if units == 0 else 1 if units <= single else -(-units // part)
    return SmsLength(len(text), encoding, segments)


# -- content rules ---------------------------------------------------------------------------


def check_content(
    channel: str, content: dict[str, dict[str, str | None]], default_locale: str | None
) -> tuple[dict[str, dict[str, str]], str]:
    """(The content with empty parts dropped, the default locale: the first written when none is
    given), or ValidationFailed naming every broken part."""
    errors: list[FieldError] = []
    parts = PARTS[channel]
    cleaned: dict[str, dict[str, str]] = {}
    for locale, values in content.items():
        if locale not in LOCALES:
            errors.append(FieldError(f"content.{locale}", f"must be one of {', '.join(LOCALES)}"))
            continue
        kept = {part: text for part, text in values.items() if text is not None and text.strip() != ""}
        for part in kept.keys() - set(parts):
            errors.append(FieldError(f"content.{locale}.{part}", f"a {channel} template has no {part}"))
        kept = {part: kept[part] for part in parts if part in kept}
        if not kept:
            continue
        if channel == Channel.EMAIL:
            if "subject" not in kept:
                errors.append(FieldError(f"content.{locale}.subject", "an e-mail needs a subject"))
            if "html" not in kept and "text" not in kept:
                errors.append(FieldError(f"content.{locale}.html", "an e-mail needs an HTML or a text body"))
        for part, text in kept.items():
            limit = MAX_CHARS["sms" if channel == Channel.SMS else part]
            if len(text) > limit:
                errors.append(FieldError(f"content.{locale}.{part}", f"is longer than {limit} characters"))
                continue
            try:
                check(text)
            except TemplateInvalid as error:
                errors.extend(FieldError(f"content.{locale}.{part}", str(p)) for p in error.problems)
        cleaned[locale] = kept
    if default_locale is None:
        default_locale = next((locale for locale in LOCALES if locale in cleaned), LOCALES[0])
    if not cleaned and not errors:
        errors.append(FieldError("content", "write the message in at least one language (zh-CN or en)"))
    elif default_locale not in cleaned and f"content.{default_locale}" not in {e.field for e in errors}:
        errors.append(FieldError("default_locale", f"the template has no {default_locale} content"))
    if errors:
        raise ValidationFailed(errors, f"{errors[0].field}: {errors[0].message}")
    return cleaned, default_locale


def variables_of(content: dict[str, dict[str, str]]) -> list[str]:
    """The variables a stored (checked) content uses, sorted."""
    used: set[str] = set()
    for parts in content.values():
        for text in parts.values():
            try:
                used.update(check(text))
            except TemplateInvalid:  # stored before a rule was tightened: shown, not fatal
                continue
    return sorted(used)


def computed(template: MessageTemplate) -> MessageTemplate:
    """The template with its variables and, for an SMS, each locale's length."""
    template.variables = variables_of(template.content)
    if template.channel == Channel.SMS:
        template.sms_length = {locale: sms_length(parts.get("text", "")) for locale, parts in template.content.items()}
    return template


def fields_for_audit(template: MessageTemplate) -> dict[str, Any]:
    """The audited fields, the content part by part (`content.en.html`): a change set then holds
    only the parts that changed, not every body twice."""
    parts = {
        f"content.{locale}.{part}": text for locale, texts in template.content.items() for part, text in texts.items()
    }
    return {
        "name": template.name,
        "channel": template.channel,
        "description": template.description,
        "default_locale": template.default_locale,
    } | parts
