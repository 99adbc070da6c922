"""The tracked form of a campaign message: every http(s) link of its HTML rewritten to a signed
click redirect, an open pixel appended, and the signed unsubscribe link (the public endpoints
verify these tokens: app/domain/marketing/links.py)."""

from __future__ import annotations

import html
import re
from uuid import UUID

from app.domain.marketing.links import CLICK, OPEN, UNSUBSCRIBE, LinkSigner, LinkTarget
from app.domain.marketing.variables import Links

_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


class TrackedLinks:
    def __init__(self, signer: LinkSigner, public_url: str) -> None:
        self.signer = signer
        self.base = public_url.rstrip("/") + "/api/v1/public"
        self._last: tuple[UUID, UUID, str] | None = None  # a message asks for its link three times

    def unsubscribe_url(self, tenant_id: UUID, delivery_id: UUID) -> str:
        if self._last is not None and self._last[:2] == (tenant_id, delivery_id):
            return self._last[2]
        url = f"{self.base}/unsubscribe/{self.signer.sign(UNSUBSCRIBE, LinkTarget(tenant_id, delivery_id))}"
        self._last = (tenant_id, delivery_id, url)
        return url

    def links(self, tenant_id: UUID, delivery_id: UUID) -> Links:
        return Links(unsubscribe=self.unsubscribe_url(tenant_id, delivery_id))

    def click_url(self, tenant_id: UUID, delivery_id: UUID, url: str) -> str:
        return f"{self.base}/t/c/{self.signer.sign(CLICK, LinkTarget(tenant_id, delivery_id, url))}"

    def decorate(self, tenant_id: UUID, delivery_id: UUID, body: str) -> str:
        """Links through the click redirect (the unsubscribe link stays as it is: one click must
        not count as a click), then the open pixel at the end of the body."""
        keep = self.unsubscribe_url(tenant_id, delivery_id)

        def rewrite(found: re.Match[str]) -> str:
            url = html.unescape(found.group(3))
            if url == keep:
                return found.group(0)
            quote = found.group(2)
            return f"{found.group(1)}{quote}{self.click_url(tenant_id, delivery_id, url)}{quote}"

        body = _HREF.sub(rewrite, body)
        token = self.signer.sign(OPEN, LinkTarget(tenant_id, delivery_id))
        pixel = f'<img src="{self.base}/t/o/{token}" width="1" height="1" alt="" style="display:none">'
        parts = _BODY_END.split(body, maxsplit=1)
        if len(parts) == 2:
            return f"{parts[0]}{pixel}</body>{parts[1]}"
        return body + pixel
