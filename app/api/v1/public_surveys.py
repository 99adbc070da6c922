"""/api/v1/public/surveys/{token}: a customer's satisfaction survey link. No credentials: the
token is all the caller holds and all it reaches (app/domain/surveys/service.py, PublicSurveys)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.api.deps import AppSettings
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.middleware import client_address
from app.api.responses import json_response
from app.api.services import PublicSurveyLinks
from app.api.v1.schemas.surveys import PublicAnswer, PublicSurveyOut, Thanks

router = APIRouter(route_class=IdempotentRoute, tags=["public"])

Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get(
    "/public/surveys/{token}",
    operation_id="public_surveys_get",
    response_model=PublicSurveyOut,
    summary="The questions of a survey link, with the organization and the ticket's subject",
    description="404 for an unknown link, 410 once it expired or was replaced, 409 once answered.",
    responses=problem_responses(404, 409, 410, 422),
)
async def view_survey(token: Token, links: PublicSurveyLinks) -> Response:
    found = await links.view(token)
    return json_response(
        {
            "organization": found.tenant_name,
            "subject": found.ticket_subject,
            "name": found.survey.name,
            "description": found.survey.description,
            "questions": found.survey.questions,
            "expires_at": found.invitation.expires_at,
        }
    )


@router.post(
    "/public/surveys/{token}",
    operation_id="public_surveys_answer",
    response_model=Thanks,
    summary="Answer a survey link (once)",
    description="Only `answers`, each valid for its question's type (422 names the bad ones). 404 unknown link, "
    "410 expired or replaced, 409 already answered; a few answers per address in ten minutes (429 beyond).",
    responses=problem_responses(404, 409, 410, 413, 422, 429),
)
async def answer_survey(
    request: Request, token: Token, body: PublicAnswer, links: PublicSurveyLinks, settings: AppSettings
) -> Response:
    address = client_address(request.scope, settings.trust_forwarded_for)
    await links.answer(token, body.answers, address)
    return json_response({"status": "answered"})
