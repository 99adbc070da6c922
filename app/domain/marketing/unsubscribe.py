"""Public one-click unsubscribe (RFC 8058): `GET /api/v1/public/unsubscribe/{token}` shows what
the link is about, `POST` confirms. The token is the signed link of one delivery
(app/domain/marketing/links.py, purpose UNSUBSCRIBE): a forged or altered one is refused before any
database work. Confirming does, at once and in one transaction: the address on the suppression
list (reason unsubscribed), the consent of that channel withdrawn, the campaign member
unsubscribed, each audited with its event. A second confirmation changes nothing and answers the
same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

from app.domain.marketing.consent import ConsentRecorder, Subject
from app.domain.marketing.links import UNSUBSCRIBE, LinkSigner
from app.domain.marketing.ports import DeliveryRef, DeliveryRepository, MemberFunnel, SuppressionRepository
from app.domain.marketing.suppressions import ENTITY as SUPPRESSION
from app.domain.marketing.suppressions import address_key
from app.domain.shared.errors import NotFound, TooManyRequests
from app.domain.shared.ports import AuditTrail, NewEvent, RateLimiter

# Per link and client address: a page view and a confirmation or two, and retries. A mail
# provider posts every one-click unsubscribe of its users from a few addresses, so the bucket is
# never the address alone (that would refuse the provider's second user).
TRIES_PER_WINDOW: Final = 20
WINDOW_SECONDS: Final = 600
UNSUBSCRIBED: Final = "unsubscribed"


@dataclass(frozen=True, slots=True)
class UnsubscribeView:
    channel: str
    masked_address: str | None
    campaign_name: str
    unsubscribed: bool


def mask(channel: str, address: str | None) -> str | None:
    """Enough of the address for its owner to recognize it, not enough to learn it from a link:
    `w***@xingchen.cn`, `138****8000`."""
    if not address:
        return None
    if channel == "email":
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{address[:3]}****{address[-4:]}" if len(address) > 7 else "*" * len(address)


def member_event(step: str, ref: DeliveryRef, member_id: UUID) -> NewEvent:
    """`campaign_member.<step>` for a member moved by a delivery's link or report."""
    subject = Subject.of(ref.contact_id, ref.lead_id)
    payload = {
        "campaign_id": ref.campaign_id,
        "member_id": member_id,
        **(subject.ids() if subject else {}),
        "step": step,
    }
    return NewEvent(f"campaign_member.{step}", "campaign_member", member_id, payload)


class PublicUnsubscribe:
    def __init__(
        self,
        signer: LinkSigner,
        deliveries: DeliveryRepository,
        suppressions: SuppressionRepository,
        consents: ConsentRecorder,
        members: MemberFunnel,
        audit: AuditTrail,
        limiter: RateLimiter,
    ) -> None:
        self.signer = signer
        self.deliveries = deliveries
        self.suppressions = suppressions
        self.consents = consents
        self.members = members
        self.audit = audit
        self.limiter = limiter

    async def view(self, token: str, client: str) -> UnsubscribeView:
        ref = await self._delivery(token, client)
        key = address_key(ref.channel, ref.address)
        listed = key is not None and await self.suppressions.listed(ref.tenant_id, ref.channel, key)
        return UnsubscribeView(ref.channel, mask(ref.channel, key or ref.address), ref.campaign_name, listed)

    async def confirm(self, token: str, client: str) -> UnsubscribeView:
        ref = await self._delivery(token, client)
        key = address_key(ref.channel, ref.address)
        if key is not None:
            added = await self.suppressions.add(
                ref.tenant_id, ref.channel, key, UNSUBSCRIBED, detail=None, delivery_id=ref.id, actor=None
            )
            if added is not None:
                await self.audit.record(
                    None, f"{SUPPRESSION}.created", SUPPRESSION, None,
                    {"channel": {"before": None, "after": ref.channel}, "address": {"before": None, "after": key},
                     "reason": {"before": None, "after": UNSUBSCRIBED},
                     "delivery_id": {"before": None, "after": ref.id}},
                    tenant_id=ref.tenant_id,
                )  # fmt: skip
        subject = Subject.of(ref.contact_id, ref.lead_id)
        if subject is not None:
            await self.consents.record(
                ref.tenant_id, subject, ref.channel, "withdrawn", source="unsubscribe",
                proof=f"one-click unsubscribe link of delivery {ref.id}", keep_same_status=True,
            )  # fmt: skip
        if ref.member_id is not None:
            for member_id in await self.members.advance(ref.tenant_id, UNSUBSCRIBED, [ref.member_id]):
                event = member_event(UNSUBSCRIBED, ref, member_id)
                await self.audit.record(
                    None, event.event_type, "campaign_member", member_id,
                    {"status": {"before": None, "after": UNSUBSCRIBED}}, tenant_id=ref.tenant_id, events=[event],
                )  # fmt: skip
        return UnsubscribeView(ref.channel, mask(ref.channel, key or ref.address), ref.campaign_name, True)

    async def _delivery(self, token: str, client: str) -> DeliveryRef:
        target = self.signer.verify(UNSUBSCRIBE, token)
        if target is None:
            raise NotFound("no such unsubscribe link")
        retry = await self.limiter.hit(f"unsubscribe:{target.delivery_id}:{client}", TRIES_PER_WINDOW, WINDOW_SECONDS)
        if retry is not None:
            raise TooManyRequests("too many tries for this link from this address; try again later", retry_after=retry)
        ref = await self.deliveries.get(target.tenant_id, target.delivery_id)
        if ref is None:
            raise NotFound("no such unsubscribe link")
        return ref
