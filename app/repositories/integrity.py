"""Constraint violations a client can cause, as the 422 that names the field."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.domain.shared.errors import ValidationFailed


def foreign_key_error(error: IntegrityError, fk_fields: dict[str, str]) -> ValidationFailed:
    """The 422 for a foreign key (constraint -> field) pointing at a missing row; any other
    violation is re-raised as it is."""
    text = str(error.orig)
    for constraint, field in fk_fields.items():
        if constraint in text:
            return ValidationFailed.one(field, "refers to no such record")
    raise error
