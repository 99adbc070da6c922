"""DataScope: which records of one resource a caller may touch.

A scope is the union of grants (one per role that grants the resource). Each grant is a data
range, optionally narrowed by region and by customer type. Repositories turn a scope into one SQL
predicate (app/repositories/scoping.py); an empty scope matches nothing (deny by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class DataRange(StrEnum):
    NONE = "none"
    OWN = "own"
    DEPARTMENT = "department"
    ALL = "all"


RANGE_ORDER = {DataRange.NONE: 0, DataRange.OWN: 1, DataRange.DEPARTMENT: 2, DataRange.ALL: 3}


@dataclass(frozen=True, slots=True)
class Grant:
    range: DataRange
    regions: frozenset[UUID] | None = None  # None: any region
    customer_types: frozenset[str] | None = None  # None: any type


@dataclass(frozen=True, slots=True)
class DataScope:
    tenant_id: UUID
    user_id: UUID
    # The caller's department and all of its sub-departments.
    department_ids: tuple[UUID, ...]
    grants: tuple[Grant, ...]
    # Records the caller created match too (tickets: whoever opened one keeps reading it, wherever
    # the rules sent it). Set by the domain for reads only, never for writes.
    creator_reads: bool = False

    @property
    def is_empty(self) -> bool:
        return not any(g.range is not DataRange.NONE for g in self.grants)

    @property
    def widest(self) -> DataRange:
        return max((g.range for g in self.grants), key=RANGE_ORDER.__getitem__, default=DataRange.NONE)
