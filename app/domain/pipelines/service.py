"""Pipeline use cases: pipelines:read to see them (every seller needs the stages), pipelines:manage
to shape them. A pipeline always keeps at least one open, one won and one lost stage; a stage
that holds deals is deleted only by naming the stage they move to."""

from __future__ import annotations

import builtins
from dataclasses import asdict
from typing import Any
from uuid import UUID

from app.auth.principal import Principal
from app.domain.pipelines.entities import REQUIRABLE, Pipeline, StageKind
from app.domain.pipelines.ports import PipelineRepository
from app.domain.shared.errors import Conflict, NotFound, ValidationFailed
from app.domain.shared.ports import AuditTrail, diff

RESOURCE = "pipelines"


def check_required_fields(fields: list[str], field: str = "required_fields") -> list[str]:
    for index, name in enumerate(fields):
        if name not in REQUIRABLE and not (name.startswith("custom.") and len(name) > len("custom.")):
            raise ValidationFailed.one(
                f"{field}.{index}", f"must be one of {', '.join(sorted(REQUIRABLE))} or custom.<key>"
            )
    return list(dict.fromkeys(fields))


def _check_kinds(kinds: list[str], field: str) -> None:
    missing = [k.value for k in StageKind if k.value not in kinds]
    if missing:
        raise ValidationFailed.one(field, f"a pipeline needs at least one {' and one '.join(missing)} stage")


