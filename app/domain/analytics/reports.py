"""Reports (issue 15): an entity, measures, up to two groupings, filters, a period, a sort and a limit.

    report = parse_report(raw, catalogue(entity, custom_defs), today=tenant_today)   # or 422 by path
    result = await ReportReader.run(scope, report, zone, now)                         # one SQL statement

What a report may name is declared: its entity's fields in the one condition language
(app/domain/shared/conditions.py ENTITY_FIELDS, with the tenant's custom fields), of which
- numbers (NUMBER fields on the record's own row) are measurable: count, sum, avg, min, max;
  a money field (a deal's amount) is measured per currency: the currency becomes a grouping;
- references, choices, texts and flags are groupable (each row names the value and its label);
- date and date-time fields on the record's row are groupable by a bucket (day, week, month,
  quarter, year in the tenant's time zone) and usable as the period.
Everything else (relations, tags) only filters. The SQL is built by app/repositories/reports.py,
through the caller's read range on the entity's resource (deals: opportunities:read...).

Each result row drills down: `{"path": the resource's list endpoint, "query": {"where": tree}}`,
where the tree is the report's filters AND the row's group values AND the period, in the same
condition language, so the list endpoint counts exactly the records the row counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson

from app.domain.analytics.window import Grain, Window, next_bucket
from app.domain.shared.conditions import (
    CUSTOM_ENTITY,
    CUSTOM_PREFIX,
    MATCH_ALL,
    FieldSpec,
    Group,
    Kind,
    Schema,
    dump,
    parse,
    schema_for,
)
from app.domain.shared.errors import FieldError, ValidationFailed

MAX_GROUPINGS = 2
MAX_MEASURES = 10
DEFAULT_LIMIT = 500
MAX_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class ReportEntity:
    name: str
    resource: str  # whose read range applies (and whose export permission exports)
    path: str  # the list endpoint the rows drill into
    # Fields kept out of groupings although their kind would allow them (free text, unique values).
    ungroupable: frozenset[str] = frozenset()
    # Money: the numeric field and its currency column (measured per currency).
    money: Mapping[str, str] | None = None
    # Fields the SQL side reads from another row (a deal's region is its customer's): they group but
    # cannot be the period or a bucket.
    derived: frozenset[str] = frozenset()


_TEXTY = frozenset({"name", "subject", "email", "phone", "title", "company", "lost_reason", "outcome"})
ENTITIES: dict[str, ReportEntity] = {
    "customers": ReportEntity("customers", "customers", "/api/v1/customers", _TEXTY),
    "contacts": ReportEntity(
        "contacts", "contacts", "/api/v1/contacts", _TEXTY | {"customer.name"}, derived=frozenset({"region"})
    ),
    "leads": ReportEntity("leads", "leads", "/api/v1/leads", _TEXTY | {"customer.name"}),
    "deals": ReportEntity(
        "deals",
        "opportunities",
        "/api/v1/opportunities",
        _TEXTY | {"customer.name", "customer"},
        money={"amount": "currency"},
        derived=frozenset({"region", "status"}),
    ),
    "activities": ReportEntity(
        "activities",
        "activities",
        "/api/v1/activities",
        _TEXTY | {"customer.name", "contact", "lead", "deal"},
        derived=frozenset({"region"}),
    ),
    "tickets": ReportEntity(
        "tickets", "tickets", "/api/v1/tickets", _TEXTY | {"customer.name", "contact"}, derived=frozenset({"region"})
    ),
    "campaign_members": ReportEntity(
        "campaign_members", "campaigns", "/api/v1/campaigns/{campaign}/members", frozenset({"contact", "lead"})
    ),
}
# Relations evaluated over other tables (virtual fields): they filter only.
_VIRTUAL = frozenset({
    "last_activity_at", "deals.open", "deals.stage", "tickets.open", "tickets.last_complaint_at", "csat.score",
    "consent.email", "consent.sms", "suppressed.email", "suppressed.sms",
})  # fmt: skip


class Fn(StrEnum):
    COUNT = "count"
    SUM = "sum"
    AVG = "avg"
    MIN = "min"
    MAX = "max"


@dataclass(frozen=True, slots=True)
class Measure:
    fn: Fn
    field: FieldSpec | None = None  # None for count
    currency: str | None = None  # the currency column of a money field

    @property
    def key(self) -> str:
        return self.fn.value if self.field is None else f"{self.fn.value}:{self.field.name}"


@dataclass(frozen=True, slots=True)
class Grouping:
    field: FieldSpec
    grain: Grain | None = None  # a date bucket
    implicit: bool = False  # the currency of a money measure

    @property
    def key(self) -> str:
        return self.field.name if self.grain is None else f"{self.field.name}:{self.grain.value}"


@dataclass(frozen=True, slots=True)
class Period:
    field: FieldSpec
    window: Window


@dataclass(frozen=True, slots=True)
class Report:
    entity: ReportEntity
    measures: tuple[Measure, ...]
    groupings: tuple[Grouping, ...]
    filters: Group
    period: Period | None
    sort_by: str | None
    descending: bool
    limit: int

    def definition(self) -> dict[str, Any]:
        """The report as JSON again (what a saved report stores): parse_report(definition) == self."""
        return {
            "entity": self.entity.name,
            "measures": [{"fn": m.fn.value, **({"field": m.field.name} if m.field else {})} for m in self.measures],
            "groupings": [
                {"field": g.field.name, **({"grain": g.grain.value} if g.grain else {})}
                for g in self.groupings
                if not g.implicit
            ],
            "filters": dump(self.filters),
            "period": None
            if self.period is None
            else {
                "field": self.period.field.name,
                "from": self.period.window.start.isoformat(),
                "to": date.fromordinal(self.period.window.end.toordinal() - 1).isoformat(),
            },
            "sort": None if self.sort_by is None else {"by": self.sort_by, "desc": self.descending},
            "limit": self.limit,
        }


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What one entity's reports may name: the condition schema and what of it measures, groups, dates."""

    entity: ReportEntity
    schema: Schema
    numbers: tuple[FieldSpec, ...]
    groups: tuple[FieldSpec, ...]
    dates: tuple[FieldSpec, ...]


