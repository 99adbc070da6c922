"""The one place a DataScope becomes SQL. Every list, get, count and write on an owned table goes
through it; an empty scope matches nothing (deny by default).

`scope_clause` builds the predicate from the scope's *shape* with bound parameters, so prepared
statements can be reused across callers of the same shape (`scope_shape` is the cache key,
`scope_params` the values); `scope_predicate` is the same clause with the values bound in.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PGUUID

from app.domain.shared.scope import DataRange, DataScope
from app.repositories.tables import customers

UUIDS = ARRAY(PGUUID(as_uuid=True))
TEXTS = ARRAY(sa.Text)

# Tables whose "own" and "department" ranges also reach the records of customers owned by the
# caller / within the department: a ticket's owner is the agent serving it, and the sales rep who
# owns the customer follows it too (read-only by role). Permissions stay per role: this only says
# whose records "own" means. These tables carry the customer's owner and department as
# `customer_owner_id` and `customer_department_id` (null unless the customer is live), kept in step
# by triggers (migration 0018): a department's customers are far too many to list per statement.
VIA_CUSTOMER_OWNER = frozenset({"tickets"})

# (range, narrowed by region, narrowed by type) per grant, "has a department", "creator reads".
Shape = tuple[tuple[tuple[str, bool, bool], ...], bool, bool]


def scope_shape(scope: DataScope) -> Shape:
    grants = tuple((g.range.value, g.regions is not None, g.customer_types is not None) for g in scope.grants)
    return grants, bool(scope.department_ids), scope.creator_reads


def scope_params(scope: DataScope) -> dict[str, Any]:
    params: dict[str, Any] = {
        "scope_tenant": scope.tenant_id,
        "scope_user": scope.user_id,
        "scope_departments": list(scope.department_ids),
    }
    for i, grant in enumerate(scope.grants):
        if grant.regions is not None:
            params[f"scope_regions_{i}"] = sorted(grant.regions)
        if grant.customer_types is not None:
            params[f"scope_types_{i}"] = sorted(grant.customer_types)
    return params


class _Binder:
    """Bound parameters by name: placeholders for prepared statements, or carrying values."""

    def __init__(self, values: dict[str, Any] | None) -> None:
        self.values = values

    def __call__(self, name: str, type_: Any) -> sa.BindParameter[Any]:
        if self.values is None:
            return sa.bindparam(name, type_=type_)
        return sa.bindparam(name, value=self.values[name], type_=type_)


def _narrowing(
    table: sa.FromClause, bind: _Binder, i: int, by_region: bool, by_type: bool
) -> list[sa.ColumnElement[bool]]:
    """Region and customer-type narrowing. Tables without those columns (contacts, activities)
    are narrowed through the customer they belong to; a record with no customer then matches
    nothing, so narrowing never widens."""
    wanted = [
        (column, bind(name, type_))
        for column, name, type_, on in (
            ("region_id", f"scope_regions_{i}", UUIDS, by_region),
            ("customer_type", f"scope_types_{i}", TEXTS, by_type),
        )
        if on
    ]
    if not wanted:
        return []
    if all(column in table.c for column, _ in wanted):
        return [table.c[column] == sa.any_(param) for column, param in wanted]
    if "customer_id" not in table.c:
        return [sa.false()]
    # An alias: a statement that joins the customers itself (a campaign's members with their
    # contacts' companies) would otherwise correlate this EXISTS to its own customers row.
    c = customers.alias("scope_customer")
    return [
        sa.exists().where(
            c.c.tenant_id == table.c.tenant_id,
            c.c.id == table.c.customer_id,
            *(c.c[column] == sa.any_(param) for column, param in wanted),
        )
    ]


def reaches_whole_tenant(shape: Shape) -> bool:
    """Whether a scope of this shape is the whole tenant (a grant of range "all", not narrowed)."""
    return any(range_ == DataRange.ALL and not (by_region or by_type) for range_, by_region, by_type in shape[0])


def scope_clause(
    table: sa.FromClause,
    shape: Shape,
    values: dict[str, Any] | None = None,
    *,
    resource: str | None = None,
) -> sa.ColumnElement[bool]:
    """The predicate for a scope of this shape: placeholders, or (with `values`) bound values.
    `resource` names the records when `table` is not theirs (an alias, or the sync feed's
    departures, which carry the same columns)."""
    bind = _Binder(values)
    via_customer_owner = (resource or getattr(table, "name", None)) in VIA_CUSTOMER_OWNER
    grants, has_department, creator_reads = shape
    tenant = table.c.tenant_id == bind("scope_tenant", PGUUID(as_uuid=True))
    clauses: list[sa.ColumnElement[bool]] = []
    for i, (range_, by_region, by_type) in enumerate(grants):
        parts: list[sa.ColumnElement[bool]] = []
        if range_ == DataRange.NONE:
            continue
        if range_ == DataRange.OWN:
            mine = table.c.owner_id == bind("scope_user", PGUUID(as_uuid=True))
            if via_customer_owner:
                mine = sa.or_(mine, table.c.customer_owner_id == bind("scope_user", PGUUID(as_uuid=True)))
            parts.append(mine)
        elif range_ == DataRange.DEPARTMENT:
            if not has_department:  # a user in no department has no department range
                continue
            ours = table.c.department_id == sa.any_(bind("scope_departments", UUIDS))
            if via_customer_owner:
                theirs = table.c.customer_department_id == sa.any_(bind("scope_departments", UUIDS))
                ours = sa.or_(ours, theirs)
            parts.append(ours)
        parts.extend(_narrowing(table, bind, i, by_region, by_type))
        if not parts:  # range "all", not narrowed: nothing else can widen it
            return tenant
        clauses.append(sa.and_(*parts))
    if not clauses:
        return sa.false()
    if creator_reads and "created_by" in table.c:  # within a range that reads something at all
        clauses.append(table.c.created_by == bind("scope_user", PGUUID(as_uuid=True)))
    return sa.and_(tenant, sa.or_(*clauses))


def scope_predicate(table: sa.Table, scope: DataScope) -> sa.ColumnElement[bool]:
    """The scope as a predicate with its values bound, for statements built per request."""
    return scope_clause(table, scope_shape(scope), scope_params(scope))
