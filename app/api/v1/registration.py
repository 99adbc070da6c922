"""/api/v1/campaigns/{id}/registration, .../check-in and .../members/{member_id}/cancel-registration:
a campaign's public registration as its staff sees it (app/domain/marketing/registration)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import etag_for, json_response
from app.api.services import Registrations
from app.api.v1.params import IfMatch, expected_version
from app.api.v1.schemas.registration import (
    CancelRegistrationOut,
    CheckInIn,
    CheckInOut,
    RegistrationSettingsIn,
    RegistrationSettingsOut,
)
from app.auth.principal import Principal
from app.domain.marketing.registration.entities import Member
from app.domain.marketing.registration.service import SettingsView

router = APIRouter(route_class=IdempotentRoute, tags=["campaigns"])

READ = Annotated[Principal, requires("campaigns:read")]
UPDATE = Annotated[Principal, requires("campaigns:update")]


def settings_body(view: SettingsView) -> dict[str, Any]:
    campaign, form = view.campaign, view.campaign.form
    return {
        "campaign_id": campaign.id,
        "open": campaign.registration_open,
        "page_live": campaign.published,
        "public_key": campaign.public_key,
        "public_url": view.public_url,
        "fields": [{"options": [], "required": False, **f} for f in form.get("fields") or []],
        "consents": [{"required": False, **c} for c in form.get("consents") or []],
        "capacity": campaign.capacity,
        "confirmation": form.get("confirmation") or {},
        "sessions": [
            {
                "id": s.id,
                "name": s.name,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "location": s.location,
                "online_url": s.online_url,
                "capacity": s.capacity,
                "registered": s.taken,
                "seats_left": s.seats_left(),
            }
            for s in view.sessions
        ],
        "registered": view.tally.registered,
        "waitlisted": view.tally.waitlisted,
        "cancelled": view.tally.cancelled,
        "attended": view.tally.attended,
        "version": campaign.version,
    }


def member_body(member: Member) -> dict[str, Any]:
    given = member.registration
    return {
        "id": member.id,
        "campaign_id": member.campaign_id,
        "contact_id": member.contact_id,
        "lead_id": member.lead_id,
        "status": member.status,
        "registration_status": member.registration_status,
        "session_id": member.session_id,
        "name": given.get("name"),
        "email": given.get("email"),
        "phone": given.get("phone"),
        "company": given.get("company"),
        "check_in_code": member.checkin_code,
        "registered_at": member.registered_at,
        "attended_at": member.attended_at,
    }


@router.get(
    "/campaigns/{campaign_id}/registration",
    operation_id="campaigns_registration_get",
    response_model=RegistrationSettingsOut,
    summary="A campaign's public registration: settings, public link, seats and counts",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_registration(campaign_id: UUID, caller: READ, service: Registrations) -> Response:
    view = await service.settings(caller, campaign_id)
    return json_response(settings_body(view), headers={"ETag": etag_for(view.campaign.version)})


@router.put(
    "/campaigns/{campaign_id}/registration",
    operation_id="campaigns_registration_put",
    response_model=RegistrationSettingsOut,
    summary="Set a campaign's public registration: open or closed, form, consents, capacity, confirmation",
    description="The first opening makes the page's random key (kept when closed and opened again). Raising or "
    "removing the capacity promotes waitlisted registrations into the new seats. If-Match (the campaign's ETag) "
    "is honoured: 412 when stale.",
    responses=problem_responses(401, 403, 404, 412, 413, 422),
)
async def put_registration(
    campaign_id: UUID,
    body: RegistrationSettingsIn,
    caller: UPDATE,
    service: Registrations,
    if_match: IfMatch = None,
) -> Response:
    values = {
        "open": body.open,
        "capacity": body.capacity,
        "form": {
            "fields": [f.model_dump() for f in body.fields],
            "consents": [c.model_dump() for c in body.consents],
            "confirmation": body.confirmation or {},
        },
    }
    view = await service.configure(caller, campaign_id, values, expected_version=expected_version(if_match))
    return json_response(settings_body(view), headers={"ETag": etag_for(view.campaign.version)})


@router.post(
    "/campaigns/{campaign_id}/members/{member_id}/cancel-registration",
    operation_id="campaigns_members_cancel_registration",
    response_model=CancelRegistrationOut,
    summary="Cancel a member's registration; the freed seat goes to the first waitlisted member",
    description="Cancelling again changes nothing. 409 when the member has no registration.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cancel_registration(campaign_id: UUID, member_id: UUID, caller: UPDATE, service: Registrations) -> Response:
    done = await service.cancel(caller, campaign_id, member_id)
    return json_response({"member": member_body(done.member), "promoted": [member_body(p) for p in done.promoted]})


@router.post(
    "/campaigns/{campaign_id}/check-in",
    operation_id="campaigns_check_in",
    response_model=CheckInOut,
    summary="Check a registered person in by check-in code or member id: the member becomes attended",
    description="Checking in twice is harmless (`already_checked_in`). 409 for a waitlisted or cancelled "
    "registration, or a member who never registered; 404 for a code unknown in this campaign.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def check_in(campaign_id: UUID, body: CheckInIn, caller: UPDATE, service: Registrations) -> Response:
    done = await service.check_in(caller, campaign_id, code=body.code, member_id=body.member_id)
    return json_response({**member_body(done.member), "already_checked_in": done.already})
