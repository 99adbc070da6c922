"""What the database's failures mean to a caller, and how a pool gets over a restart by itself.

Three kinds of fault, all of them passing: the database is unavailable (down, restarting, the
connection lost), busy (no free connection or lock within its time) or a statement ran past its
time budget. The API answers each with 503 and Retry-After (app/api/errors.py); the worker waits
and carries on (app/worker.py).

A pool recovers without a restart of the process: a pooled connection the server closed is
replaced at checkout (asyncpg knows it is closed: no round trip), and a connection found dead while
in use is invalidated together with the pool's older ones, as SQLAlchemy does on the disconnects it
sees itself (app/repositories/prepared.py does the same for the statements it sends)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Fault(Enum):
    UNAVAILABLE = "unavailable"
    BUSY = "busy"
    TIMEOUT = "timeout"


class DatabaseUnavailable(Exception):
    """No connection could be made: refused, unreachable, or the server is starting or stopping."""


# SQLSTATEs by class or code: 08 connection exceptions; 57P01-57P03 the server shutting down,
# crashed or starting; 53300 too many connections; 55P03 lock_timeout; 40P01/40001 a deadlock or
# serialization failure (the transaction was rolled back; a retry may succeed); 57014
# statement_timeout (or a cancel).
_UNAVAILABLE = frozenset({"57P01", "57P02", "57P03", "53300"})
_BUSY = frozenset({"55P03", "40P01", "40001"})
_TIMEOUT = frozenset({"57014"})

RETRY_AFTER_SECONDS = {Fault.UNAVAILABLE: 2, Fault.BUSY: 1, Fault.TIMEOUT: 1}


def sqlstate_fault(sqlstate: str | None) -> Fault | None:
    if not sqlstate:
        return None
    if sqlstate.startswith("08") or sqlstate in _UNAVAILABLE:
        return Fault.UNAVAILABLE
    if sqlstate in _BUSY:
        return Fault.BUSY
    if sqlstate in _TIMEOUT:
        return Fault.TIMEOUT
    return None


def classify(error: BaseException) -> Fault | None:
    """The fault behind an exception raised by a database call, or None for any other error."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return Fault.UNAVAILABLE
    if isinstance(error, sa_exc.StatementError) and error.orig is not None:
        error = error.orig  # also a failed reconnect under a statement, which SQLAlchemy wraps so
    if isinstance(error, DatabaseUnavailable):
        return Fault.UNAVAILABLE
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection free within pool_timeout
        return Fault.BUSY
    found = sqlstate_fault(getattr(error, "sqlstate", None))
    if found is not None:
        return found
    # SQLAlchemy's InterfaceError carries asyncpg's as its cause.
    for candidate in (error, error.__cause__):
        if isinstance(candidate, asyncpg.InterfaceError) and "connection is closed" in str(candidate):
            return Fault.UNAVAILABLE
    return None


def invalid_argument(error: BaseException) -> bool:
    """A value the driver could not send (an instant outside PostgreSQL's range once moved to
    UTC, say): the client's input, not a fault of the database."""
    pending: list[BaseException | None] = [error]
    for _ in range(6):  # the error, SQLAlchemy's `orig`, and their causes
        if not pending:
            break
        seen = pending.pop()
        if seen is None:
            continue
        if isinstance(seen, asyncpg.DataError):
            return True
        pending += [getattr(seen, "orig", None), seen.__cause__]
    return False


def connection_lost(error: BaseException, driver: Any) -> bool:
    """Whether the asyncpg connection `driver` is unusable after `error`: closed, told that the
    server is going away, or left mid-operation by such a message arriving before the close."""
    return (
        driver.is_closed()
        or isinstance(error, asyncpg.InternalClientError)
        or sqlstate_fault(getattr(error, "sqlstate", None)) is Fault.UNAVAILABLE
    )


def is_connect_failure(error: BaseException) -> bool:
    """A failure to connect that says the server is away, not that the configuration is wrong."""
    return isinstance(error, OSError) or sqlstate_fault(getattr(error, "sqlstate", None)) is Fault.UNAVAILABLE


def _closed_by_server(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    if dbapi_connection.driver_connection.is_closed():
        # The pool drops it and checks out (or opens) another.
        raise sa_exc.DisconnectionError("connection closed by the server")


def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except Exception as error:
        # asyncpg raises OSError (refused, no socket, timed out) or 57P03 (starting up) as they
        # come; give them one name, so the API can answer 503 for them alone.
        if is_connect_failure(error):
            raise DatabaseUnavailable(f"cannot connect to the database: {error}") from error
        raise


def _see_disconnects(context: Any) -> None:
    # SQLAlchemy takes a connection for lost only once asyncpg has closed it; a shutdown message
    # can arrive first, and the connection is as good as gone then too.
    conn = context.connection
    if context.is_disconnect or conn is None or conn.closed or conn.invalidated:
        return
    cause = context.original_exception.__cause__ or context.original_exception
    context.is_disconnect = connection_lost(cause, conn.connection.driver_connection)


def watch(engine: AsyncEngine) -> None:
    """Install the checkout check, the connect translation and the wider disconnect detection on `engine`."""
    event.listen(engine.sync_engine.pool, "checkout", _closed_by_server)
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine, "handle_error", _see_disconnects)


async def discard(conn: AsyncConnection, error: BaseException) -> None:
    """After `conn`'s connection was found dead: the pool replaces it and every connection it
    opened before (they went with the same server). SQLAlchemy does exactly this for disconnects
    it sees on its own execution path; statements sent straight to the driver need it done here."""
    sync = conn.sync_connection
    if sync is None or sync.invalidated:
        return
    conn.engine.sync_engine.pool._invalidate(sync.connection, error, _checkin=False)
    await conn.invalidate(error)
