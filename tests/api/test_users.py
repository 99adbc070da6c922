"""/api/v1/users: user administration."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.clock import utcnow
from app.domain.shared.ids import new_id
from app.repositories.tables import activities, contacts, customers
from app.settings import Settings
from tests.api.identity_support import bearer, login
from tests.api.mail_support import Inbox, deliver
from tests.builders import PASSWORD, Factory, unique_email

USERS = "/api/v1/users"


async def test_users_endpoints_need_a_token_and_the_permission(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    assert (await client.get(USERS)).status_code == 401
    assert (await client.get(USERS, headers=rep.headers)).status_code == 200  # the directory is readable
    r = await client.post(USERS, json={"email": unique_email("x"), "name": "X"}, headers=rep.headers)
    assert r.status_code == 403
    assert (await client.post(f"{USERS}/{rep.id}/deactivate", headers=rep.headers)).status_code == 403


async def test_system_admin_creates_reads_and_edits_users(
    client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine, settings: Settings, inbox: Inbox
) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    sales = await world.department("Sales")
    email = unique_email("new")
    r = await client.post(
        USERS,
        json={
            "email": email, "name": "Li Na", "department_id": str(sales), "locale": "zh-CN",
            "timezone": "Asia/Shanghai", "role_ids": [str(world.role_ids["system_admin"])],
        },
        headers=it.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    user = r.json()
    assert "password" not in user and "password_hash" not in user
    assert user["password_set"] is False  # invited
    assert user["role_ids"] == [str(world.role_ids["system_admin"])]
    assert user["department_id"] == str(sales) and user["locale"] == "zh-CN" and user["active"] is True
    assert r.headers["location"] == f"/api/v1/users/{user['id']}"
    got = await client.get(f"{USERS}/{user['id']}", headers=it.headers)
    assert got.json() == user
    assert got.headers["etag"] == 'W/"1"'
    # The new user chooses a password through the invitation (in Chinese: the user's locale) and signs in.
    await deliver(engine, settings, inbox)
    assert inbox.to(email)[-1]["Subject"] == "您已受邀使用 CRM"
    page, secret = inbox.last_link(email)
    assert page == "invite"
    r = await client.post(f"/api/v1/auth/password-links/{secret}", json={"password": "a decent passphrase 1"})
    assert r.status_code == 204, r.text
    pair = await login(client, email, "a decent passphrase 1")
    assert (await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))).status_code == 200
    assert (await client.get(f"{USERS}/{user['id']}", headers=it.headers)).json()["password_set"] is True
    r = await client.patch(
        f"{USERS}/{user['id']}", json={"name": "Li Na (East)"}, headers={**it.headers, "If-Match": 'W/"1"'}
    )
    assert r.status_code == 200
    assert r.json()["name"] == "Li Na (East)" and r.json()["version"] == 2
    stale = await client.patch(
        f"{USERS}/{user['id']}", json={"name": "Stale"}, headers={**it.headers, "If-Match": 'W/"1"'}
    )
    assert stale.status_code == 412


async def test_email_is_unique_across_tenants_case_insensitively(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    elsewhere = await factory.tenant()
    taken = await elsewhere.user("taken", ["sales_rep"])
    r = await client.post(USERS, json={"email": taken.email.upper(), "name": "Dup"}, headers=it.headers)
    assert r.status_code == 409
    mine = await world.user("mine", [])
    r = await client.patch(f"{USERS}/{mine.id}", json={"email": taken.email}, headers=it.headers)
    assert r.status_code == 409


async def test_create_validates_input(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    other = await factory.tenant()
    foreign_dept = await other.department("Theirs")
    base = {"email": unique_email("v"), "name": "V"}
    cases = [
        ({**base, "password": PASSWORD}, "password"),  # administrators never choose a password
        ({**base, "department_id": str(foreign_dept)}, "department_id"),
        ({**base, "role_ids": [str(other.role_ids["admin"])]}, "role_ids.0"),
        ({**base, "timezone": "Mars/Olympus"}, "timezone"),
        ({**base, "locale": "english please"}, "locale"),
        ({**base, "is_admin": True}, "is_admin"),
        ({**base, "email": "no-at-sign"}, "email"),
        ({**base, "name": "x" * 201}, "name"),
    ]
    for body, field in cases:
        r = await client.post(USERS, json=body, headers=it.headers)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["errors"][0]["field"] == field


async def test_list_filters_and_pages(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    east = await world.department("East")
    for label in ("alice", "bob", "carol"):
        await world.user(label, ["sales_rep"], east)
    dave = await world.user("dave", ["sales_rep"])
    await client.post(f"{USERS}/{dave.id}/deactivate", headers=it.headers)

    async def names(query: str) -> list[str]:
        r = await client.get(f"{USERS}?{query}", headers=it.headers)
        assert r.status_code == 200, r.text
        return [u["name"] for u in r.json()["items"]]

    assert await names(f"department={east}") == ["Alice", "Bob", "Carol"]
    assert await names("active=false") == ["Dave"]
    assert await names("q=CAR") == ["Carol"]
    assert await names(f"q={world.users['bob'].email.split('@')[0]}") == ["Bob"]
    assert await names("q=%25") == []  # LIKE wildcards are literal
    assert await names("sort=-name&active=true") == ["It", "Carol", "Bob", "Alice"]
    seen: list[str] = []
    cursor = None
    while True:
        r = await client.get(USERS, params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=it.headers)
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [u["name"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Alice", "Bob", "Carol", "Dave", "It"]
    assert (await client.get(f"{USERS}?cursor=garbage", headers=it.headers)).status_code == 422
    assert (await client.get(f"{USERS}?sort=password_hash", headers=it.headers)).status_code == 422


async def test_other_tenants_users_do_not_exist(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    other = await factory.tenant()
    stranger = await other.user("stranger", ["sales_rep"])
    assert (await client.get(f"{USERS}/{stranger.id}", headers=it.headers)).status_code == 404
    assert (await client.patch(f"{USERS}/{stranger.id}", json={"name": "X"}, headers=it.headers)).status_code == 404
    assert (await client.post(f"{USERS}/{stranger.id}/deactivate", headers=it.headers)).status_code == 404
    assert str(stranger.id) not in (await client.get(USERS, headers=it.headers)).text
    assert (await client.get(f"{USERS}/not-a-uuid", headers=it.headers)).status_code == 422
    assert (await client.get(f"{USERS}/{uuid.uuid4()}", headers=it.headers)).status_code == 404


async def test_department_change_carries_owned_records_along(
    client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    east = await world.department("East")
    west = await world.department("West")
    rep = await world.user("rep", ["sales_rep"], east)
    colleague = await world.user("colleague", ["sales_rep"], east)
    ids = {"customer": new_id(), "contact": new_id(), "activity": new_id(), "theirs": new_id()}
    async with engine.begin() as conn:
        base = {"tenant_id": world.id, "department_id": east}
        await conn.execute(customers.insert().values(**base, id=ids["customer"], name="Acme", owner_id=rep.id))
        await conn.execute(customers.insert().values(**base, id=ids["theirs"], name="Other", owner_id=colleague.id))
        await conn.execute(contacts.insert().values(**base, id=ids["contact"], name="Wang", owner_id=rep.id))
        await conn.execute(
            activities.insert().values(
                **base, id=ids["activity"], kind="call", subject="Hi", occurred_at=utcnow(), owner_id=rep.id
            )
        )
    r = await client.patch(f"{USERS}/{rep.id}", json={"department_id": str(west)}, headers=it.headers)
    assert r.status_code == 200 and r.json()["department_id"] == str(west)
    async with engine.connect() as conn:
        for table, key, expected in (
            (customers, "customer", west), (contacts, "contact", west), (activities, "activity", west),
            (customers, "theirs", east),
        ):  # fmt: skip
            found = await conn.scalar(sa.select(table.c.department_id).where(table.c.id == ids[key]))
            assert found == expected, key


async def test_deactivation_ends_sessions_and_api_tokens(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    created = await client.post(
        "/api/v1/api-tokens", json={"name": "script", "scopes": ["users:read"]}, headers=rep.headers
    )
    api_token = created.json()["token"]
    assert (await client.get(USERS, headers=bearer(api_token))).status_code == 200
    r = await client.post(f"{USERS}/{rep.id}/deactivate", headers=it.headers)
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await client.get(USERS, headers=bearer(api_token))).status_code == 401
    assert (await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})).status_code == 401
    # Reactivated: the user signs in again; what deactivation ended stays ended.
    r = await client.post(f"{USERS}/{rep.id}/activate", headers=it.headers)
    assert r.status_code == 200 and r.json()["active"] is True
    assert (await login(client, rep.email))["access_token"]
    assert (await client.get(USERS, headers=bearer(api_token))).status_code == 401
    assert (await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})).status_code == 401


async def test_nobody_deactivates_themselves_or_changes_their_own_roles(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    assert (await client.post(f"{USERS}/{admin.id}/deactivate", headers=admin.headers)).status_code == 409
    r = await client.patch(
        f"{USERS}/{admin.id}", json={"role_ids": [str(world.role_ids["analyst"])]}, headers=admin.headers
    )
    assert r.status_code == 403
    r = await client.patch(f"{USERS}/{admin.id}", json={"timezone": "Europe/Paris"}, headers=admin.headers)
    assert r.status_code == 200


async def test_role_assignment_and_password_reset_need_users_manage(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    r = await client.post(
        "/api/v1/roles",
        json={"key": "hr", "name": "HR", "permissions": ["users:read", "users:create", "users:update"]},
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    hr = await world.user("hr", [])
    await client.patch(f"{USERS}/{hr.id}", json={"role_ids": [r.json()["id"]]}, headers=admin.headers)
    hr_token = (await login(client, hr.email))["access_token"]
    rep = await world.user("rep", ["sales_rep"])
    assert (
        await client.patch(f"{USERS}/{rep.id}", json={"name": "Renamed"}, headers=bearer(hr_token))
    ).status_code == 200
    grab = {"role_ids": [str(world.role_ids["admin"])]}
    assert (await client.patch(f"{USERS}/{rep.id}", json=grab, headers=bearer(hr_token))).status_code == 403
    reset = await client.post(f"{USERS}/{rep.id}/password-reset", headers=bearer(hr_token))
    assert reset.status_code == 403
    body = {"email": unique_email("n"), "name": "N", "role_ids": [str(world.role_ids["admin"])]}
    assert (await client.post(USERS, json=body, headers=bearer(hr_token))).status_code == 403
    # Nobody sets another person's password, not even the owner.
    r = await client.patch(f"{USERS}/{rep.id}", json={"password": "a reset passphrase 5"}, headers=admin.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"


async def test_forced_password_reset_ends_the_users_sessions_and_mails_a_link(
    client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine, settings: Settings, inbox: Inbox
) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    rep = await world.user("rep", ["sales_rep"])
    pair = await login(client, rep.email)
    r = await client.post(f"{USERS}/{rep.id}/password-reset", headers=it.headers)
    assert r.status_code == 200 and r.json()["password_set"] is False
    assert (await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))).status_code == 401
    assert (await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})).status_code == 401
    # The old password no longer works; the link sets a new one, once.
    r = await client.post("/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD})
    assert r.status_code == 401
    await deliver(engine, settings, inbox)
    page, secret = inbox.last_link(rep.email)
    assert page == "reset-password"
    info = await client.get(f"/api/v1/auth/password-links/{secret}")
    assert info.status_code == 200 and info.json()["purpose"] == "reset" and info.json()["email"] == rep.email
    r = await client.post(f"/api/v1/auth/password-links/{secret}", json={"password": "a reset passphrase 5"})
    assert r.status_code == 204
    assert (await login(client, rep.email, "a reset passphrase 5"))["access_token"]
    again = await client.post(f"/api/v1/auth/password-links/{secret}", json={"password": "another passphrase 6"})
    assert again.status_code == 410
    assert (await client.get(f"/api/v1/auth/password-links/{secret}")).status_code == 410


async def test_system_admin_sees_no_business_data(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    assert (await client.get("/api/v1/customers", headers=it.headers)).status_code == 403
    assert (await client.get("/api/v1/audit-log", headers=it.headers)).status_code == 403
    assert (await client.get(USERS, headers=it.headers)).status_code == 200


async def test_nul_characters_are_refused_not_500(client: httpx.AsyncClient, factory: Factory) -> None:
    import base64

    import orjson

    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    r = await client.post(USERS, json={"email": unique_email("n"), "name": "N\x00"}, headers=it.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    assert (await client.get(USERS, params={"q": "a\x00"}, headers=it.headers)).status_code == 422
    r = await client.post("/api/v1/auth/login", json={"email": "x\x00@y.z", "password": PASSWORD})
    assert r.status_code == 422
    # A hand-made cursor carrying NUL reaches the database: still a 422.
    cursor = base64.urlsafe_b64encode(orjson.dumps(["name", "a\x00", str(it.id)])).decode().rstrip("=")
    r = await client.get(USERS, params={"cursor": cursor}, headers=it.headers)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
