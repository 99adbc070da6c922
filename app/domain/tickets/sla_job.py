"""The worker's SLA job: a ticket past 80% of a target (first response, resolution) publishes
`ticket.sla_warning`, one past the target `ticket.sla_breached`, and the assignee and the team's
manager are notified — each alert once per ticket, target and kind, however often the job runs.
A paused (pending) ticket's resolution clock stands still, so it is not alerted on meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from app.domain.notifications.entities import NewNotification
from app.domain.notifications.ports import NotificationRepository
from app.domain.shared.ports import EventOutbox

LABELS = {"first_response": "first response", "resolution": "resolution"}


@dataclass(frozen=True, slots=True)
class SlaAlert:
    tenant_id: UUID
    ticket_id: UUID
    number: str
    subject: str
    target: str  # first_response | resolution
    kind: str  # warning | breached
    due_at: datetime
    owner_id: UUID | None
    manager_id: UUID | None  # the team's manager, when the ticket has a team that has one


class SlaAlerts(Protocol):
    async def due(self, now: datetime, limit: int) -> list[SlaAlert]:
        """Alerts whose time has come and that were not given yet, across tenants."""
        ...

    async def mark(self, alert: SlaAlert) -> bool:
        """Record the alert as given; False when another worker gave it first."""
        ...


async def check_slas(
    alerts: SlaAlerts, notifications: NotificationRepository, outbox: EventOutbox, now: datetime, limit: int = 500
) -> int:
    given = 0
    for alert in await alerts.due(now, limit):
        if not await alerts.mark(alert):
            continue
        given += 1
        payload = {"id": alert.ticket_id, "number": alert.number, "target": alert.target, "due_at": alert.due_at}
        await outbox.publish(alert.tenant_id, f"ticket.sla_{alert.kind}", "ticket", alert.ticket_id, payload)
        what = "will miss" if alert.kind == "warning" else "missed"
        title = f"Ticket {alert.number} {what} its {LABELS[alert.target]} target ({alert.subject})"
        for person in dict.fromkeys(p for p in (alert.owner_id, alert.manager_id) if p is not None):
            await notifications.add(
                NewNotification(
                    alert.tenant_id,
                    person,
                    f"sla_{alert.kind}",
                    title[:300],
                    "ticket",
                    alert.ticket_id,
                    dedupe_key=f"sla:{alert.ticket_id}:{alert.target}:{alert.kind}",
                )
            )
    return given
