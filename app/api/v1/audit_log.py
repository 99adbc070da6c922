"""/api/v1/audit-log: who changed what, newest first."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import page_response
from app.api.services import AuditLog
from app.api.v1.params import CursorParam, Limit
from app.api.v1.schemas.identity import AuditPage, NoNul
from app.auth.principal import Principal
from app.domain.identity.entities import AuditQuery
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/audit-log", tags=["audit_log"])

READ = Annotated[Principal, requires("audit_log:read")]


@router.get(
    "",
    operation_id="audit_log_list",
    response_model=AuditPage,
    summary="List audit entries, newest first",
    responses=problem_responses(401, 403, 422),
)
async def list_audit_log(
    caller: READ,
    service: AuditLog,
    actor_id: UUID | None = None,
    entity: Annotated[str | None, Query(max_length=50, description="user, role, customer, ..."), NoNul] = None,
    entity_id: UUID | None = None,
    action: Annotated[str | None, Query(max_length=100, description="user.created, auth.login, ..."), NoNul] = None,
    since: Annotated[AwareDatetime | None, Query(alias="from", description="Entries at or after this instant")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to", description="Entries before this instant")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    query = AuditQuery(
        actor_id=actor_id, entity=entity, entity_id=entity_id, action=action, since=since, until=until,
        limit=limit, cursor=cursor,
    )  # fmt: skip
    page = await service.list(caller, query)
    return page_response(page.items, page.next_cursor)
