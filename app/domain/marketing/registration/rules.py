# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The registration form's rules: what a marketer may configure (checked once, on save) and what a
registrant's submission must satisfy (checked on every registration, answered in the registrant's
language: zh-CN or en)."""

from __future__ import annotations

import re
import secrets
from typing import Any
from uuid import UUID

from app.domain.shared.errors import FieldError, ValidationFailed
from app.domain.shared.normalize import email_key, phone_key

LANGUAGES = ("zh-CN", "en")
FIELD_TYPES = ("text", "select", "checkbox")
CHANNELS = ("email", "sms")
MAX_FIELDS = 30
MAX_CONSENTS = 5
MAX_TEXT = 200  # a name, a company, an answer
MAX_ANSWER = 2000  # a text field's answer
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()\-.]{3,50}$")
# The fields every registration has; the form's own fields may not reuse their names.
STANDARD = frozenset({"name", "email", "phone", "company", "session_id", "answers", "consents", "website"})
# Check-in codes: typed at a door or read from a screen, so no 0/O, 1/I/L; 31^8 ~ 8.5e11 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def language_of(accept_language: str | None) -> str:
    """zh-CN for a client preferring any Chinese, en otherwise (q-values honoured)."""
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        tag = tag.strip().lower()
        language = "zh-CN" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if language is not None and q > 0 and q > best_q:  # q=0: "not this one"
            best, best_q = language, q
    return best


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def new_public_key() -> str:
    """The public page's key: 144 random bits, unguessable, URL-safe."""
    return "ev_" + secrets.token_urlsafe(18)


# -- what the marketer configures --------------------------------------------------------------


def check_form(form: dict[str, Any]) -> dict[str, Any]:
    """The stored form: {fields, consents, confirmation}. Request schemas already checked the
    shapes; this checks what spans items (unique keys, options of select fields)."""
    errors: list[FieldError] = []
    fields = list(form.get("fields") or [])
    consents = list(form.get("consents") or [])
    if len(fields) > MAX_FIELDS:
        errors.append(FieldError("fields", f"at most {MAX_FIELDS} fields"))
    if len(consents) > MAX_CONSENTS:
        errors.append(FieldError("consents", f"at most {MAX_CONSENTS} consent checkboxes"))
    seen: set[str] = set()
    for i, item in enumerate(fields):
        key = item.get("key", "")
        if key in STANDARD:
            errors.append(FieldError(f"fields.{i}.key", "is one of the standard fields"))
        elif key in seen:
            errors.append(FieldError(f"fields.{i}.key", "is used twice"))
        seen.add(key)
        options = item.get("options") or []
        if item.get("type") == "select" and not options:
            errors.append(FieldError(f"fields.{i}.options", "a select field needs options"))
        if item.get("type") != "select" and options:
            errors.append(FieldError(f"fields.{i}.options", "only a select field has options"))
        if len(set(options)) != len(options):
            errors.append(FieldError(f"fields.{i}.options", "an option is listed twice"))
    consent_keys: set[str] = set()
    for i, item in enumerate(consents):
        key = item.get("key", "")
        if key in consent_keys:
            errors.append(FieldError(f"consents.{i}.key", "is used twice"))
        consent_keys.add(key)
    if errors:
        raise ValidationFailed(errors, "; ".join(f"{e.field}: {e.message}" for e in errors[:5]))
    return {"fields": fields, "consents": consents, "confirmation": dict(form.get("confirmation") or {})}


# -- what the registrant submits ---------------------------------------------------------------

MESSAGES: dict[str, dict[str, str]] = {
    "invalid": {"en": "The registration has invalid fields", "zh-CN": "报名信息有误，请检查标出的字段"},
    "required": {"en": "is required", "zh-CN": "为必填项"},
    "text": {"en": "must be text", "zh-CN": "必须是文字"},
    "too_long": {"en": "is too long (at most {n} characters)", "zh-CN": "过长（最多 {n} 个字符）"},
    "email": {"en": "is not a valid e-mail address", "zh-CN": "不是有效的电子邮件地址"},
    "phone": {"en": "is not a valid phone number", "zh-CN": "不是有效的电话号码"},
    "reachable": {"en": "give an e-mail address or a phone number", "zh-CN": "请填写电子邮件或电话号码"},
    "option": {"en": "must be one of the listed options", "zh-CN": "必须是列出的选项之一"},
    "checkbox": {"en": "must be checked or unchecked (true or false)", "zh-CN": "必须为勾选或不勾选（true 或 false）"},
    "unknown_field": {"en": "is not a field of this form", "zh-CN": "不是此报名表的字段"},
    "unknown_consent": {"en": "is not a consent of this form", "zh-CN": "不是此报名表的同意项"},
    "consent_required": {"en": "must be accepted to register", "zh-CN": "须勾选同意后才能报名"},
    "session": {"en": "choose one of the event's sessions", "zh-CN": "请选择本活动的一个场次"},
    "not_found": {"en": "There is no such event, or it takes no registrations", "zh-CN": "活动不存在或未开放报名"},
    "closed": {"en": "Registration for this event is closed", "zh-CN": "本活动已停止报名"},
    "registered": {
        "en": "You are registered. Show your check-in code at the entrance.",
        "zh-CN": "报名成功！请在入场时出示您的签到码。",
    },
    "waitlisted": {
        "en": "The event is full: you are on the waiting list. We will tell you when a seat frees up.",
        "zh-CN": "活动名额已满，您已进入候补名单。有空位时我们会通知您。",
    },
    "repeated": {
        "en": "You had already registered with these details; nothing was changed.",
        "zh-CN": "您此前已用这些信息报名，报名状态不变。",
    },
    "too_many": {
        "en": "Too many registrations from this address; try again later",
        "zh-CN": "来自此网络地址的报名过多，请稍后再试",
    },
}


