"""Run alembic programmatically (the CLI, tests and `make run` share this), then bring the
tenants' system roles to this release's definitions and the application database role's grants
to the schema (README "Database roles"). Run as the schema owner."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str, app_role: str | None = None) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    cfg.attributes["app_role"] = app_role
    return cfg


log = logging.getLogger(__name__)


def upgrade(url: str, revision: str = "head", app_role: str | None = None) -> None:
    """`app_role`: the application database role to grant (default CRM_APP_DATABASE_ROLE)."""
    command.upgrade(alembic_config(url, app_role), revision)
    if revision == "head":
        asyncio.run(sync_system_roles(url))
        asyncio.run(grant_app_role(url, app_role))


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


async def grant_app_role(url: str, app_role: str | None = None) -> None:
    """Migration 0027's grants again, so that they cover everything at head whoever created it
    (idempotent; nothing when the role does not exist)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from app.repositories import db_roles
    from app.settings import get_settings

    role = app_role or get_settings().app_database_role
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            if (await conn.execute(text(db_roles.role_exists_sql(role)))).first() is None:
                return
            for statement in db_roles.app_grants(role):
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def downgrade(url: str, revision: str, app_role: str | None = None) -> None:
    command.downgrade(alembic_config(url, app_role), revision)
