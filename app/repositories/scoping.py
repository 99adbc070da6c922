"""The one place a DataScope becomes SQL. Every list, get, count and write on an owned table goes
through `scope_predicate`; an empty scope matches nothing (deny by default)."""

from __future__ import annotations

import sqlalchemy as sa

from app.domain.shared.scope import DataRange, DataScope, Grant
from app.repositories.tables import customers


def _narrowing(table: sa.Table, grant: Grant) -> list[sa.ColumnElement[bool]]:
    """Region and customer-type narrowing. Tables without those columns (contacts, activities)
    are narrowed through the customer they belong to; a record with no customer then matches
    nothing, so narrowing never widens."""
    own_columns = [
        (column, values)
        for column, values in (("region_id", grant.regions), ("customer_type", grant.customer_types))
        if values is not None
    ]
    if not own_columns:
        return []
    if all(column in table.c for column, _ in own_columns):
        return [table.c[column].in_(values) for column, values in own_columns]
    if "customer_id" not in table.c:
        return [sa.false()]
    via_customer = sa.exists().where(
        customers.c.tenant_id == table.c.tenant_id,
        customers.c.id == table.c.customer_id,
        *(customers.c[column].in_(values) for column, values in own_columns),
    )
    return [via_customer]


def scope_predicate(table: sa.Table, scope: DataScope) -> sa.ColumnElement[bool]:
    clauses: list[sa.ColumnElement[bool]] = []
    for grant in scope.grants:
        if grant.range is DataRange.NONE:
            continue
        parts: list[sa.ColumnElement[bool]] = []
        if grant.range is DataRange.OWN:
            parts.append(table.c.owner_id == scope.user_id)
        elif grant.range is DataRange.DEPARTMENT:
            if not scope.department_ids:  # a user in no department has no department range
                continue
            parts.append(table.c.department_id.in_(scope.department_ids))
        parts.extend(_narrowing(table, grant))
        if not parts:  # range "all", not narrowed: nothing else can widen it
            return table.c.tenant_id == scope.tenant_id
        clauses.append(sa.and_(*parts))
    if not clauses:
        return sa.false()
    return sa.and_(table.c.tenant_id == scope.tenant_id, sa.or_(*clauses))
