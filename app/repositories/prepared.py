"""Statements built once per shape and reused: the hot read paths (principal, customer get and
list) bind only values per request. This skips, per execution, SQLAlchemy's statement building,
cache-key walk and compile lookup — about half of the Python time such a request spent
(DESIGN.md section 8). The SQL is still written with SQLAlchemy Core.

On an autocommit (read) connection the statement goes straight to asyncpg: SQLAlchemy would add
only its cursor and result set-up (it applies no type processing to driver-level SQL), about a
third of a statement's client-side cost. In a transaction it goes through SQLAlchemy, which
begins the transaction on the first statement and translates integrity errors."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = pg_asyncpg.dialect()  # type: ignore[no-untyped-call]

# Called with (sql, args) for each statement sent on the driver path; the benchmark's SQL capture
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


def _autocommit_driver(conn: AsyncConnection) -> Any | None:
    """The asyncpg connection under `conn` when it runs without a transaction, else None."""
    sync = conn.sync_connection
    if sync is None or sync.closed or sync.invalidated:
        return None
    adapted: Any = sync.connection.dbapi_connection
    return adapted.driver_connection if getattr(adapted, "autocommit", False) else None


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

    @classmethod
    def of(cls, statement: sa.ClauseElement) -> Prepared:
        compiled = statement.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler)
        names = tuple(compiled.positiontup or ())
        json_names = frozenset(n for n in names if isinstance(compiled.binds[n].type, sa.JSON))
        constants = {n: compiled.binds[n].effective_value for n in names if not compiled.binds[n].required}
        return cls(str(compiled), names, json_names, constants)

    async def rows(self, conn: AsyncConnection, params: Mapping[str, Any]) -> Sequence[Any]:
        """Run on the request's connection (inside its transaction, if any). Rows read by
        position, slice or attribute."""
        values = {**self.constants, **params} if self.constants else params
        args = tuple(_json_text(values[n]) if n in self.json_names else values[n] for n in self.names)
        driver = _autocommit_driver(conn)
        if driver is not None:
            for observe in statement_observers:
                observe(self.sql, args)
            try:
                return await driver.fetch(self.sql, *args, record_class=Row)  # type: ignore[no-any-return]
            except asyncpg.PostgresError as error:
                # The same error type as the SQLAlchemy path, for app/api/errors.py.
                raise DBAPIError(self.sql, args, error) from error
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