def catalogue(entity: str, custom: Mapping[str, Iterable[Any]] | None = None) -> Catalogue:
    """The catalogue of `entity` (a key of ENTITIES) with the tenant's custom field definitions."""
    spec = ENTITIES[entity]
    schema = schema_for((entity,), custom)
    own = [f for f in schema.fields.values() if f.name not in _VIRTUAL]
    numbers = tuple(f for f in own if f.kind is Kind.NUMBER)
    groups = tuple(
        f for f in own
        if f.kind in (Kind.REF, Kind.CHOICE, Kind.TEXT, Kind.BOOL) and f.name not in spec.ungroupable
    )  # fmt: skip
    dates = tuple(f for f in own if f.kind in (Kind.DATE, Kind.DATETIME) and f.name not in spec.derived)
    return Catalogue(spec, schema, numbers, groups, dates)


def custom_entity(entity: str) -> str | None:
    """The custom fields' entity name of a report entity (None: it has none)."""
    return CUSTOM_ENTITY.get(entity)


# -- parsing --------------------------------------------------------------------------------------


_MEMBERS = frozenset({"entity", "measures", "groupings", "filters", "period", "sort", "limit"})


class _Errors(list[FieldError]):
    def add(self, field: str, message: str) -> None:
        self.append(FieldError(field, message))


