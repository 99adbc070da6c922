"""Migrations go down to nothing and up again on a scratch database."""

import sqlalchemy as sa

from app import migrate
from tests.dbutil import drop_database, recreate_database, server_url


async def test_upgrade_downgrade_upgrade(database_url: str, scratch_engine_factory) -> None:
    import asyncio

    name = "crm_migrations_scratch_" + str(sa.engine.make_url(database_url).database)
    url = server_url(database_url, name)
    await recreate_database(database_url, name)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        await asyncio.to_thread(migrate.downgrade, url, "base")
        engine = scratch_engine_factory(url)
        async with engine.connect() as conn:
            left = (
                await conn.execute(
                    sa.text(
                        "SELECT count(*) FROM information_schema.tables"
                        " WHERE table_schema='public' AND table_name <> 'alembic_version'"
                    )
                )
            ).scalar_one()
        assert left == 0
        await asyncio.to_thread(migrate.upgrade, url)
        async with engine.connect() as conn:
            tables = (
                await conn.execute(
                    sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")
                )
            ).scalar_one()
        assert tables >= 17
        await engine.dispose()
    finally:
        await drop_database(database_url, name)
