"""Pipelines and their stages in PostgreSQL."""

from __future__ import annotations

import builtins
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.pipelines.entities import Pipeline, Stage
from app.domain.shared.ids import new_id
from app.repositories.prepared import Prepared
from app.repositories.tables import opportunities, opportunity_stage_history, pipeline_stages, pipelines

p, s = pipelines, pipeline_stages
PIPELINE_COLUMNS = [p.c.id, p.c.name, p.c.position, p.c.currency, p.c.created_at, p.c.updated_at, p.c.version]
STAGE_COLUMNS = [s.c[name] for name in Stage.__dataclass_fields__]


def _load_pipelines(one: bool, for_update: bool) -> Prepared:
    stmt = sa.select(*PIPELINE_COLUMNS).where(
        p.c.tenant_id == sa.bindparam("tenant_id", type_=p.c.tenant_id.type), p.c.deleted_at.is_(None)
    )
    if one:
        stmt = stmt.where(p.c.id == sa.bindparam("pipeline_id", type_=p.c.id.type))
    if for_update:
        stmt = stmt.with_for_update()
    return Prepared.of(stmt.order_by(p.c.position, p.c.id))


# Every deal's read, stage move and board loads its pipeline: the statements are prepared once
# (app/repositories/prepared.py).
_PIPELINES = {(one, lock): _load_pipelines(one, lock) for one in (False, True) for lock in (False, True)}
_STAGES = Prepared.of(
    sa.select(*STAGE_COLUMNS)
    .where(
        s.c.tenant_id == sa.bindparam("tenant_id", type_=s.c.tenant_id.type),
        s.c.pipeline_id == sa.func.any(sa.bindparam("pipeline_ids", type_=sa.ARRAY(s.c.pipeline_id.type))),
        s.c.deleted_at.is_(None),
    )
    .order_by(s.c.position, s.c.id)
)


def _bookkeeping(table: sa.Table, actor: UUID) -> dict[str, Any]:
    return {"updated_by": actor, "updated_at": sa.func.now(), "version": table.c.version + 1}


class PgPipelineRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def list(self, tenant_id: UUID) -> builtins.list[Pipeline]:
        return await self._load(tenant_id, None, for_update=False)

    async def get(self, tenant_id: UUID, pipeline_id: UUID, *, for_update: bool = False) -> Pipeline | None:
        found = await self._load(tenant_id, pipeline_id, for_update=for_update)
        return found[0] if found else None

    async def _load(self, tenant_id: UUID, pipeline_id: UUID | None, *, for_update: bool) -> builtins.list[Pipeline]:
        load = _PIPELINES[(pipeline_id is not None, for_update)]
        params = {"tenant_id": tenant_id, "pipeline_id": pipeline_id} if pipeline_id else {"tenant_id": tenant_id}
        found = [Pipeline(*row) for row in await load.rows(self.conn, params)]
        if not found:
            return []
        by_id = {pipeline.id: pipeline for pipeline in found}
        for row in await _STAGES.rows(self.conn, {"tenant_id": tenant_id, "pipeline_ids": list(by_id)}):
            stage = Stage(*row)
            by_id[stage.pipeline_id].stages.append(stage)
        return found

    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> UUID:
        pipeline_id = new_id()
        await self.conn.execute(
            p.insert().values(tenant_id=tenant_id, id=pipeline_id, created_by=actor, updated_by=actor, **values)
        )
        return pipeline_id

    async def update(self, tenant_id: UUID, pipeline_id: UUID, actor: UUID, values: dict[str, Any]) -> None:
        await self.conn.execute(
            p.update()
            .where(p.c.tenant_id == tenant_id, p.c.id == pipeline_id)
            .values(**values, **_bookkeeping(p, actor))
        )

    async def delete(self, tenant_id: UUID, pipeline_id: UUID, actor: UUID) -> None:
        await self.update(tenant_id, pipeline_id, actor, {"deleted_at": sa.func.now()})

    async def insert_stage(self, tenant_id: UUID, pipeline_id: UUID, actor: UUID, values: dict[str, Any]) -> Stage:
        stmt = (
            s.insert()
            .values(
                tenant_id=tenant_id, id=new_id(), pipeline_id=pipeline_id, created_by=actor, updated_by=actor, **values
            )
            .returning(*STAGE_COLUMNS)
        )
        return Stage(*(await self.conn.execute(stmt)).one())

    async def update_stage(self, tenant_id: UUID, stage_id: UUID, actor: UUID, values: dict[str, Any]) -> None:
        await self.conn.execute(
            s.update().where(s.c.tenant_id == tenant_id, s.c.id == stage_id).values(**values, **_bookkeeping(s, actor))
        )

    async def delete_stage(self, tenant_id: UUID, stage_id: UUID, actor: UUID) -> None:
        await self.update_stage(tenant_id, stage_id, actor, {"deleted_at": sa.func.now()})

    async def deals_in(self, tenant_id: UUID, *, pipeline_id: UUID | None = None, stage_id: UUID | None = None) -> int:
        o = opportunities
        stmt = sa.select(sa.func.count()).where(o.c.tenant_id == tenant_id, o.c.deleted_at.is_(None))
        if pipeline_id is not None:
            stmt = stmt.where(o.c.pipeline_id == pipeline_id)
        if stage_id is not None:
            stmt = stmt.where(o.c.stage_id == stage_id)
        return int((await self.conn.execute(stmt)).scalar_one())

    async def move_deals(self, tenant_id: UUID, from_stage: UUID, to_stage: Stage, actor: UUID) -> builtins.list[UUID]:
        o, h = opportunities, opportunity_stage_history
        moved = (
            (
                await self.conn.execute(
                    o.update()
                    .where(o.c.tenant_id == tenant_id, o.c.stage_id == from_stage, o.c.deleted_at.is_(None))
                    .values(stage_id=to_stage.id, probability=to_stage.probability, stage_entered_at=sa.func.now())
                    .values(**_bookkeeping(o, actor))
                    .returning(o.c.id)
                )
            )
            .scalars()
            .all()
        )
        if moved:
            await self.conn.execute(
                h.insert(),
                [
                    {
                        "tenant_id": tenant_id,
                        "id": new_id(),
                        "opportunity_id": deal,
                        "from_stage_id": from_stage,
                        "to_stage_id": to_stage.id,
                        "changed_by": actor,
                    }
                    for deal in moved
                ],
            )
        return list(moved)
