from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.v1.params import WHERE_DOC
from app.api.v1.schemas.common import CustomValues, LongText, Name, RequestModel, ShortText, Tag
from app.api.v1.schemas.sync import NEXT_SYNC_TOKEN_DOC, SYNC_TOKEN_DOC, TOMBSTONE_REASON_DOC, UPDATED_SINCE_DOC
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT

Kind = Literal["service_request", "inquiry", "complaint", "after_sales"]
Channel = Literal["phone", "email", "web", "chat", "wechat", "in_person"]
Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal["new", "open", "pending", "resolved", "closed"]
Visibility = Literal["public", "internal"]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class TicketListParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    owner: str | None = Field(None, max_length=36, description="`me`, `none` (the unassigned queue) or a user id")
    team: UUID | None = Field(None, description="The team (department) the ticket is with.")
    status: Status | None = None
    open: bool | None = Field(None, description="true: new, open or pending; false: resolved or closed.")
    priority: Priority | None = None
    kind: Kind | None = None
    channel: Channel | None = None
    category: UUID | None = None
    customer: UUID | None = None
    tag: str | None = Field(None, max_length=50)
    due_before: datetime | None = Field(
        None, description="The resolution is due before this instant (combine with open=true)."
    )
    breaching_before: datetime | None = Field(
        None,
        description="Breaching soon: open tickets with a running SLA clock due before this instant — the first "
        "response not yet given, or the resolution while not pending. Already breached ones included.",
    )
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_since: datetime | None = Field(None, description=UPDATED_SINCE_DOC)
    sync_token: str | None = Field(None, max_length=200, description=SYNC_TOKEN_DOC)
    q: str | None = Field(None, min_length=1, max_length=200, description="Finds any part of number, subject or text.")
    sort: str = Field(
        "-updated_at", max_length=20, description="updated_at, created_at or number; prefix - for descending"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")
    cursor: str | None = Field(None, max_length=512, description="next_cursor of the previous page.")
    where: str | None = Field(None, max_length=20_000, description=WHERE_DOC)


class TicketCreate(RequestModel):
    kind: Kind = "service_request"
    channel: Channel = "phone"
    priority: Priority = "normal"
    category_id: UUID | None = None
    customer_id: UUID | None = None
    contact_id: UUID | None = None
    opportunity_id: UUID | None = None
    order_id: UUID | None = None
    subject: Subject
    description: LongText | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    custom_fields: CustomValues = Field(default_factory=dict)
    owner_id: UUID | None = Field(
        None,
        description="The assignee (another user needs tickets:assign). Left out: the assignment rules choose, "
        "else the caller. Explicitly null: the rules choose, else the ticket waits in the unassigned queue.",
    )
    department_id: UUID | None = Field(None, description="The team whose queue an unassigned ticket waits in.")


class TicketPatch(RequestModel):
    kind: Kind = None  # type: ignore[assignment]
    channel: Channel = None  # type: ignore[assignment]
    priority: Priority = None  # type: ignore[assignment]
    status: Status = Field(
        None,  # type: ignore[arg-type]
        description="new -> open | pending | resolved; open -> pending | resolved; pending -> open | resolved; "
        "resolved -> closed | open (a reopen, within the calendar's reopen_days); closed -> open (likewise). "
        "Resolving needs a solution.",
    )
    category_id: UUID | None = None
    customer_id: UUID | None = None
    contact_id: UUID | None = None
    opportunity_id: UUID | None = None
    order_id: UUID | None = None
    subject: Subject = None  # type: ignore[assignment]
    description: LongText | None = None
    solution: LongText | None = None
    tags: list[Tag] = Field(None, max_length=50)  # type: ignore[arg-type]
    custom_fields: CustomValues = Field(None, description="Merged into the current values; null removes a key.")  # type: ignore[arg-type]
    owner_id: UUID = None  # type: ignore[assignment]


class SlaClock(BaseModel):
    due_at: datetime | None
    completed_at: datetime | None
    remaining_minutes: int | None = Field(
        description="Business minutes left (negative: overdue); null when met or without a target."
    )
    breached: bool


class SlaBlock(BaseModel):
    policy_id: UUID | None
    paused: bool = Field(description="The ticket is pending: the resolution clock stands still.")
    first_response: SlaClock
    resolution: SlaClock


class TicketOut(BaseModel):
    id: UUID
    number: str
    kind: Kind
    channel: Channel
    priority: Priority
    status: Status
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
    owner_id: UUID | None = Field(description="The assignee; null: the unassigned queue.")
    department_id: UUID | None = Field(description="The team.")
    sla_policy_id: UUID | None
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    resolution_due_at: datetime | None
    first_response_warn_at: datetime | None = Field(description="80% of the target: the assignee is warned.")
    resolution_warn_at: datetime | None = Field(description="80% of the target: the assignee is warned.")
    resolved_at: datetime | None
    closed_at: datetime | None
    sla_paused_at: datetime | None
    sla_paused_seconds: int = Field(description="Business time spent pending so far.")
    reopen_count: int
    escalation_level: int
    lead_id: UUID | None = Field(description="The sales lead made from this ticket.")
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int
    sla: SlaBlock


class TicketTombstone(BaseModel):
    id: UUID
    deleted: Literal[True]
    reason: Literal["deleted", "out_of_range"] = Field(description=TOMBSTONE_REASON_DOC)
    updated_at: datetime


class TicketPage(BaseModel):
    items: list[TicketOut | TicketTombstone]
    next_cursor: str | None
    next_sync_token: str | None = Field(None, description=NEXT_SYNC_TOKEN_DOC)


class Attachment(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    size: int = Field(ge=0, description="Bytes; at most 25 MiB.")
    content_type: Annotated[str, StringConstraints(max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$")]
    storage_key: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="Where the uploaded bytes are kept (object storage key)."
    )


class CommentCreate(RequestModel):
    visibility: Visibility = Field(description="public: a reply the customer sees; internal: a note among staff.")
    body: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)


class AttachmentOut(BaseModel):
    name: str
    size: int
    content_type: str
    storage_key: str


class CommentOut(BaseModel):
    id: UUID
    ticket_id: UUID
    visibility: Visibility
    body: str
    attachments: list[AttachmentOut]
    author_id: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


class CommentList(BaseModel):
    items: list[CommentOut]


class EscalateBody(RequestModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    priority: Priority | None = Field(None, description="Raise to this (higher) priority.")
    to_manager: bool = Field(False, description="Hand the ticket to its team's manager.")


class EscalationOut(BaseModel):
    id: UUID
    ticket_id: UUID
    level: int
    reason: str
    from_priority: Priority
    to_priority: Priority
    from_owner_id: UUID | None
    to_owner_id: UUID | None
    escalated_by: UUID | None = Field(description="Who escalated; null when a rule did (see rule_id).")
    escalated_at: datetime
    rule_id: UUID | None = Field(None, description="The escalation rule that made it.")


class EscalationList(BaseModel):
    items: list[EscalationOut]


class HistoryItemOut(BaseModel):
    type: Literal["status", "assignment", "priority", "escalation"]
    at: datetime
    actor_id: UUID | None = Field(description="Who did it; null for the system (a rule, the worker).")
    before: str | None = Field(description="Status, assignee id or priority before (escalation: the priority).")
    after: str | None = Field(description="...and after.")
    seconds_in_previous: int | None = Field(None, description="status: time spent in the status left.")
    business_seconds_in_previous: int | None = Field(
        None, description="status: the same in business time on the tenant's calendar."
    )
    team_before: UUID | None = Field(None, description="assignment: the team before, when it changed.")
    team_after: UUID | None = None
    level: int | None = Field(None, description="escalation: its level.")
    reason: str | None = None
    owner_before: UUID | None = Field(None, description="escalation: the assignee before and after.")
    owner_after: UUID | None = None
    rule_id: UUID | None = Field(None, description="escalation: the rule that made it.")


class HistoryList(BaseModel):
    items: list[HistoryItemOut]


EscalationCondition = Literal[
    "sla_first_response_breached",
    "sla_resolution_breached",
    "sla_first_response_warning",
    "sla_resolution_warning",
    "unassigned",
]
Reassign = Literal["team_manager", "user", "department"]
RaisePriority = Literal["step", "normal", "high", "urgent"]
RuleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class EscalationRuleCreate(RequestModel):
    name: RuleName
    position: int | None = Field(
        None, ge=0, le=1_000_000, description="Rules are applied in this order; default: last."
    )
    active: bool = True
    condition: EscalationCondition = Field(
        description="When it fires (once per ticket): an SLA target breached or at its 80% warning, or a ticket in "
        "the unassigned queue for `minutes` business minutes."
    )
    minutes: int | None = Field(None, ge=0, le=525_600, description="Business minutes, for `unassigned` only.")
    priority: Priority | None = Field(None, description="Only tickets of this priority (null: any).")
    category_id: UUID | None = None
    kind: Kind | None = None
    channel: Channel | None = None
    raise_priority: RaisePriority | None = Field(None, description="One `step` up, or to this level (never down).")
    reassign: Reassign | None = Field(
        None, description="To the team's manager, to `user_id`, or to the unassigned queue of `department_id`."
    )
    user_id: UUID | None = None
    department_id: UUID | None = None
    notify: bool = Field(True, description="Tell the assignee (before and after) and the team's manager.")


class EscalationRulePatch(RequestModel):
    name: RuleName = None  # type: ignore[assignment]
    position: int = Field(None, ge=0, le=1_000_000)  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]
    condition: EscalationCondition = None  # type: ignore[assignment]
    minutes: int | None = Field(None, ge=0, le=525_600)
    priority: Priority | None = None
    category_id: UUID | None = None
    kind: Kind | None = None
    channel: Channel | None = None
    raise_priority: RaisePriority | None = None
    reassign: Reassign | None = None
    user_id: UUID | None = None
    department_id: UUID | None = None
    notify: bool = None  # type: ignore[assignment]


class EscalationRuleOut(BaseModel):
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


class EscalationRuleList(BaseModel):
    items: list[EscalationRuleOut]


class CreateLeadBody(RequestModel):
    """Overrides for the lead (by default: the customer's name, or the ticket's subject)."""

    name: Name = None  # type: ignore[assignment]
    company: ShortText | None = None
    description: LongText | None = None


class CreateLeadResult(BaseModel):
    ticket: TicketOut
    lead_id: UUID


class CategoryCreate(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    parent_id: UUID | None = None
    position: int = Field(0, ge=0, le=1_000_000)
    active: bool = True


class CategoryPatch(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = None  # type: ignore[assignment]
    parent_id: UUID | None = None
    position: int = Field(None, ge=0, le=1_000_000)  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]


class CategoryOut(BaseModel):
    id: UUID
    name: str
    parent_id: UUID | None
    position: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class CategoryList(BaseModel):
    items: list[CategoryOut]


Minutes = Annotated[int, Field(ge=1, le=365 * 24 * 60, description="Business minutes.")]


class SlaPolicyCreate(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    priority: Priority
    customer_level: ShortText | None = Field(
        None, description="Only for customers of this level; null or blank: any level."
    )
    first_response_minutes: Minutes
    resolution_minutes: Minutes
    active: bool = True


class SlaPolicyPatch(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = None  # type: ignore[assignment]
    priority: Priority = None  # type: ignore[assignment]
    customer_level: ShortText | None = None
    first_response_minutes: Minutes = None  # type: ignore[assignment]
    resolution_minutes: Minutes = None  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]


class SlaPolicyOut(BaseModel):
    id: UUID
    name: str
    priority: Priority
    customer_level: str | None
    first_response_minutes: int
    resolution_minutes: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class SlaPolicyList(BaseModel):
    items: list[SlaPolicyOut]


class CalendarBody(RequestModel):
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="IANA time zone, e.g. Asia/Shanghai."
    )
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        min_length=1, max_length=7, description="Working days, 0 = Monday."
    )
    open_minute: int = Field(ge=0, le=1440, description="Opening, in minutes of the local day (540 = 09:00).")
    close_minute: int = Field(ge=0, le=1440, description="Closing, in minutes of the local day (1440 = midnight).")
    holidays: list[date] = Field(default_factory=list, max_length=400)
    reopen_days: int = Field(7, ge=0, le=365, description="A resolved ticket may be reopened this many days.")


class TicketCalendarOut(BaseModel):
    time_zone: str
    weekdays: list[int]
    open_minute: int
    close_minute: int
    holidays: list[date]
    reopen_days: int
    updated_at: datetime | None
    version: int = Field(description="0: never saved (the defaults).")


class TicketRuleCreate(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    position: int | None = Field(None, ge=0, le=1_000_000, description="Rules are tried in this order; default: last.")
    active: bool = True
    category_id: UUID | None = Field(None, description="Take only tickets of this category.")
    channel: Channel | None = None
    priority: Priority | None = None
    kind: Kind | None = None
    user_id: UUID | None = Field(None, description="Give the ticket to this user...")
    department_id: UUID | None = Field(None, description="...or to one of this team's active agents.")
    method: Literal["round_robin", "least_open"] = Field(
        "round_robin", description="How a team's agent is chosen: in turn, or the one with fewest open tickets."
    )


class TicketRulePatch(RequestModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = None  # type: ignore[assignment]
    position: int = Field(None, ge=0, le=1_000_000)  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]
    category_id: UUID | None = None
    channel: Channel | None = None
    priority: Priority | None = None
    kind: Kind | None = None
    user_id: UUID | None = None
    department_id: UUID | None = None
    method: Literal["round_robin", "least_open"] = None  # type: ignore[assignment]


class TicketRuleOut(BaseModel):
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


class TicketRuleList(BaseModel):
    items: list[TicketRuleOut]


class CountBy(BaseModel):
    key: str | None = Field(description="The value (an id for category, owner, customer); null: none set.")
    count: int
    complaints: int = Field(description="Of those, complaints (kind complaint): top complaint categories.")


class RepeatComplainer(BaseModel):
    customer_id: UUID
    complaints: int


class Percentiles(BaseModel):
    median: float | None
    p90: float | None


class SlaRate(BaseModel):
    with_targets: int
    breached: int
    breach_rate: float | None


class ReopenRate(BaseModel):
    resolved: int
    reopened: int
    reopen_rate: float | None


class VolumePoint(BaseModel):
    period: datetime = Field(description="The start of the period (UTC day, ISO week from Monday, or month).")
    count: int = Field(description="Tickets created in the period.")
    complaints: int
    breached: int = Field(description="Of those, tickets that missed a first response or resolution target.")


class TicketStatsOut(BaseModel):
    from_: datetime = Field(alias="from")
    to: datetime
    group_by: Literal["day", "week", "month"] | None
    total: int
    by_kind: list[CountBy]
    by_category: list[CountBy]
    by_channel: list[CountBy]
    by_priority: list[CountBy]
    by_status: list[CountBy]
    by_owner: list[CountBy] = Field(description="By assignee.")
    by_customer: list[CountBy]
    repeat_complainers: list[RepeatComplainer]
    first_response_minutes: Percentiles
    resolution_minutes: Percentiles
    sla: SlaRate
    reopen: ReopenRate
    volume: list[VolumePoint] | None = Field(description="Over time, with group_by; null without.")
