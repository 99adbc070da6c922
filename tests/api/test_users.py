"""/api/v1/users: user administration."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.clock import utcnow
from app.domain.shared.ids import new_id
from app.repositories.tables import (
    activities,
    audit_log,
    contacts,
    customers,
    opportunities,
    orders,
    outbox,
    quotes,
    sales_plans,
    tickets,
)
from app.repositories.tables import leads as leads_table
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


ENTITY_OF = {
    "customers": "customer", "contacts": "contact", "leads": "lead", "opportunities": "opportunity",
    "activities": "activity", "quotes": "quote", "orders": "order", "sales_plans": "sales_plan", "tickets": "ticket",
}  # fmt: skip


async def _made(client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict[str, object]) -> str:
    r = await client.post(url, json=body, headers=headers)
    assert r.status_code == 201, (url, r.text)
    return str(r.json()["id"])


async def test_a_leaving_users_book_moves_whole(
    client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine
) -> None:
    """POST /users/{id}/transfer moves every kind the caller may assign in one go: all customers,
    contacts, deals, quotes, orders and sales plans; leads not converted, planned tasks and
    appointments, open tickets (the rest stays with who did it). Each moved record gets the new
    owner's department and a new version, an audit entry and an `<entity>.assigned` event."""
    world = await factory.sales_world()
    u, east, west = world.users, world.department_ids["Sales East"], world.department_ids["Sales West"]
    admin, leaver, heir = u["admin"].headers, u["east_rep2"], u["west_rep1"]
    owner = str(leaver.id)
    stages = [
        {"name": "Open", "probability": 20},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ]
    await _made(client, "/api/v1/pipelines", admin, {"name": "Sales", "stages": stages})

    async def mine(path: str, **body: object) -> str:
        return await _made(client, f"/api/v1/{path}", admin, {**body, "owner_id": owner})

    customer = await mine("customers", name="Book Co")
    moving = {
        "customers": [customer],
        "contacts": [await mine("contacts", name="P", customer_id=customer)],
        "leads": [await mine("leads", name="L")],
        "opportunities": [await mine("opportunities", name="D", customer_id=customer)],
        "activities": [await mine("activities", kind="task", subject="Call", customer_id=customer, assignee_id=owner)],
        "sales_plans": [await mine("sales-plans", name="Plan", period="2026-Q4")],
        "tickets": [await mine("tickets", subject="Open one", customer_id=customer)],
    }
    quote = await mine("quotes", opportunity_id=moving["opportunities"][0])
    for status in ("sent", "accepted"):
        assert (await client.patch(f"/api/v1/quotes/{quote}", json={"status": status}, headers=admin)).is_success
    moving["quotes"] = [quote]
    moving["orders"] = [await mine("orders", quote_id=quote)]
    staying = {
        "activities": await mine("activities", kind="call", subject="Done", customer_id=customer),
        "tickets": await mine("tickets", subject="Done one"),
    }
    r = await client.patch(
        f"/api/v1/tickets/{staying['tickets']}", json={"status": "resolved", "solution": "Fixed"}, headers=admin
    )
    assert r.status_code == 200, r.text
    converted = await _made(client, "/api/v1/leads", admin, {"name": "Won lead", "owner_id": owner})
    assert (await client.post(f"/api/v1/leads/{converted}/convert", json={}, headers=admin)).status_code == 200

    url = f"{USERS}/{leaver.id}/transfer"
    # Bad requests change nothing.
    assert (await client.post(url, json={"to_owner_id": owner}, headers=admin)).status_code == 422
    assert (await client.post(url, json={"to_owner_id": str(uuid.uuid4())}, headers=admin)).status_code == 422
    assert (await client.post(url, json={"to_owner_id": str(heir.id), "kinds": []}, headers=admin)).status_code == 422
    assert (
        await client.post(url, json={"to_owner_id": str(heir.id), "kinds": ["targets"]}, headers=admin)
    ).status_code == 422
    r = await client.post(f"{USERS}/{uuid.uuid4()}/transfer", json={"to_owner_id": str(heir.id)}, headers=admin)
    assert r.status_code == 404
    # Who may move what: a rep assigns nothing; a sales manager no tickets.
    assert (
        await client.post(url, json={"to_owner_id": str(heir.id)}, headers=u["east_rep1"].headers)
    ).status_code == 403
    r = await client.post(
        url, json={"to_owner_id": str(heir.id), "kinds": ["tickets"]}, headers=u["east_manager"].headers
    )
    assert r.status_code == 403

    r = await client.post(url, json={"to_owner_id": str(heir.id)}, headers=admin)
    assert r.status_code == 200, r.text
    # The converted lead's customer and contact belong to the leaver too and move.
    assert r.json()["moved"] == {
        "customers": 2, "contacts": 2, "leads": 1, "opportunities": 1, "activities": 1, "quotes": 1, "orders": 1,
        "sales_plans": 1, "tickets": 1,
    }  # fmt: skip
    assert r.json()["total"] == 11
    tables = {
        "customers": customers, "contacts": contacts, "activities": activities, "leads": leads_table,
        "opportunities": opportunities, "quotes": quotes, "orders": orders, "sales_plans": sales_plans,
        "tickets": tickets,
    }  # fmt: skip
    async with engine.connect() as conn:
        for kind, ids in moving.items():
            t = tables[kind]
            row = (await conn.execute(sa.select(t).where(t.c.id == uuid.UUID(ids[0])))).one()
            assert (row.owner_id, row.department_id) == (heir.id, west), kind
            assert row.version >= 2, kind
            entity = ENTITY_OF[kind]
            events = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(outbox.c.entity_id == row.id, outbox.c.event_type == f"{entity}.assigned")
            )
            audited = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(audit_log)
                .where(audit_log.c.entity_id == row.id, audit_log.c.action == f"{entity}.assigned")
            )
            assert (events, audited) == (1, 1), kind
        task = (
            await conn.execute(sa.select(activities).where(activities.c.id == uuid.UUID(moving["activities"][0])))
        ).one()
        assert task.assignee_id == heir.id
        for kind, record in staying.items():
            t = tables[kind]
            assert await conn.scalar(sa.select(t.c.owner_id).where(t.c.id == uuid.UUID(record))) == leaver.id, kind
        t = tables["leads"]
        assert await conn.scalar(sa.select(t.c.owner_id).where(t.c.id == uuid.UUID(converted))) == leaver.id
    # Chosen kinds only; a second run finds nothing left of them.
    r = await client.post(url, json={"to_owner_id": str(heir.id), "kinds": ["customers"]}, headers=admin)
    assert r.status_code == 200 and r.json() == {"moved": {"customers": 0}, "total": 0}
    assert east != west
