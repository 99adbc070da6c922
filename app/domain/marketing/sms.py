"""SMS through a provider port. A tenant configures an HTTP provider (its URL, an auth header and
the JSON body's field names) in its settings (`PUT /api/v1/settings/sms-provider`, settings:manage;
the secret is shown masked afterwards); without one, development sends through the log adapter
(`<data dir>/sms/*.txt` and the log). Adapters: app/sms.py.

A message is committed (delivery.py's commit point) when the provider answers 2xx: an HTTP
request has no earlier point at which it is irrevocably handed over, so a worker killed while the
request is in flight sends that one message again (with the same message id in the body, for a
provider that deduplicates)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit
from uuid import UUID

from app.auth.principal import Principal
from app.domain.marketing.delivery import Accepted, Composed, ConnectionLost, Rejected, message_id_for
from app.domain.shared.errors import FieldError, ValidationFailed
from app.domain.shared.ports import AuditTrail, diff

SETTINGS_KEY = "sms_provider"


@dataclass(frozen=True, slots=True)
class SmsProviderSettings:
    url: str
    auth_header: str | None = None  # e.g. "Authorization"
    auth_value: str | None = None  # the secret, e.g. "Bearer abc"; never shown again in full
    phone_field: str = "phone"
    text_field: str = "text"
    sender: str | None = None  # an optional sender id, sent as "sender"

    def public(self) -> dict[str, Any]:
        """What the API shows: the secret masked."""
        masked = None
        if self.auth_value:
            masked = "•" * 8 + self.auth_value[-4:] if len(self.auth_value) > 8 else "•" * 8
        return {
            "url": self.url, "auth_header": self.auth_header, "auth_value": masked,
            "phone_field": self.phone_field, "text_field": self.text_field, "sender": self.sender,
        }  # fmt: skip

    def stored(self) -> dict[str, Any]:
        return {
            "url": self.url, "auth_header": self.auth_header, "auth_value": self.auth_value,
            "phone_field": self.phone_field, "text_field": self.text_field, "sender": self.sender,
        }  # fmt: skip

    @classmethod
    def from_stored(cls, raw: dict[str, Any] | None) -> SmsProviderSettings | None:
        if not raw or not raw.get("url"):
            return None
        keys = ("url", "auth_header", "auth_value", "phone_field", "text_field", "sender")
        return cls(**{k: raw[k] for k in keys if raw.get(k) is not None})


def check_settings(values: dict[str, Any]) -> SmsProviderSettings:
    errors: list[FieldError] = []
    url = str(values.get("url") or "")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        errors.append(FieldError("url", "must be an http(s) URL"))
    header = values.get("auth_header")
    if header is not None and (not header or any(c in header for c in ":\r\n ")):
        errors.append(FieldError("auth_header", "must be a header name"))
    if bool(header) != bool(values.get("auth_value")):
        errors.append(FieldError("auth_value", "an auth header needs a value, and a value its header"))
    for name in ("phone_field", "text_field"):
        if name in values and not values[name]:
            errors.append(FieldError(name, "must not be empty"))
    if errors:
        raise ValidationFailed(errors)
    return SmsProviderSettings(**{k: v for k, v in values.items() if v is not None})


@dataclass(frozen=True, slots=True)
class SmsResult:
    ok: bool
    error: str | None = None
    permanent: bool = False  # 4xx from the provider: the number or text is refused


class SmsProvider(Protocol):
    async def send(self, phone: str, text: str, message_id: str) -> SmsResult:
        """ConnectionLost when the provider could not be reached."""
        ...

    async def close(self) -> None: ...


class SmsSession:
    """A send's SMS channel over a provider (delivery.py's ChannelSession)."""

    def __init__(self, provider: SmsProvider) -> None:
        self.provider = provider

    async def deliver(self, message: Composed, on_commit: Callable[[], None]) -> Accepted | Rejected:
        result = await self.provider.send(message.to, message.text, message_id_for(message.delivery_id))
        if result.ok:
            on_commit()
            return Accepted()
        return Rejected(result.error or "refused", permanent=result.permanent)

    async def close(self) -> None:
        await self.provider.close()


__all__ = ["ConnectionLost", "SmsProvider", "SmsProviderSettings", "SmsResult", "SmsSession", "check_settings"]


class SmsSettingsStore(Protocol):
    async def read(self, tenant_id: UUID) -> dict[str, Any] | None: ...

    async def write(self, tenant_id: UUID, value: dict[str, Any] | None) -> None: ...


class SmsSettingsService:
    """The tenant's SMS provider (settings:manage): read masked, replaced whole, removed."""

    def __init__(self, store: SmsSettingsStore, audit: AuditTrail) -> None:
        self.store = store
        self.audit = audit

    async def get(self, principal: Principal) -> SmsProviderSettings | None:
        principal.require("settings", "manage")
        return SmsProviderSettings.from_stored(await self.store.read(principal.tenant_id))

    async def set(self, principal: Principal, values: dict[str, Any]) -> SmsProviderSettings:
        principal.require("settings", "manage")
        before = SmsProviderSettings.from_stored(await self.store.read(principal.tenant_id))
        if values.get("auth_value") is None and before is not None and values.get("auth_header") == before.auth_header:
            values["auth_value"] = before.auth_value  # kept when not given again (it is never shown)
        checked = check_settings(values)
        await self.store.write(principal.tenant_id, checked.stored())
        await self._record(principal, before, checked)
        return checked

    async def remove(self, principal: Principal) -> None:
        principal.require("settings", "manage")
        before = SmsProviderSettings.from_stored(await self.store.read(principal.tenant_id))
        await self.store.write(principal.tenant_id, None)
        await self._record(principal, before, None)

    async def _record(
        self, principal: Principal, before: SmsProviderSettings | None, after: SmsProviderSettings | None
    ) -> None:
        # The secret never reaches the audit log: only its masked form.
        change = diff(before.public() if before else None, after.public() if after else None)
        await self.audit.record(principal, "settings.sms_provider_changed", "settings", None, change)
