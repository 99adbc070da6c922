"""Message sends (issue 14): a template to an audience (a campaign's members, optionally only some
of their statuses, or a segment), now or at `scheduled_at`, at most `rate_per_minute`.

- Creating, cancelling: campaigns:update on a campaign within the caller's range (404 otherwise)
  and message_templates:read; a segment audience needs segments:read. Reading: campaigns:read.
- Recipients are only contacts and leads within the SENDER's contacts:read / leads:read range,
  taken when the worker starts the send (the sender's roles as they are then): members outside it
  are counted as skipped `out_of_range`, never sent.
- Consent (the default, PIPL-style opt-in): a message reaches only recipients whose consent for
  the send's channel is `granted` (app/repositories/tables.py marketing_consents); no consent
  record or a withdrawn one is skipped `no_consent`. Other skips: `no_address`, `suppressed`
  (the normalized address is on the suppression list), `duplicate` (the same normalized address
  earlier in the same send), `cancelled` (left when the send was cancelled).
- The worker delivers (app/domain/marketing/delivery.py); this module only keeps the sends.
Every write is audited with its outbox event (`message_send.created|cancelled`; the worker
publishes `message_send.started|completed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.marketing.funnel import STATUSES
from app.domain.shared import clock
from app.domain.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.ports import AuditTrail, NewEvent
from app.domain.shared.scope import DataScope

ENTITY = "message_send"
RESOURCE = "campaigns"
AUDIENCES = ("members", "segment")
LOCALES = ("zh-CN", "en")
# A send's life: scheduled -> sending -> completed, or cancelled / failed.
ACTIVE = ("scheduled", "preparing", "sending")
SKIP_REASONS = ("out_of_range", "no_address", "suppressed", "no_consent", "duplicate", "cancelled")
MAX_RATE = 100_000
# How far ahead a send may be scheduled.
MAX_AHEAD = timedelta(days=366)


@dataclass(slots=True)
class MessageSend:
    id: UUID
    campaign_id: UUID
    template_id: UUID
    channel: str
    audience: str
    segment_id: UUID | None
    member_statuses: list[str] | None
    locale: str | None
    status: str
    scheduled_at: datetime | None
    rate_per_minute: int | None
    queued: int
    sent: int
    failed: int
    skipped: int
    skipped_reasons: dict[str, int]
    started_at: datetime | None
    completed_at: datetime | None
    error: str | None
    owner_id: UUID
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class TemplateRef:
    id: UUID
    channel: str
    name: str


class SendRepository(Protocol):
    async def campaign_in_scope(self, scope: DataScope, campaign_id: UUID, *, lock: bool = False) -> bool: ...

    async def template(self, tenant_id: UUID, template_id: UUID) -> TemplateRef | None:
        """The live template (any channel)."""
        ...

    async def segment_exists(self, tenant_id: UUID, segment_id: UUID) -> bool: ...

    async def insert(self, tenant_id: UUID, values: dict[str, Any]) -> MessageSend: ...

    async def list_for_campaign(self, tenant_id: UUID, campaign_id: UUID) -> list[MessageSend]:
        """Newest first."""
        ...

    async def get(self, scope: DataScope, send_id: UUID, *, for_update: bool = False) -> MessageSend | None:
        """The send, when its campaign is within `scope`."""
        ...

    async def cancel(self, tenant_id: UUID, send_id: UUID, actor: UUID) -> MessageSend:
        """Status cancelled; the deliveries still queued become skipped `cancelled` (those a
        worker holds finish)."""
        ...


class SendService:
    def __init__(self, sends: SendRepository, audit: AuditTrail) -> None:
        self.sends = sends
        self.audit = audit

    async def create(self, principal: Principal, campaign_id: UUID, values: dict[str, Any]) -> MessageSend:
        scope = principal.scope(RESOURCE, "update")
        principal.require("message_templates", "read")
        if not await self.sends.campaign_in_scope(scope, campaign_id, lock=True):
            raise NotFound("no such campaign")
        errors: list[FieldError] = []
        template = await self.sends.template(principal.tenant_id, values["template_id"])
        if template is None:
            errors.append(FieldError("template_id", "no such message template"))
        audience = values.get("audience", "members")
        segment_id = values.get("segment_id")
        statuses = values.get("member_statuses")
        if audience == "segment":
            principal.require("segments", "read")
            if segment_id is None:
                errors.append(FieldError("segment_id", "required for a segment audience"))
            elif not await self.sends.segment_exists(principal.tenant_id, segment_id):
                errors.append(FieldError("segment_id", "no such segment"))
            if statuses:
                errors.append(FieldError("member_statuses", "only for a members audience"))
        elif segment_id is not None:
            errors.append(FieldError("segment_id", "only for a segment audience"))
        for status in statuses or []:
            if status not in STATUSES:
                errors.append(FieldError("member_statuses", f"unknown member status {status!r}"))
        now = clock.utcnow()
        scheduled_at = values.get("scheduled_at") or now
        if scheduled_at > now + MAX_AHEAD:
            errors.append(FieldError("scheduled_at", "must be within a year"))
        if errors:
            raise ValidationFailed(errors)
        assert template is not None
        row = {
            "id": new_id(),
            "campaign_id": campaign_id,
            "template_id": template.id,
            "channel": template.channel,
            "audience": audience,
            "segment_id": segment_id,
            "member_statuses": sorted(set(statuses)) if statuses else None,
            "locale": values.get("locale"),
            "status": "scheduled",
            "scheduled_at": max(scheduled_at, now),
            "rate_per_minute": values.get("rate_per_minute"),
            "owner_id": principal.user_id,
            "department_id": principal.department_id,
            "created_by": principal.user_id,
            "updated_by": principal.user_id,
        }
        made = await self.sends.insert(principal.tenant_id, row)
        facts = {"campaign_id": campaign_id, "template_id": template.id, "channel": template.channel,
                 "audience": audience, "segment_id": segment_id, "scheduled_at": made.scheduled_at}  # fmt: skip
        await self.audit.record(
            principal, f"{ENTITY}.created", ENTITY, made.id,
            {k: {"before": None, "after": v} for k, v in facts.items()},
            events=[NewEvent(f"{ENTITY}.created", ENTITY, made.id, {"id": made.id, **facts})],
        )  # fmt: skip
        return made

    async def list(self, principal: Principal, campaign_id: UUID) -> list[MessageSend]:
        if not await self.sends.campaign_in_scope(principal.scope(RESOURCE, "read"), campaign_id):
            raise NotFound("no such campaign")
        return await self.sends.list_for_campaign(principal.tenant_id, campaign_id)

    async def get(self, principal: Principal, send_id: UUID) -> MessageSend:
        found = await self.sends.get(principal.scope(RESOURCE, "read"), send_id)
        if found is None:
            raise NotFound("no such send")
        return found

    async def cancel(self, principal: Principal, send_id: UUID) -> MessageSend:
        current = await self.sends.get(principal.scope(RESOURCE, "update"), send_id, for_update=True)
        if current is None:
            raise NotFound("no such send")
        if current.status not in ACTIVE:
            raise Conflict(f"the send is {current.status}", existing_id=str(send_id))
        cancelled = await self.sends.cancel(principal.tenant_id, send_id, principal.user_id)
        change = {"status": {"before": current.status, "after": "cancelled"}}
        await self.audit.record(
            principal, f"{ENTITY}.cancelled", ENTITY, send_id, change,
            events=[NewEvent(f"{ENTITY}.cancelled", ENTITY, send_id,
                             {"id": send_id, "campaign_id": current.campaign_id, "sent": cancelled.sent})],
        )  # fmt: skip
        return cancelled
