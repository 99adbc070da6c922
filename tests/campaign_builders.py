"""Campaigns written straight into their table (the campaigns API is built elsewhere): what the
attribution and stats tests need, no more.

campaign = await insert_campaign(world, owner=marketer, campaign_type="event", actual_cost="1000")
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from app.domain.shared.ids import new_id
from app.repositories.tables import campaign_members, campaigns
from tests.builders import User, World

_counter = itertools.count()


async def insert_campaign(
    world: World,
    owner: User,
    *,
    campaign_type: str = "event",
    channel: str | None = None,
    currency: str = "CNY",
    budget: Decimal | str | None = None,
    actual_cost: Decimal | str | None = None,
    starts_on: date | None = None,
    parent_id: UUID | None = None,
    deleted: bool = False,
    name: str | None = None,
) -> UUID:
    campaign_id = new_id()
    values: dict[str, Any] = {
        "tenant_id": world.id,
        "id": campaign_id,
        "name": name or f"Campaign {next(_counter)}",
        "campaign_type": campaign_type,
        "channel": channel,
        "currency": currency,
        "budget": Decimal(budget) if budget is not None else None,
        "actual_cost": Decimal(actual_cost) if actual_cost is not None else None,
        "starts_on": starts_on,
        "parent_id": parent_id,
        "owner_id": owner.id,
        "department_id": owner.department_id,
        "created_by": owner.id,
        "updated_by": owner.id,
        "deleted_at": sa.func.now() if deleted else None,
    }
    async with world.factory.engine.begin() as conn:
        await conn.execute(campaigns.insert().values(values))
    return campaign_id


async def insert_member(
    world: World,
    campaign_id: UUID,
    *,
    contact_id: UUID | None = None,
    lead_id: UUID | None = None,
    **values: Any,
) -> UUID:
    """A member as the members API would leave it; `values` sets status, step times, registration."""
    member_id = new_id()
    row = {"tenant_id": world.id, "id": member_id, "campaign_id": campaign_id, "contact_id": contact_id,
           "lead_id": lead_id, **values}  # fmt: skip
    async with world.factory.engine.begin() as conn:
        await conn.execute(campaign_members.insert().values(row))
    return member_id
