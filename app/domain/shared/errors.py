"""The one domain error hierarchy. app/api/errors.py maps each class to a status and a
problem+json body; the `code` is stable and becomes the problem `type`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    code = "error"
    title = "Error"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(DomainError):
    code = "not-found"
    title = "Not found"


class PermissionDenied(DomainError):
    code = "permission-denied"
    title = "Permission denied"


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = "Authentication required"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict"


class Duplicate(Conflict):
    """A record with the same normalized email/phone exists; `existing_id` names it."""

    code = "duplicate"
    title = "Duplicate record"


class PreconditionFailed(DomainError):
    code = "precondition-failed"
    title = "The record changed since you read it"


class TooManyRequests(DomainError):
    code = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str = "", *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class InvalidTransition(DomainError):
    code = "invalid-transition"
    title = "Invalid state transition"


class FeatureDisabled(DomainError):
    code = "feature-disabled"
    title = "This feature is turned off"


@dataclass
class ValidationFailed(DomainError):
    errors: list[FieldError] = field(default_factory=list)
    detail: str = "The request has invalid fields"

    code = "validation-failed"
    title = "Validation failed"

    def __post_init__(self) -> None:
        DomainError.__init__(self, self.detail)

    @classmethod
    def one(cls, field_name: str, message: str) -> ValidationFailed:
        return cls([FieldError(field_name, message)], f"{field_name}: {message}")


class Gone(DomainError):
    """A one-time link that expired or was withdrawn, or a sync token older than the changes kept."""

    code = "gone"
    title = "No longer available"
