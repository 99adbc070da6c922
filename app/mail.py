"""Outgoing mail: the adapters of the domain's `Mailer` port.

- `SmtpMailer`: to CRM_SMTP_URL, `smtp://user:password@host:port` (STARTTLS when the server
  offers it; `?starttls=required` insists on it) or `smtps://…` (TLS from the first byte).
- `DirectoryMailer`: without CRM_SMTP_URL (development), each message becomes
  `<data dir>/mail/<timestamp>-<id>.eml` and its links are logged.

Messages are multipart/alternative (text and HTML) with Message-ID and Date headers.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from app.domain.identity.entities import OutgoingMail
from app.domain.shared.ids import new_id
from app.settings import Settings

log = logging.getLogger("crm.mail")
LINK = re.compile(r"https?://\S+")


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=mail.to_name, addr_spec=mail.to_email)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">") or None)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class SmtpMailer:
    def __init__(self, url: str, sender: str, timeout: float = 30) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("CRM_SMTP_URL must look like smtp://user:password@host:port or smtps://…")
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.sender = sender
        self.kwargs: dict[str, object] = {
            "hostname": parts.hostname,
            "port": parts.port or (465 if parts.scheme == "smtps" else 587),
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_tls": parts.scheme == "smtps",
            # None: STARTTLS when offered; "required": refuse a server without it; "off": never.
            "start_tls": {"required": True, "off": False}.get(options.get("starttls", "")),
            "timeout": timeout,
        }

    async def send(self, mail: OutgoingMail) -> None:
        await aiosmtplib.send(build_message(mail, self.sender), **self.kwargs)  # type: ignore[arg-type]


class DirectoryMailer:
    """Development: messages as files, links in the log. Never for production."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    async def send(self, mail: OutgoingMail) -> None:
        message = build_message(mail, self.sender)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{new_id().hex[-12:]}.eml"
        path = self.directory / name
        await asyncio.to_thread(self._write, path, message.as_bytes())
        for link in LINK.findall(mail.text):
            log.info("mail to %s (%s): %s", mail.to_email, path, link)

    def _write(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build_mailer(settings: Settings) -> SmtpMailer | DirectoryMailer:
    if settings.smtp_url:
        return SmtpMailer(settings.smtp_url, settings.mail_from)
    if settings.env == "production":
        log.warning("CRM_SMTP_URL is not set: invitation and reset links are only written to %s", settings.data_dir)
    return DirectoryMailer(settings.data_dir / "mail", settings.mail_from)
