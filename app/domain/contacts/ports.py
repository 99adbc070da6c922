from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.contacts.entities import Contact, ContactQuery
from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope


class ContactRepository(Protocol):
    async def get(
        self,
        scope: DataScope,
        contact_id: UUID,
        *,
        for_update: bool = False,
        deleted: bool = False,
    ) -> Contact | None: ...
    async def list_page(self, scope: DataScope, query: ContactQuery) -> Page[Contact | dict[str, Any]]: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Contact: ...
    async def update(self, scope: DataScope, current: Contact, actor: UUID, values: dict[str, Any]) -> Contact: ...
    async def set_deleted(
        self, scope: DataScope, contact_id: UUID, actor: UUID, *, deleted: bool
    ) -> Contact | None: ...
    async def find_duplicate(
        self,
        tenant_id: UUID,
        emails: list[str],
        phones: list[str],
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


class ContactOwnerTransfer(Protocol):
    """What the customers' transfer use case needs from contacts: move one owner's contacts."""

    async def transfer_owner(
        self, principal: Principal, from_owner: UUID, to_owner: UUID, department_id: UUID | None
    ) -> list[UUID]: ...
