"""/api/v1/contacts/{id}/consents and /api/v1/leads/{id}/consents: a person's consent to marketing
messages per channel (app/domain/marketing/consent.py). Read with the record's read permission,
changed with its update permission, both within the caller's data range (404 outside it)."""

# No `from __future__ import annotations`: the routes are defined in a function, and FastAPI
# resolves their annotations at registration, where the local aliases are in scope only as objects.

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response
from app.api.services import Consents
from app.api.v1.schemas.marketing_consent import Channel, ConsentList, ConsentOut, ConsentPut
from app.auth.principal import Principal
from app.domain.marketing.consent import Subject

router = APIRouter(route_class=IdempotentRoute, tags=["consents"])

ChannelParam = Annotated[Channel, Path(description="email or sms")]


def _register(kind: str, collection: str) -> None:
    read = Annotated[Principal, requires(f"{collection}:read")]
    update = Annotated[Principal, requires(f"{collection}:update")]

    @router.get(
        f"/{collection}/{{record_id}}/consents",
        operation_id=f"{collection}_consents_list",
        response_model=ConsentList,
        summary=f"The {kind}'s marketing consent per channel",
        description=f"Needs {collection}:read and the {kind} in the caller's data range. A channel never "
        "recorded is absent (no consent).",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def list_consents(record_id: UUID, caller: read, service: Consents) -> Response:
        return json_response({"items": await service.list(caller, Subject(kind, record_id))})  # type: ignore[arg-type]

    @router.put(
        f"/{collection}/{{record_id}}/consents/{{channel}}",
        operation_id=f"{collection}_consents_put",
        response_model=ConsentOut,
        summary=f"Record the {kind}'s consent (granted or withdrawn) for a channel",
        description=f"Needs {collection}:update and the {kind} in the caller's data range. The time and the "
        "caller are recorded; every change is audited and published as marketing_consent.changed.",
        responses=problem_responses(401, 403, 404, 413, 422),
    )
    async def put_consent(
        record_id: UUID, channel: ChannelParam, body: ConsentPut, caller: update, service: Consents
    ) -> Response:
        subject = Subject(kind, record_id)  # type: ignore[arg-type]
        return json_response(await service.set(caller, subject, channel, body.status, body.source, body.proof))


_register("contact", "contacts")
_register("lead", "leads")
