"""Opens and clicks of campaign messages: the open pixel (`GET /api/v1/public/t/o/{token}`) and
click redirects (`GET /api/v1/public/t/c/{token}`), the hottest public endpoints.

The token says everything (app/domain/marketing/links.py): which tenant and delivery, and for a
click the URL, signed by this server when the message was rendered. So a click redirects only to
a URL the message contained (a forged or altered token is a 404, never a redirect), and only to
http(s). Recording is one statement (app/repositories/tracking.py); a failure to record is
logged and never keeps the reader from the page they clicked."""

from __future__ import annotations

import logging
import re
from typing import Final
from urllib.parse import urlsplit
from uuid import UUID

from app.domain.marketing.links import CLICK, OPEN, LinkSigner
from app.domain.marketing.ports import TrackingRecorder

log = logging.getLogger("crm.marketing.tracking")

USER_AGENT_MAX: Final = 512
SCHEMES: Final = frozenset({"http", "https"})
# Spaces and control characters: never in a URL we redirect to (a header injection, a spoofed host).
_UNSAFE: Final = re.compile(r"[\x00-\x20\x7f]")


def safe_target(url: str | None) -> str | None:
    """The URL if a browser may be sent there: absolute http(s) with a host, no control
    characters (a header injection), else None."""
    if not url or _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in SCHEMES and parts.netloc else None


class Tracking:
    def __init__(self, signer: LinkSigner, recorder: TrackingRecorder) -> None:
        self.signer = signer
        self.recorder = recorder

    async def opened(self, token: str, ip: str | None, user_agent: str | None) -> bool:
        """Record an open; False for a token this server did not sign as an open pixel."""
        target = self.signer.verify(OPEN, token)
        if target is None:
            return False
        await self._record(OPEN, target.tenant_id, target.delivery_id, None, ip, user_agent)
        return True

    async def clicked(self, token: str, ip: str | None, user_agent: str | None) -> str | None:
        """Record a click; the URL to redirect to, or None (not our click link, or not http(s))."""
        target = self.signer.verify(CLICK, token)
        url = safe_target(target.url) if target is not None else None
        if target is None or url is None:
            return None
        await self._record(CLICK, target.tenant_id, target.delivery_id, url, ip, user_agent)
        return url

    async def _record(
        self, kind: str, tenant_id: UUID, delivery_id: UUID, url: str | None, ip: str | None, agent: str | None
    ) -> None:
        try:
            await self.recorder.record(kind, tenant_id, delivery_id, url, ip, agent[:USER_AGENT_MAX] if agent else None)
        except Exception:  # the reader's redirect matters more than one count
            log.exception("could not record a %s of delivery %s", kind, delivery_id)
