from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from app.api.v1.schemas.common import Name, RequestModel

EntityName = Literal["customer", "contact", "lead", "opportunity", "ticket", "campaign"]
FieldTypeName = Literal["text", "number", "date", "bool", "select", "multiselect", "email", "phone", "url"]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CustomFieldCreate(RequestModel):
    entity: EntityName
    key: Annotated[str, StringConstraints(min_length=1, max_length=63)] = Field(
        description="Immutable; lower-case letters, digits and _, starting with a letter."
    )
    label: Name
    type: FieldTypeName
    required: bool = False
    options: list[Option] = Field(default_factory=list, max_length=200)
    position: int = Field(0, ge=0, le=10_000)


class CustomFieldPatch(RequestModel):
    label: Name = None  # type: ignore[assignment]
    required: bool = None  # type: ignore[assignment]
    options: list[Option] = Field(None, max_length=200)  # type: ignore[arg-type]
    position: int = Field(None, ge=0, le=10_000)  # type: ignore[assignment]


class CustomFieldOut(BaseModel):
    id: UUID
    entity: EntityName
    key: str
    label: str
    type: FieldTypeName
    required: bool
    options: list[str]
    position: int
    created_at: datetime
    updated_at: datetime
    version: int


class CustomFieldList(BaseModel):
    items: list[CustomFieldOut]
