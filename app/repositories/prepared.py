"""Statements built once per shape and reused: the hot read paths (principal, customer get and
list) bind only values per request. This skips, per execution, SQLAlchemy's statement building,
cache-key walk and compile lookup — about half of the Python time such a request spent
(DESIGN.md section 8). The SQL is still written with SQLAlchemy Core.

Statements go straight to asyncpg: SQLAlchemy would add only its cursor and result set-up (it
applies no type processing to driver-level SQL), about a third of a statement's client-side
cost. The exception is the first statement of a transaction, which goes through SQLAlchemy so
that it sends the BEGIN it will later COMMIT or ROLLBACK. Driver errors are raised as
SQLAlchemy's, so repositories and app/api/errors.py see one kind.

A connection found dead here is invalidated as SQLAlchemy would (app/repositories/faults.py), and
a read outside a transaction is then run once more on a fresh connection: after the database
comes back, no client sees the connections that went with the old server."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

from app.repositories import faults

_DIALECT = pg_asyncpg.dialect()  # type: ignore[no-untyped-call]

# Called with (sql, args) for each statement sent straight to asyncpg; the benchmark's SQL capture
# listens here (SQLAlchemy's before_cursor_execute event sees the other path).
statement_observers: list[Callable[[str, tuple[Any, ...]], None]] = []


class Row(asyncpg.Record):  # type: ignore[misc]
    """A driver row that also reads as `row.column`, like SQLAlchemy's rows."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _driver(conn: AsyncConnection) -> Any | None:
    """The asyncpg connection under `conn`, unless SQLAlchemy still has to begin its transaction."""
    sync = conn.sync_connection
    if sync is None or sync.closed or sync.invalidated:
        return None
    adapted: Any = sync.connection.dbapi_connection
    driver = adapted.driver_connection
    return driver if adapted.autocommit or driver.is_in_transaction() else None


def _json_text(value: Any) -> str:
    # UUIDs, dates and decimals inside JSON values become strings.
    return orjson.dumps(value, default=str).decode()


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    names: tuple[str, ...]
    # Parameters of JSON type: serialized here, as SQLAlchemy's bind processing would.
    json_names: frozenset[str]
    # Constants in the statement (LIMIT 1, a literal argument) that Core made parameters.
    constants: dict[str, Any]
    # A plain SELECT (no data-modifying CTE): running it again after a lost connection changes
    # nothing (at worst a public form's rate-limit hit, leads.py, counts twice).
    read_only: bool = False

    @classmethod
    def of(cls, statement: sa.ClauseElement) -> Prepared:
        compiled = statement.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler)
        names = tuple(compiled.positiontup or ())
        json_names = frozenset(n for n in names if isinstance(compiled.binds[n].type, sa.JSON))
        constants = {n: compiled.binds[n].effective_value for n in names if not compiled.binds[n].required}
        sql = str(compiled)
        return cls(sql, names, json_names, constants, sql.lstrip().upper().startswith("SELECT"))

    @classmethod
    def insert(cls, table: sa.Table, columns: tuple[str, ...]) -> Prepared:
        """INSERT of one row whose values are bound by column name."""
        return cls.of(table.insert().values({c: sa.bindparam(c, type_=table.c[c].type) for c in columns}))

    async def rows(self, conn: AsyncConnection, params: Mapping[str, Any]) -> Sequence[Any]:
        """Run on the request's connection (inside its transaction, if any). Rows read by
        position, slice or attribute."""
        values = {**self.constants, **params} if self.constants else params
        args = tuple(_json_text(values[n]) if n in self.json_names else values[n] for n in self.names)
        driver = _driver(conn)
        if driver is not None:
            for observe in statement_observers:
                observe(self.sql, args)
            try:
                return await driver.fetch(self.sql, *args, record_class=Row)  # type: ignore[no-any-return]
            except asyncpg.IntegrityConstraintViolationError as error:
                raise IntegrityError(self.sql, args, error) from error
            except (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError) as error:
                if not faults.connection_lost(error, driver):
                    raise DBAPIError(self.sql, args, error) from error
                autocommit = conn.sync_connection.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
                await faults.discard(conn, error)
                # Again on a fresh connection: outside a transaction a statement stands alone, and
                # one never sent ("connection is closed") or one that only reads can be repeated.
                unsent = isinstance(error, asyncpg.InterfaceError)
                if not (autocommit and (unsent or self.read_only)):
                    raise DBAPIError(self.sql, args, error, connection_invalidated=True) from error
                if conn.in_transaction():  # SQLAlchemy's own bookkeeping; nothing to undo in the database
                    await conn.rollback()
        result = await conn.exec_driver_sql(self.sql, args)
        return result.all() if result.returns_rows else ()


class StatementCache:
    """Prepared statements by shape key. Shapes are few (scope kinds x filter combinations);
    the bound keeps a pathological client from growing it without limit."""

    def __init__(self, max_entries: int = 2048) -> None:
        self._entries: dict[Hashable, Prepared] = {}
        self._max = max_entries

    def get(self, key: Hashable, build: Callable[[], sa.ClauseElement]) -> Prepared:
        found = self._entries.get(key)
        if found is None:
            if len(self._entries) >= self._max:
                self._entries.clear()
            found = self._entries[key] = Prepared.of(build())
        return found
