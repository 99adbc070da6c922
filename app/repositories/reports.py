"""The one report compiler: a parsed report (app/domain/analytics/reports.py) -> one SQL statement.

    SELECT g0, g1, count(*) AS m0, sum(amount) AS m1 ... FROM <entity's table>
    WHERE <the caller's range on the resource> AND live AND <filters> AND <period>
    GROUP BY g0, g1
then, around it, each group value's label (a user's, a region's, a stage's name...) as a lookup by
primary key per result row, the sort and the limit (one row more, to say the result was cut).

Values reach SQL only through the condition compiler's accessors (app/repositories/conditions.py),
so a report groups and measures exactly what its filters and its drill-down conditions test: a
group's `eq` condition on the list endpoint selects the group's records. Empty texts group with
missing ones (the condition language's `is_null` holds for both). Buckets are in the tenant's
time zone (app/repositories/analytics_sql.py); the period compares the column with the window's
UTC instants, so an index on the column serves it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.report_service import SavedReport, Scopes
from app.domain.analytics.reports import Fn, Grouping, Measure, Report, is_custom
from app.domain.analytics.window import zone as domain_zone
from app.domain.shared.conditions import CUSTOM_PREFIX, FieldSpec, Kind
from app.domain.shared.scope import DataScope
from app.repositories.analytics_sql import bucket, tenant_zone
from app.repositories.conditions import ENTITIES, ENTITY_TABLES, Col, Texts, Via, _custom, compile_tree
from app.repositories.configured import ConfiguredTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import (
    campaigns,
    contacts,
    customers,
    departments,
    leads,
    opportunities,
    pipeline_stages,
    pipelines,
    regions,
    reports,
    ticket_categories,
    users,
)

E = sa.ColumnElement[Any]

# What names a group's value: the table whose `name` labels an id.
LABELS: dict[str, sa.Table] = {
    "owner": users, "assignee": users, "customer.owner": users,
    "department": departments, "customer.department": departments,
    "region": regions, "customer.region": regions,
    "pipeline": pipelines, "stage": pipeline_stages, "customer": customers, "campaign": campaigns,
    "source_campaign": campaigns, "category": ticket_categories, "contact": contacts, "lead": leads,
    "deal": opportunities,
}  # fmt: skip


def value_of(entity: str, spec: FieldSpec, t: sa.Table) -> E:
    """The SQL value of a declared field on `entity`'s row `t` (a related row's by a scalar lookup)."""
    if spec.name.startswith(CUSTOM_PREFIX):
        return _custom(spec.name[len(CUSTOM_PREFIX) :], spec.kind).expr(t)
    acc = ENTITIES[entity][spec.name]
    if isinstance(acc, Col):
        return acc.expr(t)
    if isinstance(acc, Texts) and not acc.many:
        return t.c[acc.column]
    if isinstance(acc, Via):
        r = acc.related
        link = [r.c.tenant_id == t.c.tenant_id, r.c.id == t.c[acc.fk], r.c.deleted_at.is_(None)]
        return sa.select(acc.inner.expr(r)).where(*link).scalar_subquery()
    raise LookupError(f"{spec.name} has no value on a {entity} row")  # pragma: no cover - the domain prevents it


def _group_value(entity: str, grouping: Grouping, t: sa.Table, zone: str) -> E:
    spec = grouping.field
    value = value_of(entity, spec, t)
    if grouping.grain is not None:
        return bucket(value, grouping.grain, zone if spec.kind is Kind.DATETIME else None)
    if spec.kind in (Kind.TEXT, Kind.CHOICE):
        return sa.func.nullif(value, "")  # "" is no value, as `is_null` says
    return value


def _measure(entity: str, measure: Measure, t: sa.Table) -> E:
    if measure.fn is Fn.COUNT:
        return sa.func.count()
    assert measure.field is not None
    value = value_of(entity, measure.field, t)
    if measure.fn is Fn.AVG:
        return sa.func.round(sa.func.avg(value), 2)
    return getattr(sa.func, measure.fn.value)(value)  # type: ignore[no-any-return]


def _person(t: sa.Table, people: sa.Table, fk: str, scope: DataScope) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        people.c.tenant_id == t.c.tenant_id,
        people.c.id == t.c[fk],
        people.c.deleted_at.is_(None),
        scope_predicate(people, scope),
    )


def records(entity: str, scopes: Scopes, t: sa.Table) -> list[sa.ColumnElement[bool]]:
    """The live records of `entity` within the caller's ranges. Campaign members: those of the
    campaigns in range whose contact or lead is live and in range, as the members list shows them."""
    if entity == "campaign_members":
        c = campaigns
        in_range = sa.exists().where(
            c.c.tenant_id == t.c.tenant_id,
            c.c.id == t.c.campaign_id,
            c.c.deleted_at.is_(None),
            scope_predicate(c, scopes.main),
        )
        assert scopes.contacts is not None and scopes.leads is not None
        person = sa.or_(_person(t, contacts, "contact_id", scopes.contacts), _person(t, leads, "lead_id", scopes.leads))
        return [t.c.tenant_id == scopes.main.tenant_id, t.c.deleted_at.is_(None), in_range, person]
    return [scope_predicate(t, scopes.main), t.c.deleted_at.is_(None)]


def report_statement(report: Report, scopes: Scopes, zone: str, now: datetime) -> sa.Select[Any]:
    entity = report.entity.name
    t = ENTITY_TABLES[entity]
    where = [*records(entity, scopes, t)]
    if report.filters.conditions:
        where.append(compile_tree(report.filters, entity, now=now))
    if report.period is not None:
        spec, window = report.period.field, report.period.window
        value = value_of(entity, spec, t)
        if spec.kind is Kind.DATETIME:
            low, high = window.instants(domain_zone(zone))
            where += [value >= low, value < high]
        else:
            where += [value >= window.start, value < window.end]
    groups = [_group_value(entity, g, t, zone).label(f"g{i}") for i, g in enumerate(report.groupings)]
    measures = [_measure(entity, m, t).label(f"m{i}") for i, m in enumerate(report.measures)]
    inner = sa.select(*groups, *measures).where(*where)
    if groups:
        inner = inner.group_by(*(sa.literal_column(str(i + 1)) for i in range(len(groups))))
    agg = inner.subquery("agg")
    labels = []
    for i, g in enumerate(report.groupings):
        named = LABELS.get(g.field.name) if g.grain is None and not is_custom(g.field) else None
        if named is not None:
            look = sa.select(named.c.name).where(
                named.c.tenant_id == scopes.main.tenant_id, named.c.id == agg.c[f"g{i}"]
            )
            labels.append(look.scalar_subquery().label(f"l{i}"))
    columns = {g.key: agg.c[f"g{i}"] for i, g in enumerate(report.groupings)}
    columns |= {m.key: agg.c[f"m{i}"] for i, m in enumerate(report.measures)}
    order: list[Any] = []
    if report.sort_by is not None:
        chosen = columns[report.sort_by]
        order.append(chosen.desc().nulls_last() if report.descending else chosen.asc().nulls_last())
    order += [agg.c[f"g{i}"].asc().nulls_last() for i in range(len(groups))]
    return sa.select(agg, *labels).order_by(*order).limit(report.limit + 1)


class PgReportReader:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def zone(self, tenant_id: UUID) -> str:
        return await tenant_zone(self.conn, tenant_id)

    async def run(self, scopes: Scopes, report: Report, zone: str, now: datetime) -> list[dict[str, Any]]:
        """Rows of {group key: value, "label:<group key>": label, measure key: value}, at most limit + 1."""
        stmt = report_statement(report, scopes, zone, now)
        out = []
        for row in (await self.conn.execute(stmt)).mappings():
            item: dict[str, Any] = {}
            for i, g in enumerate(report.groupings):
                item[g.key] = row[f"g{i}"]
                if f"l{i}" in row:
                    item[f"label:{g.key}"] = row[f"l{i}"]
            for i, m in enumerate(report.measures):
                item[m.key] = row[f"m{i}"]
            out.append(item)
        return out


class PgSavedReportRepository(ConfiguredTable[SavedReport]):
    table = reports
    record = SavedReport
    order_by = ("name", "id")

    async def visible(self, tenant_id: UUID, user_id: UUID, role_keys: list[str]) -> list[SavedReport]:
        """The caller's own reports and those shared with one of their roles, by name."""
        t = reports
        shared = t.c.shared_roles.overlap(sa.literal(role_keys, t.c.shared_roles.type))
        stmt = self._live(tenant_id).where(sa.or_(t.c.owner_id == user_id, shared)).order_by(t.c.name, t.c.id)
        return [self._to_record(row) for row in (await self.conn.execute(stmt)).all()]

    async def get(self, tenant_id: UUID, report_id: UUID, *, for_update: bool = False) -> SavedReport | None:
        stmt = self._live(tenant_id).where(reports.c.id == report_id)
        row = (await self.conn.execute(stmt.with_for_update() if for_update else stmt)).first()
        return self._to_record(row) if row else None
