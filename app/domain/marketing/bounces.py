"""Bounce and complaint reports from a mail (or SMS) provider's callback:
`POST /api/v1/public/marketing/bounces/{tenant_id}`, authenticated by the tenant's webhook secret:
`X-CRM-Signature: sha256=<hex HMAC-SHA256 of the raw body>` or `Authorization: Bearer <secret>`.

Reports name deliveries by their `message_id` (the Message-ID the worker gave the message):
- hard: the delivery bounced, the member bounced, the address suppressed (hard_bounce);
- complaint: the address suppressed (complaint), the member unsubscribed;
- soft: only noted on the delivery (the next send tries again).
Unknown message ids are ignored (counted in the answer). A report repeated changes nothing more."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from app.auth.principal import Principal
from app.domain.marketing.ports import DeliveryRepository, MemberFunnel, SuppressionRepository, WebhookSecrets
from app.domain.marketing.suppressions import RESOURCE, address_key
from app.domain.marketing.unsubscribe import member_event
from app.domain.shared.errors import Unauthenticated
from app.domain.shared.ports import AuditTrail

KINDS: Final = ("hard", "soft", "complaint")
SIGNATURE_PREFIX: Final = "sha256="
ENTITY: Final = "marketing_bounce_report"


@dataclass(frozen=True, slots=True)
class BounceResult:
    matched: int
    unknown: int
    suppressed: int
    members_changed: int


def signature(secret: str, body: bytes) -> str:
    """What a provider sends in X-CRM-Signature for `body`."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class BounceWebhook:
    def __init__(
        self,
        secrets_: WebhookSecrets,
        deliveries: DeliveryRepository,
        suppressions: SuppressionRepository,
        members: MemberFunnel,
        audit: AuditTrail,
    ) -> None:
        self.secrets = secrets_
        self.deliveries = deliveries
        self.suppressions = suppressions
        self.members = members
        self.audit = audit

    async def authenticate(self, tenant_id: UUID, body: bytes, signed: str | None, bearer: str | None) -> None:
        """401 unless the body is signed with the tenant's secret, or the secret is presented. An
        unknown tenant answers the same (the URL tells nothing about which tenants exist)."""
        secret = await self.secrets.get(tenant_id)
        ok = False
        if secret is not None and signed:
            ok = hmac.compare_digest(signed.strip().lower().encode(), signature(secret, body).encode())
        if secret is not None and bearer and not ok:
            ok = hmac.compare_digest(bearer.encode(), secret.encode())
        if not ok:
            raise Unauthenticated("the report is not signed with this tenant's webhook secret")

    async def apply(self, tenant_id: UUID, kind: str, message_ids: Sequence[str], detail: str | None) -> BounceResult:
        refs = await self.deliveries.by_message_ids(tenant_id, sorted(set(message_ids)))
        error = f"{kind} bounce: {detail}" if kind != "complaint" else f"complaint: {detail}"
        await self.deliveries.mark(
            tenant_id, [r.id for r in refs], bounced=kind == "hard", error=error.removesuffix(": None")
        )
        suppressed = changed = 0
        events = []
        if kind != "soft":
            reason = "hard_bounce" if kind == "hard" else "complaint"
            step = "bounced" if kind == "hard" else "unsubscribed"
            for ref in refs:
                key = address_key(ref.channel, ref.address)
                if key is not None and await self.suppressions.add(
                    tenant_id, ref.channel, key, reason, detail=detail, delivery_id=ref.id, actor=None
                ):
                    suppressed += 1
            members = {r.member_id: r for r in refs if r.member_id is not None}
            moved = await self.members.advance(tenant_id, step, list(members)) if members else []
            changed = len(moved)
            events = [member_event(step, members[m], m) for m in moved]
        result = BounceResult(len(refs), len(set(message_ids)) - len(refs), suppressed, changed)
        if refs:
            # One entry per report, the members' events with it (one statement).
            await self.audit.record(
                None, f"{ENTITY}.received", ENTITY, None,
                {"kind": {"before": None, "after": kind}, "deliveries": {"before": None, "after": len(refs)},
                 "suppressed": {"before": None, "after": suppressed}},
                tenant_id=tenant_id, events=events,
            )  # fmt: skip
        return result


class WebhookSecretService:
    """The bounce webhook's secret: set (or rotated) by campaign managers, shown once."""

    def __init__(self, secrets_: WebhookSecrets, audit: AuditTrail) -> None:
        self.secrets = secrets_
        self.audit = audit

    async def configured(self, principal: Principal) -> bool:
        principal.require(RESOURCE, "manage")
        return await self.secrets.get(principal.tenant_id) is not None

    async def rotate(self, principal: Principal) -> str:
        principal.require(RESOURCE, "manage")
        secret = "whsec_" + secrets.token_urlsafe(32)
        await self.secrets.put(principal.tenant_id, secret, principal.user_id)
        await self.audit.record(principal, "marketing_webhook.secret_rotated", "marketing_webhook", None, {})
        return secret
