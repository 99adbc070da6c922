"""System roles follow the product release: `migrate.upgrade` brings every tenant's system roles
to app/auth/permissions.SYSTEM_ROLES (a changed definition, a role new in this release)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.permissions import SYSTEM_ROLES
from app.migrate import sync_system_roles
from app.repositories.tables import roles
from tests.builders import Factory


async def _system_roles(engine: AsyncEngine, tenant_id: object) -> dict[str, tuple[list[str], dict[str, object], str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(roles.c.key, roles.c.permissions, roles.c.data_ranges, roles.c.name).where(
                roles.c.tenant_id == tenant_id, roles.c.is_system
            )
        )
        return {r.key: (sorted(r.permissions), r.data_ranges, r.name) for r in rows}


async def test_an_upgrade_brings_system_roles_to_this_release(
    factory: Factory, engine: AsyncEngine, database_url: str
) -> None:
    world = await factory.tenant()
    # A tenant from an older release: a narrower sales_rep, no marketer role yet, a renamed analyst.
    async with engine.begin() as conn:
        base = (roles.c.tenant_id == world.id) & roles.c.is_system
        await conn.execute(
            roles.update().where(base, roles.c.key == "sales_rep").values(permissions=["customers:read"])
        )
        await conn.execute(roles.update().where(base, roles.c.key == "sales_rep").values(data_ranges={}))
        await conn.execute(roles.update().where(base, roles.c.key == "analyst").values(name="Analytiker"))
        await conn.execute(roles.delete().where(base, roles.c.key == "marketer"))

    await sync_system_roles(database_url)

    found = await _system_roles(engine, world.id)
    assert set(found) == set(SYSTEM_ROLES)
    for key, spec in SYSTEM_ROLES.items():
        assert found[key][0] == sorted(spec["permissions"]), key
        assert found[key][1] == spec["data_ranges"], key
    assert found["analyst"][2] == "Analytiker"  # the tenant's own name is kept
    # Nothing left to do: a second run changes nothing of this tenant.
    async with engine.connect() as conn:
        versions = dict(
            (await conn.execute(sa.select(roles.c.key, roles.c.version).where(roles.c.tenant_id == world.id))).all()
        )
    await sync_system_roles(database_url)
    async with engine.connect() as conn:
        again = dict(
            (await conn.execute(sa.select(roles.c.key, roles.c.version).where(roles.c.tenant_id == world.id))).all()
        )
    assert again == versions
