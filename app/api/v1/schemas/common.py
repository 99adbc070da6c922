"""Shared request/response pieces. Request models forbid unknown fields (422 names them)."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
LongText = Annotated[str, StringConstraints(max_length=10_000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50, pattern=r"^\+?[0-9 ()\-.]{3,50}$")]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
CustomValues = Annotated[
    dict[str, Any],
    Field(max_length=100, description="Values of the tenant's custom fields, by key."),
]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent (a PATCH leaves the others alone)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Tombstone(BaseModel):
    id: str
    deleted: bool
    updated_at: str
