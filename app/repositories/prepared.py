"""Statements built once per shape and reused: the hot read paths (principal, customer get and
list) bind only values per request. This skips, per execution, SQLAlchemy's statement building,
cache-key walk and compile lookup — about half of the Python time such a request spent
(DESIGN.md section 8). The SQL is still written with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = asyncpg.dialect()  # type: ignore[no-untyped-call]


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

    async def rows(self, conn: AsyncConnection, params: Mapping[str, Any]) -> Sequence[sa.Row[Any]]:
        """Run on the request's connection (inside its transaction, if any)."""
        values = {**self.constants, **params} if self.constants else params
        args = tuple(_json_text(values[n]) if n in self.json_names else values[n] for n in self.names)
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
