"""Keyset paging over any table: sort + cursor -> WHERE/ORDER BY/LIMIT, rows -> page + cursor.
One statement per page, no OFFSET, no COUNT."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from app.domain.shared.paging import Cursor, Page, Sort

T = TypeVar("T")


def keyset(stmt: sa.Select[Any], table: sa.Table, sort: Sort, cursor: str | None, limit: int) -> sa.Select[Any]:
    column = table.c[sort.field]
    if cursor:
        is_datetime = isinstance(column.type, sa.DateTime)
        position = Cursor.decode(cursor, sort, datetime_field=is_datetime)
        after = sa.tuple_(column, table.c.id)
        value = sa.tuple_(sa.literal(position.value, column.type), sa.literal(position.id, table.c.id.type))
        stmt = stmt.where(after < value if sort.descending else after > value)
    order = (column.desc(), table.c.id.desc()) if sort.descending else (column.asc(), table.c.id.asc())
    return stmt.order_by(*order).limit(limit + 1)


def keyset_placeholders(stmt: sa.Select[Any], table: sa.Table, sort: Sort, has_cursor: bool) -> sa.Select[Any]:
    """`keyset` for prepared statements: cursor and limit are the parameters `cursor_value`,
    `cursor_id` and `limit` (see `keyset_values`)."""
    column = table.c[sort.field]
    if has_cursor:
        after = sa.tuple_(column, table.c.id)
        value = sa.tuple_(
            sa.bindparam("cursor_value", type_=column.type), sa.bindparam("cursor_id", type_=table.c.id.type)
        )
        stmt = stmt.where(after < value if sort.descending else after > value)
    order = (column.desc(), table.c.id.desc()) if sort.descending else (column.asc(), table.c.id.asc())
    return stmt.order_by(*order).limit(sa.bindparam("limit", type_=sa.Integer))


def keyset_values(table: sa.Table, sort: Sort, cursor: str | None, limit: int) -> dict[str, Any]:
    values: dict[str, Any] = {"limit": limit + 1}
    if cursor:
        position = Cursor.decode(cursor, sort, datetime_field=isinstance(table.c[sort.field].type, sa.DateTime))
        values |= {"cursor_value": position.value, "cursor_id": position.id}
    return values


def page_of(rows: Sequence[Any], sort: Sort, limit: int, to_item: Callable[[Any], T]) -> Page[T]:
    """Rows fetched with limit + 1: the extra row only says that another page exists."""
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        value = getattr(last, sort.field)
        next_cursor = Cursor(str(sort), value, last.id).encode()
    return Page([to_item(r) for r in rows], next_cursor)
