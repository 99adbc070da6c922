"""Service tickets: requests, inquiries, complaints and after-sales cases, worked by agents under
SLAs; their conversation (public replies, internal notes), categories, SLA policies, the business
calendar and assignment rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.shared.conditions import Group
from app.domain.shared.paging import DEFAULT_LIMIT


class TicketKind(StrEnum):
    SERVICE_REQUEST = "service_request"
    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    AFTER_SALES = "after_sales"


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    CHAT = "chat"
    WECHAT = "wechat"
    IN_PERSON = "in_person"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_ORDER = [p.value for p in Priority]


class TicketStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer: the resolution clock stands still
    RESOLVED = "resolved"
    CLOSED = "closed"


S = TicketStatus
# Allowed moves; resolved/closed -> open is a reopen, allowed within the calendar's reopen window.
MOVES: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING, S.RESOLVED}),
    S.OPEN: frozenset({S.PENDING, S.RESOLVED}),
    S.PENDING: frozenset({S.OPEN, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.OPEN}),
    S.CLOSED: frozenset({S.OPEN}),
}
OPEN_STATUSES = (S.NEW.value, S.OPEN.value, S.PENDING.value)


class Visibility(StrEnum):
    PUBLIC = "public"  # a reply the customer sees
    INTERNAL = "internal"  # a note among staff, never in a public view


# Attachments are metadata (the bytes live in object storage): the largest file a reply may carry.
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


@dataclass(slots=True)
class Ticket:
    id: UUID
    number: str
    kind: str
    channel: str
    priority: str
    status: str
    category_id: UUID | None
    customer_id: UUID | None
    contact_id: UUID | None
    opportunity_id: UUID | None
    order_id: UUID | None
    subject: str
    description: str | None
    solution: str | None
    tags: list[str]
    custom_fields: dict[str, Any]
    owner_id: UUID | None  # the assignee; None: the unassigned queue
    department_id: UUID | None  # the team
    sla_policy_id: UUID | None
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    resolution_due_at: datetime | None
    # 80% of each target: when the SLA job warns (app/domain/tickets/sla_job.py).
    first_response_warn_at: datetime | None
    resolution_warn_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla_paused_at: datetime | None
    sla_paused_seconds: int
    reopen_count: int
    escalation_level: int
    lead_id: UUID | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int
    # Computed on read from the tenant's calendar (app/domain/tickets/sla.py), not stored.
    sla: dict[str, Any] | None = field(default=None, metadata={"computed": True})


SORTABLE = frozenset({"updated_at", "created_at", "number"})


@dataclass(frozen=True, slots=True)
class TicketQuery:
    owner_id: UUID | None = None
    assigned: bool | None = None  # False: the unassigned queue
    department_id: UUID | None = None
    status: str | None = None
    is_open: bool | None = None
    priority: str | None = None
    kind: str | None = None
    channel: str | None = None
    category_id: UUID | None = None
    customer_id: UUID | None = None
    tag: str | None = None
    resolution_due_to: datetime | None = None  # the resolution is due before this instant
    # Breaching soon: open, and a running clock (first response not yet given, or resolution not
    # paused) is due before this instant — already breached ones included.
    breaching_before: datetime | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_since: datetime | None = None
    sync_token: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    q: str | None = None
    sort: str = "-updated_at"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    # A condition tree (app/domain/shared/conditions.py), parsed from the `where` parameter.
    where: Group | None = None


@dataclass(slots=True)
class Comment:
    id: UUID
    ticket_id: UUID
    visibility: str
    body: str
    attachments: list[dict[str, Any]]
    author_id: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(slots=True)
class Escalation:
    id: UUID
    ticket_id: UUID
    level: int
    reason: str
    from_priority: str
    to_priority: str
    from_owner_id: UUID | None
    to_owner_id: UUID | None
    escalated_by: UUID | None
    escalated_at: datetime
    rule_id: UUID | None = None  # the escalation rule that made it; None: a person did


@dataclass(slots=True)
class Category:
    id: UUID
    name: str
    parent_id: UUID | None
    position: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(slots=True)
class SlaPolicy:
    id: UUID
    name: str
    priority: str
    customer_level: str | None
    first_response_minutes: int
    resolution_minutes: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(slots=True)
class CalendarSettings:
    """The tenant's business calendar as stored (one per tenant), with the reopen window."""

    time_zone: str = "UTC"
    weekdays: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    open_minute: int = 9 * 60
    close_minute: int = 18 * 60
    holidays: list[date] = field(default_factory=list)
    reopen_days: int = 7
    updated_at: datetime | None = None
    version: int = 0  # 0: never saved, the defaults


@dataclass(slots=True)
class TicketAssignmentRule:
    id: UUID
    name: str
    position: int
    active: bool
    category_id: UUID | None
    channel: str | None
    priority: str | None
    kind: str | None
    user_id: UUID | None
    department_id: UUID | None
    method: str
    created_at: datetime
    updated_at: datetime
    version: int

    def takes(self, ticket: dict[str, Any]) -> bool:
        return (
            self.active
            and (self.category_id is None or ticket.get("category_id") == self.category_id)
            and (self.channel is None or ticket.get("channel") == self.channel)
            and (self.priority is None or ticket.get("priority") == self.priority)
            and (self.kind is None or ticket.get("kind") == self.kind)
        )


class EscalationCondition(StrEnum):
    """When an escalation rule fires on an open ticket (once per ticket)."""

    FIRST_RESPONSE_BREACHED = "sla_first_response_breached"
    RESOLUTION_BREACHED = "sla_resolution_breached"
    FIRST_RESPONSE_WARNING = "sla_first_response_warning"  # 80% of the target passed
    RESOLUTION_WARNING = "sla_resolution_warning"
    UNASSIGNED = "unassigned"  # in the queue for `minutes` business minutes


class Reassign(StrEnum):
    TEAM_MANAGER = "team_manager"  # an active user of the ticket's team who may assign tickets
    USER = "user"  # the rule's user_id
    DEPARTMENT = "department"  # the unassigned queue of the rule's department_id


# raise_priority: one step up, or straight to a level (never down).
RAISE_STEP = "step"


@dataclass(slots=True)
class TicketEscalationRule:
    id: UUID
    name: str
    position: int
    active: bool
    condition: str
    minutes: int | None
    priority: str | None
    category_id: UUID | None
    kind: str | None
    channel: str | None
    raise_priority: str | None
    reassign: str | None
    user_id: UUID | None
    department_id: UUID | None
    notify: bool
    created_at: datetime
    updated_at: datetime
    version: int
