"""Small builders for the public side of campaign messages: a campaign, a send, a member and its
delivery, written straight to the tables (the sends module makes them in production), and the
signed links a message would carry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.composition import link_signer
from app.domain.marketing.links import CLICK, OPEN, UNSUBSCRIBE, LinkTarget
from app.domain.shared.ids import new_id
from app.repositories.tables import campaign_members, campaigns, leads, message_deliveries, message_sends, outbox
from app.settings import Settings
from tests.builders import User


@dataclass
class Sent:
    tenant_id: UUID
    campaign_id: UUID
    send_id: UUID
    member_id: UUID | None
    delivery_id: UUID
    address: str
    message_id: str


async def create_record(client: httpx.AsyncClient, user: User, kind: str, **body: Any) -> dict[str, Any]:
    """A contact or lead through the API, owned by `user`."""
    body.setdefault("name", f"Person {uuid.uuid4().hex[:6]}")
    r = await client.post(f"/api/v1/{kind}s", json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def campaign(engine: AsyncEngine, owner: User, name: str = "Spring expo") -> UUID:
    campaign_id = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            campaigns.insert().values(
                tenant_id=owner.tenant_id, id=campaign_id, name=name, campaign_type="email", owner_id=owner.id,
                department_id=owner.department_id,
            )
        )  # fmt: skip
    return campaign_id


async def sent(
    engine: AsyncEngine,
    owner: User,
    *,
    address: str,
    contact_id: UUID | None = None,
    lead_id: UUID | None = None,
    channel: str = "email",
    campaign_id: UUID | None = None,
    member_status: str | None = "sent",
) -> Sent:
    """A delivery sent to `address` for a contact or lead; with a campaign member unless
    `member_status` is None."""
    tenant_id = owner.tenant_id
    if contact_id is None and lead_id is None:  # someone it went to: a bare lead of the owner's
        lead_id = new_id()
        async with engine.begin() as conn:
            await conn.execute(
                leads.insert().values(
                    tenant_id=tenant_id, id=lead_id, name=address, email=address, owner_id=owner.id,
                    department_id=owner.department_id,
                )
            )  # fmt: skip
    campaign_id = campaign_id or await campaign(engine, owner)
    send_id, delivery_id = new_id(), new_id()
    member_id = new_id() if member_status else None
    message_id = f"<{uuid.uuid4().hex}@crm.test>"
    async with engine.begin() as conn:
        await conn.execute(
            message_sends.insert().values(
                tenant_id=tenant_id, id=send_id, campaign_id=campaign_id, template_id=new_id(), channel=channel,
                audience="members", status="sending", owner_id=owner.id, department_id=owner.department_id,
            )
        )  # fmt: skip
        if member_id:
            await conn.execute(
                campaign_members.insert().values(
                    tenant_id=tenant_id, id=member_id, campaign_id=campaign_id, contact_id=contact_id,
                    lead_id=lead_id, status=member_status,
                    sent_at=sa.func.now() if member_status != "targeted" else None,
                )
            )  # fmt: skip
        await conn.execute(
            message_deliveries.insert().values(
                tenant_id=tenant_id, id=delivery_id, send_id=send_id, member_id=member_id, contact_id=contact_id,
                lead_id=lead_id, address=address, status="sent", message_id=message_id, sent_at=sa.func.now(),
            )
        )  # fmt: skip
    return Sent(tenant_id, campaign_id, send_id, member_id, delivery_id, address, message_id)


def link(settings: Settings, purpose: str, s: Sent, url: str | None = None) -> str:
    return link_signer(settings).sign(purpose, LinkTarget(s.tenant_id, s.delivery_id, url))


def open_path(settings: Settings, s: Sent) -> str:
    return f"/api/v1/public/t/o/{link(settings, OPEN, s)}"


def click_path(settings: Settings, s: Sent, url: str) -> str:
    return f"/api/v1/public/t/c/{link(settings, CLICK, s, url)}"


def unsubscribe_path(settings: Settings, s: Sent) -> str:
    return f"/api/v1/public/unsubscribe/{link(settings, UNSUBSCRIBE, s)}"


async def delivery_row(engine: AsyncEngine, s: Sent) -> Any:
    async with engine.connect() as conn:
        return (
            await conn.execute(
                sa.select(message_deliveries).where(
                    message_deliveries.c.tenant_id == s.tenant_id, message_deliveries.c.id == s.delivery_id
                )
            )
        ).one()


async def member_row(engine: AsyncEngine, s: Sent) -> Any:
    async with engine.connect() as conn:
        return (
            await conn.execute(
                sa.select(campaign_members).where(
                    campaign_members.c.tenant_id == s.tenant_id, campaign_members.c.id == s.member_id
                )
            )
        ).one()


async def events(engine: AsyncEngine, tenant_id: UUID, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.event_type, outbox.c.payload)
            .where(outbox.c.tenant_id == tenant_id, outbox.c.event_type.startswith(prefix))
            .order_by(outbox.c.id)
        )
        return [(r.event_type, r.payload) for r in rows]
