"""SMS adapters of the domain's SmsProvider port (app/domain/marketing/sms.py).

- `HttpSmsProvider`: a tenant's provider: POST <url> with a JSON body {<phone_field>: phone,
  <text_field>: text, "message_id": ..., "sender": ...} and its auth header; 2xx is accepted,
  4xx refused for good (the number is bounced and suppressed), 5xx and network errors retried.
- `LogSmsProvider`: development: each message becomes `<data dir>/sms/<time>-<id>.txt` and a log line.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import httpx

from app.domain.marketing.delivery import ConnectionLost
from app.domain.marketing.sms import SmsProviderSettings, SmsResult

log = logging.getLogger("crm.sms")


class HttpSmsProvider:
    def __init__(self, settings: SmsProviderSettings, timeout: float = 15.0) -> None:
        self.settings = settings
        headers = {"Content-Type": "application/json"}
        if settings.auth_header and settings.auth_value:
            headers[settings.auth_header] = settings.auth_value
        # One client (one kept-alive connection pool) for a whole send.
        self.client = httpx.AsyncClient(headers=headers, timeout=timeout, follow_redirects=False)

    async def send(self, phone: str, text: str, message_id: str) -> SmsResult:
        s = self.settings
        body: dict[str, str] = {s.phone_field: phone, s.text_field: text, "message_id": message_id}
        if s.sender:
            body["sender"] = s.sender
        try:
            response = await self.client.post(s.url, json=body)
        except httpx.HTTPError as error:
            raise ConnectionLost(f"{type(error).__name__}: {error}") from error
        if response.is_success:
            return SmsResult(True)
        detail = f"{response.status_code} {response.text[:200]}"
        return SmsResult(False, detail, permanent=400 <= response.status_code < 500 and response.status_code != 429)

    async def close(self) -> None:
        await self.client.aclose()


class LogSmsProvider:
    """Development: never for production."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, phone: str, text: str, message_id: str) -> SmsResult:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{message_id.strip('<>').split('@')[0][-12:]}.txt"
        content = f"To: {phone}\nMessage-ID: {message_id}\n\n{text}\n"
        try:
            await asyncio.to_thread(self._write, self.directory / name, content)
        except OSError as error:
            raise ConnectionLost(str(error)) from error
        log.info("sms to %s (%s): %s", phone, name, text)
        return SmsResult(True)

    def _write(self, path: Path, content: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")

    async def close(self) -> None:
        return None
