"""/api/v1/automations: rules (a trigger event, conditions on its record, actions, a delay), their
run log and dry runs. Thin HTTP shapes around AutomationService (app/domain/marketing/automations.py);
the worker executes the runs (app/worker.py)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, page_response, record_response
from app.api.services import Automations
from app.api.v1.params import CursorParam, IfMatch, Limit, expected_version
from app.api.v1.schemas.automations import (
    AutomationCreate,
    AutomationList,
    AutomationOut,
    AutomationPatch,
    CatalogueOut,
    DryRunBody,
    DryRunOut,
    RunPage,
    RunStatus,
)
from app.auth.principal import Principal
from app.domain.marketing.automations import ACTIONS, TRIGGERS

router = APIRouter(route_class=IdempotentRoute, tags=["automations"])

READ = Annotated[Principal, requires("automations:read")]
CREATE = Annotated[Principal, requires("automations:create")]
UPDATE = Annotated[Principal, requires("automations:update")]
DELETE = Annotated[Principal, requires("automations:delete")]
AutomationId = Annotated[UUID, Path()]
BASE = "/automations"

_one = partial(record_response, collection="automations")


@router.get(
    BASE,
    operation_id="automations_list",
    response_model=AutomationList,
    summary="The tenant's automations, by name",
    responses=problem_responses(401, 403),
)
async def list_automations(caller: READ, service: Automations) -> Response:
    return json_response({"items": await service.list(caller)})


@router.get(
    f"{BASE}/catalogue",
    operation_id="automations_catalogue",
    response_model=CatalogueOut,
    summary="The triggers and actions an automation may use, with their labels in both languages",
    responses=problem_responses(401, 403),
)
async def catalogue(caller: READ) -> Response:
    caller.require("automations", "read")
    triggers = [
        {"key": t.key, "event_type": t.event_type, "record_kinds": [e[:-1] for e in t.entities],
         "label_en": t.label_en, "label_zh": t.label_zh}
        for t in TRIGGERS.values()
    ]  # fmt: skip
    actions = [
        {"type": a.key, "label_en": a.label_en, "label_zh": a.label_zh,
         "params": [{"name": n, "type": t.rstrip("?"), "required": not t.endswith("?")} for n, t in a.params.items()]}
        for a in ACTIONS.values()
    ]  # fmt: skip
    return json_response({"triggers": triggers, "actions": actions})


@router.post(
    BASE,
    operation_id="automations_create",
    status_code=201,
    response_model=AutomationOut,
    summary="Create an automation (it acts as you: your permissions and data ranges)",
    description="The conditions are checked against the fields of the trigger's record, the actions' templates, "
    "campaigns and users must exist: a 422 names the bad part (`conditions.conditions[0].field`, "
    "`actions[1].template_id`). Each record runs the automation at most once per trigger.",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_automation(body: AutomationCreate, caller: CREATE, service: Automations) -> Response:
    return _one(await service.create(caller, body.values()), 201)


@router.get(
    f"{BASE}/{{automation_id}}",
    operation_id="automations_get",
    response_model=AutomationOut,
    summary="An automation",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_automation(automation_id: AutomationId, caller: READ, service: Automations) -> Response:
    return _one(await service.get(caller, automation_id))


@router.patch(
    f"{BASE}/{{automation_id}}",
    operation_id="automations_update",
    response_model=AutomationOut,
    summary="Change an automation, pause or resume it",
    description="If-Match: the ETag of the read (412 when stale). `status: paused` starts no new runs and "
    "skips the waiting ones.",
    responses=problem_responses(401, 403, 404, 412, 413, 422),
)
async def update_automation(
    automation_id: AutomationId, body: AutomationPatch, caller: UPDATE, service: Automations, if_match: IfMatch = None
) -> Response:
    changes = body.changes()
    return _one(await service.update(caller, automation_id, changes, expected_version=expected_version(if_match)))


@router.delete(
    f"{BASE}/{{automation_id}}",
    operation_id="automations_delete",
    status_code=204,
    response_class=Response,
    summary="Delete an automation (soft; it starts no runs)",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_automation(automation_id: AutomationId, caller: DELETE, service: Automations) -> Response:
    await service.delete(caller, automation_id)
    return Response(status_code=204)


@router.post(
    f"{BASE}/{{automation_id}}/restore",
    operation_id="automations_restore",
    response_model=AutomationOut,
    summary="Restore a deleted automation",
    responses=problem_responses(401, 403, 404, 422),
)
async def restore_automation(automation_id: AutomationId, caller: DELETE, service: Automations) -> Response:
    return _one(await service.restore(caller, automation_id))


@router.get(
    f"{BASE}/{{automation_id}}/runs",
    operation_id="automations_runs",
    response_model=RunPage,
    summary="The automation's runs, newest first: status, record, actions done, error, times",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_runs(
    automation_id: AutomationId,
    caller: READ,
    service: Automations,
    status: Annotated[RunStatus | None, Query()] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    page = await service.runs_of(caller, automation_id, status, limit, cursor)
    return page_response(page.items, page.next_cursor)


@router.post(
    f"{BASE}/{{automation_id}}/dry-run",
    operation_id="automations_dry_run",
    response_model=DryRunOut,
    summary="What the automation would do, changing nothing",
    description="For one lead or contact (`record_id`), or the records of the trigger's latest events: whether a run "
    "would start (in the owner's range, conditions matched) and what each action would do or why it would be skipped. "
    "Only records within your own read range are shown.",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def dry_run(automation_id: AutomationId, body: DryRunBody, caller: UPDATE, service: Automations) -> Response:
    return json_response(await service.dry_run(caller, automation_id, body.record_id, body.limit))
