"""/api/v1/segments: saved audiences of contacts and leads (CRUD with ETag / If-Match), their
fields, the preview (saved or unsaved) and the freeze into a campaign's members. Thin HTTP shapes
around SegmentService (app/domain/marketing/segments.py)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, record_response
from app.api.services import Segments
from app.api.v1.params import IfMatch, expected_version
from app.api.v1.schemas.segments import (
    Audience,
    FieldList,
    FreezeBody,
    FreezeOut,
    SegmentCreate,
    SegmentList,
    SegmentOut,
    SegmentPatch,
    SegmentPreviewBody,
    SegmentPreviewOut,
)
from app.auth.principal import Principal
from app.domain.marketing.segments import Audience as AudienceKind

router = APIRouter(route_class=IdempotentRoute, tags=["segments"])

READ = Annotated[Principal, requires("segments:read")]
CREATE = Annotated[Principal, requires("segments:create")]
UPDATE = Annotated[Principal, requires("segments:update")]
DELETE = Annotated[Principal, requires("segments:delete")]
FREEZE = Annotated[Principal, requires("segments:read", "campaigns:update")]
SegmentId = Annotated[UUID, Path()]

_one = partial(record_response, collection="segments")


@router.get(
    "/segments",
    operation_id="segments_list",
    response_model=SegmentList,
    summary="The tenant's segments, by name",
    responses=problem_responses(401, 403),
)
async def list_segments(caller: READ, service: Segments) -> Response:
    return json_response({"items": await service.list(caller)})


@router.get(
    "/segments/fields",
    operation_id="segments_fields",
    response_model=FieldList,
    summary="The fields a segment's conditions may use, with their kinds and operators",
    description="For `audience=both`, the fields contacts and leads share, plus the custom fields of either.",
    responses=problem_responses(401, 403, 422),
)
async def segment_fields(
    caller: READ, service: Segments, audience: Annotated[Audience, Query()] = "contacts"
) -> Response:
    specs = await service.fields(caller, AudienceKind(audience))
    items = [
        {"name": f.name, "kind": f.kind.value, "label": f.label, "operators": [str(o) for o in f.operators],
         "choices": list(f.choices)}
        for f in specs
    ]  # fmt: skip
    return json_response({"items": items})


@router.post(
    "/segments",
    operation_id="segments_create",
    status_code=201,
    response_model=SegmentOut,
    summary="Save a segment",
    description="The conditions are checked against the declared fields: an unknown field or operator, or a value "
    "of the wrong type, is a 422 naming the condition's path.",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_segment(body: SegmentCreate, caller: CREATE, service: Segments) -> Response:
    return _one(await service.create(caller, body.model_dump()), 201)


@router.post(
    "/segments/preview",
    operation_id="segments_preview_unsaved",
    response_model=SegmentPreviewOut,
    summary="Count and sample the records unsaved conditions match, within your data ranges",
    description="What the segment builder's live count calls. Nothing is saved.",
    responses=problem_responses(401, 403, 413, 422),
)
async def preview_unsaved(body: SegmentPreviewBody, caller: READ, service: Segments) -> Response:
    preview = await service.preview_unsaved(caller, AudienceKind(body.audience), body.conditions)
    return json_response(preview)


@router.get(
    "/segments/{segment_id}",
    operation_id="segments_get",
    response_model=SegmentOut,
    summary="A segment",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_segment(segment_id: SegmentId, caller: READ, service: Segments) -> Response:
    return _one(await service.get(caller, segment_id))


@router.patch(
    "/segments/{segment_id}",
    operation_id="segments_update",
    response_model=SegmentOut,
    summary="Change a segment",
    description="If-Match: the ETag of the read (412 when stale).",
    responses=problem_responses(401, 403, 404, 412, 413, 422),
)
async def update_segment(
    segment_id: SegmentId, body: SegmentPatch, caller: UPDATE, service: Segments, if_match: IfMatch = None
) -> Response:
    updated = await service.update(caller, segment_id, body.changes(), expected_version=expected_version(if_match))
    return _one(updated)


@router.delete(
    "/segments/{segment_id}",
    operation_id="segments_delete",
    status_code=204,
    response_class=Response,
    summary="Delete a segment (soft)",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_segment(segment_id: SegmentId, caller: DELETE, service: Segments) -> Response:
    await service.delete(caller, segment_id)
    return Response(status_code=204)


@router.post(
    "/segments/{segment_id}/restore",
    operation_id="segments_restore",
    response_model=SegmentOut,
    summary="Restore a deleted segment",
    responses=problem_responses(401, 403, 404, 422),
)
async def restore_segment(segment_id: SegmentId, caller: DELETE, service: Segments) -> Response:
    return _one(await service.restore(caller, segment_id))


@router.post(
    "/segments/{segment_id}/preview",
    operation_id="segments_preview",
    response_model=SegmentPreviewOut,
    summary="Count and sample the records a saved segment matches now, within your data ranges",
    responses=problem_responses(401, 403, 404, 422),
)
async def preview_segment(segment_id: SegmentId, caller: READ, service: Segments) -> Response:
    return json_response(await service.preview(caller, segment_id))


@router.post(
    "/segments/{segment_id}/freeze",
    operation_id="segments_freeze",
    response_model=FreezeOut,
    summary="Add the records the segment matches now to a campaign's members (a static snapshot)",
    description="Members are added with status `targeted` and source `segment`; records already members stay as "
    "they are and are counted in `already_members`. The campaign must be within your campaigns update range "
    "(404 otherwise); the records, within your contacts and leads read ranges.",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def freeze_segment(segment_id: SegmentId, body: FreezeBody, caller: FREEZE, service: Segments) -> Response:
    return json_response(await service.freeze(caller, segment_id, body.campaign_id))
