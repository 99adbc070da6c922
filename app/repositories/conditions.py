"""The one filter compiler: a parsed condition tree (app/domain/shared/conditions.py) -> one SQL
predicate over an entity's table, for segments, reports, search and automation conditions.

    tree = parse(raw, schema_for(["contacts"], custom_defs))          # domain: typed or 422
    where = compile_tree(tree, "contacts", now=clock.utcnow())       # here: a ColumnElement[bool]
    stmt = sa.select(contacts.c.id).where(scope_predicate(contacts, scope), live(contacts), where)

Every value is a bound parameter (custom field keys too); relations are correlated EXISTS
subqueries on indexed keys (never a query per record); a field compiles only if the entity
declares it here *and* in the domain (tests/unit/test_conditions.py checks both lists agree).
Another entity is added by declaring its fields
in ENTITY_FIELDS (domain) and in ENTITIES below.

The negative operators are built as NOT of the positive one, with NULL taken as "no match", so a
record missing a value is "not equal" to anything (the domain module states the semantics).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PGUUID

from app.domain.shared.conditions import (
    CUSTOM_PREFIX,
    NEGATES,
    Campaign,
    FieldSpec,
    Group,
    Kind,
    Leaf,
    Op,
    statuses_at_least,
)
from app.domain.shared.normalize import email_key, phone_key
from app.repositories.tables import (
    activities,
    campaign_members,
    contacts,
    customer_metrics,
    customers,
    leads,
    marketing_consents,
    marketing_suppressions,
    opportunities,
    pipeline_stages,
    survey_responses,
    surveys,
    tickets,
)

E = sa.ColumnElement[Any]
P = sa.ColumnElement[bool]
TEXTS = ARRAY(sa.Text)
UUIDS = ARRAY(PGUUID(as_uuid=True))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _since(kind: Kind, now: datetime, days: int) -> datetime | date:
    instant = now - timedelta(days=days)
    return instant.date() if kind is Kind.DATE else instant


# -- how a field reaches its value ------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A value on the record's own row."""

    expr: Callable[[sa.Table], E]


@dataclass(frozen=True)
class Texts:
    """An address: equality compares normalized keys (`norm`, made by `key`: case and
    punctuation do not matter, and the index on them serves); other tests read `column`. With
    `many`, the columns are arrays (a contact's e-mails and phones) and a test holds when one of
    the addresses passes it."""

    column: str
    norm: str
    key: Callable[[str], str | None]
    many: bool = True


@dataclass(frozen=True)
class Via:
    """A value on one related record (the contact's customer): EXISTS over that record."""

    related: sa.Table
    fk: str  # the column of the record's table that points at `related`
    inner: Col


@dataclass(frozen=True)
class Relation:
    """A virtual field over related rows: `build(table, op, value, now)` returns the predicate of
    a positive operator (or of `eq true`, `is_null true`); negatives are NOT of those."""

    build: Callable[[sa.Table, Op, Any, datetime], P]


Accessor = Col | Texts | Via | Relation


def _column(name: str) -> Col:
    return Col(lambda t: t.c[name])


def _custom(key: str, kind: Kind) -> Col:
    def expr(t: sa.Table) -> E:
        value = t.c.custom_fields[key]  # the key is a bound parameter
        typed = sa.func.jsonb_typeof(value)
        text = t.c.custom_fields[key].astext
        if kind is Kind.NUMBER:
            return sa.case((typed == "number", sa.cast(text, sa.Numeric)))
        if kind is Kind.BOOL:
            return sa.case((typed == "boolean", sa.cast(text, sa.Boolean)))
        if kind is Kind.DATE:
            # Stored as YYYY-MM-DD by the custom fields' validation; anything else is no date.
            iso = sa.and_(typed == "string", text.regexp_match(r"^\d{4}-\d{2}-\d{2}$"))
            return sa.case((iso, sa.cast(text, sa.Date)))
        if kind is Kind.TAGS:
            return sa.case((typed == "array", value))
        return sa.case((typed == "string", text))

    return Col(expr)


# -- operators ----------------------------------------------------------------------------------------


def _bool(clause: Any) -> P:
    """A comparison of an untyped expression, as the predicate it is."""
    return clause  # type: ignore[no-any-return]


