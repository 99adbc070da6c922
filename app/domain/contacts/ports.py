from __future__ import annotations

from typing import Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.contacts.entities import Contact
from app.domain.shared.owned import OwnedRepository


class ContactRepository(OwnedRepository[Contact], Protocol):
    async def find_duplicate(
        self,
        tenant_id: UUID,
        emails: list[str],
        phones: list[str],
        *,
        exclude: UUID | None = None,
    ) -> UUID | None: ...


class ContactOwnerTransfer(Protocol):
    """What the customers' transfer use case needs from contacts: move one owner's contacts."""

    async def transfer_owner(
        self, principal: Principal, from_owner: UUID, to_owner: UUID, department_id: UUID | None
    ) -> list[UUID]: ...
