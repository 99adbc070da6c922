"""The surveys' demo seed over a tenant's resolved tickets: the CSAT and NPS templates, an
invitation per resolved ticket with about 60% answered, call-backs, and results that add up."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.tables import survey_call_backs, survey_invitations, survey_responses, surveys
from app.seed_surveys import seed_demo_surveys
from tests.builders import Factory

TICKETS = 40


async def test_seed_answers_the_resolved_tickets(
    client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine
) -> None:
    world = await factory.sales_world()
    agent = world.users["agent1"].headers
    for i in range(TICKETS):
        r = await client.post("/api/v1/tickets", json={"subject": f"Case {i}"}, headers=agent)
        if i % 4:  # three in four resolved
            move = {"status": "resolved", "solution": "Done"}
            assert (
                await client.patch(f"/api/v1/tickets/{r.json()['id']}", json=move, headers=agent)
            ).status_code == 200
    resolved = TICKETS - TICKETS // 4
    async with engine.begin() as conn:
        assert await seed_demo_surveys(conn, world.id, datetime.now(UTC)) is True

    async def count(table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
        async with engine.connect() as conn:
            stmt = sa.select(sa.func.count()).where(table.c.tenant_id == world.id, *where)
            return int((await conn.execute(stmt)).scalar_one())

    assert await count(surveys) == 2 and await count(surveys, surveys.c.is_ticket_csat) == 1
    assert await count(survey_invitations) == resolved
    answered = await count(survey_invitations, survey_invitations.c.answered_at.isnot(None))
    assert 0.35 * resolved <= answered <= 0.85 * resolved
    assert await count(survey_responses, survey_responses.c.invitation_id.isnot(None)) == answered
    reached = await count(survey_call_backs, survey_call_backs.c.outcome == "reached")
    assert await count(survey_responses, survey_responses.c.channel == "call_back") == reached
    listed = (await client.get("/api/v1/surveys", headers=world.users["service_manager"].headers)).json()["items"]
    csat = next(s for s in listed if s["is_ticket_csat"])
    r = await client.get(f"/api/v1/surveys/{csat['id']}/results", params={"group_by": "week"},
                         headers=world.users["service_manager"].headers)  # fmt: skip
    res = r.json()
    assert res["responses"] == answered + reached == sum(g["responses"] for g in res["groups"])
    assert res["csat"]["answered"] == res["responses"] and res["csat"]["percent"] is not None
