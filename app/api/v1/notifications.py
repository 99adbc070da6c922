"""/api/v1/notifications: the caller's own notifications (no permission beyond being signed in)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentPrincipal
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response
from app.api.services import Notifications
from app.api.v1.params import CursorParam, Limit
from app.api.v1.schemas.common import RequestModel
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/notifications", tags=["notifications"])


class NotificationOut(BaseModel):
    id: UUID
    kind: str = Field(description="assigned, rotting, ...")
    title: str
    entity: str | None
    entity_id: UUID | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None


class MarkRead(RequestModel):
    ids: list[UUID] | None = Field(None, max_length=500, description="These; omitted: all unread.")


class MarkedRead(BaseModel):
    marked: int


class UnreadCount(BaseModel):
    unread: int = Field(description="Unread notifications, counted up to 1,000.")


@router.get(
    "",
    operation_id="notifications_list",
    response_model=NotificationPage,
    summary="Your notifications, newest first",
    responses=problem_responses(401, 422),
)
async def list_notifications(
    caller: CurrentPrincipal,
    service: Notifications,
    unread: Annotated[bool, Query(description="Only the unread ones.")] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    page = await service.list(caller, unread=unread, limit=limit, cursor=cursor)
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


@router.get(
    "/unread-count",
    operation_id="notifications_unread_count",
    response_model=UnreadCount,
    summary="How many of your notifications are unread (for a badge)",
    responses=problem_responses(401),
)
async def unread_count(caller: CurrentPrincipal, service: Notifications) -> Response:
    return json_response({"unread": await service.unread_count(caller)})


@router.post(
    "/read",
    operation_id="notifications_mark_read",
    response_model=MarkedRead,
    summary="Mark notifications read",
    responses=problem_responses(401, 413, 422),
)
async def mark_read(body: MarkRead, caller: CurrentPrincipal, service: Notifications) -> Response:
    return json_response({"marked": await service.mark_read(caller, body.ids)})
