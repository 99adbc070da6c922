"""/api/v1/api-tokens: personal API tokens (crm_pat_...)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.secrets import digest
from app.repositories.tables import api_tokens
from tests.api.identity_support import bearer, login
from tests.builders import Factory

TOKENS = "/api/v1/api-tokens"


async def test_create_use_and_revoke(client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    r = await client.post(
        TOKENS, json={"name": "nightly sync", "scopes": ["users:read", "customers:read"], "expires_at": expires},
        headers=rep.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    created = r.json()
    secret = created["token"]
    assert secret.startswith("crm_pat_") and created["prefix"] == secret[: len(created["prefix"])]
    assert created["scopes"] == ["customers:read", "users:read"]
    assert r.headers["cache-control"] == "no-store"
    # Stored as a hash only.
    async with engine.connect() as conn:
        stored = (await conn.execute(sa.select(api_tokens).where(api_tokens.c.id == created["id"]))).one()
    assert stored.token_hash == digest(secret) and secret not in str(stored)
    me = await client.get("/api/v1/auth/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.json()["api_token_id"] == created["id"]
    assert sorted(me.json()["permissions"]) == ["customers:read", "users:read"]
    assert (await client.get("/api/v1/users", headers=bearer(secret))).status_code == 200
    assert (await client.get("/api/v1/departments", headers=bearer(secret))).status_code == 403  # not in scope
    listed = (await client.get(TOKENS, headers=rep.headers)).json()["items"]
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0] and listed[0]["last_used_at"] is not None
    assert (await client.delete(f"{TOKENS}/{created['id']}", headers=rep.headers)).status_code == 204
    r = await client.get("/api/v1/users", headers=bearer(secret))
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert (await client.get(TOKENS, headers=rep.headers)).json()["items"] == []


async def test_scopes_must_be_a_subset_of_the_callers_permissions(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(TOKENS, json={"name": "x", "scopes": ["customers:read", "users:create"]}, headers=rep.headers)
    assert r.status_code == 403
    assert "'users:create'" in r.json()["detail"] and "not among your permissions" in r.json()["detail"]
    r = await client.post(TOKENS, json={"name": "x", "scopes": ["customers:fly"]}, headers=rep.headers)
    assert r.status_code == 422 and "customers:fly" in r.json()["errors"][0]["message"]
    r = await client.post(TOKENS, json={"name": "x", "scopes": []}, headers=rep.headers)
    assert r.status_code == 422
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    r = await client.post(
        TOKENS, json={"name": "x", "scopes": ["customers:read"], "expires_at": past}, headers=rep.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_at"


async def test_a_token_loses_what_its_user_loses(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    analyst = await world.user("analyst", ["analyst"])
    r = await client.post(
        TOKENS, json={"name": "report", "scopes": ["audit_log:read", "users:read"]}, headers=analyst.headers
    )
    secret = r.json()["token"]
    assert (await client.get("/api/v1/audit-log", headers=bearer(secret))).status_code == 200
    # The analyst becomes a sales rep: no audit_log:read any more, for the token either.
    r = await client.patch(
        f"/api/v1/users/{analyst.id}", json={"role_ids": [str(world.role_ids["sales_rep"])]}, headers=admin.headers
    )
    assert r.status_code == 200
    assert (await client.get("/api/v1/audit-log", headers=bearer(secret))).status_code == 403
    assert (await client.get("/api/v1/users", headers=bearer(secret))).status_code == 200


async def test_expired_token_is_401(client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(TOKENS, json={"name": "short", "scopes": ["users:read"]}, headers=rep.headers)
    async with engine.begin() as conn:
        await conn.execute(
            api_tokens.update()
            .where(api_tokens.c.id == r.json()["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await client.get("/api/v1/users", headers=bearer(r.json()["token"]))).status_code == 401


async def test_an_api_token_cannot_mint_tokens(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(
        TOKENS, json={"name": "a", "scopes": ["api_tokens:create", "users:read"]}, headers=rep.headers
    )
    secret = r.json()["token"]
    r = await client.post(TOKENS, json={"name": "b", "scopes": ["users:read"]}, headers=bearer(secret))
    assert r.status_code == 403


async def test_other_users_tokens_need_api_tokens_manage(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    rep = await world.user("rep", ["sales_rep"])
    rep2 = await world.user("rep2", ["sales_rep"])
    mine = (await client.post(TOKENS, json={"name": "mine", "scopes": ["users:read"]}, headers=rep.headers)).json()
    theirs = (await client.post(TOKENS, json={"name": "theirs", "scopes": ["users:read"]}, headers=rep2.headers)).json()
    # A rep sees and revokes only their own: someone else's token does not exist for them.
    assert (await client.get(f"{TOKENS}?user_id={rep2.id}", headers=rep.headers)).status_code == 403
    assert (await client.get(f"{TOKENS}?all=true", headers=rep.headers)).status_code == 403
    assert (await client.delete(f"{TOKENS}/{theirs['id']}", headers=rep.headers)).status_code == 404
    # The IT admin manages everyone's.
    everyone = (await client.get(f"{TOKENS}?all=true", headers=it.headers)).json()["items"]
    assert {t["id"] for t in everyone} == {mine["id"], theirs["id"]}
    only = (await client.get(f"{TOKENS}?user_id={rep2.id}", headers=it.headers)).json()["items"]
    assert [t["id"] for t in only] == [theirs["id"]]
    assert (await client.delete(f"{TOKENS}/{theirs['id']}", headers=it.headers)).status_code == 204
    assert (await client.get("/api/v1/users", headers=bearer(theirs["token"]))).status_code == 401
    assert (await client.get("/api/v1/users", headers=bearer(mine["token"]))).status_code == 200
    # Another tenant's admin cannot see or touch them.
    other = await factory.tenant()
    other_admin = await other.user("admin", ["admin"])
    assert (await client.delete(f"{TOKENS}/{mine['id']}", headers=other_admin.headers)).status_code == 404
    assert (await client.get(f"{TOKENS}?all=true", headers=other_admin.headers)).json()["items"] == []


async def test_token_list_pages_newest_first(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    for name in ("one", "two", "three"):
        await client.post(TOKENS, json={"name": name, "scopes": ["users:read"]}, headers=rep.headers)
    first = (await client.get(f"{TOKENS}?limit=2", headers=rep.headers)).json()
    assert [t["name"] for t in first["items"]] == ["three", "two"]
    rest = (await client.get(TOKENS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=rep.headers)).json()
    assert [t["name"] for t in rest["items"]] == ["one"] and rest["next_cursor"] is None


async def test_signed_in_user_token_flow_end_to_end(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    r = await client.post(TOKENS, json={"name": "cli", "scopes": ["users:read"]}, headers=bearer(pair["access_token"]))
    assert r.status_code == 201
    assert (await client.get("/api/v1/users", headers=bearer(r.json()["token"]))).status_code == 200
