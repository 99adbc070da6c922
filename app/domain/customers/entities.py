"""Customers: companies or individuals the tenant sells to and serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.shared.conditions import Group
from app.domain.shared.paging import DEFAULT_LIMIT


class CustomerKind(StrEnum):
    COMPANY = "company"
    INDIVIDUAL = "individual"


class CustomerStatus(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    INACTIVE = "inactive"
    LOST = "lost"


@dataclass(slots=True)
class Customer:
    """The record as the API returns it (serialized field by field)."""

    id: UUID
    name: str
    kind: str
    customer_type: str | None
    industry: str | None
    level: str | None
    status: str
    source: str | None
    region_id: UUID | None
    address: str | None
    phone: str | None
    email: str | None
    website: str | None
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


# Fields a client may write (owner_id only with customers:assign). Everything else is derived.
WRITABLE = (
    "name",
    "kind",
    "customer_type",
    "industry",
    "level",
    "status",
    "source",
    "region_id",
    "address",
    "phone",
    "email",
    "website",
    "tags",
    "owner_id",
    "custom_fields",
    "description",
)
# Changes that appear on the customer's timeline.
KEY_CHANGES = ("owner_id", "status")

SORTABLE = frozenset({"updated_at", "created_at", "name"})


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    id_in: tuple[UUID, ...] | None = None  # these customers only (names for a page of deals, say)
    owner_id: UUID | None = None
    department_id: UUID | None = None
    region_id: UUID | None = None
    customer_type: str | None = None
    status: str | None = None
    level: str | None = None
    tag: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    # The customer analysis' drill-down (app/repositories/customer_filters.py).
    rfm_segment: str | None = None
    rfm_recency: int | None = None
    rfm_frequency: int | None = None
    churn_risk: str | None = None
    lost_from: datetime | None = None
    lost_to: datetime | None = None
    touched_from: datetime | None = None
    touched_to: datetime | None = None
    dormant_at: datetime | None = None
    dormant_days: int | None = None
    value_currency: str | None = None
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
