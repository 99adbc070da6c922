"""Notification use cases: a user lists and marks their own; the worker's handlers make them."""

from __future__ import annotations

import builtins
from datetime import datetime
from uuid import UUID

from app.auth.principal import Principal
from app.domain.notifications.entities import NewNotification, Notification, OutboxEvent
from app.domain.notifications.ports import DueReminders, NotificationRepository, RottingDeals
from app.domain.shared.clock import utcnow
from app.domain.shared.paging import Page

ENTITY_LABELS = {"customer": "A customer", "contact": "A contact", "lead": "A lead", "opportunity": "A deal",
                 "activity": "An activity", "ticket": "A ticket"}  # fmt: skip


UNREAD_CAP = 1000


class NotificationService:
    def __init__(self, notifications: NotificationRepository) -> None:
        self.notifications = notifications

    async def list(self, principal: Principal, *, unread: bool, limit: int, cursor: str | None) -> Page[Notification]:
        return await self.notifications.list(
            principal.tenant_id, principal.user_id, unread=unread, limit=limit, cursor=cursor
        )

    async def unread_count(self, principal: Principal) -> int:
        """How many of the caller's notifications are unread, counted up to UNREAD_CAP (a badge
        shows "99+" long before; the cap keeps the count cheap for someone who never reads)."""
        return await self.notifications.unread_count(principal.tenant_id, principal.user_id, UNREAD_CAP)

    async def mark_read(self, principal: Principal, ids: builtins.list[UUID] | None) -> int:
        return await self.notifications.mark_read(principal.tenant_id, principal.user_id, ids)


async def on_assigned(event: OutboxEvent, notifications: NotificationRepository) -> None:
    """`<entity>.assigned`: tell the new owner."""
    changes = event.payload.get("changes")
    owner = changes.get("owner_id", {}).get("after") if isinstance(changes, dict) else None
    if owner is None:
        return
    label = ENTITY_LABELS.get(event.entity, "A record")
    await notifications.add(
        NewNotification(
            event.tenant_id,
            UUID(str(owner)),
            "assigned",
            f"{label} was assigned to you",
            event.entity,
            event.entity_id,
            dedupe_key=f"event:{event.id}",
        )
    )


def rotting_key(deal_id: UUID, entered_stage_at: datetime) -> str:
    """One rotting notice per deal and stage entry (a deal that moves on and stalls again is told again)."""
    return f"rotting:{deal_id}:{int(entered_stage_at.timestamp())}"


async def flag_rotting_deals(deals: RottingDeals, notifications: NotificationRepository, limit: int = 500) -> int:
    """Tell each owner once about each deal idle in its stage past the stage's rotting days."""
    told = 0
    for tenant_id, deal_id, owner_id, name, stage, entered in await deals.rotting(utcnow(), limit):
        made = await notifications.add(
            NewNotification(
                tenant_id,
                owner_id,
                "rotting",
                f"The deal {name!r} has been idle in {stage!r} too long",
                "opportunity",
                deal_id,
                dedupe_key=rotting_key(deal_id, entered),
            )
        )
        told += made
    return told


async def send_reminders(reminders: DueReminders, notifications: NotificationRepository, limit: int = 500) -> int:
    """A notification for each task or appointment whose reminder time has come."""
    sent = 0
    for tenant_id, activity_id, person, subject, when in await reminders.due(utcnow(), limit):
        sent += await notifications.add(
            NewNotification(
                tenant_id,
                person,
                "reminder",
                f"Reminder: {subject} at {when.isoformat(timespec='minutes')}",
                "activity",
                activity_id,
                dedupe_key=f"reminder:{activity_id}:{int(when.timestamp())}",
            )
        )
    return sent
