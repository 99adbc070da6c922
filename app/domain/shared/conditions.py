"""Condition trees: the one filter language of segments, reports, search and automation rules.

A tree is a group `{"op": "and" | "or", "conditions": [...]}` whose items are groups again or
leaves `{"field": "...", "op": "...", "value": ...}`. What a caller may write is *declared*: each
entity (contacts, leads, customers, deals, activities, tickets, campaign members) lists its
fields with a kind, and each kind the operators it takes. `parse` checks a raw tree against such a
schema and returns typed, immutable nodes, or raises ValidationFailed naming the path of every bad
condition (`conditions.conditions[1].value`). Only parsed trees reach the SQL compiler
(app/repositories/conditions.py), so no undeclared field, operator or untyped value ever does.

Semantics the compiler keeps, and the tests check against plain Python:
- The negative operators are exact complements of their positive twins: `neq` is NOT `eq`, `not_in`
  NOT `in`, `has_none` NOT `has_any`, `is_null: false` NOT `is_null: true`, `eq false` on a relation
  NOT `eq true`. A record with no value is therefore "not equal" to anything.
- Comparisons (`gt`, `lt`, `between`, `contains`...) never match a missing value.
- Relations (activities, deals, tickets, CSAT, campaigns, consent) are virtual fields: `last_activity_at`
  is the latest done activity's time, `deals.open` whether an open deal exists, and so on.
- `within_last_days: N` is value >= now - N days; `more_than_days_ago: N` is value < now - N days.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from app.domain.analytics.customers import SEGMENTS as RFM_SEGMENTS
from app.domain.marketing.funnel import FINAL, FUNNEL
from app.domain.shared.errors import FieldError, ValidationFailed

MAX_DEPTH = 5  # nested groups, the root included
MAX_CONDITIONS = 50  # leaves in a whole tree
MAX_LIST = 500  # values of one `in` / `has_any`
MAX_TEXT = 500
MAX_DAYS = 36_500


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    CHOICE = "choice"  # text from a known list (when the list is fixed)
    REF = "ref"  # the id of another record (owner, department, region, stage...)
    TAGS = "tags"  # a set of texts
    CAMPAIGN = "campaign"  # membership of a campaign, with a least status


class Op(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    IN = "in"
    NOT_IN = "not_in"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    BETWEEN = "between"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    IS_NULL = "is_null"
    WITHIN_LAST_DAYS = "within_last_days"
    MORE_THAN_DAYS_AGO = "more_than_days_ago"
    HAS_ANY = "has_any"
    HAS_ALL = "has_all"
    HAS_NONE = "has_none"
    MEMBER = "member"
    NOT_MEMBER = "not_member"


_ORDERED = (Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN, Op.IS_NULL)
OPS: dict[Kind, tuple[Op, ...]] = {
    Kind.TEXT: (Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.CONTAINS, Op.STARTS_WITH, Op.IS_NULL),
    Kind.NUMBER: (*_ORDERED, Op.IN, Op.NOT_IN),
    Kind.DATE: (*_ORDERED, Op.WITHIN_LAST_DAYS, Op.MORE_THAN_DAYS_AGO),
    Kind.DATETIME: (Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN, Op.IS_NULL, Op.WITHIN_LAST_DAYS, Op.MORE_THAN_DAYS_AGO),
    Kind.BOOL: (Op.EQ, Op.IS_NULL),
    Kind.CHOICE: (Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.IS_NULL),
    Kind.REF: (Op.EQ, Op.NEQ, Op.IN, Op.NOT_IN, Op.IS_NULL),
    Kind.TAGS: (Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE, Op.IS_NULL),
    Kind.CAMPAIGN: (Op.MEMBER, Op.NOT_MEMBER),
}
# The operator whose complement each negative one is (the compiler builds only the positive ones).
NEGATES: dict[Op, Op] = {Op.NEQ: Op.EQ, Op.NOT_IN: Op.IN, Op.HAS_NONE: Op.HAS_ANY, Op.NOT_MEMBER: Op.MEMBER}

# A campaign member's funnel, in order; "status at least X" is X or any later step. Bounced and
# unsubscribed are off the funnel: asking for them matches them alone.
MEMBER_FUNNEL = FUNNEL
MEMBER_OFF_FUNNEL = FINAL


def statuses_at_least(status: str) -> tuple[str, ...]:
    if status in MEMBER_FUNNEL:
        return MEMBER_FUNNEL[MEMBER_FUNNEL.index(status) :]
    return (status,)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    label: str = ""
    choices: tuple[str, ...] = ()  # CHOICE / TAGS: the allowed values (empty: any text)
    ops: tuple[Op, ...] = ()  # narrower than the kind's (relations): empty means all of the kind's

    @property
    def operators(self) -> tuple[Op, ...]:
        return self.ops or OPS[self.kind]


@dataclass(frozen=True, slots=True)
class Campaign:
    """The value of `member` / `not_member`: a campaign, and optionally the least status reached."""

    campaign_id: UUID
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Leaf:
    field: FieldSpec
    op: Op
    # Typed: str, float/int, date, datetime, bool, UUID, a tuple of those, (lo, hi), int days, Campaign.
    value: Any


@dataclass(frozen=True, slots=True)
class Group:
    op: str  # "and" | "or"
    conditions: tuple[Group | Leaf, ...] = ()

    def leaves(self) -> Iterable[Leaf]:
        for item in self.conditions:
            if isinstance(item, Leaf):
                yield item
            else:
                yield from item.leaves()


MATCH_ALL = Group("and", ())


@dataclass(frozen=True, slots=True)
class Schema:
    """The fields a tree may use: the declared ones of an entity (or those common to several
    entities, for an audience of contacts and leads) plus its custom fields as `custom.<key>`."""

    fields: Mapping[str, FieldSpec]
    entities: tuple[str, ...] = field(default=())

    def spec(self, name: str) -> FieldSpec | None:
        return self.fields.get(name)


# -- the declared fields --------------------------------------------------------------------------

_DAYS_OPS = (Op.WITHIN_LAST_DAYS, Op.MORE_THAN_DAYS_AGO, Op.IS_NULL)
_SCORE_OPS = (Op.EQ, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN)
_LEAD_STATUSES = ("new", "contacted", "qualified", "unqualified", "converted")
_LEAD_SOURCES = ("web_form", "campaign", "import", "referral", "event", "other")
_LEAD_RATINGS = ("hot", "warm", "cold")
_CUSTOMER_STATUSES = ("prospect", "active", "inactive", "lost")


def _f(name: str, kind: Kind, label: str, *, choices: tuple[str, ...] = (), ops: tuple[Op, ...] = ()) -> FieldSpec:
    return FieldSpec(name, kind, label, choices, ops)


# What a contact and a lead both have, compiled per entity (a contact's company and region are its
# customer's; a lead's customer is the one it was converted to).
_COMMON = (
    _f("name", Kind.TEXT, "Name"),
    _f("title", Kind.TEXT, "Job title"),
    _f("company", Kind.TEXT, "Company"),
    _f("email", Kind.TEXT, "E-mail"),
    _f("phone", Kind.TEXT, "Phone"),
    _f("tags", Kind.TAGS, "Tags"),
    _f("owner", Kind.REF, "Owner"),
    _f("department", Kind.REF, "Department"),
    _f("region", Kind.REF, "Region"),
    _f("created_at", Kind.DATETIME, "Created"),
    _f("updated_at", Kind.DATETIME, "Updated"),
    _f("customer.name", Kind.TEXT, "Customer name"),
    _f("customer.level", Kind.TEXT, "Customer level"),
    _f("customer.customer_type", Kind.TEXT, "Customer type"),
    _f("customer.industry", Kind.TEXT, "Customer industry"),
    _f("customer.status", Kind.CHOICE, "Customer status", choices=_CUSTOMER_STATUSES),
    _f("customer.region", Kind.REF, "Customer region"),
    _f("customer.owner", Kind.REF, "Customer owner"),
    _f("customer.department", Kind.REF, "Customer department"),
    _f("customer.tags", Kind.TAGS, "Customer tags"),
    # The customer analysis (migration 0038, as of the worker's last round). No money field: a won
    # value compares only within one currency, which a single number cannot say.
    _f("customer.rfm_segment", Kind.CHOICE, "Customer RFM segment", choices=RFM_SEGMENTS),
    _f("customer.churn_score", Kind.NUMBER, "Customer churn risk (0-100)"),
    _f("last_activity_at", Kind.DATETIME, "Last activity", ops=_DAYS_OPS),
    _f("deals.open", Kind.BOOL, "Has an open deal", ops=(Op.EQ,)),
    _f("deals.stage", Kind.REF, "Has a deal in stage", ops=(Op.IN, Op.NOT_IN)),
    _f("tickets.open", Kind.BOOL, "Has an open ticket", ops=(Op.EQ,)),
    _f("tickets.last_complaint_at", Kind.DATETIME, "Last complaint", ops=_DAYS_OPS),
    _f("csat.score", Kind.NUMBER, "Gave a CSAT rating", ops=_SCORE_OPS),
    _f("campaign", Kind.CAMPAIGN, "Campaign membership"),
    _f("consent.email", Kind.BOOL, "E-mail consent granted", ops=(Op.EQ,)),
    _f("consent.sms", Kind.BOOL, "SMS consent granted", ops=(Op.EQ,)),
    _f("suppressed.email", Kind.BOOL, "E-mail address suppressed", ops=(Op.EQ,)),
    _f("suppressed.sms", Kind.BOOL, "Phone number suppressed", ops=(Op.EQ,)),
)

# Where a record sits: who owns it, in which team, when it was made (customers, deals, activities,
# tickets; a deal's, an activity's and a ticket's region is its customer's).
_OWNED = (
    _f("owner", Kind.REF, "Owner"),
    _f("department", Kind.REF, "Department"),
    _f("region", Kind.REF, "Region"),
    _f("created_at", Kind.DATETIME, "Created"),
    _f("updated_at", Kind.DATETIME, "Updated"),
)
# The customer a deal, an activity or a ticket belongs to, and the customer's own fields.
_OF_CUSTOMER = (
    _f("customer", Kind.REF, "Customer"),
    _f("customer.name", Kind.TEXT, "Customer name"),
    _f("customer.level", Kind.TEXT, "Customer level"),
    _f("customer.customer_type", Kind.TEXT, "Customer type"),
    _f("customer.industry", Kind.TEXT, "Customer industry"),
    _f("customer.status", Kind.CHOICE, "Customer status", choices=_CUSTOMER_STATUSES),
)
_ACTIVITY_KINDS = ("note", "call", "email", "meeting", "visit", "task", "appointment")
_ACTIVITY_STATUSES = ("planned", "done", "missed", "cancelled")
_TICKET_KINDS = ("service_request", "inquiry", "complaint", "after_sales")
_TICKET_CHANNELS = ("phone", "email", "web", "chat", "wechat", "in_person")
_TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
_TICKET_STATUSES = ("new", "open", "pending", "resolved", "closed")
_FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "closed", "omitted")
_DEAL_STATUSES = ("open", "won", "lost")  # the kind of the deal's stage
_MEMBER_SOURCES = ("manual", "segment", "registration", "automation", "import")
_REGISTRATION_STATUSES = ("registered", "waitlisted", "cancelled")

# The entities of the report builder beyond contacts and leads (issue 15); search reuses them.
_REPORTED: dict[str, tuple[FieldSpec, ...]] = {
    "customers": (
        *_OWNED,
        _f("name", Kind.TEXT, "Name"),
        _f("kind", Kind.CHOICE, "Kind", choices=("company", "individual")),
        _f("customer_type", Kind.TEXT, "Customer type"),
        _f("industry", Kind.TEXT, "Industry"),
        _f("level", Kind.TEXT, "Level"),
        _f("status", Kind.CHOICE, "Status", choices=_CUSTOMER_STATUSES),
        _f("source", Kind.TEXT, "Source"),
        _f("email", Kind.TEXT, "E-mail"),
        _f("phone", Kind.TEXT, "Phone"),
        _f("tags", Kind.TAGS, "Tags"),
        _f("last_activity_at", Kind.DATETIME, "Last activity", ops=_DAYS_OPS),
        _f("deals.open", Kind.BOOL, "Has an open deal", ops=(Op.EQ,)),
        _f("tickets.open", Kind.BOOL, "Has an open ticket", ops=(Op.EQ,)),
        _f("tickets.last_complaint_at", Kind.DATETIME, "Last complaint", ops=_DAYS_OPS),
    ),
    "deals": (
        *_OWNED,
        *_OF_CUSTOMER,
        _f("name", Kind.TEXT, "Name"),
        _f("amount", Kind.NUMBER, "Amount"),
        _f("currency", Kind.TEXT, "Currency"),
        _f("probability", Kind.NUMBER, "Probability (%)"),
        _f("forecast_category", Kind.CHOICE, "Forecast category", choices=_FORECAST_CATEGORIES),
        _f("expected_close_date", Kind.DATE, "Expected close date"),
        _f("pipeline", Kind.REF, "Pipeline"),
        _f("stage", Kind.REF, "Stage"),
        _f("status", Kind.CHOICE, "Status", choices=_DEAL_STATUSES),
        _f("campaign", Kind.REF, "Campaign (first touch)"),
        _f("lost_reason", Kind.TEXT, "Lost reason"),
        _f("tags", Kind.TAGS, "Tags"),
        _f("closed_at", Kind.DATETIME, "Closed"),
        _f("stage_entered_at", Kind.DATETIME, "Entered the stage"),
    ),
    "activities": (
        *_OWNED,
        *_OF_CUSTOMER,
        _f("kind", Kind.CHOICE, "Kind", choices=_ACTIVITY_KINDS),
        _f("status", Kind.CHOICE, "Status", choices=_ACTIVITY_STATUSES),
        _f("subject", Kind.TEXT, "Subject"),
        _f("outcome", Kind.TEXT, "Outcome"),
        _f("occurred_at", Kind.DATETIME, "Occurred"),
        _f("due_at", Kind.DATETIME, "Due"),
        _f("duration_minutes", Kind.NUMBER, "Duration (minutes)"),
        _f("assignee", Kind.REF, "Assignee"),
        _f("contact", Kind.REF, "Contact"),
        _f("lead", Kind.REF, "Lead"),
        _f("deal", Kind.REF, "Deal"),
    ),
    "tickets": (
        *_OWNED,
        *_OF_CUSTOMER,
        _f("kind", Kind.CHOICE, "Kind", choices=_TICKET_KINDS),
        _f("channel", Kind.CHOICE, "Channel", choices=_TICKET_CHANNELS),
        _f("priority", Kind.CHOICE, "Priority", choices=_TICKET_PRIORITIES),
        _f("status", Kind.CHOICE, "Status", choices=_TICKET_STATUSES),
        _f("is_open", Kind.BOOL, "Open", ops=(Op.EQ,)),
        _f("category", Kind.REF, "Category"),
        _f("contact", Kind.REF, "Contact"),
        _f("subject", Kind.TEXT, "Subject"),
        _f("tags", Kind.TAGS, "Tags"),
        _f("resolved_at", Kind.DATETIME, "Resolved"),
        _f("closed_at", Kind.DATETIME, "Closed"),
        _f("first_responded_at", Kind.DATETIME, "First response"),
        _f("reopen_count", Kind.NUMBER, "Times reopened"),
        _f("escalation_level", Kind.NUMBER, "Escalation level"),
    ),
    "campaign_members": (
        _f("campaign", Kind.REF, "Campaign"),
        _f("status", Kind.CHOICE, "Status", choices=(*MEMBER_FUNNEL, *MEMBER_OFF_FUNNEL)),
        _f("source", Kind.CHOICE, "Source", choices=_MEMBER_SOURCES),
        _f("registration_status", Kind.CHOICE, "Registration", choices=_REGISTRATION_STATUSES),
        _f("contact", Kind.REF, "Contact"),
        _f("lead", Kind.REF, "Lead"),
        _f("created_at", Kind.DATETIME, "Added"),
        _f("sent_at", Kind.DATETIME, "Sent"),
        _f("opened_at", Kind.DATETIME, "Opened"),
        _f("clicked_at", Kind.DATETIME, "Clicked"),
        _f("registered_at", Kind.DATETIME, "Registered"),
        _f("attended_at", Kind.DATETIME, "Attended"),
        _f("converted_at", Kind.DATETIME, "Converted"),
    ),
}

ENTITY_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "contacts": (
        *_COMMON,
        _f("customer", Kind.REF, "Customer"),
        _f("birthday", Kind.DATE, "Birthday"),
        _f("is_primary", Kind.BOOL, "Primary contact"),
    ),
    "leads": (
        *_COMMON,
        _f("status", Kind.CHOICE, "Lead status", choices=_LEAD_STATUSES),
        _f("source", Kind.CHOICE, "Lead source", choices=_LEAD_SOURCES),
        _f("rating", Kind.CHOICE, "Rating", choices=_LEAD_RATINGS),
        _f("score", Kind.NUMBER, "Score"),
        _f("source_campaign", Kind.REF, "Source campaign"),
        _f("converted_at", Kind.DATETIME, "Converted"),
    ),
    **_REPORTED,
}
# Custom field definitions are per entity under these names (app/domain/custom_fields).
CUSTOM_ENTITY = {
    "contacts": "contact", "leads": "lead", "customers": "customer", "deals": "opportunity", "tickets": "ticket",
}  # fmt: skip
CUSTOM_PREFIX = "custom."
# The entity of each resource whose list endpoint takes a `where` tree.
RESOURCE_ENTITY = {
    "customers": "customers", "contacts": "contacts", "leads": "leads", "opportunities": "deals",
    "activities": "activities", "tickets": "tickets",
}  # fmt: skip
_CUSTOM_KINDS = {
    "text": Kind.TEXT,
    "email": Kind.TEXT,
    "phone": Kind.TEXT,
    "url": Kind.TEXT,
    "number": Kind.NUMBER,
    "date": Kind.DATE,
    "bool": Kind.BOOL,
    "select": Kind.CHOICE,
    "multiselect": Kind.TAGS,
}


def custom_spec(key: str, field_type: str, label: str, options: Iterable[str]) -> FieldSpec:
    kind = _CUSTOM_KINDS[field_type]
    choices = tuple(options) if kind in (Kind.CHOICE, Kind.TAGS) else ()
    return FieldSpec(CUSTOM_PREFIX + key, kind, label, choices)


def schema_for(entities: Iterable[str], custom: Mapping[str, Iterable[Any]] | None = None) -> Schema:
    """The fields usable on every one of `entities` (standard fields: those all of them declare),
    plus their custom fields: `custom` maps an entity to its definitions (objects with key, type,
    label, options). A custom key defined on one entity only is usable too (missing on the others);
    defined on several with different types, the first wins and the others cannot match it."""
    names = tuple(entities)
    per_entity = [{f.name: f for f in ENTITY_FIELDS[e]} for e in names]
    common = {n: f for n, f in per_entity[0].items() if all(n in other for other in per_entity[1:])}
    for entity in names:
        for definition in (custom or {}).get(entity, ()):
            spec = custom_spec(definition.key, definition.type, definition.label, definition.options)
            common.setdefault(spec.name, spec)
    return Schema(common, names)


# -- parsing --------------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []
        self.leaves = 0

    def add(self, path: str, message: str) -> None:
        self.items.append(FieldError(path, message))


def parse(raw: Any, schema: Schema, path: str = "conditions") -> Group:
    """The typed tree of `raw`, or ValidationFailed listing each bad node by its path."""
    errors = _Errors()
    tree = _group(raw, schema, path, 1, errors)
    if errors.leaves > MAX_CONDITIONS:
        errors.add(path, f"has {errors.leaves} conditions; at most {MAX_CONDITIONS}")
    if errors.items or tree is None:
        raise ValidationFailed(errors.items, "; ".join(f"{e.field}: {e.message}" for e in errors.items))
    return tree


def _group(raw: Any, schema: Schema, path: str, depth: int, errors: _Errors) -> Group | None:
    if not isinstance(raw, dict):
        errors.add(path, 'must be a group: {"op": "and" | "or", "conditions": [...]}')
        return None
    unknown = sorted(set(raw) - {"op", "conditions"})
    if unknown:
        errors.add(path, f"unknown member(s) of a group: {', '.join(unknown)}")
    op = raw.get("op")
    if op not in ("and", "or"):
        errors.add(f"{path}.op", 'must be "and" or "or"')
    items = raw.get("conditions", [])
    if not isinstance(items, list):
        errors.add(f"{path}.conditions", "must be a list")
        return None
    if depth > MAX_DEPTH:
        errors.add(path, f"groups nest at most {MAX_DEPTH} deep")
        return None
    parsed: list[Group | Leaf] = []
    for i, item in enumerate(items):
        where = f"{path}.conditions[{i}]"
        if isinstance(item, dict) and "conditions" in item:
            node: Group | Leaf | None = _group(item, schema, where, depth + 1, errors)
        else:
            errors.leaves += 1
            if errors.leaves > MAX_CONDITIONS:
                continue
            node = _leaf(item, schema, where, errors)
        if node is not None:
            parsed.append(node)
    return Group(str(op), tuple(parsed))


def _leaf(raw: Any, schema: Schema, path: str, errors: _Errors) -> Leaf | None:
    if not isinstance(raw, dict):
        errors.add(path, 'must be a condition {"field", "op", "value"} or a group')
        return None
    unknown = sorted(set(raw) - {"field", "op", "value"})
    if unknown:
        errors.add(path, f"unknown member(s) of a condition: {', '.join(unknown)}")
        return None
    name = raw.get("field")
    spec = schema.spec(name) if isinstance(name, str) else None
    if spec is None:
        errors.add(f"{path}.field", f"unknown field {name!r}" if isinstance(name, str) else "must be a field name")
        return None
    try:
        op: Op | None = Op(str(raw.get("op")))
    except ValueError:
        op = None
    if op is None or op not in spec.operators:
        allowed = ", ".join(spec.operators)
        errors.add(f"{path}.op", f"{spec.name} takes the operators: {allowed}")
        return None
    if "value" not in raw:
        errors.add(f"{path}.value", "is required")
        return None
    try:
        value = _value(spec, op, raw["value"])
    except _Bad as bad:
        errors.add(f"{path}.value", str(bad))
        return None
    return Leaf(spec, op, value)


class _Bad(Exception):
    pass


def _value(spec: FieldSpec, op: Op, raw: Any) -> Any:
    if op is Op.IS_NULL:
        if not isinstance(raw, bool):
            raise _Bad("must be true or false")
        return raw
    if op in (Op.WITHIN_LAST_DAYS, Op.MORE_THAN_DAYS_AGO):
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_DAYS:
            raise _Bad(f"must be a whole number of days, 0 to {MAX_DAYS}")
        return raw
    if op in (Op.MEMBER, Op.NOT_MEMBER):
        return _campaign(raw)
    if op in (Op.IN, Op.NOT_IN, Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE):
        if not isinstance(raw, list) or not raw:
            raise _Bad("must be a non-empty list")
        if len(raw) > MAX_LIST:
            raise _Bad(f"must have at most {MAX_LIST} values")
        return tuple(dict.fromkeys(_scalar(spec, v) for v in raw))
    if op is Op.BETWEEN:
        if not isinstance(raw, list) or len(raw) != 2:
            raise _Bad("must be a list of two values [from, to]")
        low, high = _scalar(spec, raw[0]), _scalar(spec, raw[1])
        if low > high:
            raise _Bad("the first value must not be greater than the second")
        return (low, high)
    if op in (Op.CONTAINS, Op.STARTS_WITH):
        if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_TEXT:
            raise _Bad(f"must be a non-empty text of at most {MAX_TEXT} characters")
        return raw
    return _scalar(spec, raw)


def _scalar(spec: FieldSpec, raw: Any) -> Any:
    kind = spec.kind
    if kind in (Kind.TEXT, Kind.CHOICE, Kind.TAGS):
        if not isinstance(raw, str) or len(raw) > MAX_TEXT:
            raise _Bad(f"must be a text of at most {MAX_TEXT} characters")
        if spec.choices and raw not in spec.choices:
            raise _Bad(f"must be one of: {', '.join(spec.choices)}")
        return raw
    if kind is Kind.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw) or abs(raw) > 1e15:
            raise _Bad("must be a finite number")
        return raw
    if kind is Kind.BOOL:
        if not isinstance(raw, bool):
            raise _Bad("must be true or false")
        return raw
    if kind is Kind.REF:
        return _uuid(raw)
    if kind is Kind.DATE:
        try:
            if not isinstance(raw, str):
                raise ValueError
            return date.fromisoformat(raw)
        except ValueError:
            raise _Bad("must be a date (YYYY-MM-DD)") from None
    if kind is Kind.DATETIME:
        try:
            if not isinstance(raw, str):
                raise ValueError
            instant = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise _Bad("must be a date-time with a UTC offset (ISO 8601)") from None
        if instant.tzinfo is None:
            raise _Bad("must carry a UTC offset")
        return instant
    raise _Bad("has no value of this kind")  # pragma: no cover - every kind is handled above


def _uuid(raw: Any) -> UUID:
    try:
        if not isinstance(raw, str):
            raise ValueError
        return UUID(raw)
    except ValueError:
        raise _Bad("must be an id (UUID)") from None


def _campaign(raw: Any) -> Campaign:
    if not isinstance(raw, dict) or set(raw) - {"campaign_id", "status"} or "campaign_id" not in raw:
        raise _Bad('must be {"campaign_id": id, "status": least status (optional)}')
    status = raw.get("status")
    if status is not None and status not in (*MEMBER_FUNNEL, *MEMBER_OFF_FUNNEL):
        raise _Bad(f"status must be one of: {', '.join((*MEMBER_FUNNEL, *MEMBER_OFF_FUNNEL))}")
    return Campaign(_uuid(raw["campaign_id"]), status)


def parse_json_tree(raw: str, schema: Schema, path: str = "where") -> Group:
    """A tree sent as JSON text (a query parameter), or 422 naming `path`."""
    try:
        tree = json.loads(raw)
    except ValueError:
        raise ValidationFailed.one(path, "must be a JSON condition tree") from None
    return parse(tree, schema, path)


def dump(tree: Group) -> dict[str, Any]:
    """The tree back as JSON (what a segment stores): parse(dump(t)) == t."""

    def value(v: Any) -> Any:
        if isinstance(v, tuple):
            return [value(x) for x in v]
        if isinstance(v, date | datetime):
            return v.isoformat()
        if isinstance(v, UUID):
            return str(v)
        if isinstance(v, Campaign):
            out: dict[str, Any] = {"campaign_id": str(v.campaign_id)}
            if v.status is not None:
                out["status"] = v.status
            return out
        return v

    def node(n: Group | Leaf) -> dict[str, Any]:
        if isinstance(n, Leaf):
            return {"field": n.field.name, "op": str(n.op), "value": value(n.value)}
        return {"op": n.op, "conditions": [node(c) for c in n.conditions]}

    return node(tree)
