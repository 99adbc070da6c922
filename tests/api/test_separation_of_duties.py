"""Separation of duties (MLPS 2.0 三员分立): no administrator alone reaches business data.

Each of the three administrators (system, security, audit) tries, alone, every path to business
data and is refused; every refusal is a security event the audit administrator reads. The owner
still can; the security administrator assigns business roles to other people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.clock import utcnow
from app.repositories.tables import password_links
from app.settings import Settings
from tests.api.identity_support import bearer, login
from tests.api.mail_support import Inbox, deliver
from tests.builders import PASSWORD, Factory, User, World, unique_email

USERS = "/api/v1/users"
ROLES = "/api/v1/roles"
AUDIT = "/api/v1/audit-log"
LINKS = "/api/v1/auth/password-links"
ADMINISTRATORS = ("system_admin", "security_admin", "audit_admin")
BUSINESS_ROLE = {"name": "Reader", "permissions": ["customers:read"], "data_ranges": {"customers": {"range": "all"}}}


@dataclass
class Office:
    world: World
    owner: User
    admins: dict[str, User]
    rep: User


async def office(factory: Factory) -> Office:
    world = await factory.tenant()
    owner = await world.user("owner", ["admin"])
    admins = {role: await world.user(role.split("_")[0], [role]) for role in ADMINISTRATORS}
    rep = await world.user("rep", ["sales_rep"])
    return Office(world, owner, admins, rep)


async def attempts(client: httpx.AsyncClient, o: Office, role: str) -> dict[str, int]:
    """Every path to business data, tried by one administrator alone: path -> status."""
    me, h, roles = o.admins[role], o.admins[role].headers, o.world.role_ids
    # A custom role the administrator holds (harmless: users:read), to try and widen it.
    held = await client.post(
        ROLES, json={"name": f"Held by {role}", "permissions": ["users:read"]}, headers=o.owner.headers
    )
    assert held.status_code == 201, held.text
    mine = [str(roles[role]), held.json()["id"]]
    assert (await client.patch(f"{USERS}/{me.id}", json={"role_ids": mine}, headers=o.owner.headers)).status_code == 200
    other = await client.post(ROLES, json={"name": f"Not held {role}", "permissions": []}, headers=o.owner.headers)
    out = {}
    body = {"email": unique_email("new"), "name": "New", "role_ids": [str(roles["sales_rep"])]}
    out["new user with a business role"] = (await client.post(USERS, json=body, headers=h)).status_code
    grab = {"role_ids": [*mine, str(roles["admin"])]}
    out["a role for itself"] = (await client.patch(f"{USERS}/{me.id}", json=grab, headers=h)).status_code
    out["a business role created"] = (await client.post(ROLES, json=BUSINESS_ROLE, headers=h)).status_code
    widen = {"permissions": ["users:read", "customers:read"], "data_ranges": {"customers": {"range": "all"}}}
    out["a role it holds widened"] = (
        await client.patch(f"{ROLES}/{held.json()['id']}", json=widen, headers=h)
    ).status_code
    out["another role given business permissions"] = (
        await client.patch(f"{ROLES}/{other.json()['id']}", json=widen, headers=h)
    ).status_code
    token = {"name": "mine", "scopes": ["customers:read"]}
    out["an API token with business scopes"] = (
        await client.post("/api/v1/api-tokens", json=token, headers=h)
    ).status_code
    out["another user's e-mail taken over"] = (
        await client.patch(f"{USERS}/{o.rep.id}", json={"email": unique_email("mine")}, headers=h)
    ).status_code
    out["a password set for someone"] = (
        await client.patch(f"{USERS}/{o.rep.id}", json={"password": "chosen by the admin 1"}, headers=h)
    ).status_code
    out["customers read"] = (await client.get("/api/v1/customers", headers=h)).status_code
    return out


@pytest.mark.parametrize("role", ADMINISTRATORS)
async def test_each_administrator_alone_is_refused_every_path_and_the_audit_administrator_sees_it(
    client: httpx.AsyncClient, factory: Factory, role: str
) -> None:
    o = await office(factory)
    tried = await attempts(client, o, role)
    assert tried == {
        "new user with a business role": 403,
        "a role for itself": 403,
        "a business role created": 403,
        "a role it holds widened": 403,
        "another role given business permissions": 403,
        "an API token with business scopes": 403,
        "another user's e-mail taken over": 403,
        "a password set for someone": 422,  # no such field: nobody sets another person's password
        "customers read": 403,
    }, role
    # Every refusal is a security event, although its request rolled back.
    auditor = o.admins["audit_admin"].headers
    r = await client.get(
        AUDIT, params={"action": "permission.denied", "actor_id": str(o.admins[role].id)}, headers=auditor
    )
    assert r.status_code == 200
    events = r.json()["items"]
    assert len(events) == sum(1 for status in tried.values() if status == 403)
    assert all(e["entity"] == "permission" and e["changes"]["reason"] for e in events)
    assert {e["changes"]["target"] for e in events} == {"users", "roles", "api-tokens", "customers"}
    takeover = next(e for e in events if e["changes"]["method"] == "PATCH" and e["entity_id"] == str(o.rep.id))
    assert takeover["changes"]["path"] == f"{USERS}/{o.rep.id}"
    # Nothing changed: the rep keeps their address, nobody gained a role.
    rep = (await client.get(f"{USERS}/{o.rep.id}", headers=o.owner.headers)).json()
    assert rep["email"] == o.rep.email


async def test_the_owner_still_can_and_the_security_administrator_assigns_to_others(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    o = await office(factory)
    roles = o.world.role_ids
    body = {"email": unique_email("new"), "name": "New", "role_ids": [str(roles["sales_rep"])]}
    assert (await client.post(USERS, json=body, headers=o.owner.headers)).status_code == 201
    assert (await client.post(ROLES, json=BUSINESS_ROLE, headers=o.owner.headers)).status_code == 201
    r = await client.patch(f"{USERS}/{o.rep.id}", json={"email": unique_email("moved")}, headers=o.owner.headers)
    assert r.status_code == 200
    # The security administrator: any role, to other people.
    security = o.admins["security_admin"]
    colleague = await o.world.user("colleague", [])
    grant = {"role_ids": [str(roles["sales_director"])]}
    r = await client.patch(f"{USERS}/{colleague.id}", json=grant, headers=security.headers)
    assert r.status_code == 200 and r.json()["role_ids"] == [str(roles["sales_director"])]
    # ... but not by editing anything else about them, nor creating accounts, nor resetting passwords.
    assert (
        await client.patch(f"{USERS}/{colleague.id}", json={"name": "X"}, headers=security.headers)
    ).status_code == 403
    assert (await client.post(f"{USERS}/{colleague.id}/password-reset", headers=security.headers)).status_code == 403
    # The system administrator gives what it holds, and only that.
    system = o.admins["system_admin"]
    fresh = {"email": unique_email("ops"), "name": "Ops", "role_ids": [str(roles["system_admin"])]}
    assert (await client.post(USERS, json=fresh, headers=system.headers)).status_code == 201
    narrow = {"name": "Directory", "permissions": ["users:read", "departments:read"]}
    assert (await client.post(ROLES, json=narrow, headers=security.headers)).status_code == 201
    # Taking a business role away is a grant too: only someone who holds it (or the owner, the
    # security administrator).
    take = {"role_ids": []}
    assert (await client.patch(f"{USERS}/{colleague.id}", json=take, headers=system.headers)).status_code == 403
    assert (await client.patch(f"{USERS}/{colleague.id}", json=take, headers=security.headers)).status_code == 200


async def test_narrower_data_ranges_are_not_widened(client: httpx.AsyncClient, factory: Factory) -> None:
    """A manager holding customers over their department grants that, never all customers."""
    world = await factory.tenant()
    owner = await world.user("owner", ["admin"])
    manager = await world.user("manager", ["sales_manager"])
    r = await client.post(
        ROLES, json={"name": "Role admin", "permissions": ["roles:create", "roles:read"]}, headers=owner.headers
    )
    await client.patch(
        f"{USERS}/{manager.id}",
        json={"role_ids": [str(world.role_ids["sales_manager"]), r.json()["id"]]},
        headers=owner.headers,
    )
    token = (await login(client, manager.email))["access_token"]
    wide = {**BUSINESS_ROLE, "name": "Wide"}
    assert (await client.post(ROLES, json=wide, headers=bearer(token))).status_code == 403
    same = {**BUSINESS_ROLE, "name": "Same", "data_ranges": {"customers": {"range": "department"}}}
    assert (await client.post(ROLES, json=same, headers=bearer(token))).status_code == 201
    region = (await client.post("/api/v1/regions", json={"code": "N", "name": "N"}, headers=owner.headers)).json()
    narrowed = {
        **BUSINESS_ROLE, "name": "North only", "data_ranges": {"customers": {"range": "own", "regions": [region["id"]]}}
    }  # fmt: skip
    assert (await client.post(ROLES, json=narrowed, headers=bearer(token))).status_code == 201


async def test_audit_administrator_sees_who_changed_a_customer_but_not_its_data(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    owner = await world.user("owner", ["admin"])
    auditor = await world.user("audit", ["audit_admin"])
    analyst = await world.user("analyst", ["analyst"])
    made = await client.post("/api/v1/customers", json={"name": "Secret Industries Ltd"}, headers=owner.headers)
    assert made.status_code == 201, made.text
    customer_id = made.json()["id"]
    seen = (await client.get(AUDIT, params={"entity_id": customer_id}, headers=auditor.headers)).json()["items"]
    assert seen and seen[0]["actor_id"] == str(owner.id) and seen[0]["action"].startswith("customer")
    assert "Secret Industries" not in str(seen)
    assert seen[0]["changes"]["name"] == {"before": "[redacted]", "after": "[redacted]"}
    # A reader who may read customers sees the values.
    full = (await client.get(AUDIT, params={"entity_id": customer_id}, headers=analyst.headers)).json()["items"]
    assert "Secret Industries" in str(full)


async def test_invitation_link_works_once_and_expires(
    client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine, settings: Settings, inbox: Inbox
) -> None:
    world = await factory.tenant()
    owner = await world.user("owner", ["admin"])
    email = unique_email("invited")
    made = await client.post(USERS, json={"email": email, "name": "Invited", "locale": "en"}, headers=owner.headers)
    user_id = made.json()["id"]
    # Nobody signs in to an account without a password.
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 401
    await deliver(engine, settings, inbox)
    mail = inbox.to(email)[-1]
    assert mail["Subject"] == "You are invited to the CRM" and mail["Message-ID"] and mail["Date"]
    assert mail.get_body(("html",)) is not None
    page, first = inbox.last_link(email)
    assert page == "invite"
    info = (await client.get(f"{LINKS}/{first}")).json()
    assert info["purpose"] == "invitation" and info["email"] == email and info["name"] == "Invited"
    # A fresh invitation withdraws the first link.
    assert (await client.post(f"{USERS}/{user_id}/invitation", headers=owner.headers)).status_code == 200
    await deliver(engine, settings, inbox)
    _, second = inbox.last_link(email)
    assert second != first
    assert (await client.get(f"{LINKS}/{first}")).status_code == 410
    # The policy of a password change applies.
    weak = await client.post(f"{LINKS}/{second}", json={"password": "short"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    # Expired: 410.
    async with engine.begin() as conn:
        await conn.execute(
            password_links.update()
            .where(password_links.c.user_id == UUID(user_id), password_links.c.used_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await client.post(f"{LINKS}/{second}", json={"password": "my own passphrase 1"})).status_code == 410
    assert (await client.get(f"{LINKS}/crm_pwl_not-a-link")).status_code == 404
    # A third invitation, accepted: the user signs in; the link is spent.
    await client.post(f"{USERS}/{user_id}/invitation", headers=owner.headers)
    await deliver(engine, settings, inbox)
    _, third = inbox.last_link(email)
    assert (await client.post(f"{LINKS}/{third}", json={"password": "my own passphrase 1"})).status_code == 204
    assert (await login(client, email, "my own passphrase 1"))["access_token"]
    assert (await client.post(f"{LINKS}/{third}", json={"password": "my own passphrase 2"})).status_code == 410
    assert (await client.post(f"{USERS}/{user_id}/invitation", headers=owner.headers)).status_code == 409
    actions = [
        e["action"]
        for e in (await client.get(AUDIT, params={"entity_id": user_id}, headers=owner.headers)).json()["items"]
    ]
    assert actions[:2] == ["auth.login", "user.password_set"] and actions.count("user.invited") == 3


async def test_forgot_password_answers_alike_and_mails_only_real_accounts(
    client: httpx.AsyncClient, factory: Factory, engine: AsyncEngine, settings: Settings, inbox: Inbox
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    nobody = unique_email("nobody")
    for email in (rep.email, nobody):
        r = await client.post("/api/v1/auth/password-reset", json={"email": email})
        assert r.status_code == 202 and r.content == b""
    await deliver(engine, settings, inbox)
    assert inbox.to(nobody) == []
    page, secret = inbox.last_link(rep.email)
    assert page == "reset-password"
    # Asking is not resetting: the password works until the link is used.
    assert (await login(client, rep.email))["access_token"]
    assert (await client.post(f"{LINKS}/{secret}", json={"password": "a new passphrase 7"})).status_code == 204
    assert (await login(client, rep.email, "a new passphrase 7"))["access_token"]
    r = await client.post("/api/v1/auth/login", json={"email": rep.email, "password": PASSWORD})
    assert r.status_code == 401


async def test_through_an_api_token_even_the_owner_grants_only_within_the_tokens_scopes(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    o = await office(factory)
    made = await client.post(
        "/api/v1/api-tokens",
        json={"name": "hr sync", "scopes": ["users:read", "users:manage"]},
        headers=o.owner.headers,
    )
    token = bearer(made.json()["token"])
    grab = {"role_ids": [str(o.world.role_ids["admin"])]}
    assert (await client.patch(f"{USERS}/{o.rep.id}", json=grab, headers=token)).status_code == 403
    assert (await client.patch(f"{USERS}/{o.rep.id}", json=grab, headers=o.owner.headers)).status_code == 200
