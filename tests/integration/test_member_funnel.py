"""advance_members on PostgreSQL (app/repositories/member_funnel.py): members only move forward,
each step keeps the time it was first reached, bounced and unsubscribed stay (with no new step
times), and only the ids whose status changed come back (the ones to publish
`campaign_member.<step>` for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.ids import new_id
from app.repositories.member_funnel import advance_members
from app.repositories.tables import campaign_members, campaigns, leads
from tests.builders import Factory

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


async def _campaign_with(factory: Factory, engine: AsyncEngine, statuses: list[str]) -> tuple[UUID, UUID, list[UUID]]:
    """A tenant, a campaign, and one lead member per given status (timestamps as if reached at T0)."""
    world = await factory.tenant()
    owner = await world.user("marketer", ["marketer"])
    campaign_id = new_id()
    members: list[UUID] = []
    async with engine.begin() as conn:
        await conn.execute(
            campaigns.insert().values(
                tenant_id=world.id, id=campaign_id, name="Expo", campaign_type="event", owner_id=owner.id
            )
        )
        for status in statuses:
            lead_id, member_id = new_id(), new_id()
            await conn.execute(leads.insert().values(tenant_id=world.id, id=lead_id, name=f"Lead {status}"))
            stamps: dict[str, Any] = {"targeted_at": T0}
            if status != "targeted":
                stamps[f"{status}_at"] = T0
            await conn.execute(
                campaign_members.insert().values(
                    tenant_id=world.id,
                    id=member_id,
                    campaign_id=campaign_id,
                    lead_id=lead_id,
                    status=status,
                    **stamps,
                )
            )
            members.append(member_id)
    return world.id, campaign_id, members


async def _rows(engine: AsyncEngine, ids: list[UUID]) -> list[Any]:
    m = campaign_members
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(m).where(m.c.id == sa.any_(sa.literal(ids, sa.ARRAY(sa.Uuid)))))).all()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids]


async def test_forward_only_with_first_times_kept(factory: Factory, engine: AsyncEngine) -> None:
    tenant, campaign, ids = await _campaign_with(factory, engine, ["targeted", "sent", "registered", "converted"])
    later = T0 + timedelta(days=1)
    async with engine.begin() as conn:
        changed = await advance_members(conn, tenant, "opened", campaign_id=campaign, at=later)
    # targeted and sent move to opened; registered and converted stay where they are
    assert set(changed) == {ids[0], ids[1]}
    rows = await _rows(engine, ids)
    assert [r.status for r in rows] == ["opened", "opened", "registered", "converted"]
    # every member now has the time it (first) opened, also those further along
    assert all(r.opened_at == later for r in rows)
    assert rows[1].sent_at == T0 and rows[0].sent_at is None
    versions = [r.version for r in rows]

    # Opening again changes nothing: no ids, the first time kept, no new version.
    async with engine.begin() as conn:
        assert await advance_members(conn, tenant, "opened", campaign_id=campaign, at=later + timedelta(hours=1)) == []
    rows = await _rows(engine, ids)
    assert all(r.opened_at == later for r in rows) and [r.version for r in rows] == versions

    # A step back ("sent" for an opened member) records only the missing time.
    async with engine.begin() as conn:
        assert await advance_members(conn, tenant, "sent", member_ids=[ids[0]], at=later) == []
    row = (await _rows(engine, [ids[0]]))[0]
    assert row.status == "opened" and row.sent_at == later


async def test_final_states_stay_with_their_history_and_no_new_times(factory: Factory, engine: AsyncEngine) -> None:
    tenant, campaign, ids = await _campaign_with(factory, engine, ["clicked", "bounced", "unsubscribed"])
    before = await _rows(engine, ids)
    async with engine.begin() as conn:
        changed = await advance_members(conn, tenant, "unsubscribed", member_ids=ids)
    assert changed == [ids[0]]
    async with engine.begin() as conn:
        assert await advance_members(conn, tenant, "converted", campaign_id=campaign) == []
        assert await advance_members(conn, tenant, "clicked", campaign_id=campaign) == []
    rows = await _rows(engine, ids)
    assert [r.status for r in rows] == ["unsubscribed", "bounced", "unsubscribed"]
    # The funnel ended: the times reached before stay, no later step is stamped (not even the
    # other final one), and the final members' rows were not written at all.
    assert rows[0].clicked_at == T0 and rows[0].unsubscribed_at is not None
    assert rows[1].bounced_at == T0 and rows[1].unsubscribed_at is None
    assert rows[2].unsubscribed_at == T0 and rows[2].clicked_at is None
    assert all(r.converted_at is None for r in rows)
    assert [r.version for r in rows[1:]] == [r.version for r in before[1:]]


async def test_selection_by_lead_and_tenant(factory: Factory, engine: AsyncEngine) -> None:
    tenant, campaign, ids = await _campaign_with(factory, engine, ["sent", "sent"])
    other_tenant, _, other_ids = await _campaign_with(factory, engine, ["sent"])
    first = (await _rows(engine, [ids[0]]))[0]
    async with engine.begin() as conn:
        # another tenant's id is never moved, whatever the selection says
        assert await advance_members(conn, tenant, "clicked", member_ids=[ids[0], other_ids[0]]) == [ids[0]]
        assert await advance_members(conn, tenant, "registered", lead_id=first.lead_id) == [ids[0]]
    rows = await _rows(engine, [*ids, *other_ids])
    assert [r.status for r in rows] == ["registered", "sent", "sent"]
    assert rows[0].clicked_at is not None and rows[0].registered_at is not None
    assert other_tenant != tenant


async def test_a_selection_is_required_and_the_step_known(factory: Factory, engine: AsyncEngine) -> None:
    tenant, _, _ = await _campaign_with(factory, engine, ["sent"])
    async with engine.connect() as conn:
        with pytest.raises(ValueError, match="selection"):
            await advance_members(conn, tenant, "opened")
        with pytest.raises(ValueError, match="unknown"):
            await advance_members(conn, tenant, "teleported", member_ids=[new_id()])
