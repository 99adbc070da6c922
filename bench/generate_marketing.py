"""The marketing callers of the benchmark on top of the base data: a marketer in Bench Corp (the
segment preview scenario previews as them). Kept across regenerations; nothing else is
generated: the segment preview reads the base data's customers and contacts."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.passwords import hash_password
from app.domain.shared.ids import new_id
from app.repositories.identity import PgIdentityRepository
from app.repositories.tables import roles, tenants, users
from bench.generate import BIG_TENANT, BenchTenant, BenchUser

log = logging.getLogger("bench")

MARKETER = "marketer"


def tenant_domain(tenant: BenchTenant) -> str:
    return next(iter(tenant.users.values())).email.split("@", 1)[1]


async def ensure(engine: AsyncEngine, tenant: BenchTenant) -> None:
    """The marketer, added when missing, and in `tenant.users` as the scenarios look it up."""
    async with engine.begin() as conn:
        tenant_id = (await conn.execute(sa.select(tenants.c.id).where(tenants.c.name == BIG_TENANT))).scalar()
        if tenant_id is None:
            raise RuntimeError("the bench tenant is missing: generate the base data first")
        found = await conn.execute(
            sa.select(users.c.id).where(users.c.tenant_id == tenant_id, users.c.email.like(f"{MARKETER}@%"))
        )
        row = found.first()
        domain = tenant_domain(tenant)
        if row is not None:
            tenant.users.setdefault(MARKETER, BenchUser(row.id, f"{MARKETER}@{domain}", "marketer", None))
            return
        role_id = (
            await conn.execute(sa.select(roles.c.id).where(roles.c.tenant_id == tenant_id, roles.c.key == "marketer"))
        ).scalar_one()
        repo = PgIdentityRepository(conn)
        uid = await repo.insert_user(
            tenant_id,
            email=f"{MARKETER}@{domain}",
            name="Bench Marketer",
            password_hash=await hash_password(new_id().hex),
        )
        await repo.set_user_roles(tenant_id, uid, [role_id])
        tenant.users[MARKETER] = BenchUser(uid, f"{MARKETER}@{domain}", "marketer", None)
        log.info("added the marketer %s@%s", MARKETER, domain)
