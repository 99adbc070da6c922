"""/api/v1/pipelines: thin HTTP shapes around PipelineService, and the board (OpportunityService)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response
from app.api.services import Opportunities, Pipelines
from app.api.v1.schemas.opportunities import BoardOut
from app.api.v1.schemas.pipelines import PipelineCreate, PipelineList, PipelineOut, PipelinePatch, StageAdd, StagePatch
from app.auth.principal import Principal

router = APIRouter(route_class=IdempotentRoute, prefix="/pipelines", tags=["pipelines"])

READ = Annotated[Principal, requires("pipelines:read")]
MANAGE = Annotated[Principal, requires("pipelines:manage")]
BOARD = Annotated[Principal, requires("pipelines:read", "opportunities:read")]


@router.get(
    "",
    operation_id="pipelines_list",
    response_model=PipelineList,
    summary="The tenant's pipelines with their stages, in order",
    responses=problem_responses(401, 403),
)
async def list_pipelines(caller: READ, service: Pipelines) -> Response:
    return json_response({"items": await service.list(caller)})


@router.post(
    "",
    operation_id="pipelines_create",
    status_code=201,
    response_model=PipelineOut,
    summary="Create a pipeline with its stages",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_pipeline(body: PipelineCreate, caller: MANAGE, service: Pipelines) -> Response:
    return json_response(await service.create(caller, body.model_dump()), 201)


@router.get(
    "/{pipeline_id}",
    operation_id="pipelines_get",
    response_model=PipelineOut,
    summary="Get a pipeline with its stages",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_pipeline(pipeline_id: UUID, caller: READ, service: Pipelines) -> Response:
    return json_response(await service.get(caller, pipeline_id))


@router.patch(
    "/{pipeline_id}",
    operation_id="pipelines_update",
    response_model=PipelineOut,
    summary="Rename a pipeline, change its currency or position",
    responses=problem_responses(401, 403, 404, 422),
)
async def update_pipeline(pipeline_id: UUID, body: PipelinePatch, caller: MANAGE, service: Pipelines) -> Response:
    return json_response(await service.update(caller, pipeline_id, body.changes()))


@router.delete(
    "/{pipeline_id}",
    operation_id="pipelines_delete",
    status_code=204,
    response_class=Response,
    summary="Delete a pipeline that holds no deals",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_pipeline(pipeline_id: UUID, caller: MANAGE, service: Pipelines) -> Response:
    await service.delete(caller, pipeline_id)
    return Response(status_code=204)


@router.post(
    "/{pipeline_id}/stages",
    operation_id="pipelines_add_stage",
    status_code=201,
    response_model=PipelineOut,
    summary="Add a stage",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def add_stage(pipeline_id: UUID, body: StageAdd, caller: MANAGE, service: Pipelines) -> Response:
    return json_response(await service.add_stage(caller, pipeline_id, body.model_dump()), 201)


@router.patch(
    "/{pipeline_id}/stages/{stage_id}",
    operation_id="pipelines_update_stage",
    response_model=PipelineOut,
    summary="Rename, re-weight or move a stage",
    responses=problem_responses(401, 403, 404, 422),
)
async def update_stage(
    pipeline_id: UUID, stage_id: UUID, body: StagePatch, caller: MANAGE, service: Pipelines
) -> Response:
    return json_response(await service.update_stage(caller, pipeline_id, stage_id, body.changes()))


@router.delete(
    "/{pipeline_id}/stages/{stage_id}",
    operation_id="pipelines_delete_stage",
    response_model=PipelineOut,
    summary="Delete a stage (409 while it holds deals, unless move_to names where they go)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_stage(
    pipeline_id: UUID,
    stage_id: UUID,
    caller: MANAGE,
    service: Pipelines,
    move_to: Annotated[UUID | None, Query(description="The stage the deals move to.")] = None,
) -> Response:
    return json_response(await service.delete_stage(caller, pipeline_id, stage_id, move_to))


@router.get(
    "/{pipeline_id}/board",
    operation_id="pipelines_board",
    response_model=BoardOut,
    summary="The kanban: per stage, count, amount, weighted amount and the first cards, in your data range",
    responses=problem_responses(401, 403, 404, 422),
)
async def board(
    pipeline_id: UUID,
    caller: BOARD,
    service: Opportunities,
    cards: Annotated[int, Query(ge=1, le=100, description="Cards per column.")] = 20,
) -> Response:
    pipeline, columns = await service.board(caller, pipeline_id, cards)
    stages = {stage.id: stage for stage in pipeline.stages}
    return json_response(
        {
            "pipeline_id": pipeline.id,
            "columns": [
                {
                    "stage_id": c.stage_id,
                    "name": stages[c.stage_id].name,
                    "kind": stages[c.stage_id].kind,
                    "probability": stages[c.stage_id].probability,
                    "count": c.count,
                    "amount": c.amount,
                    "weighted_amount": c.weighted_amount,
                    "cards": c.cards,
                }
                for c in columns
            ],
        }
    )
