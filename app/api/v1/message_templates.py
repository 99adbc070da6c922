"""/api/v1/message-templates: e-mail and SMS templates in zh-CN and en, their variables, and
previews rendered for a chosen contact or lead. Thin HTTP shapes around MessageTemplateService."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response, page_response, record_response
from app.api.services import MessageTemplates
from app.api.v1.params import IfMatch, expected_version
from app.api.v1.schemas.message_templates import (
    PreviewBody,
    PreviewOut,
    TemplateCreate,
    TemplateListParams,
    TemplateOut,
    TemplatePage,
    TemplatePatch,
    UnsavedPreviewBody,
    VariablesOut,
)
from app.auth.principal import Principal
from app.domain.marketing.sandbox import FILTERS
from app.domain.marketing.template_service import Preview, PreviewRequest
from app.domain.marketing.templates import TemplateQuery
from app.domain.marketing.variables import SAMPLE, catalogue

router = APIRouter(route_class=IdempotentRoute, tags=["message-templates"])

READ = Annotated[Principal, requires("message_templates:read")]
CREATE = Annotated[Principal, requires("message_templates:create")]
UPDATE = Annotated[Principal, requires("message_templates:update")]
DELETE = Annotated[Principal, requires("message_templates:delete")]
TemplateId = Annotated[UUID, Path()]
BASE = "/message-templates"

_one = partial(record_response, collection="message-templates")


def _content(body: TemplateCreate | TemplatePatch | UnsavedPreviewBody) -> dict[str, dict[str, Any]]:
    return {locale: parts.model_dump(exclude_none=True) for locale, parts in body.content.items()}


def _request(body: PreviewBody) -> PreviewRequest:
    return PreviewRequest(body.contact_id, body.lead_id, body.campaign_id, body.locale, body.timezone)


def _preview(preview: Preview) -> Response:
    message = preview.message
    return json_response(
        {
            "channel": preview.channel,
            "locale": preview.locale,
            "subject": message.subject,
            "html": message.html,
            "text": message.text,
            "sms_length": preview.sms_length,
            "missing": preview.missing,
            "sample": preview.sample,
        }
    )


@router.get(
    BASE,
    operation_id="message_templates_list",
    response_model=TemplatePage,
    summary="List message templates",
    description="Filters: `channel` (email, sms) and `q` (a part of the name). Without the bodies: GET one for them.",
    responses=problem_responses(401, 403, 422),
)
async def list_templates(
    caller: READ, service: MessageTemplates, params: Annotated[TemplateListParams, Query()]
) -> Response:
    query = TemplateQuery(params.channel, params.q, params.sort, params.limit, params.cursor)
    page = await service.list_page(caller, query)
    return page_response(page.items, page.next_cursor)


@router.post(
    BASE,
    operation_id="message_templates_create",
    status_code=201,
    response_model=TemplateOut,
    summary="Write a message template (e-mail or SMS, in zh-CN and/or en)",
    description="Each part is checked: a syntax error, an unknown variable or filter, or a part too long is a 422 "
    "naming the part (`content.en.subject`) and the line. A live template with the same name: 409.",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def create_template(body: TemplateCreate, caller: CREATE, service: MessageTemplates) -> Response:
    values = body.model_dump(exclude={"content"}) | {"content": _content(body)}
    return _one(await service.create(caller, values), 201)


@router.get(
    f"{BASE}/variables",
    operation_id="message_templates_variables",
    response_model=VariablesOut,
    summary="The variables and filters a template may use, with labels in both languages",
    responses=problem_responses(401, 403),
)
async def variables(caller: READ) -> Response:
    return json_response({"items": catalogue(), "filters": sorted(FILTERS), "sample": SAMPLE})


@router.post(
    f"{BASE}/preview",
    operation_id="message_templates_preview_unsaved",
    response_model=PreviewOut,
    summary="Render unsaved content as it would be sent (the editor's live preview)",
    description="Checked as a save is (422 naming the part). With `contact_id` or `lead_id` the record's values "
    "(404 outside your range); without, sample values. Nothing is stored.",
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def preview_unsaved(body: UnsavedPreviewBody, caller: READ, service: MessageTemplates) -> Response:
    preview = await service.preview_unsaved(caller, body.channel, _content(body), body.default_locale, _request(body))
    return _preview(preview)


@router.get(
    f"{BASE}/{{template_id}}",
    operation_id="message_templates_get",
    response_model=TemplateOut,
    summary="Read a message template (ETag for If-Match)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_template(template_id: TemplateId, caller: READ, service: MessageTemplates) -> Response:
    return _one(await service.get(caller, template_id))


@router.patch(
    f"{BASE}/{{template_id}}",
    operation_id="message_templates_update",
    response_model=TemplateOut,
    summary="Change a message template's name, description, default language or content",
    description="If-Match: the ETag of the read (412 when stale).",
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422),
)
async def update_template(
    template_id: TemplateId, body: TemplatePatch, caller: UPDATE, service: MessageTemplates, if_match: IfMatch = None
) -> Response:
    changes = body.changes()
    if "content" in changes:
        changes["content"] = _content(body)
    updated = await service.update(caller, template_id, changes, expected_version=expected_version(if_match))
    return _one(updated)


@router.delete(
    f"{BASE}/{{template_id}}",
    operation_id="message_templates_delete",
    status_code=204,
    response_class=Response,
    summary="Soft-delete a message template (restorable)",
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_template(template_id: TemplateId, caller: DELETE, service: MessageTemplates) -> Response:
    await service.delete(caller, template_id)
    return Response(status_code=204)


@router.post(
    f"{BASE}/{{template_id}}/restore",
    operation_id="message_templates_restore",
    response_model=TemplateOut,
    summary="Undo a soft delete (409 when a live template took the name meanwhile)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def restore_template(template_id: TemplateId, caller: DELETE, service: MessageTemplates) -> Response:
    return _one(await service.restore(caller, template_id))


@router.post(
    f"{BASE}/{{template_id}}/preview",
    operation_id="message_templates_preview",
    response_model=PreviewOut,
    summary="Render the template for a chosen contact or lead, as it would be sent",
    description="The record, its customer and owner, and the campaign are read within your ranges: outside them, 404. "
    "Without a record or campaign: sample values.",
    responses=problem_responses(401, 403, 404, 422),
)
async def preview(template_id: TemplateId, body: PreviewBody, caller: READ, service: MessageTemplates) -> Response:
    return _preview(await service.preview(caller, template_id, _request(body)))