def _decimal(value: Any) -> Any:
    """Numbers bound as numeric: a list mixing 50 and 12.5 would otherwise bind as integers."""
    if isinstance(value, tuple):
        return tuple(_decimal(v) for v in value)
    return Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _test(kind: Kind, expr: E, op: Op, value: Any, now: datetime, jsonb: bool = False) -> P:
    """A positive operator on a value expression (NULL when the value is missing)."""
    if kind is Kind.NUMBER:
        value = _decimal(value)
    if op is Op.IS_NULL:
        if kind is Kind.TAGS:
            size = sa.func.jsonb_array_length(expr) if jsonb else sa.func.cardinality(expr)
            return sa.func.coalesce(size, 0) == 0
        if kind is Kind.TEXT or kind is Kind.CHOICE:
            return sa.func.coalesce(expr, "") == ""
        return expr.is_(None)
    if kind is Kind.TAGS:
        if jsonb:
            array = sa.literal(list(value), TEXTS)
            return expr.bool_op("?|" if op is Op.HAS_ANY else "?&")(array)
        array = sa.literal(list(value), TEXTS)
        return expr.bool_op("&&")(array) if op is Op.HAS_ANY else expr.bool_op("@>")(array)
    if op is Op.EQ:
        return _bool(expr == value)
    if op is Op.IN:
        return expr.in_(list(value))
    if op is Op.GT:
        return _bool(expr > value)
    if op is Op.GTE:
        return _bool(expr >= value)
    if op is Op.LT:
        return _bool(expr < value)
    if op is Op.LTE:
        return _bool(expr <= value)
    if op is Op.BETWEEN:
        return expr.between(value[0], value[1])
    if op is Op.CONTAINS:
        return expr.ilike(f"%{_escape_like(value)}%", escape="\\")
    if op is Op.STARTS_WITH:
        return expr.ilike(f"{_escape_like(value)}%", escape="\\")
    if op is Op.WITHIN_LAST_DAYS:
        return expr >= _since(kind, now, value)
    if op is Op.MORE_THAN_DAYS_AGO:
        return expr < _since(kind, now, value)
    raise AssertionError(f"no SQL for {op}")  # pragma: no cover - the domain allows no other


def _positive(acc: Accessor, spec: FieldSpec, t: sa.Table, op: Op, value: Any, now: datetime) -> P:
    kind = spec.kind
    if isinstance(acc, Relation):
        return acc.build(t, op, value, now)
    if isinstance(acc, Col):
        jsonb = spec.name.startswith(CUSTOM_PREFIX) and kind is Kind.TAGS
        return _test(kind, acc.expr(t), op, value, now, jsonb=jsonb)
    if isinstance(acc, Texts):
        if op in (Op.EQ, Op.IN):
            keys = [k for k in (acc.key(v) for v in (value if op is Op.IN else (value,))) if k]
            if not acc.many:
                return t.c[acc.norm].in_(keys) if keys else sa.false()
            return t.c[acc.norm].bool_op("&&")(sa.literal(keys, TEXTS))
        if not acc.many:
            return _test(kind, t.c[acc.column], op, value, now)
        if op is Op.IS_NULL:
            return sa.func.coalesce(sa.func.cardinality(t.c[acc.column]), 0) == 0
        each = sa.func.unnest(t.c[acc.column]).column_valued("each_value")
        return sa.exists().where(_test(kind, each, op, value, now))
    r = acc.related
    link = [r.c.tenant_id == t.c.tenant_id, r.c.id == t.c[acc.fk], r.c.deleted_at.is_(None)]
    inner = acc.inner.expr(r)
    if op is Op.IS_NULL:  # no related record, or one without the value
        return ~sa.exists().where(*link, sa.not_(_test(kind, inner, Op.IS_NULL, True, now)))
    return sa.exists().where(*link, _test(kind, inner, op, value, now))


def _leaf(leaf: Leaf, fields: dict[str, Accessor], t: sa.Table, now: datetime) -> P:
    spec, op, value = leaf.field, leaf.op, leaf.value
    if spec.name.startswith(CUSTOM_PREFIX):
        acc: Accessor | None = _custom(spec.name[len(CUSTOM_PREFIX) :], spec.kind)
    else:
        acc = fields.get(spec.name)
    if acc is None:
        raise LookupError(f"{spec.name} has no SQL for this entity")
    negate = False
    if op in NEGATES:
        op, negate = NEGATES[op], True
    elif value is False and (op is Op.IS_NULL or (op is Op.EQ and isinstance(acc, Relation))):
        value, negate = True, True  # is_null false, and a relation's eq false
    positive = _positive(acc, spec, t, op, value, now)
    return sa.not_(sa.func.coalesce(positive, False)) if negate else positive


