"""A real SMTP server on a free loopback port (aiosmtpd), and the worker mailing through it."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.ext.asyncio import AsyncEngine

from app.mail import SmtpMailer
from app.settings import Settings
from app.worker import Worker

LINK = re.compile(r"https?://\S+/(invite|reset-password)/(\S+)")


@dataclass
class Inbox:
    url: str
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, email: str) -> list[EmailMessage]:
        return [m for m in self.messages if email.lower() in str(m["To"]).lower()]

    def last_link(self, email: str) -> tuple[str, str]:
        """(page, secret) of the newest link mailed to this address."""
        mails = self.to(email)
        assert mails, f"no mail to {email}"
        body = mails[-1].get_body(("plain",))
        assert body is not None
        found = LINK.search(body.get_content())
        assert found, body.get_content()
        return found.group(1), found.group(2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    port = _free_port()
    box = Inbox(f"smtp://127.0.0.1:{port}?starttls=off")
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


async def deliver(engine: AsyncEngine, settings: Settings, inbox: Inbox) -> None:
    """Run the worker until the outbox is drained: the links go out through the SMTP server."""
    worker = Worker(engine, settings, mailer=SmtpMailer(inbox.url, settings.mail_from))
    while await worker.process_batch():
        pass
