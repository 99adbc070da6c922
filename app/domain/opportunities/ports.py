from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from app.domain.opportunities.entities import BoardColumn, LineItem, Opportunity, StageChange
from app.domain.pipelines.entities import Pipeline
from app.domain.shared.owned import OwnedRepository
from app.domain.shared.scope import DataScope


class OpportunityRepository(OwnedRepository[Opportunity], Protocol):
    async def line_items(self, tenant_id: UUID, opportunity_id: UUID) -> list[LineItem]: ...
    async def replace_line_items(self, tenant_id: UUID, opportunity_id: UUID, items: list[dict[str, Any]]) -> None: ...
    async def stage_history(self, tenant_id: UUID, opportunity_id: UUID) -> list[StageChange]: ...
    async def record_stage_change(
        self,
        tenant_id: UUID,
        opportunity_id: UUID,
        from_stage: UUID | None,
        to_stage: UUID,
        actor: UUID | None,
        seconds_in_from_stage: int | None,
    ) -> None: ...
    async def board(self, scope: DataScope, pipeline: Pipeline, cards: int) -> list[BoardColumn]:
        """Per stage of the pipeline, within the scope: count, amount, weighted amount and the
        first `cards` deals (most recently updated first)."""
        ...
