"""Sessions: access tokens bound to their sign-in, ended at once by a password change, reuse of a
refresh token, the owner or an administrator; an absolute lifetime; the signed-in devices list."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from jose import jwt
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.jwt_tokens import decode_access_token
from app.repositories.tables import audit_log, refresh_tokens, user_sessions
from app.settings import Settings
from tests.api.identity_support import bearer, login
from tests.builders import PASSWORD, Factory

ME = "/api/v1/auth/me"
SESSIONS = "/api/v1/auth/sessions"
NEW_PASSWORD = "a brand new passphrase 7"


def _sid(settings: Settings, token: str) -> uuid.UUID:
    sid = decode_access_token(settings, token).session_id
    assert sid is not None
    return sid


def _token(settings: Settings, user_id: uuid.UUID, tenant_id: uuid.UUID, iat: int, **extra: object) -> str:
    """An access token as the server signs one, issued at `iat`."""
    kid, secret = settings.signing_key
    claims = {
        "sub": str(user_id), "tid": str(tenant_id), "scope": "users:read", "typ": "access",
        "aud": settings.jwt_audience, "iss": settings.jwt_issuer, "iat": iat, "exp": iat + 600,
        "jti": str(uuid.uuid4()), **extra,
    }  # fmt: skip
    return jwt.encode(claims, secret, algorithm="HS256", headers={"kid": kid})


async def _status(client: httpx.AsyncClient, token: str) -> int:
    return (await client.get(ME, headers=bearer(token))).status_code


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


async def _change(client: httpx.AsyncClient, token: str, **extra: Any) -> httpx.Response:
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, **extra}
    return await client.post("/api/v1/auth/password", json=body, headers=bearer(token))


async def _api_token(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    r = await client.post("/api/v1/api-tokens", json={"name": "sync", "scopes": ["users:read"]}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


async def _audit(engine: AsyncEngine, tenant_id: uuid.UUID, action: str) -> list[Any]:
    async with engine.connect() as conn:
        stmt = sa.select(audit_log).where(audit_log.c.tenant_id == tenant_id, audit_log.c.action == action)
        return list(await conn.execute(stmt))


# -- password change -------------------------------------------------------------------------------


async def test_password_change_ends_other_sessions_at_once_whatever_second_their_tokens_carry(
    client: httpx.AsyncClient, factory: Factory, settings: Settings, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    mine = await login(client, rep.email)
    other = await login(client, rep.email)  # another device
    # A token of the other device issued in the second of the change (or later): a whole-second
    # cut-off let it through.
    same_second = _token(
        settings, rep.id, world.id, int(time.time()) + 2, sid=str(_sid(settings, other["access_token"]))
    )
    assert await _status(client, same_second) == 200
    r = await _change(client, mine["access_token"])
    assert r.status_code == 200, r.text
    fresh = r.json()
    for token in (other["access_token"], same_second):
        assert await _status(client, token) == 401
    assert (await _refresh(client, other["refresh_token"])).status_code == 401
    # The caller's own session goes on under the same id, with the fresh pair only.
    assert _sid(settings, fresh["access_token"]) == _sid(settings, mine["access_token"])
    assert await _status(client, fresh["access_token"]) == 200
    assert await _status(client, mine["access_token"]) == 401
    assert (await _refresh(client, mine["refresh_token"])).status_code == 401
    r = await _refresh(client, fresh["refresh_token"])
    assert r.status_code == 200
    listed = (await client.get(SESSIONS, headers=bearer(r.json()["access_token"]))).json()["items"]
    assert [(s["id"], s["current"]) for s in listed] == [(str(_sid(settings, mine["access_token"])), True)]
    [entry] = await _audit(engine, world.id, "user.password_changed")
    # The other device and the builder's session (rep.token).
    assert entry.changes == {"sessions_ended": 2, "api_tokens_revoked": 0, "api_tokens_kept": False}
    assert await _status(client, rep.token) == 401


async def test_password_change_revokes_api_tokens_unless_asked_to_keep_them(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    keeper = await world.user("keeper", ["sales_rep"])
    rep_secret = await _api_token(client, rep.headers)
    keeper_secret = await _api_token(client, keeper.headers)
    assert (await _change(client, rep.token)).status_code == 200
    assert (await _change(client, keeper.token, keep_api_tokens=True)).status_code == 200
    assert await _status(client, rep_secret) == 401
    assert await _status(client, keeper_secret) == 200
    # An API token cannot change the password (nor list or end sessions).
    r = await client.post(
        "/api/v1/auth/password",
        json={"current_password": NEW_PASSWORD, "new_password": "yet another passphrase 8"},
        headers=bearer(keeper_secret),
    )
    assert r.status_code == 403
    assert (await client.get(SESSIONS, headers=bearer(keeper_secret))).status_code == 403


async def test_admin_password_reset_ends_every_session_and_api_token(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    rep = await world.user("rep", ["sales_rep"])
    secret = await _api_token(client, rep.headers)
    # A forced reset clears the password (the user is mailed a link to choose a new one).
    r = await client.post(f"/api/v1/users/{rep.id}/password-reset", headers=it.headers)
    assert r.status_code == 200, r.text
    assert await _status(client, rep.token) == 401
    assert await _status(client, secret) == 401


# -- lifetime and reuse ----------------------------------------------------------------------------


async def test_rotation_never_extends_a_session_past_its_absolute_expiry(
    client: httpx.AsyncClient, factory: Factory, settings: Settings, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    assert settings.session_max_days * 86400 - 1 <= pair["refresh_expires_in"] <= settings.session_max_days * 86400
    sid = _sid(settings, pair["access_token"])
    async with engine.begin() as conn:  # the sign-in was long ago: one hour is left
        await conn.execute(
            user_sessions.update()
            .where(user_sessions.c.id == sid)
            .values(expires_at=sa.func.now() + sa.text("interval '1 hour'"))
        )
    r = await _refresh(client, pair["refresh_token"])
    assert r.status_code == 200
    nxt = r.json()
    assert 0 < nxt["refresh_expires_in"] <= 3600
    async with engine.connect() as conn:
        session_end = (
            await conn.execute(sa.select(user_sessions.c.expires_at).where(user_sessions.c.id == sid))
        ).one()[0]
        live = sa.select(refresh_tokens.c.expires_at).where(
            refresh_tokens.c.family_id == sid, refresh_tokens.c.rotated_at.is_(None)
        )
        [latest] = (await conn.execute(live)).scalars().all()
    assert latest <= session_end
    async with engine.begin() as conn:  # and now it is over
        await conn.execute(user_sessions.update().where(user_sessions.c.id == sid).values(expires_at=sa.func.now()))
    assert (await _refresh(client, nxt["refresh_token"])).status_code == 401
    assert await _status(client, nxt["access_token"]) == 401


async def test_the_browser_cookie_lives_no_longer_than_its_session(
    client: httpx.AsyncClient, factory: Factory, settings: Settings, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post("/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD, "browser": True})
    assert r.status_code == 200
    async with engine.begin() as conn:
        await conn.execute(
            user_sessions.update()
            .where(user_sessions.c.id == _sid(settings, r.json()["access_token"]))
            .values(expires_at=sa.func.now() + sa.text("interval '1 hour'"))
        )
    r = await client.post("/api/v1/auth/refresh")
    assert r.status_code == 200
    max_age = int(r.headers["set-cookie"].lower().split("max-age=")[1].split(";")[0])
    assert 0 < max_age <= 3600
    assert r.json()["refresh_expires_in"] == max_age
    client.cookies.clear()


async def test_refresh_token_reuse_cuts_the_familys_access_token_at_once(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    first = await login(client, rep.email)
    second = (await _refresh(client, first["refresh_token"])).json()
    assert await _status(client, second["access_token"]) == 200
    assert (await _refresh(client, first["refresh_token"])).status_code == 401  # reuse
    assert await _status(client, second["access_token"]) == 401
    assert await _status(client, first["access_token"]) == 401


async def test_access_tokens_without_a_session_are_refused(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    assert await _status(client, _token(settings, rep.id, world.id, int(time.time()))) == 401
    assert await _status(client, _token(settings, rep.id, world.id, int(time.time()), sid=str(uuid.uuid4()))) == 401


async def test_logout_with_only_the_access_token_ends_its_session(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    assert (await client.post("/api/v1/auth/logout", headers=bearer(pair["access_token"]))).status_code == 204
    assert (await _refresh(client, pair["refresh_token"])).status_code == 401


# -- signed-in devices -----------------------------------------------------------------------------


async def test_own_sessions_are_listed_and_ended(
    client: httpx.AsyncClient, factory: Factory, settings: Settings, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    other_user = await world.user("other", ["sales_rep"])
    laptop = (
        await client.post(
            "/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD}, headers={"User-Agent": "Laptop/1"}
        )
    ).json()
    phone = (
        await client.post(
            "/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD}, headers={"User-Agent": "Phone/2"}
        )
    ).json()
    r = await client.get(SESSIONS, headers=bearer(laptop["access_token"]))
    assert r.status_code == 200
    listed = {s["user_agent"]: s for s in r.json()["items"] if s["user_agent"] in ("Laptop/1", "Phone/2")}
    assert listed["Laptop/1"]["current"] is True and listed["Phone/2"]["current"] is False
    assert listed["Phone/2"]["created_ip"] == listed["Phone/2"]["last_ip"] == "203.0.113.7"
    assert listed["Phone/2"]["id"] == str(_sid(settings, phone["access_token"]))
    assert {"created_at", "last_used_at", "expires_at"} <= set(listed["Phone/2"])
    # Another user's session does not exist for the caller, and stays alive.
    theirs = _sid(settings, other_user.token)
    assert (await client.delete(f"{SESSIONS}/{theirs}", headers=bearer(laptop["access_token"]))).status_code == 404
    assert await _status(client, other_user.token) == 200
    # Sign the phone out: its tokens stop at once.
    phone_id = listed["Phone/2"]["id"]
    assert (await client.delete(f"{SESSIONS}/{phone_id}", headers=bearer(laptop["access_token"]))).status_code == 204
    assert await _status(client, phone["access_token"]) == 401
    assert (await _refresh(client, phone["refresh_token"])).status_code == 401
    assert (await client.delete(f"{SESSIONS}/{phone_id}", headers=bearer(laptop["access_token"]))).status_code == 404
    ids = [s["id"] for s in (await client.get(SESSIONS, headers=bearer(laptop["access_token"]))).json()["items"]]
    assert phone_id not in ids and str(_sid(settings, laptop["access_token"])) in ids
    [entry] = await _audit(engine, world.id, "auth.session_ended")
    assert entry.actor_id == rep.id and entry.changes == {"session_id": phone_id}


async def test_an_account_administrator_lists_and_ends_a_users_sessions(
    client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    rep = await world.user("rep", ["sales_rep"])
    manager = await world.user("manager", ["sales_manager"])
    pair = await login(client, rep.email)
    url = f"/api/v1/users/{rep.id}/sessions"
    r = await client.get(url, headers=it.headers)
    assert r.status_code == 200
    assert len(r.json()["items"]) == 2 and not any(s["current"] for s in r.json()["items"])
    # Only with users:manage.
    assert (await client.get(url, headers=manager.headers)).status_code == 403
    assert (await client.delete(url, headers=manager.headers)).status_code == 403
    assert await _status(client, rep.token) == 200
    assert (await client.delete(url, headers=it.headers)).status_code == 204
    for token in (rep.token, pair["access_token"]):
        assert await _status(client, token) == 401
    assert (await _refresh(client, pair["refresh_token"])).status_code == 401
    assert (await client.get(url, headers=it.headers)).json()["items"] == []
    [entry] = await _audit(engine, world.id, "user.sessions_ended")
    assert entry.actor_id == it.id and entry.entity_id == rep.id and entry.changes == {"sessions_ended": 2}
    # Another tenant's user does not exist here.
    elsewhere = await (await factory.tenant()).user("rep", ["sales_rep"])
    assert (await client.get(f"/api/v1/users/{elsewhere.id}/sessions", headers=it.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/users/{elsewhere.id}/sessions", headers=it.headers)).status_code == 404
    assert await _status(client, elsewhere.token) == 200
