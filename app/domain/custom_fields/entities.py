"""Tenant-defined fields on customers, contacts, leads and opportunities, and the rules their values obey."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.shared.errors import FieldError, ValidationFailed


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOL = "bool"
    SELECT = "select"
    MULTISELECT = "multiselect"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"


class Entity(StrEnum):
    CUSTOMER = "customer"
    CONTACT = "contact"
    LEAD = "lead"
    OPPORTUNITY = "opportunity"
    TICKET = "ticket"
    CAMPAIGN = "campaign"


KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_TEXT = 2000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{5,40}$")
_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)


@dataclass(slots=True)
class CustomFieldDef:
    id: UUID
    entity: str
    key: str
    label: str
    type: str
    required: bool
    options: list[str]
    position: int
    created_at: datetime
    updated_at: datetime
    version: int


def _coerce(definition: CustomFieldDef, value: Any) -> tuple[Any, str | None]:
    """Return (stored value, error message or None)."""
    t = FieldType(definition.type)
    if t in (FieldType.TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL):
        if not isinstance(value, str):
            return None, "must be a string"
        if len(value) > MAX_TEXT:
            return None, f"must be at most {MAX_TEXT} characters"
        checks = {
            FieldType.EMAIL: (_EMAIL, "an email address"),
            FieldType.PHONE: (_PHONE, "a phone number"),
            FieldType.URL: (_URL, "an http(s) URL"),
        }
        if t in checks and not checks[t][0].match(value):
            return None, f"must be {checks[t][1]}"
        return value, None
    if t is FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value or abs(value) > 1e15:
            return None, "must be a finite number"
        return value, None
    if t is FieldType.BOOL:
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if t is FieldType.DATE:
        try:
            return date.fromisoformat(value).isoformat(), None
        except (TypeError, ValueError):
            return None, "must be a date (YYYY-MM-DD)"
    if t is FieldType.SELECT:
        return (
            (value, None) if value in definition.options else (None, f"must be one of: {', '.join(definition.options)}")
        )
    if not isinstance(value, list) or not all(v in definition.options for v in value):
        return None, f"must be a list of: {', '.join(definition.options)}"
    return list(dict.fromkeys(value)), None


def validate_values(
    definitions: list[CustomFieldDef],
    values: dict[str, Any],
    *,
    current: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Validate `values` (a create body, or a patch merged onto `current`) against the entity's
    definitions. Null removes a value. Returns the values to store; raises naming each bad field."""
    by_key = {d.key: d for d in definitions}
    merged = dict(current or {})
    errors: list[FieldError] = []
    for key, value in values.items():
        definition = by_key.get(key)
        if definition is None:
            errors.append(FieldError(f"custom_fields.{key}", "is not a defined custom field"))
            continue
        if value is None:
            merged.pop(key, None)
            continue
        stored, problem = _coerce(definition, value)
        if problem:
            errors.append(FieldError(f"custom_fields.{key}", problem))
        else:
            merged[key] = stored
    for definition in definitions:
        if definition.required and merged.get(definition.key) in (None, "", []):
            errors.append(FieldError(f"custom_fields.{definition.key}", "is required"))
    if errors:
        raise ValidationFailed(errors, "; ".join(f"{e.field}: {e.message}" for e in errors))
    return merged


def parse_filters(definitions: list[CustomFieldDef], raw: dict[str, str]) -> dict[str, Any]:
    """`custom.<key>=<value>` query parameters -> {key: stored JSON value}, for containment."""
    by_key = {d.key: d for d in definitions}
    parsed: dict[str, Any] = {}
    for key, value in raw.items():
        definition = by_key.get(key)
        if definition is None:
            raise ValidationFailed.one(f"custom.{key}", "is not a defined custom field")
        parsed[key] = filter_value(definition, value)
    return parsed


def filter_value(definition: CustomFieldDef, raw: str) -> Any:
    """Parse a `custom.<key>=<raw>` query value into the JSON value stored for that field."""
    t = FieldType(definition.type)
    field = f"custom.{definition.key}"
    if t is FieldType.NUMBER:
        try:
            number = float(raw)
        except ValueError:
            raise ValidationFailed.one(field, "must be a number")
        return int(number) if number.is_integer() else number
    if t is FieldType.BOOL:
        if raw.lower() not in ("true", "false"):
            raise ValidationFailed.one(field, "must be true or false")
        return raw.lower() == "true"
    if t is FieldType.DATE:
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValidationFailed.one(field, "must be a date (YYYY-MM-DD)")
    if t is FieldType.MULTISELECT:
        return [raw]  # containment: the list holds this option
    return raw
