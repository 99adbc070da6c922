"""Identity administration from the command line (`crm create-tenant`, `crm create-user`): the same
domain services the API uses, on a connection of their own, committed when they succeed."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from app.composition import build_tenant_service, build_user_service
from app.domain.identity.entities import NewTenant, User
from app.domain.identity.tenants import command_line_principal
from app.domain.shared.errors import NotFound, ValidationFailed
from app.repositories.database import create_engine
from app.repositories.roles import PgRoleRepository
from app.repositories.tenants import PgTenantRepository
from app.settings import Settings


async def create_tenant(
    url: str, settings: Settings, *, name: str, admin_email: str, admin_name: str, password: str
) -> NewTenant:
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            return await build_tenant_service(conn, engine, settings).create_tenant(
                name, admin_name, admin_email, password
            )
    finally:
        await engine.dispose()


async def create_user(
    url: str,
    settings: Settings,
    *,
    tenant_id: UUID,
    email: str,
    name: str,
    role_keys: Sequence[str],
    department_id: UUID | None,
    password: str,
) -> User:
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            if await PgTenantRepository(conn).tenant_name(tenant_id) is None:
                raise NotFound(f"no tenant {tenant_id}")
            found = {role.key: role.id for role in await PgRoleRepository(conn).by_keys(tenant_id, role_keys)}
            for key in role_keys:
                if key not in found:
                    raise ValidationFailed.one("role", f"no role with key {key!r} in this tenant")
            values = {"email": email, "name": name, "department_id": department_id}
            return await build_user_service(conn, settings).create(
                command_line_principal(tenant_id),
                values,
                [found[k] for k in dict.fromkeys(role_keys)],
                password=password,
            )
    finally:
        await engine.dispose()
