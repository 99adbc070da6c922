"""Keyset paging: an opaque cursor holds the sort key and id of the last row served."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import orjson

from app.domain.shared.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Sort:
    field: str
    descending: bool

    @classmethod
    def parse(cls, raw: str, allowed: frozenset[str]) -> Sort:
        descending = raw.startswith("-")
        name = raw.lstrip("-+")
        if name not in allowed:
            raise ValidationFailed.one(
                "sort", f"must be one of {', '.join(sorted(allowed))}, optionally prefixed with '-'"
            )
        return cls(name, descending)

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.field


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position after the row with sort value `value` and id `id` under sort `sort`."""

    sort: str
    value: Any
    id: UUID

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        raw = orjson.dumps([self.sort, value, str(self.id)])
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: Sort, *, datetime_field: bool) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            sort_key, value, ident = orjson.loads(raw)
            if sort_key != str(sort):
                raise ValueError("cursor belongs to another sort order")
            if datetime_field:
                value = datetime.fromisoformat(value)
            elif not isinstance(value, str | int | float):
                raise ValueError("bad cursor value")
            return cls(sort_key, value, UUID(ident))
        except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
            raise ValidationFailed.one("cursor", "is not a cursor this list handed out (or the sort changed)")


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    # A sync feed's last page: where the next pass resumes (app/domain/shared/sync.py).
    next_sync_token: str | None = None
