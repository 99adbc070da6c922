"""The sync feed of an owned table (migration 0024): one statement per page reads, in one
snapshot,
- the records within the caller's range changed since the bound (`sync_xid >= token`, or
  `updated_at >= since` for a first sync), deleted ones included,
- the departures since the bound whose old values were within the caller's range and whose
  record now is not (`out_of_range` tombstones),
merged in keyset order on (key, id), together with the snapshot's xmin (the next pass's token)
and the tenant's purge horizon (a token below it may have lost departures: 410 Gone).

A snapshot row joined to the page keeps the xmin when the page is empty."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from app.domain.shared.sync import FeedCursor, Mode
from app.repositories.scoping import Shape, reaches_whole_tenant, scope_clause
from app.repositories.tables import XID8, sync_departures, sync_horizons

OUT_OF_RANGE = "out_of_range"


def feed_statement(
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    shape: Shape,
    filters: Sequence[sa.ColumnElement[bool]],
    mode: Mode,
    has_cursor: bool,
) -> sa.Select[Any]:
    """Parameters: the scope's, the filters', `bound` (a transaction id or an instant),
    `limit`, and with a cursor `cursor_key` and `cursor_id`."""
    d = sync_departures
    by_token = mode == "token"
    key = table.c.sync_xid if by_token else table.c.updated_at
    departed_key = d.c.sync_xid if by_token else d.c.occurred_at
    bound = sa.bindparam("bound", type_=key.type)
    limit = sa.bindparam("limit", type_=sa.Integer)

    def after(key_column: sa.ColumnElement[Any], id_column: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
        if not has_cursor:
            return []
        position = sa.tuple_(
            sa.bindparam("cursor_key", type_=key.type), sa.bindparam("cursor_id", type_=table.c.id.type)
        )
        return [sa.tuple_(key_column, id_column) > position]

    changed = (
        sa.select(*columns, table.c.deleted_at, sa.literal(False).label("departed"), key.label("feed_key"))
        .where(scope_clause(table, shape), key >= bound, *filters, *after(key, table.c.id))
        .order_by(key, table.c.id)
        .limit(limit)
    )

    parts: list[sa.Select[Any]] = [changed]
    if not reaches_whole_tenant(shape):  # else no record can leave the range
        present = table.alias("present")
        # A scalar subquery, not NOT EXISTS: the planner keeps it a primary-key probe per
        # departure read (stopping at the page's end) instead of an anti-join that may scan the
        # whole table.
        still_within = (
            sa.select(scope_clause(present, shape, resource=table.name))
            .where(present.c.tenant_id == d.c.tenant_id, present.c.id == d.c.record_id)
            .scalar_subquery()
        )
        stand_ins = {"id": d.c.record_id, "updated_at": d.c.occurred_at}
        departed = (
            sa.select(
                *(stand_ins.get(c.name, sa.cast(sa.null(), c.type)).label(c.name) for c in columns),
                sa.cast(sa.null(), table.c.deleted_at.type).label("deleted_at"),
                sa.literal(True).label("departed"),
                departed_key.label("feed_key"),
            )
            .where(
                d.c.tenant_id == sa.bindparam("scope_tenant", type_=d.c.tenant_id.type),
                d.c.resource == table.name,
                scope_clause(d, shape, resource=table.name),
                departed_key >= bound,
                sa.func.coalesce(still_within, sa.false()).is_(sa.false()),
                *after(departed_key, d.c.record_id),
            )
            .order_by(departed_key, d.c.record_id)
            .limit(limit)
        )
        parts.append(departed)

    page = (sa.union_all(*parts) if len(parts) > 1 else changed).subquery("page")
    horizon = (
        sa.select(sync_horizons.c.purged_xid)
        .where(sync_horizons.c.tenant_id == sa.bindparam("scope_tenant", type_=sync_horizons.c.tenant_id.type))
        .scalar_subquery()
    )
    snapshot = sa.select(
        sa.func.pg_snapshot_xmin(sa.func.pg_current_snapshot(), type_=XID8()).label("sync_xmin"),
        (horizon if by_token else sa.cast(sa.null(), XID8())).label("purged_xid"),
    ).subquery("snapshot")
    return (
        sa.select(*page.c, snapshot.c.sync_xmin, snapshot.c.purged_xid)  # records map by position
        .select_from(snapshot.outerjoin(page, sa.true()))
        .order_by(page.c.feed_key, page.c.id)
        .limit(limit)
    )


def cursor_params(position: FeedCursor | None) -> dict[str, Any]:
    return {} if position is None else {"cursor_key": position.key, "cursor_id": position.id}
