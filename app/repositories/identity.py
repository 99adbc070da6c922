"""Tenants, departments, users and roles: the rows identity use cases and the demo seed build on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.permissions import SYSTEM_ROLES
from app.domain.shared.ids import new_id
from app.repositories.tables import departments, roles, tenants, user_roles, users

DEFAULT_TENANT_SETTINGS: dict[str, Any] = {
    "customer_types": ["enterprise", "smb", "government", "individual", "partner"],
    "customer_levels": ["A", "B", "C", "D"],
    # Analytics periods (months, weeks, "today") are in this zone (app/domain/analytics/window.py).
    "time_zone": "Asia/Shanghai",
}


class PgIdentityRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def insert_tenant(self, name: str, settings: dict[str, Any] | None = None) -> UUID:
        tenant_id = new_id()
        await self.conn.execute(
            tenants.insert().values(id=tenant_id, name=name, settings=settings or DEFAULT_TENANT_SETTINGS)
        )
        return tenant_id

    async def insert_system_roles(self, tenant_id: UUID) -> dict[str, UUID]:
        """One row per system role; returns key -> role id."""
        ids = {key: new_id() for key in SYSTEM_ROLES}
        await self.conn.execute(
            roles.insert(),
            [_system_role_row(tenant_id, ids[key], key, spec) for key, spec in SYSTEM_ROLES.items()],
        )
        return ids

    async def sync_system_roles(self) -> int:
        """Bring every tenant's system roles to the product's definitions (SYSTEM_ROLES): their
        permissions and data ranges follow the product release, and a system role new in this
        release is added to every tenant. Names stay as each tenant set them. Returns the number
        of roles changed or added."""
        changed = 0
        for key, spec in SYSTEM_ROLES.items():
            permissions = sorted(spec["permissions"])
            ranges = sa.cast(sa.literal(spec["data_ranges"], JSONB), JSONB)
            result = await self.conn.execute(
                roles.update()
                .where(
                    roles.c.is_system,
                    roles.c.key == key,
                    sa.or_(
                        roles.c.permissions != sa.literal(permissions, ARRAY(sa.Text)), roles.c.data_ranges != ranges
                    ),
                )
                .values(permissions=permissions, data_ranges=spec["data_ranges"], updated_at=sa.func.now())
                .values(version=roles.c.version + 1)
            )
            changed += result.rowcount
            has_role = sa.exists().where(roles.c.tenant_id == tenants.c.id, roles.c.key == key)
            missing = (await self.conn.execute(sa.select(tenants.c.id).where(~has_role))).scalars().all()
            if missing:
                await self.conn.execute(
                    roles.insert(),
                    [_system_role_row(tenant_id, new_id(), key, spec) for tenant_id in missing],
                )
                changed += len(missing)
        return changed

    async def insert_department(
        self,
        tenant_id: UUID,
        name: str,
        parent_id: UUID | None = None,
        *,
        actor: UUID | None = None,
    ) -> UUID:
        dept_id = new_id()
        parent_path = "/"
        if parent_id is not None:
            parent_path = (
                await self.conn.execute(
                    sa.select(departments.c.path).where(
                        departments.c.tenant_id == tenant_id, departments.c.id == parent_id
                    )
                )
            ).scalar_one()
        await self.conn.execute(
            departments.insert().values(
                tenant_id=tenant_id,
                id=dept_id,
                name=name,
                parent_id=parent_id,
                path=f"{parent_path}{dept_id}/",
                created_by=actor,
                updated_by=actor,
            )
        )
        return dept_id

    async def insert_user(
        self,
        tenant_id: UUID,
        *,
        email: str,
        name: str,
        password_hash: str,
        department_id: UUID | None = None,
        region_id: UUID | None = None,
        locale: str = "en",
        timezone: str = "UTC",
        actor: UUID | None = None,
        user_id: UUID | None = None,
    ) -> UUID:
        user_id = user_id or new_id()
        await self.conn.execute(
            users.insert().values(
                tenant_id=tenant_id,
                id=user_id,
                email=email,
                name=name,
                password_hash=password_hash,
                department_id=department_id,
                region_id=region_id,
                locale=locale,
                timezone=timezone,
                created_by=actor or user_id,
                updated_by=actor or user_id,
                # A second earlier, so a token issued in the creating second still verifies.
                tokens_valid_after=sa.text("now() - interval '1 second'"),
            )
        )
        return user_id

    async def set_user_roles(self, tenant_id: UUID, user_id: UUID, role_ids: Iterable[UUID]) -> None:
        await self.conn.execute(
            user_roles.delete().where(user_roles.c.tenant_id == tenant_id, user_roles.c.user_id == user_id)
        )
        rows = [{"tenant_id": tenant_id, "user_id": user_id, "role_id": r} for r in dict.fromkeys(role_ids)]
        if rows:
            await self.conn.execute(user_roles.insert(), rows)

    async def email_taken(self, email: str) -> bool:
        found = await self.conn.execute(sa.select(users.c.id).where(sa.func.lower(users.c.email) == email.lower()))
        return found.first() is not None


def _system_role_row(tenant_id: UUID, role_id: UUID, key: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": role_id,
        "key": key,
        "name": spec["name"],
        "is_system": True,
        "permissions": sorted(spec["permissions"]),
        "data_ranges": spec["data_ranges"],
    }
