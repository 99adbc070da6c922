"""Run alembic programmatically (the CLI, tests and `make run` share this), then bring the
tenants' system roles to this release's definitions."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


log = logging.getLogger(__name__)


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        asyncio.run(sync_system_roles(url))


async def sync_system_roles(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from app.repositories.identity import PgIdentityRepository

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            changed = await PgIdentityRepository(conn).sync_system_roles()
    finally:
        await engine.dispose()
    if changed:
        log.info("system roles brought up to date: %d changed or added", changed)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
