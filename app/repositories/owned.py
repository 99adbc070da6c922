"""PostgreSQL adapter for owned records (customers, contacts, activities, and the modules to come):
get, list, insert, update, soft delete and owner moves, each statement carrying the caller's
data range (app/repositories/scoping.py).

Statements are prepared once per shape (app/repositories/prepared.py) — scope shape, the set of
filters, sort, cursor or not — and rows map straight to the domain dataclass. A module's adapter
subclasses `OwnedTable`, names its table, record class and foreign-key fields, and derives its
search and duplicate columns in `derived`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.clock import utcnow
from app.domain.shared.conditions import RESOURCE_ENTITY
from app.domain.shared.errors import Gone, ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import search_pattern
from app.domain.shared.owned import OwnedRecord
from app.domain.shared.paging import Page, Sort
from app.domain.shared.scope import DataScope
from app.domain.shared.sync import FeedCursor, Mode, decode_token, encode_token
from app.repositories.conditions import compile_tree
from app.repositories.integrity import foreign_key_error
from app.repositories.listing import keyset, keyset_placeholders, keyset_values, page_of
from app.repositories.prepared import StatementCache
from app.repositories.scoping import scope_clause, scope_params, scope_predicate, scope_shape
from app.repositories.sync import OUT_OF_RANGE, cursor_params, feed_statement
from app.repositories.tables import SYNCED

R = TypeVar("R", bound=OwnedRecord)

# Query fields that are not filters: paging, and where the sync feed starts.
_NOT_FILTERS = frozenset({"updated_since", "sync_token", "sort", "limit", "cursor", "where"})
_STATEMENTS = StatementCache()


class Term(NamedTuple):
    """One filter of a list query: its parameter, value, and predicate on a placeholder."""

    name: str
    value: Any
    predicate: Callable[[Any], sa.ColumnElement[bool]]
    type_: Any


def _one_of(column: sa.Column[Any]) -> Callable[[Any], sa.ColumnElement[bool]]:
    return lambda values: column == sa.any_(values)


def query_terms(table: sa.Table, query: Any) -> list[Term]:
    """The filters a list query sets, by naming convention: a field named like a column is
    equality; `<column>_in` is one of several values; `unassigned` (true) is no owner; `tag` is one
    of `tags`; `<x>_from`/`<x>_to` bound `<x>_at` or `<x>` (from inclusive); `custom` is JSONB
    containment; `q` is the trigram-indexed `search_text`."""
    terms: list[Term] = []
    for f in fields(query):
        value = getattr(query, f.name)
        if f.name in _NOT_FILTERS or value is None or value == {}:
            continue
        if f.name in table.c:
            column = table.c[f.name]
            terms.append(Term(f.name, value, column.__eq__, column.type))
        elif f.name.endswith("_in") and f.name[:-3] in table.c:
            column = table.c[f.name[:-3]]
            terms.append(Term(f.name, list(value), _one_of(column), ARRAY(column.type)))
        elif f.name == "unassigned" and value is True:
            terms.append(Term(f.name, value, lambda flag: sa.and_(table.c.owner_id.is_(None), flag), sa.Boolean))
        elif f.name == "tag":
            terms.append(Term("tag", [value], table.c.tags.contains, ARRAY(sa.Text)))
        elif f.name.endswith(("_from", "_to")):
            stem, _, bound = f.name.rpartition("_")
            column = table.c[f"{stem}_at"] if f"{stem}_at" in table.c else table.c[stem]
            terms.append(Term(f.name, value, column.__ge__ if bound == "from" else column.__lt__, column.type))
        elif f.name == "custom":
            terms.append(Term("custom", value, table.c.custom_fields.contains, JSONB))
        elif f.name == "q":
            terms.append(Term("q", search_pattern(value), table.c.search_text.like, sa.Text))
        else:
            raise TypeError(f"{type(query).__name__}.{f.name} names no filter of {table.name}")
    return terms


class OwnedTable(Generic[R]):
    table: ClassVar[sa.Table]
    record: ClassVar[Callable[..., Any]]  # the domain dataclass; columns in its field order
    sortable: ClassVar[frozenset[str]]
    # Foreign keys a client can point at a missing row: constraint -> the field that gets the 422.
    fk_fields: ClassVar[dict[str, str]] = {}
    # Fields `derived` reads: an update merges them from the current record.
    derived_from: ClassVar[tuple[str, ...]] = ()
    # The records still being worked, for a transfer of open work only (None: every live record).
    open_records: ClassVar[sa.ColumnElement[bool] | None] = None
    columns: ClassVar[list[sa.Column[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Fields marked computed (a ticket's SLA block) are filled by the domain, not stored.
        cls.columns = [
            cls.table.c[f.name]
            for f in cls.record.__dataclass_fields__.values()  # type: ignore[attr-defined]
            if not f.metadata.get("computed")
        ]

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    @staticmethod
    def derived(values: dict[str, Any]) -> dict[str, Any]:
        """Columns kept in step with the record (search text, duplicate keys)."""
        return {}

    def query_terms(self, query: Any) -> list[Term]:
        """The list query's filters; a module adds its own beyond the naming convention here."""
        return query_terms(self.table, query)

    # -- reads -----------------------------------------------------------------------------

    async def get(
        self, scope: DataScope, record_id: UUID, *, for_update: bool = False, deleted: bool = False
    ) -> R | None:
        t, shape = self.table, scope_shape(scope)

        def build() -> sa.ClauseElement:
            live = t.c.deleted_at.isnot(None) if deleted else t.c.deleted_at.is_(None)
            stmt = sa.select(*self.columns).where(
                scope_clause(t, shape), t.c.id == sa.bindparam("id", type_=t.c.id.type), live
            )
            return stmt.with_for_update() if for_update else stmt

        prepared = _STATEMENTS.get((t.name, "get", shape, for_update, deleted), build)
        rows = await prepared.rows(self.conn, {**scope_params(scope), "id": record_id})
        return self._to_record(rows[0]) if rows else None

    async def list_page(self, scope: DataScope, query: Any) -> Page[R | dict[str, Any]]:
        """A page of live records, or with `updated_since` or `sync_token` the sync feed (see
        `_feed_page`)."""
        if query.updated_since is not None or getattr(query, "sync_token", None) is not None:
            return await self._feed_page(scope, query)
        t, shape = self.table, scope_shape(scope)
        sort = Sort.parse(query.sort, self.sortable)
        terms = self.query_terms(query)
        if getattr(query, "where", None) is not None:
            return await self._where_page(scope, query, sort, terms)

        def build() -> sa.ClauseElement:
            where = [scope_clause(t, shape), t.c.deleted_at.is_(None)]
            where += [term.predicate(sa.bindparam(term.name, type_=term.type_)) for term in terms]
            return keyset_placeholders(sa.select(*self.columns).where(*where), t, sort, bool(query.cursor))

        names = tuple(term.name for term in terms)
        prepared = _STATEMENTS.get((t.name, "list", shape, names, str(sort), bool(query.cursor)), build)
        params = {
            **scope_params(scope),
            **{term.name: term.value for term in terms},
            **keyset_values(t, sort, query.cursor, query.limit),
        }
        rows = await prepared.rows(self.conn, params)
        return page_of(rows, sort, query.limit, self._to_record)

    async def _where_page(
        self, scope: DataScope, query: Any, sort: Sort, terms: list[Term]
    ) -> Page[R | dict[str, Any]]:
        """A page filtered by a condition tree too: built per request (a tree's shape varies too
        much to prepare), through the same scope predicate and keyset."""
        t = self.table
        where = [scope_predicate(t, scope), t.c.deleted_at.is_(None)]
        where += [term.predicate(sa.bindparam(term.name, term.value, type_=term.type_)) for term in terms]
        where.append(compile_tree(query.where, RESOURCE_ENTITY[t.name], now=utcnow()))
        stmt = keyset(sa.select(*self.columns).where(*where), t, sort, query.cursor, query.limit)
        rows = (await self.conn.execute(stmt)).all()
        return page_of(rows, sort, query.limit, self._to_record)

    async def _feed_page(self, scope: DataScope, query: Any) -> Page[R | dict[str, Any]]:
        """Everything that changed within the caller's range since a sync token (commit order)
        or, for a first sync, since an instant (`updated_at` order): changed records, deleted
        ones and those that left the range as tombstones. The last page of a pass carries the
        token the next pass resumes from (app/repositories/sync.py, app/domain/shared/sync.py)."""
        t, shape = self.table, scope_shape(scope)
        if t.name not in SYNCED:
            raise TypeError(f"{t.name} has no sync feed")
        token = getattr(query, "sync_token", None)
        if token is not None and query.updated_since is not None:
            raise ValidationFailed.one("sync_token", "give either sync_token or updated_since, not both")
        mode: Mode = "token" if token is not None else "since"
        bound = decode_token(token) if token is not None else query.updated_since
        position = FeedCursor.decode(query.cursor, mode) if query.cursor else None
        terms = self.query_terms(query)

        def build() -> sa.ClauseElement:
            filters = [term.predicate(sa.bindparam(term.name, type_=term.type_)) for term in terms]
            return feed_statement(t, self.columns, shape, filters, mode, position is not None)

        names = tuple(term.name for term in terms)
        prepared = _STATEMENTS.get((t.name, "feed", shape, names, mode, position is not None), build)
        params = {
            **scope_params(scope),
            **{term.name: term.value for term in terms},
            **cursor_params(position),
            "bound": bound,
            "limit": query.limit + 1,
        }
        rows = await prepared.rows(self.conn, params)
        snapshot = rows[0]
        if mode == "token" and snapshot.purged_xid is not None and bound <= snapshot.purged_xid:
            raise Gone(
                "the sync token is older than the tombstones kept: sync again from the start "
                "(updated_since) and keep the new next_sync_token"
            )
        xmin = position.xmin if position is not None else int(snapshot.sync_xmin)
        rows = [row for row in rows if row.id is not None]
        if len(rows) > query.limit:
            last = rows[query.limit - 1]
            next_cursor = FeedCursor(mode, last.feed_key, last.id, xmin).encode()
            return Page([self._feed_item(r) for r in rows[: query.limit]], next_cursor)
        return Page([self._feed_item(r) for r in rows], None, encode_token(xmin))

    # -- writes ----------------------------------------------------------------------------

    async def insert(self, tenant_id: UUID, actor: UUID | None, values: dict[str, Any]) -> R:
        t = self.table
        row = {
            "tenant_id": tenant_id,
            "id": new_id(),
            "created_by": actor,
            "updated_by": actor,
            **values,
            **self.derived(values),
        }
        names = tuple(sorted(row))

        def build() -> sa.ClauseElement:
            placeholders = {n: sa.bindparam(n, type_=t.c[n].type) for n in names}
            return t.insert().values(placeholders).returning(*self.columns)

        try:
            rows = await _STATEMENTS.get((t.name, "insert", names), build).rows(self.conn, row)
        except IntegrityError as error:
            raise foreign_key_error(error, self.fk_fields)
        return self._to_record(rows[0])

    async def update(self, scope: DataScope, current: R, actor: UUID | None, values: dict[str, Any]) -> R:
        """Apply `values` to `current`, a row the caller has read (and locked) within `scope`."""
        t, shape = self.table, scope_shape(scope)
        merged = {**{name: getattr(current, name) for name in self.derived_from}, **values}
        changes = {**values, **self.derived(merged), "updated_by": actor}
        names = tuple(sorted(changes))

        def build() -> sa.ClauseElement:
            return (
                t.update()
                .where(
                    scope_clause(t, shape),
                    t.c.id == sa.bindparam("row_id", type_=t.c.id.type),
                    t.c.deleted_at.is_(None),
                )
                .values({n: sa.bindparam(n, type_=t.c[n].type) for n in names})
                .values(updated_at=sa.func.now(), version=t.c.version + 1)
                .returning(*self.columns)
            )

        prepared = _STATEMENTS.get((t.name, "update", shape, names), build)
        try:
            rows = await prepared.rows(self.conn, {**scope_params(scope), **changes, "row_id": current.id})
        except IntegrityError as error:
            raise foreign_key_error(error, self.fk_fields)
        return self._to_record(rows[0])

    async def set_deleted(self, scope: DataScope, record_id: UUID, actor: UUID, *, deleted: bool) -> R | None:
        """Soft-delete a live record, or (deleted=False) restore a deleted one, within `scope`."""
        t, shape = self.table, scope_shape(scope)

        def build() -> sa.ClauseElement:
            currently = t.c.deleted_at.is_(None) if deleted else t.c.deleted_at.isnot(None)
            return (
                t.update()
                .where(scope_clause(t, shape), t.c.id == sa.bindparam("row_id", type_=t.c.id.type), currently)
                .values(
                    deleted_at=sa.func.now() if deleted else None,
                    updated_by=sa.bindparam("actor", type_=t.c.updated_by.type),
                    updated_at=sa.func.now(),
                    version=t.c.version + 1,
                )
                .returning(*self.columns)
            )

        prepared = _STATEMENTS.get((t.name, "set_deleted", shape, deleted), build)
        rows = await prepared.rows(self.conn, {**scope_params(scope), "row_id": record_id, "actor": actor})
        return self._to_record(rows[0]) if rows else None

    async def reassign_owner(
        self,
        scope: DataScope,
        from_owner: UUID,
        to_owner: UUID,
        department_id: UUID | None,
        actor: UUID,
        *,
        open_only: bool = False,
    ) -> list[UUID]:
        """Give every live record of `from_owner` within `scope` (with `open_only`, those of
        `open_records`) to `to_owner`; returns their ids. Work assigned to `from_owner` on a
        moved record (a task's assignee) moves along."""
        t, shape = self.table, scope_shape(scope)
        only_open = open_only and self.open_records is not None

        def build() -> sa.ClauseElement:
            uuid_type = t.c.owner_id.type
            where = [
                scope_clause(t, shape),
                t.c.owner_id == sa.bindparam("from_owner", type_=uuid_type),
                t.c.deleted_at.is_(None),
            ]
            if only_open:
                assert self.open_records is not None
                where.append(self.open_records)
            values: dict[str, Any] = {
                "owner_id": sa.bindparam("to_owner", type_=uuid_type),
                "department_id": sa.bindparam("to_department", type_=t.c.department_id.type),
                "updated_by": sa.bindparam("actor", type_=t.c.updated_by.type),
                "updated_at": sa.func.now(),
                "version": t.c.version + 1,
            }
            if "assignee_id" in t.c:
                values["assignee_id"] = sa.case(
                    (
                        t.c.assignee_id == sa.bindparam("from_owner", type_=uuid_type),
                        sa.bindparam("to_owner", type_=uuid_type),
                    ),
                    else_=t.c.assignee_id,
                )
            return t.update().where(*where).values(values).returning(t.c.id)

        prepared = _STATEMENTS.get((t.name, "reassign_owner", shape, only_open), build)
        params = {"from_owner": from_owner, "to_owner": to_owner, "to_department": department_id, "actor": actor}
        return [row[0] for row in await prepared.rows(self.conn, {**scope_params(scope), **params})]

    # -- mapping ---------------------------------------------------------------------------

    def _to_record(self, row: Any) -> R:
        return self.record(*row[: len(self.columns)])  # type: ignore[no-any-return]

    def _feed_item(self, row: Any) -> R | dict[str, Any]:
        if row.departed:
            return {"id": row.id, "deleted": True, "reason": OUT_OF_RANGE, "updated_at": row.updated_at}
        if row.deleted_at is not None:
            return {"id": row.id, "deleted": True, "reason": "deleted", "updated_at": row.updated_at}
        return self._to_record(row)
