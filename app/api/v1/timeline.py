"""/api/v1/customers/{id}/timeline: a customer's activities and key changes, newest first."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response
from app.api.services import Timeline
from app.api.v1.params import CursorParam, Limit
from app.api.v1.schemas.timeline import TimelinePage
from app.auth.principal import Principal
from app.domain.shared.paging import DEFAULT_LIMIT
from app.domain.timeline.entities import TimelineQuery

router = APIRouter(route_class=IdempotentRoute, prefix="/customers", tags=["customers"])


@router.get(
    "/{customer_id}/timeline",
    operation_id="customers_timeline",
    response_model=TimelinePage,
    summary="A customer's activities and key changes, newest first",
    description="Merges the customer's activities (those within your activities range) with the changes "
    "of its owner and status, its creation, deletion, restoration and merges, ordered by time.",
    responses=problem_responses(401, 403, 404, 422),
)
async def customer_timeline(
    customer_id: UUID,
    caller: Annotated[Principal, requires("customers:read")],
    service: Timeline,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    page = await service.page(caller, customer_id, TimelineQuery(limit=limit, cursor=cursor))
    return json_response({"items": page.items, "next_cursor": page.next_cursor})