def compile_tree(tree: Group, entity: str, *, now: datetime, table: sa.Table | None = None) -> P:
    """The predicate of `tree` over `entity`'s table (or `table`, an alias of it)."""
    fields = ENTITIES[entity]
    t = table if table is not None else ENTITY_TABLES[entity]

    def node(n: Group | Leaf) -> P:
        if isinstance(n, Leaf):
            return _leaf(n, fields, t, now)
        parts = [node(c) for c in n.conditions]
        if not parts:
            return sa.true()
        return sa.and_(*parts) if n.op == "and" else sa.or_(*parts)

    return node(tree)


# -- relations --------------------------------------------------------------------------------------


def _latest(rows: Callable[[sa.Table], list[P]], at: Callable[[], E]) -> Relation:
    """A virtual "latest time" over related rows: within_last_days / more_than_days_ago / is_null
    of the newest one."""

    def build(t: sa.Table, op: Op, value: Any, now: datetime) -> P:
        base = rows(t)
        if op is Op.IS_NULL:
            return ~sa.exists().where(*base)
        since = now - timedelta(days=value)
        recent = sa.exists().where(*base, at() >= since)
        if op is Op.WITHIN_LAST_DAYS:
            return recent
        return sa.and_(sa.exists().where(*base), ~recent)  # more_than_days_ago: some, none recent

    return Relation(build)


def _activities(link: str) -> Callable[[sa.Table], list[P]]:
    a = activities
    return lambda t: [
        a.c.tenant_id == t.c.tenant_id, a.c[link] == t.c.id, a.c.deleted_at.is_(None), a.c.status == "done",
    ]  # fmt: skip


def _tickets(link: str, *extra: P) -> Callable[[sa.Table], list[P]]:
    k = tickets
    return lambda t: [k.c.tenant_id == t.c.tenant_id, k.c[link] == t.c.id, k.c.deleted_at.is_(None), *extra]


def _deals(customer_fk: str) -> Relation:
    o, s = opportunities, pipeline_stages

    def build(t: sa.Table, op: Op, value: Any, now: datetime) -> P:
        base = [o.c.tenant_id == t.c.tenant_id, o.c.customer_id == t.c[customer_fk], o.c.deleted_at.is_(None)]
        if op is Op.IN:  # deals.stage
            return sa.exists().where(*base, o.c.stage_id.in_(list(value)))
        stage_open = sa.exists().where(s.c.tenant_id == o.c.tenant_id, s.c.id == o.c.stage_id, s.c.kind == "open")
        return sa.exists().where(*base, stage_open)

    return Relation(build)


_RATING_PATH = "'$[*] ? (@.type == \"rating\").id'::jsonpath"


def _csat(subject: str) -> Relation:
    r, s, k = survey_responses, surveys, tickets

    def build(t: sa.Table, op: Op, value: Any, now: datetime) -> P:
        # The first rating question of the response's survey: the satisfaction score (as the results read it).
        question = sa.func.jsonb_path_query_first(s.c.questions, sa.literal_column(_RATING_PATH))
        answer = r.c.answers.op("->")(question.op("#>>")(sa.literal([], TEXTS)))
        number = sa.cast(answer.op("#>>")(sa.literal([], TEXTS)), sa.Numeric)
        score = sa.case((sa.func.jsonb_typeof(answer) == "number", number))
        base = [
            r.c.tenant_id == t.c.tenant_id, r.c.deleted_at.is_(None), s.c.tenant_id == r.c.tenant_id,
            s.c.id == r.c.survey_id,
        ]  # fmt: skip
        if subject == "contact_id":
            base.append(r.c.contact_id == t.c.id)
        else:  # a lead's responses: those about its tickets
            base += [k.c.tenant_id == r.c.tenant_id, k.c.id == r.c.ticket_id, k.c.lead_id == t.c.id]
        return sa.exists().where(*base, _test(Kind.NUMBER, score, op, value, now))

    return Relation(build)


