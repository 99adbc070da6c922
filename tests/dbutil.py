"""Create and drop test databases on a server given by a superuser's URL on it.

Test databases get the production arrangement of roles (README "Database roles"): the test owner
role owns the database and runs the migrations, the app connects as the test application role.
Their names differ from the service's (`crm_owner`, `crm_app`) so that a shared server's real roles
are never touched; their passwords are their names (the server is a test server: the suite creates
and drops databases on it), so that they log in on a server that asks for passwords too.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from app.repositories import db_roles

TEST_OWNER = "crm_test_owner"
TEST_APP = "crm_test_app"


def server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def role_url(url: str, role: str) -> str:
    """`url` with `role` logging in instead (password: its name)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(role)}:{quote(role)}@{host}"))


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def recreate_database(url: str, name: str) -> tuple[str, str]:
    """A fresh database `name`, owned by the test owner role; returns (owner URL, app URL)."""
    conn = await asyncpg.connect(_asyncpg_dsn(server_url(url, "postgres")))
    try:
        for role in (TEST_OWNER, TEST_APP):
            await conn.execute(
                f"DO $$BEGIN CREATE ROLE {role} LOGIN PASSWORD '{role}'; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$"
            )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    database = server_url(url, name)
    conn = await asyncpg.connect(_asyncpg_dsn(database))
    try:
        for statement in db_roles.own_database(name, TEST_OWNER):
            await conn.execute(statement)
    finally:
        await conn.close()
    return role_url(database, TEST_OWNER), role_url(database, TEST_APP)


async def drop_database(url: str, name: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(server_url(url, "postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
