"""Engine construction and the two ways a request touches the database.

Reads run on an autocommit connection: one round trip per statement, no BEGIN/ROLLBACK.
Writes run in one transaction per use case (UnitOfWork), committed by the API edge.

The engines requests and the worker use (`budget=True`) give every statement and lock wait a time
budget, set once per connection (no round trip per request); long work asks for more in its own
transaction (allow_long_statements). Migrations, seeding and the benchmark's generator run
without one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.repositories import faults
from app.settings import Settings

if TYPE_CHECKING:
    from app.local_postgres import RoleUrls

log = logging.getLogger("crm.database")


def create_engine(url: str, settings: Settings, *, autocommit: bool = False, budget: bool = False) -> AsyncEngine:
    """The write engine (transactions), or with `autocommit` the read engine: its connections
    never open a transaction, so a read is a single round trip. With `budget`, statements and
    lock waits are limited to CRM_DB_STATEMENT_TIMEOUT_MS and CRM_DB_LOCK_TIMEOUT_MS."""
    # Generic plans chosen on a skewed tenant_id were twice as slow (DESIGN.md section 8).
    server_settings = {"plan_cache_mode": "force_custom_plan", "jit": "off"}
    if budget:
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
        server_settings["lock_timeout"] = str(settings.db_lock_timeout_ms)
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        # No round trip per checkout: a connection the server closed is noticed without one, and
        # one that dies in use is invalidated on the error (app/repositories/faults.py).
        pool_pre_ping=False,
        # JSONB columns (custom fields, roles) are decoded on every row read.
        json_deserializer=orjson.loads,
        json_serializer=_json_text,
        **({"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None} if autocommit else {}),
        # asyncpg waits 60 s for an unreachable host by default; a request waits no longer than for the pool.
        connect_args={"server_settings": server_settings, "timeout": settings.db_pool_timeout_seconds},
    )
    faults.watch(engine)
    return engine


async def allow_long_statements(conn: AsyncConnection, milliseconds: int) -> None:
    """Lift the statement budget for the rest of `conn`'s transaction (reports, exports, the
    worker's jobs): `milliseconds` (0: no limit). Costs one round trip, so only long work asks."""
    await conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(milliseconds)}")


async def open_connections(engine: AsyncEngine, count: int) -> None:
    """Open `count` pooled connections now, so the first burst of requests does not pay for
    connection set-up (a storm of new connections under load showed as multi-second p99s).
    A database that is not up yet does not keep the process from starting: requests answer 503
    and /readyz says not ready until it is."""
    held = []
    try:
        for _ in range(count):
            held.append(await engine.connect())
    except faults.DatabaseUnavailable as error:
        log.warning("database not reachable at start-up (%s); serving 503 until it is", error)
    for conn in held:
        await conn.close()


def _json_text(value: object) -> str:
    # default=str: asyncpg's own UUID subclass (ids read back from the database) is not orjson's UUID.
    return orjson.dumps(value, default=str).decode()


def resolve_url(settings: Settings) -> str:
    """The application's database connection (serve, worker, seed): CRM_DATABASE_URL, or the
    embedded server under CRM_DATA_DIR as the application role when none is configured."""
    if settings.database_url:
        return async_url(settings.database_url)
    return _embedded(settings).app


def resolve_migration_url(settings: Settings) -> str:
    """The schema owner's connection (migrations): CRM_MIGRATION_DATABASE_URL, else
    CRM_DATABASE_URL (one role for everything, as before the roles were split), else the
    embedded server as its owner role."""
    if settings.migration_database_url:
        return async_url(settings.migration_database_url)
    if settings.database_url:
        return async_url(settings.database_url)
    return _embedded(settings).owner


def _embedded(settings: Settings) -> RoleUrls:
    from app import local_postgres

    return local_postgres.start_with_roles(settings.data_dir, settings.app_database_role)


def async_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url
