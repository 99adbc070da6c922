from __future__ import annotations

from typing import Protocol
from uuid import UUID

from app.domain.customers.entities import Customer
from app.domain.shared.owned import OwnedRepository


class CustomerRepository(OwnedRepository[Customer], Protocol):
    async def find_duplicate(
        self,
        tenant_id: UUID,
        email_key: str | None,
        phone_key: str | None,
        *,
        exclude: UUID | None = None,
    ) -> UUID | None: ...
    async def move_children(self, tenant_id: UUID, source_id: UUID, target_id: UUID, actor: UUID) -> dict[str, int]: ...
