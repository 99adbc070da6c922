"""The application's database role (README "Database roles"): the app under test connects as it
(tests/conftest.py), so the whole suite proves its grants cover what the service does; here, what
it must not do. Migrations run as the schema owner."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app import local_postgres
from app.repositories.database import resolve_migration_url, resolve_url
from app.repositories.tables import audit_log
from app.settings import Settings
from tests.builders import Factory
from tests.dbutil import TEST_APP, drop_database, server_url

ROOT = Path(__file__).resolve().parents[2]


def _pg(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _denied(error: DBAPIError) -> bool:
    return isinstance(error.orig, Exception) and getattr(error.orig, "sqlstate", None) == "42501"


async def test_the_app_role_appends_to_the_audit_log_and_nothing_more(engine: AsyncEngine, factory: Factory) -> None:
    world = await factory.tenant()
    entry = {"tenant_id": world.id, "id": uuid.uuid4(), "action": "test.entry", "entity": "test"}
    async with engine.begin() as conn:
        assert (await conn.execute(sa.select(sa.func.current_user()))).scalar_one() == TEST_APP
        await conn.execute(audit_log.insert().values(entry))
        assert (await conn.execute(sa.select(audit_log.c.action).where(audit_log.c.id == entry["id"]))).all()
    for statement in (
        "TRUNCATE audit_log",
        f"DELETE FROM audit_log WHERE tenant_id = '{world.id}'",
        f"UPDATE audit_log SET action = 'forged' WHERE tenant_id = '{world.id}'",
        "CREATE TABLE intruder (x int)",
        "ALTER TABLE customers ADD COLUMN intruder int",
        "DELETE FROM alembic_version",
        "TRUNCATE customers",
    ):
        with pytest.raises(DBAPIError) as caught:
            async with engine.begin() as conn:
                await conn.execute(sa.text(statement))
        assert _denied(caught.value), (statement, caught.value)
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(audit_log.c.action).where(audit_log.c.id == entry["id"]))).scalar_one()


async def test_the_app_role_has_data_privileges_on_every_table(engine: AsyncEngine) -> None:
    held = sa.text(
        "SELECT c.relname, p.name FROM pg_class c"
        " CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p(name)"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
        " AND has_table_privilege(:role, c.oid, p.name)"
    )
    sequences = sa.text(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace"
        " AND CASE WHEN c.relkind = 'S' THEN NOT has_sequence_privilege(:role, c.oid, 'USAGE') END"
    )
    async with engine.connect() as conn:
        privileges: dict[str, set[str]] = {}
        for table, privilege in (await conn.execute(held, {"role": TEST_APP})).all():
            privileges.setdefault(table, set()).add(privilege)
        tables = (await conn.execute(sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))).scalar()
        unusable = (await conn.execute(sequences, {"role": TEST_APP})).all()
    assert len(privileges) == tables
    assert privileges.pop("audit_log") == {"SELECT", "INSERT"}
    assert privileges.pop("alembic_version") == {"SELECT"}
    assert {t: p for t, p in privileges.items() if p != {"SELECT", "INSERT", "UPDATE", "DELETE"}} == {}
    assert unusable == []


async def test_what_a_later_migration_creates_is_granted_by_default(migration_url: str) -> None:
    """The owner's default privileges (migration 0027): a new table needs no grant of its own."""
    conn = await asyncpg.connect(dsn=_pg(migration_url))
    try:
        async with conn.transaction():
            await conn.execute("CREATE TABLE later_feature (id bigserial PRIMARY KEY)")
            granted = await conn.fetchrow(
                "SELECT has_table_privilege($1, 'later_feature', 'SELECT,INSERT,UPDATE,DELETE') AS data,"
                " has_table_privilege($1, 'later_feature', 'TRUNCATE') AS truncate,"
                " has_sequence_privilege($1, 'later_feature_id_seq', 'USAGE') AS sequence",
                TEST_APP,
            )
            assert dict(granted) == {"data": True, "truncate": False, "sequence": True}
            raise _Rollback
    except _Rollback:
        pass
    finally:
        await conn.close()


class _Rollback(Exception):
    pass


def test_urls_by_role() -> None:
    both = Settings(
        env="test", database_url="postgresql://app@db/crm", migration_database_url="postgresql://own@db/crm"
    )
    assert resolve_url(both) == "postgresql+asyncpg://app@db/crm"
    assert resolve_migration_url(both) == "postgresql+asyncpg://own@db/crm"
    one = Settings(env="test", database_url="postgresql://crm@db/crm")
    assert resolve_migration_url(one) == resolve_url(one) == "postgresql+asyncpg://crm@db/crm"


@pytest.mark.skipif("CRM_TEST_DATABASE_URL" in os.environ, reason="the embedded server's own set-up")
async def test_the_embedded_server_hands_an_older_database_to_its_owner(admin_url: str) -> None:
    """`make run` data from before the roles: tables the superuser made become the owner's, and the
    service connects as the application role."""
    name = f"crm_handover_{os.getpid()}"
    admin = await asyncpg.connect(dsn=_pg(server_url(admin_url, "postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        old = await asyncpg.connect(dsn=_pg(server_url(admin_url, name)))
        try:
            await old.execute("CREATE TABLE legacy (id bigserial PRIMARY KEY)")
            await old.execute("CREATE FUNCTION legacy_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        finally:
            await old.close()
        urls = local_postgres.start_with_roles(ROOT / ".crm" / "test", "crm_app", database=name)
        conn = await asyncpg.connect(dsn=_pg(urls.owner))
        try:
            owners = await conn.fetch(
                "SELECT relowner::regrole::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                " UNION SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'legacy_fn'"
                " UNION SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()"
            )
            assert [r[0] for r in owners] == ["crm_owner"]
            await conn.execute("ALTER TABLE legacy ADD COLUMN x int")  # the owner migrates
        finally:
            await conn.close()
        assert urls.app.startswith("postgresql+asyncpg://crm_app@")
    finally:
        await drop_database(admin_url, name)
