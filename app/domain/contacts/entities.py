"""Contacts: the people at (or apart from) a customer whom the tenant talks to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from app.domain.shared.conditions import Group
from app.domain.shared.normalize import email_key, phone_key
from app.domain.shared.paging import DEFAULT_LIMIT


@dataclass(slots=True)
class Contact:
    """The record as the API returns it (serialized field by field)."""

    id: UUID
    customer_id: UUID | None
    name: str
    title: str | None
    phones: list[str]
    emails: list[str]
    birthday: date | None
    is_primary: bool
    tags: list[str]
    owner_id: UUID
    department_id: UUID | None
    custom_fields: dict[str, Any]
    description: str | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


# Fields a client may write (owner_id only with contacts:assign). Everything else is derived.
WRITABLE = (
    "customer_id",
    "name",
    "title",
    "phones",
    "emails",
    "birthday",
    "is_primary",
    "tags",
    "owner_id",
    "custom_fields",
    "description",
)

SORTABLE = frozenset({"updated_at", "created_at", "name"})


@dataclass(frozen=True, slots=True)
class ContactQuery:
    owner_id: UUID | None = None
    department_id: UUID | None = None
    customer_id: UUID | None = None
    tag: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_since: datetime | None = None
    sync_token: str | None = None
    # custom.<key>=value filters, already parsed to stored JSON values
    custom: dict[str, Any] = field(default_factory=dict)
    q: str | None = None
    sort: str = "-updated_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    # A condition tree (app/domain/shared/conditions.py), parsed from the `where` parameter.
    where: Group | None = None


def email_keys(emails: Iterable[str]) -> list[str]:
    """The distinct duplicate keys of a contact's emails, in the order written."""
    return list(dict.fromkeys(k for k in map(email_key, emails) if k))


def phone_keys(phones: Iterable[str]) -> list[str]:
    """The distinct duplicate keys (digits) of a contact's phones, in the order written."""
    return list(dict.fromkeys(k for k in map(phone_key, phones) if k))
