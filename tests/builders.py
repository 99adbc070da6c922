"""Explicit builders: a tenant with departments and users holding roles, plus their tokens.

world = await factory.tenant()
east = await world.department("Sales East", parent=world.department_ids["Sales"])
rep = await world.user("rep", roles=["sales_rep"], department=east)
await client.get("/api/v1/customers", headers=rep.headers)
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.jwt_tokens import issue_access_token
from app.auth.passwords import hash_password
from app.auth.permissions import SYSTEM_ROLES
from app.domain.shared.clock import utcnow
from app.repositories.identity import PgIdentityRepository
from app.repositories.sessions import open_session
from app.settings import Settings

PASSWORD = "correct horse battery staple 42"
_counter = itertools.count()


def unique_email(label: str) -> str:
    return f"{label}.{uuid.uuid4().hex[:10]}@test.example.com"


@dataclass
class User:
    id: UUID
    email: str
    tenant_id: UUID
    roles: list[str]
    department_id: UUID | None
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    factory: Factory
    id: UUID
    role_ids: dict[str, UUID]
    department_ids: dict[str, UUID] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    async def department(self, name: str, parent: UUID | None = None) -> UUID:
        async with self.factory.engine.begin() as conn:
            dept = await PgIdentityRepository(conn).insert_department(self.id, name, parent)
        self.department_ids[name] = dept
        return dept

    async def user(
        self,
        label: str,
        roles: list[str],
        department: UUID | None = None,
        email: str | None = None,
        password: str = PASSWORD,
    ) -> User:
        email = email or unique_email(label)
        async with self.factory.engine.begin() as conn:
            repo = PgIdentityRepository(conn)
            user_id = await repo.insert_user(
                self.id,
                email=email,
                name=label.title(),
                password_hash=await hash_password(password),
                department_id=department,
            )
            await repo.set_user_roles(self.id, user_id, [self.role_ids[r] for r in roles])
            # A signed-in session, as a login would open: access tokens live only as long as theirs.
            expires_at = utcnow() + timedelta(days=self.factory.settings.session_max_days)
            session_id = await open_session(conn, self.id, user_id, expires_at)
        scopes: set[str] = set().union(*(SYSTEM_ROLES[r]["permissions"] for r in roles if r in SYSTEM_ROLES))
        token, _ = issue_access_token(
            self.factory.settings, user_id=user_id, tenant_id=self.id, scopes=scopes, session_id=session_id
        )
        user = User(user_id, email, self.id, roles, department, token)
        self.users[label] = user
        return user


@dataclass
class Factory:
    engine: AsyncEngine
    settings: Settings

    async def tenant(self, name: str | None = None) -> World:
        async with self.engine.begin() as conn:
            repo = PgIdentityRepository(conn)
            tenant_id = await repo.insert_tenant(name or f"Tenant {next(_counter)}")
            role_ids = await repo.insert_system_roles(tenant_id)
        return World(self, tenant_id, role_ids)

    async def sales_world(self) -> World:
        """The demo shape in small: Sales (East, West), Service, Marketing; one user per role."""
        w = await self.tenant()
        sales = await w.department("Sales")
        east = await w.department("Sales East", sales)
        west = await w.department("Sales West", sales)
        service = await w.department("Service")
        marketing = await w.department("Marketing")
        await w.user("admin", ["admin"])
        await w.user("director", ["sales_director"], sales)
        await w.user("east_manager", ["sales_manager"], east)
        await w.user("east_rep1", ["sales_rep"], east)
        await w.user("east_rep2", ["sales_rep"], east)
        await w.user("west_manager", ["sales_manager"], west)
        await w.user("west_rep1", ["sales_rep"], west)
        await w.user("service_manager", ["service_manager"], service)
        await w.user("agent1", ["service_agent"], service)
        await w.user("marketer", ["marketer"], marketing)
        await w.user("analyst", ["analyst"])
        await w.user("it", ["system_admin"])
        return w
