"""/api/v1/public/lead-forms/{form_key}: where a tenant's web forms post leads. No credentials:
the form key is all the caller holds (app/domain/leads/capture.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.api.deps import AppSettings
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.middleware import client_address
from app.api.responses import json_response
from app.api.services import Capture
from app.api.v1.schemas.leads import LeadFormSubmission, Received

router = APIRouter(route_class=IdempotentRoute, tags=["public"])


@router.post(
    "/public/lead-forms/{form_key}",
    operation_id="public_lead_forms_submit",
    status_code=202,
    response_model=Received,
    summary="Submit a lead through a public web form",
    description="Only the fields the form allows; a few submissions per address and form in ten minutes "
    "(429 with Retry-After beyond). The answer is the same whether or not the person was known.",
    responses=problem_responses(404, 413, 422, 429),
)
async def submit_lead_form(
    request: Request,
    form_key: Annotated[str, Path(min_length=8, max_length=64, pattern=r"^lf_[A-Za-z0-9_-]+$")],
    body: LeadFormSubmission,
    capture: Capture,
    settings: AppSettings,
) -> Response:
    address = client_address(request.scope, settings.trust_forwarded_for)
    await capture.submit(form_key, body.model_dump(exclude_unset=True), address)
    return json_response({"status": "received"}, 202)
