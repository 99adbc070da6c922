"""Sign-in, sessions and the caller's own account: /api/v1/auth/* and /api/v1/signup."""

from __future__ import annotations

import base64
import json
import time
import uuid

import httpx
import pytest
from jose import jwt

from app.settings import Settings
from tests.api.identity_support import app_with, bearer, client_from, login
from tests.builders import PASSWORD, Factory, unique_email

ME = "/api/v1/auth/me"


# -- login -----------------------------------------------------------------------------------------


async def test_login_returns_a_working_token_pair(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post("/api/v1/auth/login", json={"email": rep.email.upper(), "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_token"].startswith("crm_rt_")
    assert r.headers["cache-control"] == "no-store"
    me = await client.get(ME, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["user"]["id"] == str(rep.id)
    assert me.json()["user"]["last_login_at"] is not None


async def test_unknown_email_and_wrong_password_answer_alike(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    wrong = await client.post("/api/v1/auth/login", json={"email": rep.email, "password": "not the password 1"})
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": unique_email("nobody"), "password": "not the password 1"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_login_body_is_validated(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/auth/login", json={"email": "a@b.c", "password": "x" * 20, "remember": True})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "remember"
    r = await client.post("/api/v1/auth/login", json={"email": "a@b.c"})
    assert r.status_code == 422


async def test_deactivated_account_is_told_so_only_with_the_right_password(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    rep = await world.user("rep", ["sales_rep"])
    assert (await client.post(f"/api/v1/users/{rep.id}/deactivate", headers=it.headers)).status_code == 200
    wrong = await client.post("/api/v1/auth/login", json={"email": rep.email, "password": "not the password 1"})
    assert wrong.status_code == 401
    right = await client.post("/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD})
    assert right.status_code == 403
    assert right.json()["type"].endswith("/account-deactivated")


# -- throttling ------------------------------------------------------------------------------------


async def test_ten_failures_from_one_address_throttle_that_account_there(app: object, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    async with client_from(app, "198.51.100.10") as attacker:
        for _ in range(10):
            r = await attacker.post("/api/v1/auth/login", json={"email": rep.email, "password": "guess guess 123"})
            assert r.status_code == 401
        r = await attacker.post("/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD})
        assert r.status_code == 429  # even the right password
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["retry_after"] == int(r.headers["retry-after"])
    # The owner, elsewhere, is not locked out by the stranger.
    async with client_from(app, "192.0.2.44") as owner:
        assert (await login(owner, rep.email))["access_token"]


async def test_account_wide_limit_spares_addresses_the_owner_signed_in_from(
    database_url: str, factory: Factory
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    async with app_with(
        database_url, login_max_failures_per_address=2, login_max_failures_per_account_hour=4
    ) as strict:
        async with client_from(strict, "192.0.2.80") as owner:
            await login(owner, rep.email)  # a known address from now on
        for address in ("198.51.100.1", "198.51.100.2"):
            async with client_from(strict, address) as attacker:
                for _ in range(2):
                    r = await attacker.post("/api/v1/auth/login", json={"email": rep.email, "password": "x" * 12})
                    assert r.status_code == 401
        async with client_from(strict, "198.51.100.3") as newcomer:
            r = await newcomer.post("/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD})
            assert r.status_code == 429
            assert "account" in r.json()["detail"]
        async with client_from(strict, "192.0.2.80") as owner:
            assert (await login(owner, rep.email))["access_token"]


async def test_throttling_applies_to_unknown_emails_too(database_url: str) -> None:
    email = unique_email("ghost")
    async with (
        app_with(database_url, login_max_failures_per_address=2) as strict,
        client_from(strict, "198.51.100.9") as c,
    ):
        codes = [
            (await c.post("/api/v1/auth/login", json={"email": email, "password": "x" * 12})).status_code
            for _ in range(3)
        ]
    assert codes == [401, 401, 429]


# -- refresh, logout -------------------------------------------------------------------------------


async def test_refresh_rotates_and_reuse_revokes_the_family(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    first = await login(client, rep.email)
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await client.get(ME, headers=bearer(second["access_token"]))).status_code == 200
    # The first token comes back: stolen. The whole family ends, the thief's and the owner's.
    reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert reuse.headers["www-authenticate"] == "Bearer"
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert r.status_code == 401
    # Another session of the same user is not affected.
    other = await login(client, rep.email)
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    ).status_code == 200


async def test_unknown_refresh_token_is_401(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": "crm_rt_made-up"})
    assert r.status_code == 401


async def test_logout_revokes_the_access_token_and_the_refresh_family(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    keep = await login(client, rep.email)  # another device
    r = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=bearer(pair["access_token"])
    )
    assert r.status_code == 204
    assert (await client.get(ME, headers=bearer(pair["access_token"]))).status_code == 401
    refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401
    assert (await client.get(ME, headers=bearer(keep["access_token"]))).status_code == 200


async def test_logout_without_body_and_without_token(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    assert (await client.post("/api/v1/auth/logout", headers=bearer(pair["access_token"]))).status_code == 204
    assert (await client.get(ME, headers=bearer(pair["access_token"]))).status_code == 401
    assert (await client.post("/api/v1/auth/logout")).status_code == 401


# -- tokens that must not work ---------------------------------------------------------------------


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(settings: Settings, user_id: uuid.UUID, tenant_id: uuid.UUID, **extra: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "sub": str(user_id), "tid": str(tenant_id), "scope": "users:read", "typ": "access",
        "aud": settings.jwt_audience, "iss": settings.jwt_issuer, "iat": now, "exp": now + 600,
        "jti": str(uuid.uuid4()), **extra,
    }  # fmt: skip


async def test_bad_tokens_are_401_with_www_authenticate(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    other = await factory.tenant()
    kid, secret = settings.signing_key
    now = int(time.time())
    pair = await login(client, rep.email)
    tokens = {
        "expired": jwt.encode(
            _claims(settings, rep.id, world.id, iat=now - 3600, exp=now - 1800), secret, "HS256", headers={"kid": kid}
        ),
        "forged": jwt.encode(
            _claims(settings, rep.id, world.id),
            "another secret of enough length 0123456789",
            "HS256",
            headers={"kid": kid},
        ),
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64(_claims(settings, rep.id, world.id))}.",
        "unknown_kid": jwt.encode(_claims(settings, rep.id, world.id), secret, "HS256", headers={"kid": "nope"}),
        "other_tenant": jwt.encode(_claims(settings, rep.id, other.id), secret, "HS256", headers={"kid": kid}),
        "refresh_typ": jwt.encode(
            _claims(settings, rep.id, world.id, typ="refresh"), secret, "HS256", headers={"kid": kid}
        ),
        "refresh_token_as_access": pair["refresh_token"],
        "wrong_audience": jwt.encode(
            _claims(settings, rep.id, world.id, aud="someone-else"), secret, "HS256", headers={"kid": kid}
        ),
        "garbage": "not.a.token",
        "unknown_api_token": "crm_pat_" + "x" * 43,
    }
    for name, token in tokens.items():
        r = await client.get(ME, headers=bearer(token))
        assert r.status_code == 401, name
        assert r.headers["www-authenticate"] == "Bearer", name
    assert (await client.get(ME)).status_code == 401
    assert (await client.get(ME, headers=bearer(pair["access_token"]))).status_code == 200


async def test_deactivated_users_access_token_dies_at_once(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    assert (await client.get(ME, headers=rep.headers)).status_code == 200
    assert (await client.post(f"/api/v1/users/{rep.id}/deactivate", headers=it.headers)).status_code == 200
    for token in (rep.token, pair["access_token"]):
        assert (await client.get(ME, headers=bearer(token))).status_code == 401
    refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401


# -- me, password ----------------------------------------------------------------------------------


async def test_me_shows_roles_permissions_and_data_ranges(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    manager = await world.user("manager", ["sales_manager", "analyst"])
    r = await client.get(ME, headers=manager.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["tenant_id"] == str(world.id)
    assert sorted(role["key"] for role in body["roles"]) == ["analyst", "sales_manager"]
    assert "customers:assign" in body["permissions"] and "audit_log:read" in body["permissions"]
    # The union of both roles: the analyst reads everything, the manager changes the department's.
    assert body["data_ranges"]["customers"]["read"] == "all"
    assert body["data_ranges"]["customers"]["update"] == "department"
    assert "users" not in body["data_ranges"]
    assert body["api_token_id"] is None


async def test_password_change_ends_other_sessions_and_returns_a_fresh_pair(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    old = await login(client, rep.email)
    new_password = "a brand new passphrase 7"
    r = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": new_password},
        headers=bearer(old["access_token"]),
    )
    assert r.status_code == 200
    fresh = r.json()
    assert (await client.get(ME, headers=bearer(fresh["access_token"]))).status_code == 200
    assert (await client.get(ME, headers=bearer(old["access_token"]))).status_code == 401
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]})
    assert r.status_code == 401
    r = await client.post("/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert r.status_code == 200
    bad = await client.post("/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD})
    assert bad.status_code == 401
    assert (await login(client, rep.email, new_password))["access_token"]


@pytest.mark.parametrize(
    ("new_password", "reason"),
    [
        ("short1", "at least 10 characters"),
        ("x" * 1025, "at most 1024 characters"),
        ("EMAIL", "must not be the email address"),
        ("password123", "most common passwords"),
    ],
)
async def test_password_policy_names_the_reason(
    client: httpx.AsyncClient, factory: Factory, new_password: str, reason: str
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    if new_password == "EMAIL":
        new_password = rep.email
    r = await client.post(
        "/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": new_password}, headers=rep.headers
    )
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["field"] == "new_password"
    assert reason in error["message"]
    # Nothing changed: the old password still signs in.
    assert (await login(client, rep.email))["access_token"]


async def test_password_change_needs_the_current_password(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "not it at all 9", "new_password": "a brand new passphrase 7"},
        headers=rep.headers,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "current_password"
    assert (await client.get(ME, headers=rep.headers)).status_code == 200


# -- signup ----------------------------------------------------------------------------------------


async def test_signup_creates_a_tenant_and_signs_its_admin_in(client: httpx.AsyncClient) -> None:
    email = unique_email("founder")
    r = await client.post(
        "/api/v1/signup",
        json={"company_name": "北京科技有限公司", "name": "张伟", "email": email, "password": "founders keep keys 1"},
    )
    assert r.status_code == 201
    me = (await client.get(ME, headers=bearer(r.json()["access_token"]))).json()
    assert me["tenant_name"] == "北京科技有限公司"
    assert [role["key"] for role in me["roles"]] == ["admin"]
    audit = await client.get("/api/v1/audit-log", headers=bearer(r.json()["access_token"]))
    assert [e["action"] for e in reversed(audit.json()["items"])] == ["tenant.created", "user.created", "auth.login"]
    roles = await client.get("/api/v1/roles?limit=200", headers=bearer(r.json()["access_token"]))
    assert {role["key"] for role in roles.json()["items"]} >= {"admin", "sales_rep", "system_admin"}
    again = await client.post(
        "/api/v1/signup",
        json={"company_name": "Copycat", "name": "X", "email": email.upper(), "password": "founders keep keys 1"},
    )
    assert again.status_code == 409


async def test_signup_validates_input(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/signup",
        json={"company_name": "Acme", "name": "A", "email": unique_email("a"), "password": "password123"},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "password"
    r = await client.post(
        "/api/v1/signup", json={"company_name": "", "name": "A", "email": "not-an-email", "password": "x" * 12}
    )
    assert r.status_code == 422


async def test_signup_can_be_turned_off(database_url: str) -> None:
    async with app_with(database_url, allow_signup=False) as closed, client_from(closed, "192.0.2.1") as c:
        r = await c.post(
            "/api/v1/signup",
            json={"company_name": "Acme", "name": "A", "email": unique_email("a"), "password": "founders keep keys 1"},
        )
    assert r.status_code == 403
    assert r.json()["type"].endswith("/feature-disabled")


async def test_signup_is_rate_limited_per_address(app: object) -> None:
    """Anyone may call it: five attempts per address and hour (failed ones count too), then 429."""
    weak = {"company_name": "Acme", "name": "A", "password": "password123"}
    async with client_from(app, "192.0.2.55") as c:
        for _ in range(5):
            r = await c.post("/api/v1/signup", json={**weak, "email": unique_email("a")})
            assert r.status_code == 422
        r = await c.post("/api/v1/signup", json={**weak, "email": unique_email("a")})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert r.json()["type"].endswith("/too-many-requests")
    async with client_from(app, "192.0.2.56") as other:
        r = await other.post("/api/v1/signup", json={**weak, "email": unique_email("a")})
        assert r.status_code == 422


async def test_issued_token_scope_is_the_permission_set(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    claims = jwt.get_unverified_claims(pair["access_token"])
    assert "customers:read" in claims["scope"].split()
    assert "users:create" not in claims["scope"].split()
    assert claims["typ"] == "access"
