"""/api/v1/reports: the report builder. Run a report (unsaved or saved), keep saved reports (CRUD
with ETag / If-Match, private or shared with roles), list what each entity offers, export to CSV or
XLSX. Thin HTTP shapes around ReportService (app/domain/analytics/report_service.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response, StreamingResponse

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Reports
from app.api.v1.params import IfMatch, expected_version
from app.api.v1.report_files import csv_chunks, xlsx_chunks
from app.api.v1.schemas.reports import (
    ExportFormat,
    ReportCatalogue,
    ReportCreate,
    ReportEntityName,
    ReportList,
    ReportOut,
    ReportPatch,
    ReportResult,
    ReportRunBody,
)
from app.auth.principal import Principal
from app.domain.analytics.report_labels import zh_label
from app.domain.analytics.reports import Fn
from app.domain.analytics.window import Grain

router = APIRouter(route_class=IdempotentRoute, tags=["reports"])

READ = Annotated[Principal, requires("reports:read")]
CREATE = Annotated[Principal, requires("reports:create")]
UPDATE = Annotated[Principal, requires("reports:update")]
DELETE = Annotated[Principal, requires("reports:delete")]
ReportId = Annotated[UUID, Path()]
Format = Annotated[ExportFormat, Query(description="csv or xlsx")]

_one = partial(record_response, collection="reports")
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {_MEDIA["csv"]: {}, _MEDIA["xlsx"]: {}}, "description": "The report as a file."}
}


def _file(body: dict[str, Any], fmt: str, name: str) -> StreamingResponse:
    chunks = csv_chunks(body) if fmt == "csv" else xlsx_chunks(body)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    headers = {"Content-Disposition": f'attachment; filename="{name}-{stamp}.{fmt}"'}
    return StreamingResponse(chunks, media_type=_MEDIA[fmt], headers=headers)


@router.get(
    "/reports/fields",
    operation_id="reports_fields",
    response_model=ReportCatalogue,
    summary="What a report on an entity can measure, group by, filter by and take as its period",
    responses=problem_responses(401, 403, 422),
)
async def report_fields(caller: READ, service: Reports, entity: Annotated[ReportEntityName, Query()]) -> Response:
    cat = await service.fields(caller, entity)
    filters = [
        {"name": f.name, "kind": f.kind.value, "label": f.label, "label_zh": zh_label(f),
         "operators": [str(o) for o in f.operators], "choices": list(f.choices)}
        for f in cat.schema.fields.values()
    ]  # fmt: skip
    body = {
        "entity": entity,
        "filters": filters,
        "numbers": [f.name for f in cat.numbers],
        "groups": [f.name for f in cat.groups],
        "dates": [f.name for f in cat.dates],
        "money": sorted(cat.entity.money or {}),
        "measures": [str(f) for f in Fn],
        "grains": [str(g) for g in Grain],
    }
    return json_response(body)


@router.post(
    "/reports/run",
    operation_id="reports_run_unsaved",
    response_model=ReportResult,
    summary="Run an unsaved report within your data range on its entity",
    description="Each row carries `drill`: the list endpoint and the `where` tree selecting exactly the row's "
    "records. Nothing is saved.",
    responses=problem_responses(401, 403, 413, 422),
)
async def run_unsaved(body: ReportRunBody, caller: READ, service: Reports) -> Response:
    return json_response((await service.run_unsaved(caller, body.definition)).body())


@router.post(
    "/reports/run/export",
    operation_id="reports_run_export",
    response_class=StreamingResponse,
    summary="Export an unsaved report's result as CSV or XLSX",
    description="Needs the export permission on the entity's resource (deals: opportunities:export). Audited.",
    responses={**_FILE, **problem_responses(401, 403, 413, 422)},
)
async def export_unsaved(body: ReportRunBody, caller: READ, service: Reports, format: Format = "csv") -> Response:
    result = await service.export(caller, body.definition, None, format)
    return _file(result.body(), format, "report")


@router.get(
    "/reports",
    operation_id="reports_list",
    response_model=ReportList,
    summary="Your saved reports and those shared with one of your roles, by name",
    responses=problem_responses(401, 403),
)
async def list_reports(caller: READ, service: Reports) -> Response:
    return json_response({"items": await service.list(caller)})


@router.post(
    "/reports",
    operation_id="reports_create",
    status_code=201,
    response_model=ReportOut,
    summary="Save a report",
    description="The definition is checked against the entity's declared fields (422 naming the bad part). "
    "Sharing with roles needs reports:manage.",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_report(body: ReportCreate, caller: CREATE, service: Reports) -> Response:
    return _one(await service.create(caller, body.model_dump()), 201)


@router.get(
    "/reports/{report_id}",
    operation_id="reports_get",
    response_model=ReportOut,
    summary="A saved report (yours, or shared with one of your roles)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_report(report_id: ReportId, caller: READ, service: Reports) -> Response:
    return _one(await service.get(caller, report_id))


@router.patch(
    "/reports/{report_id}",
    operation_id="reports_update",
    response_model=ReportOut,
    summary="Change one of your saved reports",
    description="If-Match: the ETag of the read (412 when stale). Changing `shared_roles` needs reports:manage; "
    "a report shared with you is read-only (403).",
    responses=problem_responses(401, 403, 404, 412, 413, 422),
)
async def update_report(
    report_id: ReportId, body: ReportPatch, caller: UPDATE, service: Reports, if_match: IfMatch = None
) -> Response:
    updated = await service.update(caller, report_id, body.changes(), expected_version=expected_version(if_match))
    return _one(updated)


@router.delete(
    "/reports/{report_id}",
    operation_id="reports_delete",
    status_code=204,
    response_class=Response,
    summary="Delete one of your saved reports (soft)",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_report(report_id: ReportId, caller: DELETE, service: Reports) -> Response:
    await service.delete(caller, report_id)
    return Response(status_code=204)


@router.post(
    "/reports/{report_id}/run",
    operation_id="reports_run",
    response_model=ReportResult,
    summary="Run a saved report now, within your data range on its entity",
    responses=problem_responses(401, 403, 404, 422),
)
async def run_report(report_id: ReportId, caller: READ, service: Reports) -> Response:
    return json_response((await service.run(caller, report_id)).body())


@router.get(
    "/reports/{report_id}/export",
    operation_id="reports_export",
    response_class=StreamingResponse,
    summary="Export a saved report's result as CSV or XLSX",
    description="Needs the export permission on the entity's resource (deals: opportunities:export). Audited.",
    responses={**_FILE, **problem_responses(401, 403, 404, 422)},
)
async def export_report(report_id: ReportId, caller: READ, service: Reports, format: Format = "csv") -> Response:
    saved = await service.get(caller, report_id)
    result = await service.export(caller, saved.definition, report_id, format)
    return _file(result.body(), format, "report")