class PipelineService:
    def __init__(self, pipelines: PipelineRepository, audit: AuditTrail) -> None:
        self.pipelines = pipelines
        self.audit = audit

    async def list(self, principal: Principal) -> builtins.list[Pipeline]:
        principal.require(RESOURCE, "read")
        return await self.pipelines.list(principal.tenant_id)

    async def get(self, principal: Principal, pipeline_id: UUID) -> Pipeline:
        principal.require(RESOURCE, "read")
        return await self._get(principal, pipeline_id)

    async def create(self, principal: Principal, values: dict[str, Any]) -> Pipeline:
        principal.require(RESOURCE, "manage")
        stages = values.pop("stages")
        _check_kinds([s["kind"] for s in stages], "stages")
        for index, stage in enumerate(stages):
            stage["required_fields"] = check_required_fields(
                stage.get("required_fields") or [], f"stages.{index}.required_fields"
            )
        if values.get("position") is None:
            existing = await self.pipelines.list(principal.tenant_id)
            values["position"] = max((p.position for p in existing), default=0) + 10
        pipeline_id = await self.pipelines.insert(principal.tenant_id, principal.user_id, values)
        for position, stage in enumerate(stages):
            await self.pipelines.insert_stage(
                principal.tenant_id, pipeline_id, principal.user_id, {**stage, "position": (position + 1) * 10}
            )
        made = await self._get(principal, pipeline_id)
        await self.audit.record(principal, "pipeline.created", RESOURCE, pipeline_id, diff(None, asdict(made)))
        return made

    async def update(self, principal: Principal, pipeline_id: UUID, changes: dict[str, Any]) -> Pipeline:
        principal.require(RESOURCE, "manage")
        current = await self._get(principal, pipeline_id, for_update=True)
        await self.pipelines.update(principal.tenant_id, pipeline_id, principal.user_id, changes)
        updated = await self._get(principal, pipeline_id)
        await self._audit(principal, "pipeline.updated", pipeline_id, current, updated)
        return updated

    async def delete(self, principal: Principal, pipeline_id: UUID) -> None:
        principal.require(RESOURCE, "manage")
        await self._get(principal, pipeline_id, for_update=True)
        held = await self.pipelines.deals_in(principal.tenant_id, pipeline_id=pipeline_id)
        if held:
            raise Conflict(f"the pipeline still holds {held} opportunities; move or delete them first", deals=held)
        await self.pipelines.delete(principal.tenant_id, pipeline_id, principal.user_id)
        await self.audit.record(
            principal, "pipeline.deleted", RESOURCE, pipeline_id, {"deleted": {"before": False, "after": True}}
        )

    async def add_stage(self, principal: Principal, pipeline_id: UUID, values: dict[str, Any]) -> Pipeline:
        principal.require(RESOURCE, "manage")
        current = await self._get(principal, pipeline_id, for_update=True)
        values["required_fields"] = check_required_fields(values.get("required_fields") or [])
        position = values.pop("position", None)
        order = [s.id for s in current.stages]
        stage = await self.pipelines.insert_stage(
            principal.tenant_id, pipeline_id, principal.user_id, {**values, "position": 0}
        )
        order.insert(len(order) if position is None else min(position, len(order)), stage.id)
        await self._renumber(principal, order)
        updated = await self._get(principal, pipeline_id)
        await self._audit(principal, "pipeline.stage_added", pipeline_id, current, updated)
        return updated

    async def update_stage(
        self, principal: Principal, pipeline_id: UUID, stage_id: UUID, changes: dict[str, Any]
    ) -> Pipeline:
        """Rename, re-weight, re-kind or move a stage (`position`: its index among the stages)."""
        principal.require(RESOURCE, "manage")
        current = await self._get(principal, pipeline_id, for_update=True)
        stage = current.stage(stage_id)
        if stage is None:
            raise NotFound("no such stage in this pipeline")
        if "required_fields" in changes:
            changes["required_fields"] = check_required_fields(changes["required_fields"])
        if "kind" in changes:
            _check_kinds([changes["kind"] if s.id == stage_id else s.kind for s in current.stages], "kind")
        position = changes.pop("position", None)
        if changes:
            await self.pipelines.update_stage(principal.tenant_id, stage_id, principal.user_id, changes)
        if position is not None:
            order = [s.id for s in current.stages if s.id != stage_id]
            order.insert(min(position, len(order)), stage_id)
            await self._renumber(principal, order)
        updated = await self._get(principal, pipeline_id)
        await self._audit(principal, "pipeline.stage_updated", pipeline_id, current, updated)
        return updated

    async def delete_stage(
        self, principal: Principal, pipeline_id: UUID, stage_id: UUID, move_to: UUID | None
    ) -> Pipeline:
        principal.require(RESOURCE, "manage")
        current = await self._get(principal, pipeline_id, for_update=True)
        if current.stage(stage_id) is None:
            raise NotFound("no such stage in this pipeline")
        _check_kinds([s.kind for s in current.stages if s.id != stage_id], "stage_id")
        held = await self.pipelines.deals_in(principal.tenant_id, stage_id=stage_id)
        if held and move_to is None:
            raise Conflict(
                f"the stage still holds {held} opportunities; name the stage to move them to (move_to)", deals=held
            )
        if held:
            target = current.stage(move_to) if move_to is not None and move_to != stage_id else None
            if target is None:
                raise ValidationFailed.one("move_to", "must be another stage of this pipeline")
            await self.pipelines.move_deals(principal.tenant_id, stage_id, target, principal.user_id)
        await self.pipelines.delete_stage(principal.tenant_id, stage_id, principal.user_id)
        updated = await self._get(principal, pipeline_id)
        await self._audit(principal, "pipeline.stage_deleted", pipeline_id, current, updated)
        return updated

    async def _renumber(self, principal: Principal, order: builtins.list[UUID]) -> None:
        for index, stage_id in enumerate(order):
            await self.pipelines.update_stage(
                principal.tenant_id, stage_id, principal.user_id, {"position": (index + 1) * 10}
            )

    async def _get(self, principal: Principal, pipeline_id: UUID, *, for_update: bool = False) -> Pipeline:
        found = await self.pipelines.get(principal.tenant_id, pipeline_id, for_update=for_update)
        if found is None:
            raise NotFound("no such pipeline")
        return found

    async def _audit(
        self, principal: Principal, action: str, pipeline_id: UUID, before: Pipeline, after: Pipeline
    ) -> None:
        await self.audit.record(principal, action, RESOURCE, pipeline_id, diff(asdict(before), asdict(after)))