def _campaign(subject: str) -> Relation:
    m = campaign_members

    def build(t: sa.Table, op: Op, value: Campaign, now: datetime) -> P:
        wanted = [
            m.c.tenant_id == t.c.tenant_id, m.c[subject] == t.c.id, m.c.campaign_id == value.campaign_id,
            m.c.deleted_at.is_(None),
        ]  # fmt: skip
        if value.status is not None:
            wanted.append(m.c.status.in_(list(statuses_at_least(value.status))))
        return sa.exists().where(*wanted)

    return Relation(build)


def _consent(subject: str, channel: str) -> Relation:
    c = marketing_consents

    def build(t: sa.Table, op: Op, value: Any, now: datetime) -> P:
        return sa.exists().where(
            c.c.tenant_id == t.c.tenant_id, c.c[subject] == t.c.id, c.c.channel == channel, c.c.status == "granted"
        )

    return Relation(build)


def _suppressed(channel: str, addresses: Callable[[sa.Table], E], many: bool) -> Relation:
    s = marketing_suppressions

    def build(t: sa.Table, op: Op, value: Any, now: datetime) -> P:
        address = s.c.address == sa.any_(addresses(t)) if many else s.c.address == addresses(t)
        return sa.exists().where(s.c.tenant_id == t.c.tenant_id, s.c.channel == channel, address)

    return Relation(build)


def _via_customer(fk: str, column: str) -> Via:
    return Via(customers, fk, _column(column))


_CUSTOMER_FIELDS = (
    ("name", "name"), ("level", "level"), ("customer_type", "customer_type"), ("industry", "industry"),
    ("status", "status"), ("region", "region_id"), ("owner", "owner_id"), ("department", "department_id"),
    ("tags", "tags"),
)  # fmt: skip


def _customer_metric(customer_fk: str, column: str, kind: Kind) -> Relation:
    """A figure of the record's customer from the customer analysis rollup (migration 0038), with
    the semantics of a Via: a live customer whose row has (or lacks) the value."""
    c, m = customers, customer_metrics

    def build(t: sa.Table, op: Op, value: Any, now: datetime) -> P:
        link = [
            c.c.tenant_id == t.c.tenant_id, c.c.id == t.c[customer_fk], c.c.deleted_at.is_(None),
            m.c.tenant_id == c.c.tenant_id, m.c.customer_id == c.c.id,
        ]  # fmt: skip
        if op is Op.IS_NULL:  # no customer, no row, or a row without the value
            return ~sa.exists().where(*link, sa.not_(_test(kind, m.c[column], Op.IS_NULL, True, now)))
        return sa.exists().where(*link, _test(kind, m.c[column], op, value, now))

    return Relation(build)


def _open_tickets(subject: str) -> Relation:
    return Relation(lambda t, op, value, now: sa.exists().where(*_tickets(subject)(t), tickets.c.is_open))


def _complaints(subject: str) -> Relation:
    return _latest(_tickets(subject, tickets.c.kind == "complaint"), lambda: tickets.c.created_at)


def _common(customer_fk: str, subject: str) -> dict[str, Accessor]:
    """The fields contacts and leads share, given how each reaches its customer and is named in
    the activity, ticket, campaign and consent tables (contact_id / lead_id)."""
    return {
        "name": _column("name"),
        "title": _column("title"),
        "tags": _column("tags"),
        "owner": _column("owner_id"),
        "department": _column("department_id"),
        "created_at": _column("created_at"),
        "updated_at": _column("updated_at"),
        **{f"customer.{name}": _via_customer(customer_fk, column) for name, column in _CUSTOMER_FIELDS},
        "customer.rfm_segment": _customer_metric(customer_fk, "rfm_segment", Kind.CHOICE),
        "customer.churn_score": _customer_metric(customer_fk, "churn_score", Kind.NUMBER),
        "last_activity_at": _latest(_activities(subject), lambda: activities.c.occurred_at),
        "deals.open": _deals(customer_fk),
        "deals.stage": _deals(customer_fk),
        "tickets.open": _open_tickets(subject),
        "tickets.last_complaint_at": _complaints(subject),
        "csat.score": _csat(subject),
        "campaign": _campaign(subject),
        "consent.email": _consent(subject, "email"),
        "consent.sms": _consent(subject, "sms"),
    }


def _owned(region: Accessor) -> dict[str, Accessor]:
    return {
        "owner": _column("owner_id"),
        "department": _column("department_id"),
        "region": region,
        "created_at": _column("created_at"),
        "updated_at": _column("updated_at"),
    }