def parse_report(raw: Mapping[str, Any], cat: Catalogue, *, today: date) -> Report:
    """The typed report of a request's JSON (entity already chosen), or 422 naming each bad part."""
    errors = _Errors()
    for unknown in sorted(set(raw) - _MEMBERS):
        errors.add(unknown, "is not a member of a report")
    numbers = {f.name: f for f in cat.numbers}
    groups = {f.name: f for f in cat.groups}
    dates = {f.name: f for f in cat.dates}
    money = cat.entity.money or {}

    measures: list[Measure] = []
    raw_measures = raw.get("measures") or [{"fn": "count"}]
    if not isinstance(raw_measures, list) or len(raw_measures) > MAX_MEASURES:
        errors.add("measures", f"must be a list of at most {MAX_MEASURES} measures")
        raw_measures = []
    for i, item in enumerate(raw_measures):
        where = f"measures[{i}]"
        if not isinstance(item, dict) or set(item) - {"fn", "field"}:
            errors.add(where, 'must be {"fn": "count"} or {"fn": "sum" | "avg" | "min" | "max", "field": ...}')
            continue
        try:
            fn = Fn(str(item.get("fn")))
        except ValueError:
            errors.add(f"{where}.fn", f"must be one of: {', '.join(Fn)}")
            continue
        name = item.get("field")
        if fn is Fn.COUNT:
            if name is not None:
                errors.add(f"{where}.field", "count takes no field")
                continue
            measures.append(Measure(fn))
        elif not isinstance(name, str) or name not in numbers:
            errors.add(f"{where}.field", f"must be a number field of {cat.entity.name}: {', '.join(numbers) or 'none'}")
        else:
            measures.append(Measure(fn, numbers[name], money.get(name)))
    if len({m.key for m in measures}) != len(measures):
        errors.add("measures", "names the same measure twice")

    groupings: list[Grouping] = []
    raw_groups = raw.get("groupings") or []
    if not isinstance(raw_groups, list) or len(raw_groups) > MAX_GROUPINGS:
        errors.add("groupings", f"must be a list of at most {MAX_GROUPINGS} groupings")
        raw_groups = []
    for i, item in enumerate(raw_groups):
        where = f"groupings[{i}]"
        if not isinstance(item, dict) or set(item) - {"field", "grain"}:
            errors.add(where, 'must be {"field": ...} or {"field": <a date field>, "grain": "month"...}')
            continue
        name, grain = item.get("field"), item.get("grain")
        if grain is None:
            if not isinstance(name, str) or name not in groups:
                errors.add(f"{where}.field", f"{name!r} is not a groupable field of {cat.entity.name}")
                continue
            groupings.append(Grouping(groups[name]))
            continue
        try:
            chosen = Grain(str(grain))
        except ValueError:
            errors.add(f"{where}.grain", f"must be one of: {', '.join(Grain)}")
            continue
        if not isinstance(name, str) or name not in dates:
            errors.add(f"{where}.field", f"{name!r} is not a date field of {cat.entity.name}")
            continue
        groupings.append(Grouping(dates[name], chosen))
    if len({g.key for g in groupings}) != len(groupings):
        errors.add("groupings", "names the same grouping twice")
    currencies = {m.currency for m in measures if m.currency}
    for column in sorted(currencies):  # a money measure is per currency: never a sum across them
        if column not in {g.field.name for g in groupings}:
            groupings.append(Grouping(cat.schema.fields[column], implicit=True))

    filters = MATCH_ALL
    if raw.get("filters") is not None:
        try:
            filters = parse(raw["filters"], cat.schema, "filters")
        except ValidationFailed as bad:
            errors.extend(bad.errors)

    period = None
    raw_period = raw.get("period")
    if raw_period is not None:
        period = _period(raw_period, dates, today, errors)

    keys = [g.key for g in groupings] + [m.key for m in measures]
    sort_by, descending = None, False
    raw_sort = raw.get("sort")
    if raw_sort is not None:
        if not isinstance(raw_sort, dict) or set(raw_sort) - {"by", "desc"} or raw_sort.get("by") not in keys:
            errors.add("sort.by", f"must be one of the report's columns: {', '.join(keys)}")
        elif not isinstance(raw_sort.get("desc", False), bool):
            errors.add("sort.desc", "must be true or false")
        else:
            sort_by, descending = str(raw_sort["by"]), bool(raw_sort.get("desc", False))

    limit = raw.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        errors.add("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
        limit = DEFAULT_LIMIT
    if errors:
        raise ValidationFailed(list(errors), "; ".join(f"{e.field}: {e.message}" for e in errors))
    return Report(cat.entity, tuple(measures), tuple(groupings), filters, period, sort_by, descending, limit)


def _period(raw: Any, dates: Mapping[str, FieldSpec], today: date, errors: _Errors) -> Period | None:
    if not isinstance(raw, dict) or set(raw) - {"field", "from", "to"}:
        errors.add("period", 'must be {"field": <a date field>, "from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}')
        return None
    name = raw.get("field")
    if not isinstance(name, str) or name not in dates:
        errors.add("period.field", f"must be a date field: {', '.join(dates)}")
        return None
    bounds: dict[str, date | None] = {}
    for part in ("from", "to"):
        value = raw.get(part)
        try:
            bounds[part] = None if value is None else date.fromisoformat(str(value))
        except ValueError:
            errors.add(f"period.{part}", "must be a date (YYYY-MM-DD)")
            return None
    try:
        window = Window.parse(bounds["from"], bounds["to"], Grain.YEAR.value, today=today)
    except ValidationFailed as bad:
        errors.extend(FieldError(f"period.{e.field}", e.message) for e in bad.errors)
        return None
    return Period(dates[name], window)


# -- drill-down ---------------------------------------------------------------------------------------


def _instant(day: date, tz: ZoneInfo) -> str:
    return datetime.combine(day, time(), tzinfo=tz).isoformat()


def _between(spec: FieldSpec, start: date, end: date, tz: ZoneInfo) -> list[dict[str, Any]]:
    """[start, end) in local dates, as conditions on a date or date-time field."""
    if spec.kind is Kind.DATE:
        low: Any = start.isoformat()
        high: Any = end.isoformat()
    else:
        low, high = _instant(start, tz), _instant(end, tz)
    return [{"field": spec.name, "op": "gte", "value": low}, {"field": spec.name, "op": "lt", "value": high}]


def group_condition(grouping: Grouping, value: Any, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The conditions that select a group's records (a null group: the records without a value)."""
    spec = grouping.field
    if value is None:
        return [{"field": spec.name, "op": "is_null", "value": True}]
    if grouping.grain is not None:
        start = value if isinstance(value, date) else date.fromisoformat(str(value))
        return _between(spec, start, next_bucket(start, grouping.grain), tz)
    return [{"field": spec.name, "op": "eq", "value": str(value) if isinstance(value, UUID) else value}]


def drill_base(report: Report, tz: ZoneInfo) -> list[dict[str, Any]]:
    """What every row's drill-down shares: the report's filters and its period."""
    conditions: list[dict[str, Any]] = []
    if report.filters.conditions:
        conditions.append(dump(report.filters))
    if report.period is not None:
        w = report.period.window
        conditions += _between(report.period.field, w.start, w.end, tz)
    return conditions


def drill(
    report: Report,
    values: Mapping[str, Any],
    tz: ZoneInfo,
    base: list[dict[str, Any]] | None = None,
    cache: dict[tuple[int, Any], list[dict[str, Any]]] | None = None,
) -> dict[str, Any] | None:
    """Where a row's records are: the resource's list with the row's tree as `where` (the
    report's filters AND the row's group values AND the period; `base` from drill_base, `cache`
    keeps each group value's conditions across the rows of one result)."""
    conditions = list(drill_base(report, tz) if base is None else base)
    cache = {} if cache is None else cache
    for i, grouping in enumerate(report.groupings):
        value = values.get(grouping.key)
        found = cache.get((i, value))
        if found is None:
            found = cache[(i, value)] = group_condition(grouping, value, tz)
        conditions += found
    path = report.entity.path
    if "{campaign}" in path:  # members are listed per campaign: drillable once the campaign is known
        campaign = values.get("campaign")
        if campaign is None:
            return None
        path = path.replace("{campaign}", str(campaign))
    tree = {"op": "and", "conditions": conditions}
    return {"path": path, "query": {"where": orjson.dumps(tree).decode()}}


def is_custom(spec: FieldSpec) -> bool:
    return spec.name.startswith(CUSTOM_PREFIX)
