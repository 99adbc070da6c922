"""Outgoing mail: the adapters of the domain's `Mailer` port.

- `SmtpMailer`: to CRM_SMTP_URL, `smtp://user:password@host:port` (STARTTLS when the server
  offers it; `?starttls=required` insists on it) or `smtps://…` (TLS from the first byte).
- `DirectoryMailer`: without CRM_SMTP_URL (development), each message becomes
  `<data dir>/mail/<timestamp>-<id>.eml` and its links are logged.

Messages are multipart/alternative (text and HTML) with Message-ID and Date headers.

Campaign mail (app/domain/marketing/delivery.py) goes through `SmtpBulkSession`: one connection
for many messages, with the commit point right after each DATA's final "." (see there), a
Message-ID derived from the delivery id, and RFC 8058 one-click List-Unsubscribe headers. 5xx on
RCPT or DATA is a permanent rejection (bounce), 4xx a temporary one (retried later).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses, make_msgid
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import aiosmtplib

from app.domain.identity.entities import OutgoingMail
from app.domain.marketing.delivery import Accepted, Composed, ConnectionLost, Rejected, message_id_for
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


# -- campaign mail: many messages over one connection (app/domain/marketing/delivery.py) -------


def campaign_message(
    message: Composed, sender: str, message_id: str, unsubscribe_url: str, unsubscribe_mailto: str | None
) -> bytes:
    """A campaign message: multipart text + HTML, Message-ID from the delivery, and one-click
    unsubscribe (RFC 2369 List-Unsubscribe with RFC 8058 List-Unsubscribe-Post).

    Written out directly (headers RFC 2047-encoded where not ASCII, both parts base64 UTF-8):
    the email package's generator spends ~2.5 ms a message on header folding, most of a bulk
    sender's time; tests/unit/test_campaign_mail.py checks that the email package reads the
    result back as written."""
    boundary = f"=_crm_{message.delivery_id.hex}"  # "=_" never occurs in base64 bodies
    targets = f"<{unsubscribe_url}>" + (f",\r\n <{unsubscribe_mailto}>" if unsubscribe_mailto else "")
    head = [
        f"From: {_header_address(sender)}",
        f"To: {formataddr((_one_line(message.to_name), message.to), charset='utf-8')}",
        f"Subject: {_encoded(_one_line(message.subject or ''))}",
        f"Date: {_now_header()}",
        f"Message-ID: {message_id}",
        f"List-Unsubscribe: {targets}",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        f"Content-Language: {message.locale}",
        "MIME-Version: 1.0",
    ]
    parts = [("plain", message.text)] + ([("html", message.html)] if message.html else [])
    if len(parts) == 1:
        head += ['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64"]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + _body(message.text)
    head.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    out = [("\r\n".join(head) + "\r\n\r\n").encode()]
    for subtype, content in parts:
        out.append(
            f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n".encode()
        )
        out.append(_body(content or ""))
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def _body(text: str) -> bytes:
    return base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _encoded(text: str) -> str:
    """ASCII as it is; anything else as UTF-8 encoded words of at most 45 bytes each (RFC 2047)."""
    if text.isascii():
        return text
    words, chunk = [], b""
    for ch in text:
        b = ch.encode()
        if len(chunk) + len(b) > 45:
            words.append(chunk)
            chunk = b""
        chunk += b
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


@lru_cache(maxsize=16)
def _header_address(address: str) -> str:
    name, addr = getaddresses([address])[0]
    return formataddr((name, addr), charset="utf-8") if addr else address


_date_cache: tuple[int, str] = (0, "")


def _now_header() -> str:
    global _date_cache
    now = datetime.now(UTC)
    second = int(now.timestamp())
    if _date_cache[0] != second:
        _date_cache = (second, format_datetime(now.replace(microsecond=0)))
    return _date_cache[1]


def _address(sender: str) -> str:
    return getaddresses([sender])[0][1] or sender


class SmtpBulkSession:
    """One SMTP connection reused for a whole send: MAIL, RCPT, DATA per message, no reconnect
    between them. The DATA's final "." is the commit point: `on_commit` runs right after it is
    handed to the socket, before the server's answer is read."""

    def __init__(self, smtp: aiosmtplib.SMTP, sender: str, headers: CampaignHeaders) -> None:
        self.smtp = smtp
        self.sender = sender
        self.envelope_from = _address(sender)
        self.headers = headers

    @classmethod
    async def open(cls, mailer: SmtpMailer, headers: CampaignHeaders) -> SmtpBulkSession:
        smtp = aiosmtplib.SMTP(**mailer.kwargs)  # type: ignore[arg-type]
        await smtp.connect()
        return cls(smtp, mailer.sender, headers)

    async def deliver(self, message: Composed, on_commit: Callable[[], None]) -> Accepted | Rejected:
        data = campaign_message(
            message, self.sender, message_id_for(message.delivery_id),
            self.headers.unsubscribe_url(message.delivery_id), self.headers.mailto,
        )  # fmt: skip
        smtp = self.smtp
        try:
            reply = await smtp.mail(self.envelope_from)
            reply = await smtp.execute_command(b"RCPT", b"TO:<" + message.to.encode() + b">")
            if reply.code not in (250, 251):
                await smtp.rset()
                return Rejected(f"{reply.code} {reply.message}", permanent=500 <= reply.code < 600)
            reply = await smtp.execute_command(b"DATA")
            if reply.code != 354:
                await smtp.rset()
                return Rejected(f"{reply.code} {reply.message}", permanent=500 <= reply.code < 600)
            protocol = smtp.protocol
            assert protocol is not None
            protocol.write(_dot_stuffed(data))
            on_commit()
            reply = await protocol.read_response(timeout=smtp.timeout)
        except aiosmtplib.SMTPResponseException as error:
            if error.code < 400:
                raise ConnectionLost(str(error)) from error
            with contextlib.suppress(aiosmtplib.SMTPException):
                await smtp.rset()
            return Rejected(f"{error.code} {error.message}", permanent=500 <= error.code < 600)
        except (aiosmtplib.SMTPException, OSError) as error:
            raise ConnectionLost(str(error)) from error
        if reply.code == 250:
            return Accepted()
        return Rejected(f"{reply.code} {reply.message}", permanent=500 <= reply.code < 600)

    async def close(self) -> None:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await self.smtp.quit()
        self.smtp.close()


