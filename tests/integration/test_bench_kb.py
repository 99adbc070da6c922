"""The benchmark's knowledge-base generator on a small count: rows the app finds by its own search,
the agent the scenario searches as, and the marker that keeps a second run from redoing it."""

from datetime import timedelta

import httpx
import sqlalchemy as sa

from app.auth.jwt_tokens import issue_access_token
from app.auth.permissions import SYSTEM_ROLES
from app.domain.shared.clock import utcnow
from app.repositories.sessions import open_session
from bench import generate_kb
from tests.builders import Factory


async def test_generates_searchable_articles(factory: Factory, client: httpx.AsyncClient) -> None:
    world = await factory.tenant(generate_kb.BIG_TENANT)
    await world.user("admin", ["admin"])
    size = generate_kb.KbSize(120)
    assert await generate_kb.ensure(factory.engine, size) == generate_kb.wanted_marker(size)
    assert await generate_kb.kb_marker(factory.engine) == generate_kb.wanted_marker(size)
    async with factory.engine.connect() as conn:
        count = (
            await conn.execute(sa.text("SELECT count(*) FROM kb_articles WHERE tenant_id = :t"), {"t": world.id})
        ).scalar()
        agent = (
            await conn.execute(
                sa.text("SELECT id FROM users WHERE tenant_id = :t AND email LIKE 'kb.agent@%'"), {"t": world.id}
            )
        ).scalar()
    assert count == 120 and agent is not None
    async with factory.engine.begin() as conn:
        session_id = await open_session(conn, world.id, agent, utcnow() + timedelta(days=1))
    token, _ = issue_access_token(
        factory.settings,
        user_id=agent,
        tenant_id=world.id,
        scopes=set(SYSTEM_ROLES["service_agent"]["permissions"]),
        session_id=session_id,
    )
    for q in (*generate_kb.QUERIES_ZH[:3], *generate_kb.QUERIES_EN[:3]):
        r = await client.get(
            "/api/v1/kb/articles", params={"q": q, "limit": 20}, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200 and r.json()["items"], q
    assert await generate_kb.ensure(factory.engine, size) == generate_kb.wanted_marker(size)  # present: kept
