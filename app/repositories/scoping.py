"""The one place a DataScope becomes SQL. Every list, get, count and write on an owned table goes
through `scope_predicate`; an empty scope matches nothing (deny by default)."""

from __future__ import annotations

import sqlalchemy as sa

from app.domain.shared.scope import DataRange, DataScope


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
        if grant.regions is not None and "region_id" in table.c:
            parts.append(table.c.region_id.in_(grant.regions))
        if grant.customer_types is not None and "customer_type" in table.c:
            parts.append(table.c.customer_type.in_(grant.customer_types))
        if not parts:  # range "all", not narrowed: nothing else can widen it
            return table.c.tenant_id == scope.tenant_id
        clauses.append(sa.and_(*parts))
    if not clauses:
        return sa.false()
    return sa.and_(table.c.tenant_id == scope.tenant_id, sa.or_(*clauses))
