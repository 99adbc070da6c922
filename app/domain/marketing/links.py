"""Signed public links in campaign messages: the open pixel, click redirects and one-click
unsubscribe. A link carries what it is about (tenant, delivery, and for a click the target URL)
and an HMAC over it, so the public endpoints check it without a database read and redirect only
to URLs this server signed (the ones the message contained: no open redirect).

Keys come from CRM_JWT_KEYS (`kid:secret`): the first signs, all verify, so a rotation keeps the
links of messages already sent working while the old key stays listed. Each purpose derives its
own key, so a token of one kind is never accepted as another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from uuid import UUID

_MAC_BYTES = 16  # 128-bit tags: unforgeable, and short enough for SMS links


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class LinkTarget:
    tenant_id: UUID
    delivery_id: UUID
    url: str | None = None  # clicks only


class LinkSigner:
    def __init__(self, keys: dict[str, str], active_kid: str) -> None:
        if active_kid not in keys:
            raise ValueError("the active key must be one of the keys")
        self._keys = {kid: secret.encode() for kid, secret in keys.items()}
        self._active = active_kid
        # Each (key, purpose)'s derived key, made once: a send signs four links a message.
        self._derived: dict[tuple[str, str], bytes] = {}

    def _mac(self, kid: str, purpose: str, payload: bytes) -> bytes:
        key = self._derived.get((kid, purpose))
        if key is None:
            key = hmac.digest(self._keys[kid], b"crm-link:" + purpose.encode(), hashlib.sha256)
            self._derived[(kid, purpose)] = key
        return hmac.digest(key, payload, hashlib.sha256)[:_MAC_BYTES]

    def sign(self, purpose: str, target: LinkTarget) -> str:
        payload = target.tenant_id.bytes + target.delivery_id.bytes + (target.url or "").encode()
        return f"{self._active}.{_b64(payload)}.{_b64(self._mac(self._active, purpose, payload))}"

    def verify(self, purpose: str, token: str) -> LinkTarget | None:
        """The link's target, or None for anything this server did not sign for `purpose`."""
        kid, _, rest = token.partition(".")
        encoded, _, tag = rest.partition(".")
        if kid not in self._keys or not encoded or not tag:
            return None
        try:
            payload, mac = _unb64(encoded), _unb64(tag)
        except ValueError:
            return None
        if len(payload) < 32 or not hmac.compare_digest(mac, self._mac(kid, purpose, payload)):
            return None
        try:
            url = payload[32:].decode() or None
        except UnicodeDecodeError:
            return None
        return LinkTarget(UUID(bytes=payload[:16]), UUID(bytes=payload[16:32]), url)


OPEN = "open"
CLICK = "click"
UNSUBSCRIBE = "unsubscribe"
# A registrant's own link to cancel an event registration (LinkTarget.delivery_id: the member).
CANCEL_REGISTRATION = "cancel-registration"
