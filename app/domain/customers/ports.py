from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.domain.custom_fields.entities import CustomFieldDef
from app.domain.customers.entities import Customer, CustomerQuery
from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope


class CustomerRepository(Protocol):
    async def get(
        self,
        scope: DataScope,
        customer_id: UUID,
        *,
        for_update: bool = False,
        deleted: bool = False,
    ) -> Customer | None: ...
    async def list_page(self, scope: DataScope, query: CustomerQuery) -> Page[Customer | dict[str, Any]]: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Customer: ...
    async def update(self, scope: DataScope, current: Customer, actor: UUID, values: dict[str, Any]) -> Customer: ...
    async def set_deleted(
        self, scope: DataScope, customer_id: UUID, actor: UUID, *, deleted: bool
    ) -> Customer | None: ...
    async def find_duplicate(
        self,
        tenant_id: UUID,
        email_key: str | None,
        phone_key: str | None,
        *,
        exclude: UUID | None = None,
    ) -> UUID | None: ...
    async def reassign_owner(
        self,
        scope: DataScope,
        from_owner: UUID,
        to_owner: UUID,
        department_id: UUID | None,
        actor: UUID,
    ) -> list[UUID]: ...
    async def move_children(self, tenant_id: UUID, source_id: UUID, target_id: UUID, actor: UUID) -> dict[str, int]: ...


class WriteContextRepository(Protocol):
    async def write_context(self, tenant_id: UUID, entity: str) -> tuple[dict[str, Any], list[CustomFieldDef]]:
        """(tenant settings, live custom-field definitions of the entity), in one round trip."""
        ...

    async def active_user_department(self, tenant_id: UUID, user_id: UUID) -> tuple[bool, UUID | None] | None:
        """(user exists and is active, their department), or None when no such user."""
        ...
