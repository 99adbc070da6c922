"""A customer's timeline: its activities and the key changes of the customer itself, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.customers.entities import KEY_CHANGES
from app.domain.shared.paging import DEFAULT_LIMIT

# The audit log's entity name for customers (app/domain/customers/service.py RESOURCE).
AUDIT_ENTITY = "customers"
# Audit entries of the customer that appear whatever they changed.
KEY_ACTIONS = (
    "customer.created",
    "customer.deleted",
    "customer.restored",
    "customer.merged",
    "customer.merge_target",
)
# The part of an audit entry's changes a timeline item shows (an update's other fields stay out).
SHOWN_CHANGES = frozenset({*KEY_CHANGES, "department_id", "deleted", "merged_into", "merged_from"})
# Items are ordered by (at, id) descending; the cursor holds the last item's pair.
TIMELINE_SORT = "-at"


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
