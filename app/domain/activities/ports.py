from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.domain.activities.entities import Activity, ActivityQuery
from app.domain.shared.paging import Page
from app.domain.shared.scope import DataScope


class ActivityRepository(Protocol):
    async def get(
        self,
        scope: DataScope,
        activity_id: UUID,
        *,
        for_update: bool = False,
        deleted: bool = False,
    ) -> Activity | None: ...
    async def list_page(self, scope: DataScope, query: ActivityQuery) -> Page[Activity | dict[str, Any]]: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Activity: ...
    async def update(self, scope: DataScope, current: Activity, actor: UUID, values: dict[str, Any]) -> Activity: ...
    async def set_deleted(
        self, scope: DataScope, activity_id: UUID, actor: UUID, *, deleted: bool
    ) -> Activity | None: ...
