"""Browser sessions: the refresh token lives in an httpOnly cookie scoped to /api/v1/auth."""

from __future__ import annotations

import httpx

from tests.api.identity_support import bearer
from tests.builders import PASSWORD, Factory

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


async def _refresh_with(client: httpx.AsyncClient, value: str | None) -> httpx.Response:
    client.cookies.clear()
    if value is not None:
        client.cookies.set("crm_refresh", value)
    return await client.post(REFRESH)


def _set_cookie(response: httpx.Response) -> str:
    header = response.headers.get("set-cookie")
    assert header is not None, "no Set-Cookie"
    return header


async def test_browser_login_sets_the_refresh_cookie_not_the_body(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(LOGIN, json={"email": rep.email, "password": PASSWORD, "browser": True})
    assert r.status_code == 200
    body = r.json()
    assert body["refresh_token"] is None
    assert body["access_token"]
    cookie = _set_cookie(r).lower()
    assert cookie.startswith("crm_refresh=crm_rt_")
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/api/v1/auth" in cookie
    assert "secure" not in cookie  # plain http here; https requests get Secure
    assert (await client.get(ME, headers=bearer(body["access_token"]))).status_code == 200


async def test_the_cookie_is_secure_over_https(app: object, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        r = await c.post(LOGIN, json={"email": rep.email, "password": PASSWORD, "browser": True})
    assert r.status_code == 200
    assert "; secure" in _set_cookie(r).lower()


async def test_refresh_with_the_cookie_rotates_it(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(LOGIN, json={"email": rep.email, "password": PASSWORD, "browser": True})
    first = client.cookies.get("crm_refresh")
    assert first
    r = await client.post(REFRESH)
    assert r.status_code == 200, r.text
    assert r.json()["refresh_token"] is None
    second = client.cookies.get("crm_refresh")
    assert second and second != first
    assert (await client.get(ME, headers=bearer(r.json()["access_token"]))).status_code == 200
    # The old cookie value is spent: presenting it again ends the family (the new one too).
    assert (await _refresh_with(client, first)).status_code == 401
    assert (await _refresh_with(client, second)).status_code == 401


async def test_refresh_without_body_or_cookie_is_401(client: httpx.AsyncClient) -> None:
    r = await client.post(REFRESH)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert (await client.post(REFRESH, json={})).status_code == 401


async def test_json_clients_are_unchanged(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(LOGIN, json={"email": rep.email, "password": PASSWORD})
    assert "set-cookie" not in r.headers
    pair = r.json()
    assert pair["refresh_token"].startswith("crm_rt_")
    r = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 200
    assert r.json()["refresh_token"].startswith("crm_rt_")
    assert "set-cookie" not in r.headers


async def test_logout_clears_the_cookie_and_ends_its_session(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(LOGIN, json={"email": rep.email, "password": PASSWORD, "browser": True})
    access = r.json()["access_token"]
    refresh = client.cookies.get("crm_refresh")
    r = await client.post(LOGOUT, headers=bearer(access))
    assert r.status_code == 204
    cleared = _set_cookie(r).lower()
    assert cleared.startswith('crm_refresh=""') or cleared.startswith("crm_refresh=;")
    assert "max-age=0" in cleared
    assert "path=/api/v1/auth" in cleared
    assert client.cookies.get("crm_refresh") is None
    assert (await client.get(ME, headers=bearer(access))).status_code == 401
    assert refresh
    assert (await _refresh_with(client, refresh)).status_code == 401


async def test_password_change_in_a_browser_session_renews_the_cookie(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(LOGIN, json={"email": rep.email, "password": PASSWORD, "browser": True})
    before = client.cookies.get("crm_refresh")
    r = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase 42"},
        headers=bearer(r.json()["access_token"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["refresh_token"] is None
    after = client.cookies.get("crm_refresh")
    assert after and after != before
    assert (await client.post(REFRESH)).status_code == 200
