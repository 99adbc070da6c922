"""Consent to marketing messages, per contact or lead and channel (e-mail, SMS): who agreed or
withdrew, when, where (source) and on what evidence (proof). The row holds the current state;
every change is an audit entry (the history) and a `marketing_consent.changed` event.

`ConsentRecorder.record` is the one way to change consent: the consents API, the public
unsubscribe, and the registration page's consent checkboxes all go through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal
from uuid import UUID

from app.auth.principal import Principal
from app.domain.marketing.ports import ConsentRepository
from app.domain.shared.errors import NotFound
from app.domain.shared.ports import AuditTrail, NewEvent, diff

Channel = Literal["email", "sms"]
ConsentStatus = Literal["granted", "withdrawn"]
CHANNELS: Final = ("email", "sms")
CHANGED: Final = "marketing_consent.changed"
ENTITY: Final = "marketing_consent"


@dataclass(frozen=True, slots=True)
class Subject:
    """The contact or the lead a consent (or a campaign member, or a delivery) belongs to."""

    kind: Literal["contact", "lead"]
    id: UUID

    @property
    def resource(self) -> str:
        return "contacts" if self.kind == "contact" else "leads"

    @classmethod
    def of(cls, contact_id: UUID | None, lead_id: UUID | None) -> Subject | None:
        if contact_id is not None:
            return cls("contact", contact_id)
        if lead_id is not None:
            return cls("lead", lead_id)
        return None

    def ids(self) -> dict[str, UUID | None]:
        return {
            "contact_id": self.id if self.kind == "contact" else None,
            "lead_id": self.id if self.kind == "lead" else None,
        }


@dataclass(frozen=True, slots=True)
class Consent:
    id: UUID
    contact_id: UUID | None
    lead_id: UUID | None
    channel: str
    status: str
    source: str
    proof: str | None
    recorded_at: datetime
    recorded_by: UUID | None


def _audited(consent: Consent | None) -> dict[str, Any] | None:
    if consent is None:
        return None
    return {"channel": consent.channel, "status": consent.status, "source": consent.source, "proof": consent.proof}


class ConsentRecorder:
    def __init__(self, consents: ConsentRepository, audit: AuditTrail) -> None:
        self.consents = consents
        self.audit = audit

    async def record(
        self,
        tenant_id: UUID,
        subject: Subject,
        channel: str,
        status: str,
        *,
        source: str,
        proof: str | None = None,
        principal: Principal | None = None,
        keep_same_status: bool = False,
    ) -> Consent | None:
        """Set the consent; audit it and publish `marketing_consent.changed` in the caller's
        transaction. Returns the new state, or None when nothing changed: the same status, source
        and proof, or with `keep_same_status` the same status whatever the source (a second
        unsubscribe does not rewrite the first one's record)."""
        actor = principal.user_id if principal is not None else None
        # The upsert decides whether anything changes (one statement, the state before included).
        changed = await self.consents.put(
            tenant_id, subject, channel, status, source, proof, actor, status_only=keep_same_status
        )
        if changed is None:  # it already said so (or a concurrent write recorded the same)
            return None
        consent, current = changed
        payload = {**subject.ids(), "channel": channel, "status": status, "source": source}
        await self.audit.record(
            principal,
            CHANGED,
            ENTITY,
            consent.id,
            {
                **diff(_audited(current), _audited(consent)),
                **{k: {"before": None, "after": v} for k, v in subject.ids().items() if v},
            },
            tenant_id=tenant_id,
            events=[NewEvent(CHANGED, ENTITY, consent.id, payload)],
        )
        return consent


class ConsentService:
    """The consents of one contact or lead, within the caller's data range of that record."""

    def __init__(self, consents: ConsentRepository, recorder: ConsentRecorder) -> None:
        self.consents = consents
        self.recorder = recorder

    async def list(self, principal: Principal, subject: Subject) -> list[Consent]:
        await self._reachable(principal, subject, "read")
        return await self.consents.list_for(principal.tenant_id, subject)

    async def set(
        self, principal: Principal, subject: Subject, channel: str, status: str, source: str, proof: str | None
    ) -> Consent:
        await self._reachable(principal, subject, "update", lock=True)
        await self.recorder.record(
            principal.tenant_id, subject, channel, status, source=source, proof=proof, principal=principal
        )
        found = await self.consents.current(principal.tenant_id, subject, channel)
        assert found is not None
        return found

    async def _reachable(self, principal: Principal, subject: Subject, action: str, *, lock: bool = False) -> None:
        scope = principal.scope(subject.resource, action)
        if not await self.consents.subject_in_scope(scope, subject, lock=lock):
            raise NotFound(f"no such {subject.kind}")