def _of_customer() -> dict[str, Accessor]:
    """A deal's, an activity's or a ticket's customer (`customer_id`) and the customer's fields."""
    return {
        "customer": _column("customer_id"),
        **{f"customer.{name}": _via_customer("customer_id", name)
           for name in ("name", "level", "customer_type", "industry", "status")},
    }  # fmt: skip


ENTITY_TABLES: dict[str, sa.Table] = {
    "contacts": contacts,
    "leads": leads,
    "customers": customers,
    "deals": opportunities,
    "activities": activities,
    "tickets": tickets,
    "campaign_members": campaign_members,
}

ENTITIES: dict[str, dict[str, Accessor]] = {
    "contacts": {
        **_common("customer_id", "contact_id"),
        "company": _via_customer("customer_id", "name"),
        "region": _via_customer("customer_id", "region_id"),
        "email": Texts("emails", "emails_norm", email_key),
        "phone": Texts("phones", "phones_norm", phone_key),
        "suppressed.email": _suppressed("email", lambda t: t.c.emails_norm, many=True),
        "suppressed.sms": _suppressed("sms", lambda t: t.c.phones_norm, many=True),
        "customer": _column("customer_id"),
        "birthday": _column("birthday"),
        "is_primary": _column("is_primary"),
    },
    "leads": {
        **_common("converted_customer_id", "lead_id"),
        "company": _column("company"),
        "region": _column("region_id"),
        "email": Texts("email", "email_norm", email_key, many=False),
        "phone": Texts("phone", "phone_norm", phone_key, many=False),
        "suppressed.email": _suppressed("email", lambda t: t.c.email_norm, many=False),
        "suppressed.sms": _suppressed("sms", lambda t: t.c.phone_norm, many=False),
        "status": _column("status"),
        "source": _column("source"),
        "rating": _column("rating"),
        "score": _column("score"),
        "source_campaign": _column("campaign_id"),
        "converted_at": _column("converted_at"),
    },
    "customers": {
        **_owned(_column("region_id")),
        **{name: _column(name) for name in ("name", "kind", "customer_type", "industry", "level", "status", "source")},
        "email": Texts("email", "email_norm", email_key, many=False),
        "phone": Texts("phone", "phone_norm", phone_key, many=False),
        "tags": _column("tags"),
        "last_activity_at": _latest(_activities("customer_id"), lambda: activities.c.occurred_at),
        "deals.open": _deals("id"),
        "tickets.open": _open_tickets("customer_id"),
        "tickets.last_complaint_at": _complaints("customer_id"),
    },
    "deals": {
        **_owned(_via_customer("customer_id", "region_id")),
        **_of_customer(),
        **{
            name: _column(name)
            for name in (
                "name",
                "amount",
                "currency",
                "probability",
                "forecast_category",
                "expected_close_date",
                "lost_reason",
                "tags",
                "closed_at",
                "stage_entered_at",
            )
        },
        "pipeline": _column("pipeline_id"),
        "stage": _column("stage_id"),
        "status": Via(pipeline_stages, "stage_id", _column("kind")),
        "campaign": _column("campaign_id"),
    },
    "activities": {
        **_owned(_via_customer("customer_id", "region_id")),
        **_of_customer(),
        **{
            name: _column(name)
            for name in ("kind", "status", "subject", "outcome", "occurred_at", "due_at", "duration_minutes")
        },
        "assignee": _column("assignee_id"),
        "contact": _column("contact_id"),
        "lead": _column("lead_id"),
        "deal": _column("opportunity_id"),
    },
    "tickets": {
        **_owned(_via_customer("customer_id", "region_id")),
        **_of_customer(),
        **{
            name: _column(name)
            for name in (
                "kind",
                "channel",
                "priority",
                "status",
                "is_open",
                "subject",
                "tags",
                "resolved_at",
                "closed_at",
                "first_responded_at",
                "reopen_count",
                "escalation_level",
            )
        },
        "category": _column("category_id"),
        "contact": _column("contact_id"),
    },
    "campaign_members": {
        **{
            name: _column(name)
            for name in (
                "status",
                "source",
                "registration_status",
                "created_at",
                "sent_at",
                "opened_at",
                "clicked_at",
                "registered_at",
                "attended_at",
                "converted_at",
            )
        },
        "campaign": _column("campaign_id"),
        "contact": _column("contact_id"),
        "lead": _column("lead_id"),
    },
}
