"""Engine construction and the two ways a request touches the database.

Reads run on an autocommit connection: one round trip per statement, no BEGIN/ROLLBACK.
Writes run in one transaction per use case (UnitOfWork), committed by the API edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.settings import Settings

if TYPE_CHECKING:
    from app.local_postgres import RoleUrls


def create_engine(url: str, settings: Settings, *, autocommit: bool = False) -> AsyncEngine:
    """The write engine (transactions), or with `autocommit` the read engine: its connections
    never open a transaction, so a read is a single round trip."""
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=False,
        # JSONB columns (custom fields, roles) are decoded on every row read.
        json_deserializer=orjson.loads,
        json_serializer=_json_text,
        **({"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None} if autocommit else {}),
        connect_args={
            # Generic plans chosen on a skewed tenant_id were twice as slow (DESIGN.md section 8).
            "server_settings": {"plan_cache_mode": "force_custom_plan", "jit": "off"},
        },
    )


async def open_connections(engine: AsyncEngine, count: int) -> None:
    """Open `count` pooled connections now, so the first burst of requests does not pay for
    connection set-up (a storm of new connections under load showed as multi-second p99s)."""
    held = [await engine.connect() for _ in range(count)]
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