def _dot_stuffed(data: bytes) -> bytes:
    # What aiosmtplib's DATA does: CRLF line ends, leading dots doubled, the final ".".
    crlf = data.count(b"\r\n")
    if crlf == data.count(b"\n") == data.count(b"\r") and b"\n." not in data and not data.startswith(b"."):
        # campaign_message's output (CRLF only, base64 bodies, no line opening with "."): as it is,
        # without two regular-expression passes over the whole message.
        return data + (b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n")
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", data) + b".\r\n"


class DirectoryBulkSession:
    """Development: each campaign message is a file under <data dir>/mail; committed once written."""

    def __init__(self, directory: Path, sender: str, headers: CampaignHeaders) -> None:
        self.directory = directory
        self.sender = sender
        self.headers = headers

    async def deliver(self, message: Composed, on_commit: Callable[[], None]) -> Accepted | Rejected:
        data = campaign_message(
            message, self.sender, message_id_for(message.delivery_id),
            self.headers.unsubscribe_url(message.delivery_id), self.headers.mailto,
        )  # fmt: skip
        path = self.directory / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{message.delivery_id.hex[-12:]}.eml"
        try:
            await asyncio.to_thread(_write, path, data)
        except OSError as error:
            raise ConnectionLost(str(error)) from error
        on_commit()
        return Accepted()

    async def close(self) -> None:
        return None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class CampaignHeaders:
    """The unsubscribe targets of a tenant's campaign messages."""

    def __init__(self, unsubscribe_url: Callable[[UUID], str], mailto: str | None) -> None:
        self.unsubscribe_url = unsubscribe_url
        self.mailto = mailto


async def open_bulk_session(
    settings: Settings, headers: CampaignHeaders, mailer: SmtpMailer | DirectoryMailer | None = None
) -> SmtpBulkSession | DirectoryBulkSession:
    mailer = mailer if mailer is not None else build_mailer(settings)
    if isinstance(mailer, SmtpMailer):
        return await SmtpBulkSession.open(mailer, headers)
    return DirectoryBulkSession(mailer.directory, mailer.sender, headers)
