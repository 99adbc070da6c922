"""The suppression list: addresses no campaign message may reach, whoever holds them. Keyed by
the normalized address (app/domain/shared/normalize.py, the duplicate rules' keys), so every
contact or lead sharing an address is covered and `Foo@Example.com ` is the same entry as
`foo@example.com`. Reasons: unsubscribed (the public link), hard_bounce and complaint (the
provider's callback, SMTP rejections), manual (campaign managers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from app.auth.principal import Principal
from app.domain.marketing.ports import SuppressionRepository
from app.domain.shared.errors import Conflict, NotFound, ValidationFailed
from app.domain.shared.normalize import email_key, phone_key
from app.domain.shared.paging import Page
from app.domain.shared.ports import AuditTrail

REASONS: Final = ("unsubscribed", "hard_bounce", "complaint", "manual")
ENTITY: Final = "marketing_suppression"
RESOURCE: Final = "campaigns"


@dataclass(frozen=True, slots=True)
class Suppression:
    channel: str
    address: str
    reason: str
    detail: str | None
    delivery_id: UUID | None
    created_at: datetime
    created_by: UUID | None


@dataclass(frozen=True, slots=True)
class SuppressionQuery:
    channel: str | None = None
    reason: str | None = None
    q: str | None = None
    limit: int = 50
    cursor: str | None = None


def address_key(channel: str, address: str | None) -> str | None:
    """The normalized address of a channel, or None when it is not one (no `@`, too few digits)."""
    if channel == "email":
        key = email_key(address)
        return key if key is not None and "@" in key.strip("@") else None
    return phone_key(address)


def _key_or_422(channel: str, address: str) -> str:
    key = address_key(channel, address)
    if key is None:
        raise ValidationFailed.one(
            "address", "is not an e-mail address" if channel == "email" else "is not a phone number"
        )
    return key


class SuppressionService:
    def __init__(self, suppressions: SuppressionRepository, audit: AuditTrail) -> None:
        self.suppressions = suppressions
        self.audit = audit

    async def list(self, principal: Principal, query: SuppressionQuery) -> Page[Suppression]:
        principal.require(RESOURCE, "manage")
        return await self.suppressions.list_page(principal.tenant_id, query)

    async def add(self, principal: Principal, channel: str, address: str, detail: str | None) -> Suppression:
        principal.require(RESOURCE, "manage")
        key = _key_or_422(channel, address)
        added = await self.suppressions.add(
            principal.tenant_id, channel, key, "manual", detail=detail, delivery_id=None, actor=principal.user_id
        )
        if added is None:
            raise Conflict(f"{key} is already on the suppression list", channel=channel, address=key)
        await self.audit.record(
            principal, f"{ENTITY}.created", ENTITY, None,
            {"channel": {"before": None, "after": channel}, "address": {"before": None, "after": key},
             "reason": {"before": None, "after": "manual"}},
        )  # fmt: skip
        return added

    async def remove(self, principal: Principal, channel: str, address: str) -> None:
        principal.require(RESOURCE, "manage")
        key = _key_or_422(channel, address)
        removed = await self.suppressions.remove(principal.tenant_id, channel, key)
        if removed is None:
            raise NotFound(f"{key} is not on the suppression list")
        await self.audit.record(
            principal, f"{ENTITY}.deleted", ENTITY, None,
            {"channel": {"before": channel, "after": None}, "address": {"before": key, "after": None},
             "reason": {"before": removed.reason, "after": None}},
        )  # fmt: skip
