from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.v1.schemas.common import RequestModel, ShortText

Kind = Literal["open", "won", "lost"]


class StageCreate(RequestModel):
    name: ShortText = Field(min_length=1)
    probability: int = Field(ge=0, le=100, description="A deal's default win probability in this stage (%).")
    kind: Kind = "open"
    required_fields: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="What a deal must have to enter: amount, expected_close_date, primary_contact_id, next_step, "
        "competitors, description or custom.<key>.",
    )
    rotting_days: int | None = Field(None, ge=1, le=3650, description="A deal idle longer than this is rotting.")


class StageAdd(StageCreate):
    position: int | None = Field(None, ge=0, le=100, description="Index among the stages; default: last.")


class StagePatch(RequestModel):
    name: ShortText = Field(None, min_length=1)  # type: ignore[assignment]
    probability: int = Field(None, ge=0, le=100)  # type: ignore[assignment]
    kind: Kind = None  # type: ignore[assignment]
    required_fields: list[str] = Field(None, max_length=20)  # type: ignore[arg-type]
    rotting_days: int | None = Field(None, ge=1, le=3650)
    position: int = Field(None, ge=0, le=100, description="Move to this index among the stages.")  # type: ignore[assignment]


class PipelineCreate(RequestModel):
    name: ShortText = Field(min_length=1)
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$", description="New deals' default currency (ISO 4217).")
    position: int | None = Field(None, ge=0, le=1_000_000)
    stages: list[StageCreate] = Field(
        min_length=3, max_length=30, description="In order; at least one open, won, lost."
    )


class PipelinePatch(RequestModel):
    name: ShortText = Field(None, min_length=1)  # type: ignore[assignment]
    currency: str = Field(None, pattern=r"^[A-Z]{3}$")  # type: ignore[assignment]
    position: int = Field(None, ge=0, le=1_000_000)  # type: ignore[assignment]


class StageOut(BaseModel):
    id: UUID
    pipeline_id: UUID
    name: str
    position: int
    probability: int
    kind: Kind
    required_fields: list[str]
    rotting_days: int | None


class PipelineOut(BaseModel):
    id: UUID
    name: str
    position: int
    currency: str
    stages: list[StageOut]
    created_at: datetime
    updated_at: datetime
    version: int


class PipelineList(BaseModel):
    items: list[PipelineOut]
