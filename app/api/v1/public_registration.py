"""/api/v1/public/campaigns/{key} and /api/v1/public/registrations/{token}: an event's public
registration page and a registrant's own cancel link. No credentials: the page's random key, or
the signed link, is all the caller holds (app/domain/marketing/registration)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import Response

from app.api.deps import AppSettings
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.middleware import client_address
from app.api.responses import json_response
from app.api.services import Registrations
from app.api.v1.schemas.registration import (
    CancelledOut,
    PublicEventOut,
    PublicRegistrationOut,
    RegistrationIn,
    RegistrationOut,
)
from app.domain.marketing.registration.rules import language_of

router = APIRouter(route_class=IdempotentRoute, tags=["public"])

Key = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^ev_[A-Za-z0-9_-]+$")]
Token = Annotated[str, Path(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_.-]+$")]
AcceptLanguage = Annotated[
    str | None, Header(max_length=500, description="zh-CN or en: the language of the answer's messages.")
]


@router.get(
    "/public/campaigns/{key}",
    operation_id="public_campaigns_get",
    response_model=PublicEventOut,
    summary="What an event's public registration page shows",
    description="Sessions with the seats left, the form, the consent checkboxes, and whether registration is "
    "open, full (a registration goes to the waiting list) or closed. 404 for an unknown key, or an event whose "
    "registration is not open (closed, draft, cancelled).",
    responses=problem_responses(404, 422),
)
async def public_event(key: Key, service: Registrations, accept_language: AcceptLanguage = None) -> Response:
    page = await service.page(key, language_of(accept_language))
    campaign, form = page.campaign, page.campaign.form
    sessions = []
    for s in page.sessions:
        left = s.seats_left()
        if page.seats_left() is not None:
            left = page.seats_left() if left is None else min(left, page.seats_left() or 0)
        sessions.append(
            {
                "id": s.id,
                "name": s.name,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "location": s.location,
                "online_url": s.online_url,
                "capacity": s.capacity,
                "seats_left": left,
                "full": left == 0,
            }
        )
    return json_response(
        {
            "key": campaign.public_key,
            "name": campaign.name,
            "description": campaign.description,
            "type": campaign.campaign_type,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "state": page.state,
            "waitlist": page.state == "full",
            "capacity": campaign.capacity,
            "seats_left": page.seats_left(),
            "sessions": sessions,
            "fields": [{"options": [], "required": False, **f} for f in form.get("fields") or []],
            "consents": [{"required": False, **c} for c in form.get("consents") or []],
        }
    )


@router.post(
    "/public/campaigns/{key}/registrations",
    operation_id="public_campaigns_register",
    response_model=RegistrationOut,
    summary="Register for an event on its public page",
    description="Name, an e-mail or a phone, company, the session, the form's answers and the consent "
    "checkboxes. Past the capacity (the event's or the session's) the registration is waitlisted. The same "
    "person registering again changes nothing. 422 lists every bad field in the language of Accept-Language "
    "(zh-CN or en); 409 when registration has closed; a few registrations per address in ten minutes (429 "
    "with Retry-After beyond). A confirmation e-mail follows when an e-mail is given.",
    responses=problem_responses(404, 409, 413, 422, 429),
)
async def register(
    request: Request,
    key: Key,
    body: RegistrationIn,
    service: Registrations,
    settings: AppSettings,
    accept_language: AcceptLanguage = None,
) -> Response:
    address = client_address(request.scope, settings.trust_forwarded_for)
    done = await service.register(key, body.model_dump(), address, language_of(accept_language))
    return json_response(
        {
            "status": done.status,
            "check_in_code": done.checkin_code,
            "message": done.message,
            "language": done.language,
            "already_registered": done.repeated,
        }
    )


@router.get(
    "/public/registrations/{token}",
    operation_id="public_registrations_get",
    response_model=PublicRegistrationOut,
    summary="The registration a cancel link (from the confirmation e-mail) is about",
    responses=problem_responses(404, 422),
)
async def view_registration(token: Token, service: Registrations) -> Response:
    found = await service.link(token)
    return json_response(
        {
            "event": found.campaign.name,
            "name": found.member.registration.get("name") or "",
            "session": found.session.name if found.session else None,
            "starts_at": found.session.starts_at if found.session else None,
            "status": found.member.registration_status,
        }
    )


@router.post(
    "/public/registrations/{token}/cancel",
    operation_id="public_registrations_cancel",
    response_model=CancelledOut,
    summary="Cancel one's own registration through the link of the confirmation e-mail",
    description="The seat goes to the first person on the waiting list. Cancelling again changes nothing.",
    responses=problem_responses(404, 409, 422),
)
async def cancel_registration(token: Token, service: Registrations) -> Response:
    await service.cancel_by_link(token)
    return json_response({"status": "cancelled"})
