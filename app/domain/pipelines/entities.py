"""Sales pipelines: ordered stages a deal moves through, each with a default win probability, a
kind (open, won, lost), the fields a deal must have to enter it, and when an idle deal rots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


# What a stage may require of a deal entering it (besides custom.<key>).
REQUIRABLE = frozenset(
    {"amount", "expected_close_date", "primary_contact_id", "next_step", "competitors", "description"}
)


@dataclass(slots=True)
class Stage:
    id: UUID
    pipeline_id: UUID
    name: str
    position: int
    probability: int
    kind: str
    required_fields: list[str]
    rotting_days: int | None

    @property
    def closed(self) -> bool:
        return self.kind != StageKind.OPEN


@dataclass(slots=True)
class Pipeline:
    id: UUID
    name: str
    position: int
    currency: str
    created_at: datetime
    updated_at: datetime
    version: int
    stages: list[Stage] = field(default_factory=list)

    def stage(self, stage_id: UUID) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    @property
    def first_open(self) -> Stage | None:
        return next((s for s in self.stages if s.kind == StageKind.OPEN), None)
