"""Migration 0025: the refresh-token families already out become sessions."""

import asyncio
import uuid

import sqlalchemy as sa

from app import migrate
from tests.dbutil import drop_database, recreate_database

SETUP = """
INSERT INTO tenants (id, name) VALUES (:t, 'T');
INSERT INTO users (tenant_id, id, email, name, password_hash, created_by, updated_by)
VALUES (:t, :u, :email, 'U', 'x', :u, :u);
-- live: signed in 40 days ago, refreshed a day ago (its last token would live 29 more days)
INSERT INTO refresh_tokens (tenant_id, id, user_id, family_id, token_hash, created_at, expires_at, rotated_at)
VALUES (:t, gen_random_uuid(), :u, :live, 'a', now() - interval '40 days', now() - interval '10 days', now());
INSERT INTO refresh_tokens (tenant_id, id, user_id, family_id, token_hash, created_at, expires_at)
VALUES (:t, gen_random_uuid(), :u, :live, 'b', now() - interval '1 day', now() + interval '29 days');
-- fresh: signed in an hour ago
INSERT INTO refresh_tokens (tenant_id, id, user_id, family_id, token_hash, created_at, expires_at)
VALUES (:t, gen_random_uuid(), :u, :fresh, 'c', now() - interval '1 hour', now() + interval '30 days');
-- ended: every token revoked
INSERT INTO refresh_tokens (tenant_id, id, user_id, family_id, token_hash, created_at, expires_at, revoked_at)
VALUES (:t, gen_random_uuid(), :u, :ended, 'd', now() - interval '2 days', now() + interval '28 days', now());
"""


async def test_existing_families_become_sessions(admin_url: str, database_url: str, scratch_engine_factory) -> None:  # type: ignore[no-untyped-def]
    name = "crm_migration_sessions_" + str(sa.engine.make_url(database_url).database)
    url, _ = await recreate_database(admin_url, name)
    ids = {k: uuid.uuid4() for k in ("t", "u", "live", "fresh", "ended")}
    try:
        await asyncio.to_thread(migrate.upgrade, url, "0022")
        engine = scratch_engine_factory(url)
        async with engine.begin() as conn:
            for statement in filter(str.strip, SETUP.split(";")):
                lines = [line for line in statement.splitlines() if not line.strip().startswith("--")]
                await conn.execute(sa.text("\n".join(lines)), {**ids, "email": f"{ids['u']}@example.com"})
        await asyncio.to_thread(migrate.upgrade, url, "0025")
        async with engine.connect() as conn:
            rows = {
                row.id: row
                for row in await conn.execute(
                    sa.text(
                        "SELECT id, user_id, expires_at > now() AS alive, revoked_at IS NOT NULL AS ended,"
                        " expires_at <= created_at + interval '30 days' AS capped FROM user_sessions"
                    )
                )
            }
        await engine.dispose()
        assert set(rows) == {ids["live"], ids["fresh"], ids["ended"]}
        assert all(row.user_id == ids["u"] and row.capped for row in rows.values())
        # 40 days after sign-in is past the absolute lifetime, whatever its last token said.
        assert not rows[ids["live"]].alive and not rows[ids["live"]].ended
        assert rows[ids["fresh"]].alive and not rows[ids["fresh"]].ended
        assert rows[ids["ended"]].ended
        await asyncio.to_thread(migrate.downgrade, url, "0022")
    finally:
        await drop_database(admin_url, name)