def say(key: str, language: str, **values: Any) -> str:
    text = MESSAGES[key].get(language) or MESSAGES[key]["en"]
    return text.format(**values) if values else text


def _text(
    errors: list[FieldError], language: str, field: str, value: Any, *, required: bool, limit: int = MAX_TEXT
) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(FieldError(field, say("required", language)))
        return None
    if not isinstance(value, str):
        errors.append(FieldError(field, say("text", language)))
        return None
    text: str = value.strip()
    if len(text) > limit:
        errors.append(FieldError(field, say("too_long", language, n=limit)))
        return None
    return text


def check_submission(
    form: dict[str, Any], session_ids: list[UUID], submission: dict[str, Any], language: str
) -> dict[str, Any]:
    """The submission cleaned: {name, email, phone, company, session_id, answers, consents}
    (consents: the keys accepted). Every problem at once, in the registrant's language."""
    errors: list[FieldError] = []
    name = _text(errors, language, "name", submission.get("name"), required=True)
    email = _text(errors, language, "email", submission.get("email"), required=False, limit=254)
    phone = _text(errors, language, "phone", submission.get("phone"), required=False, limit=50)
    company = _text(errors, language, "company", submission.get("company"), required=False)
    if email is not None and (not EMAIL.match(email) or email_key(email) is None):
        errors.append(FieldError("email", say("email", language)))
        email = None
    if phone is not None and (not PHONE.match(phone) or phone_key(phone) is None):
        errors.append(FieldError("phone", say("phone", language)))
        phone = None
    if email is None and phone is None and not any(e.field in ("email", "phone") for e in errors):
        errors.append(FieldError("email", say("reachable", language)))
    session_id = submission.get("session_id")
    if session_ids:
        if session_id is None and len(session_ids) == 1:
            session_id = session_ids[0]
        elif session_id not in session_ids:
            errors.append(FieldError("session_id", say("session", language)))
    elif session_id is not None:
        errors.append(FieldError("session_id", say("session", language)))
    answers = _answers(errors, language, form.get("fields") or [], submission.get("answers") or {})
    accepted = _consents(errors, language, form.get("consents") or [], submission.get("consents") or {})
    if errors:
        raise ValidationFailed(errors, say("invalid", language))
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "company": company,
        "session_id": session_id,
        "answers": answers,
        "consents": accepted,
    }


def _answers(
    errors: list[FieldError], language: str, fields: list[dict[str, Any]], given: dict[str, Any]
) -> dict[str, Any]:
    by_key = {f["key"]: f for f in fields}
    for key in given:
        if key not in by_key:
            errors.append(FieldError(f"answers.{key}", say("unknown_field", language)))
    answers: dict[str, Any] = {}
    for key, spec in by_key.items():
        field, value, required = f"answers.{key}", given.get(key), bool(spec.get("required"))
        if spec["type"] == "checkbox":
            if value is None:
                value = False
            if not isinstance(value, bool):
                errors.append(FieldError(field, say("checkbox", language)))
            elif required and not value:
                errors.append(FieldError(field, say("required", language)))
            else:
                answers[key] = value
            continue
        limit = MAX_ANSWER if spec["type"] == "text" else MAX_TEXT
        text = _text(errors, language, field, value, required=required, limit=limit)
        if text is None:
            continue
        if spec["type"] == "select" and text not in (spec.get("options") or []):
            errors.append(FieldError(field, say("option", language)))
            continue
        answers[key] = text
    return answers


def _consents(errors: list[FieldError], language: str, boxes: list[dict[str, Any]], given: dict[str, Any]) -> list[str]:
    by_key = {c["key"]: c for c in boxes}
    for key in given:
        if key not in by_key:
            errors.append(FieldError(f"consents.{key}", say("unknown_consent", language)))
    accepted: list[str] = []
    for key, box in by_key.items():
        value = given.get(key, False)
        if not isinstance(value, bool):
            errors.append(FieldError(f"consents.{key}", say("checkbox", language)))
        elif value:
            accepted.append(key)
        elif box.get("required"):
            errors.append(FieldError(f"consents.{key}", say("consent_required", language)))
    return accepted


def text_in(texts: dict[str, Any] | None, language: str) -> str:
    """A zh-CN/en text in the reader's language, else the other one."""
    texts = texts or {}
    other = "en" if language == "zh-CN" else "zh-CN"
    return str(texts.get(language) or texts.get(other) or "")
