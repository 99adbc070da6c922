"""Migrations go down to nothing and up again on a scratch database."""

import sqlalchemy as sa

from app import migrate
from tests.dbutil import TEST_APP, drop_database, recreate_database


async def test_upgrade_downgrade_upgrade(admin_url: str, database_url: str, scratch_engine_factory) -> None:
    import asyncio

    name = "crm_migrations_scratch_" + str(sa.engine.make_url(database_url).database)
    url, _ = await recreate_database(admin_url, name)
    try:
        await asyncio.to_thread(migrate.upgrade, url, "head", TEST_APP)
        await asyncio.to_thread(migrate.downgrade, url, "base", TEST_APP)
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
        await asyncio.to_thread(migrate.upgrade, url, "head", TEST_APP)
        async with engine.connect() as conn:
            tables = (
                await conn.execute(
                    sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")
                )
            ).scalar_one()
        assert tables >= 17
        await engine.dispose()
    finally:
        await drop_database(admin_url, name)


# Tables that stay small (a tenant's configuration and people): a scan to check a reference is cheap.
SMALL_TABLES = {
    "departments",
    "users",
    "user_roles",
    "regions",
    "lead_assignment_rules",
    "sales_targets",
    "ticket_categories",
    "ticket_assignment_rules",
    "kb_categories",
}
UNINDEXED_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text AS table_name, c.conname
FROM pg_constraint c
WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
  AND NOT EXISTS (
    SELECT 1 FROM pg_index i
    WHERE i.indrelid = c.conrelid
      AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
      AND c.conkey @> (i.indkey::int2[])[0:cardinality(c.conkey) - 1])
ORDER BY 1, 2
"""


async def test_foreign_keys_of_large_tables_have_an_index(engine) -> None:  # type: ignore[no-untyped-def]
    """Deleting a referenced row checks the referencing table; without an index leading with the
    key's columns that is a scan of the whole table (minutes on a million leads)."""
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text(UNINDEXED_FOREIGN_KEYS))).all()
    assert [(t, name) for t, name in rows if t not in SMALL_TABLES] == []


async def test_0023_moves_it_admin_holders_to_system_admin(
    admin_url: str, database_url: str, scratch_engine_factory
) -> None:
    """The IT administrator becomes the system administrator: same role row, same holders; `crm
    migrate` then adds the security and audit administrators. Down again: it_admin, without them."""
    import asyncio
    from uuid import uuid4

    name = "crm_migrations_0023_" + str(sa.engine.make_url(database_url).database)
    url, _ = await recreate_database(admin_url, name)
    engine = scratch_engine_factory(url)
    tenant, role, user = uuid4(), uuid4(), uuid4()
    keys = "SELECT key FROM roles WHERE tenant_id = :t ORDER BY key"
    try:
        await asyncio.to_thread(migrate.upgrade, url, "0022")
        async with engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO tenants (id, name) VALUES (:t, 'T')"), {"t": tenant})
            await conn.execute(
                sa.text(
                    "INSERT INTO roles (tenant_id, id, key, name, is_system, permissions, created_by, updated_by)"
                    " VALUES (:t, :r, 'it_admin', 'IT administrator', true, '{users:read}', :u, :u)"
                ),
                {"t": tenant, "r": role, "u": user},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO users (tenant_id, id, email, name, password_hash, created_by, updated_by)"
                    " VALUES (:t, :u, 'it@example.com', 'IT', 'x', :u, :u)"
                ),
                {"t": tenant, "u": user},
            )
            await conn.execute(
                sa.text("INSERT INTO user_roles (tenant_id, user_id, role_id) VALUES (:t, :u, :r)"),
                {"t": tenant, "u": user, "r": role},
            )
        await asyncio.to_thread(migrate.upgrade, url)
        async with engine.connect() as conn:
            held = await conn.scalar(
                sa.text("SELECT r.key || '/' || r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
                        " WHERE ur.user_id = :u"),
                {"u": user},
            )  # fmt: skip
            assert held == "system_admin/System administrator"
            assert {"system_admin", "security_admin", "audit_admin"} <= set(
                (await conn.execute(sa.text(keys), {"t": tenant})).scalars()
            )
        await asyncio.to_thread(migrate.downgrade, url, "0022")
        async with engine.connect() as conn:
            left = set((await conn.execute(sa.text(keys), {"t": tenant})).scalars())
            assert "it_admin" in left and not left & {"system_admin", "security_admin", "audit_admin"}
    finally:
        await engine.dispose()
        await drop_database(admin_url, name)
