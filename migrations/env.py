"""Alembic environment, async. The URL comes from `config.attributes["url"]` (set by
app.migrate) or from the settings (the schema owner's: CRM_MIGRATION_DATABASE_URL, else
CRM_DATABASE_URL, else the embedded server's owner role)."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.repositories.database import resolve_migration_url
from app.repositories.tables import metadata
from app.settings import get_settings

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    url = config.attributes.get("url") or resolve_migration_url(get_settings())
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
asyncio.run(_main())
