"""What the send tests share: a real SMTP server (aiosmtpd) that can refuse addresses and hold a
message, records built in SQL (campaigns, templates, contacts, leads, members, consent), and a
real local HTTP server standing in for an SMS provider."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.ids import new_id
from app.domain.shared.normalize import email_key, phone_key
from app.repositories.tables import (
    campaign_members,
    campaigns,
    contacts,
    leads,
    marketing_consents,
    marketing_suppressions,
    message_templates,
)

HTML = (
    '<html><body><p>Hello {{ contact.name }}</p><p><a href="https://example.com/offer?a=1&amp;b=2">Offer</a></p>'
    '<p><a href="{{ links.unsubscribe }}">Unsubscribe</a></p></body></html>'
)
EMAIL_CONTENT = {
    "en": {"subject": "News for {{ contact.name }}", "html": HTML, "text": "Hello {{ contact.name }}"},
    "zh-CN": {"subject": "{{ contact.name }}，您好", "html": HTML, "text": "您好 {{ contact.name }}"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """An SMTP server: refuses (550) recipients containing "bounce", (451) those containing
    "later"; `hold_at` n makes the n-th DATA wait for `release` (the test kills a worker then)."""

    url: str
    messages: list[EmailMessage] = field(default_factory=list)
    hold_at: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if "bounce" in address.lower():
            return "550 5.1.1 No such user"
        if "later" in address:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        if self.hold_at is not None and len(self.messages) == self.hold_at:
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


@pytest.fixture
def sink() -> Iterator[Sink]:
    port = free_port()
    box = Sink(f"smtp://127.0.0.1:{port}?starttls=off")
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        box.release.set()
        controller.stop()


@dataclass
class SmsServer:
    url: str
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)


@pytest.fixture
def sms_server() -> Iterator[SmsServer]:
    port = free_port()
    box = SmsServer(f"http://127.0.0.1:{port}/send")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            box.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = 400 if body.get("phone") in box.refuse else 200
            payload = b'{"ok": true}' if status == 200 else b'{"error": "invalid number"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()


# -- records ----------------------------------------------------------------------------------


async def make_campaign(engine: AsyncEngine, tenant_id: UUID, owner: UUID, department: UUID | None = None) -> UUID:
    campaign_id = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            campaigns.insert().values(
                tenant_id=tenant_id, id=campaign_id, name=f"Launch {campaign_id.hex[-6:]}", campaign_type="email",
                owner_id=owner, department_id=department, created_by=owner, updated_by=owner,
            )
        )  # fmt: skip
    return campaign_id


async def make_template(
    engine: AsyncEngine, tenant_id: UUID, channel: str = "email", content: dict[str, Any] | None = None
) -> UUID:
    template_id = new_id()
    if content is None:
        content = EMAIL_CONTENT if channel == "email" else {"en": {"text": "Hi {{ contact.name }}, see you!"}}
    async with engine.begin() as conn:
        await conn.execute(
            message_templates.insert().values(
                tenant_id=tenant_id, id=template_id, name=f"T {template_id.hex[-8:]}", channel=channel,
                default_locale="en", content=content,
            )
        )  # fmt: skip
    return template_id


async def make_contact(
    engine: AsyncEngine,
    tenant_id: UUID,
    owner: UUID,
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    department: UUID | None = None,
    consent: tuple[str, ...] = ("email",),
    locale: str | None = None,
) -> UUID:
    contact_id = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            contacts.insert().values(
                tenant_id=tenant_id, id=contact_id, name=name, owner_id=owner, department_id=department,
                emails=[email] if email else [], emails_norm=[email_key(email)] if email else [],
                phones=[phone] if phone else [], phones_norm=[phone_key(phone)] if phone else [],
                custom_fields={"locale": locale} if locale else {},
            )
        )  # fmt: skip
        for channel in consent:
            await conn.execute(
                marketing_consents.insert().values(
                    tenant_id=tenant_id, id=new_id(), contact_id=contact_id, channel=channel, status="granted",
                    source="manual",
                )
            )  # fmt: skip
    return contact_id


async def make_lead(engine: AsyncEngine, tenant_id: UUID, owner: UUID, *, name: str, email: str) -> UUID:
    lead_id = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            leads.insert().values(
                tenant_id=tenant_id, id=lead_id, name=name, owner_id=owner, email=email, email_norm=email_key(email)
            )
        )
        await conn.execute(
            marketing_consents.insert().values(
                tenant_id=tenant_id, id=new_id(), lead_id=lead_id, channel="email", status="granted", source="form"
            )
        )
    return lead_id


async def add_members(
    engine: AsyncEngine, tenant_id: UUID, campaign_id: UUID, contact_ids: list[UUID], lead_ids: list[UUID] = ()
) -> dict[UUID, UUID]:
    """{contact or lead id: member id}"""
    ids: dict[UUID, UUID] = {}
    async with engine.begin() as conn:
        for subject in [*contact_ids, *lead_ids]:
            ids[subject] = new_id()
            column = "contact_id" if subject in contact_ids else "lead_id"
            await conn.execute(
                campaign_members.insert().values(
                    tenant_id=tenant_id, id=ids[subject], campaign_id=campaign_id, **{column: subject}
                )
            )
    return ids


async def suppress(engine: AsyncEngine, tenant_id: UUID, address: str, channel: str = "email") -> None:
    async with engine.begin() as conn:
        await conn.execute(
            marketing_suppressions.insert().values(
                tenant_id=tenant_id, channel=channel, address=address, reason="unsubscribed"
            )
        )


async def rows(engine: AsyncEngine, statement: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(statement)).all())


def select(*args: Any) -> Any:
    return sa.select(*args)
