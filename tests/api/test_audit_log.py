"""/api/v1/audit-log, and the entries identity writes leave in it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.api.identity_support import login
from tests.builders import Factory, unique_email

AUDIT = "/api/v1/audit-log"


async def test_login_success_and_failure_are_audited(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    analyst = await world.user("analyst", ["analyst"])
    rep = await world.user("rep", ["sales_rep"])
    r = await client.post("/api/v1/auth/login", json={"email": rep.email, "password": "wrong password 99"})
    assert r.status_code == 401
    await login(client, rep.email)
    entries = (await client.get(f"{AUDIT}?entity_id={rep.id}", headers=analyst.headers)).json()["items"]
    assert [e["action"] for e in entries] == ["auth.login", "auth.login_failed"]  # newest first
    success, failure = entries
    assert success["actor_id"] == str(rep.id) and success["ip"] == "203.0.113.7"
    # The failure survived the 401's rollback; nobody signed in made it.
    assert failure["actor_id"] is None and failure["changes"] == {"reason": "bad_credentials"}
    assert failure["request_id"] and failure["ip"] == "203.0.113.7"


async def test_role_changes_and_assignments_are_audited(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    role = (
        await client.post("/api/v1/roles", json={"name": "R", "permissions": ["users:read"]}, headers=admin.headers)
    ).json()
    r = await client.patch(
        f"/api/v1/roles/{role['id']}", json={"permissions": ["users:read", "regions:read"]}, headers=admin.headers
    )
    assert r.status_code == 200
    user = await world.user("user", [])
    await client.patch(f"/api/v1/users/{user.id}", json={"role_ids": [role["id"]]}, headers=admin.headers)
    role_entries = (await client.get(f"{AUDIT}?entity=role&entity_id={role['id']}", headers=admin.headers)).json()[
        "items"
    ]
    assert [e["action"] for e in role_entries] == ["role.updated", "role.created"]
    assert role_entries[0]["changes"] == {
        "permissions": {"before": ["users:read"], "after": ["regions:read", "users:read"]}
    }
    assert role_entries[0]["actor_id"] == str(admin.id)
    assigned = (
        await client.get(f"{AUDIT}?action=user.roles_changed&entity_id={user.id}", headers=admin.headers)
    ).json()
    [entry] = assigned["items"]
    assert entry["changes"] == {"role_ids": {"before": [], "after": [role["id"]]}}


async def test_every_identity_write_is_audited(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    h = admin.headers
    dept = (await client.post("/api/v1/departments", json={"name": "D"}, headers=h)).json()
    await client.patch(f"/api/v1/departments/{dept['id']}", json={"name": "D2"}, headers=h)
    region = (await client.post("/api/v1/regions", json={"code": "R", "name": "R"}, headers=h)).json()
    await client.delete(f"/api/v1/regions/{region['id']}", headers=h)
    user = (
        await client.post(
            "/api/v1/users",
            json={"email": unique_email("u"), "name": "U"},
            headers=h,
        )
    ).json()
    await client.post(f"/api/v1/users/{user['id']}/deactivate", headers=h)
    await client.post(f"/api/v1/users/{user['id']}/activate", headers=h)
    token = (await client.post("/api/v1/api-tokens", json={"name": "t", "scopes": ["users:read"]}, headers=h)).json()
    await client.delete(f"/api/v1/api-tokens/{token['id']}", headers=h)
    await client.delete(f"/api/v1/departments/{dept['id']}", headers=h)
    entries = (await client.get(f"{AUDIT}?actor_id={admin.id}", headers=h)).json()["items"]
    assert [e["action"] for e in reversed(entries)] == [
        "department.created", "department.updated", "region.created", "region.deleted", "user.created",
        "user.invited", "user.deactivated", "user.activated", "api_token.created", "api_token.revoked",
        "department.deleted",
    ]  # fmt: skip
    assert entries[-2]["changes"] == {"name": {"before": "D", "after": "D2"}}
    created_user = next(e for e in entries if e["action"] == "user.created")
    assert "password" not in str(created_user["changes"]) and "password_hash" not in str(created_user["changes"])


async def test_filters_paging_and_tenancy(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    for code in ("A", "B", "C"):
        await client.post("/api/v1/regions", json={"code": code, "name": code}, headers=admin.headers)
    first = (await client.get(f"{AUDIT}?entity=region&limit=2", headers=admin.headers)).json()
    assert [e["changes"]["code"]["after"] for e in first["items"]] == ["C", "B"]
    rest = (
        await client.get(
            AUDIT, params={"entity": "region", "limit": 2, "cursor": first["next_cursor"]}, headers=admin.headers
        )
    ).json()
    assert [e["changes"]["code"]["after"] for e in rest["items"]] == ["A"] and rest["next_cursor"] is None
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = await client.get(AUDIT, params={"entity": "region", "from": later}, headers=admin.headers)
    assert r.json()["items"] == []
    r = await client.get(AUDIT, params={"entity": "region", "to": later}, headers=admin.headers)
    assert len(r.json()["items"]) == 3
    r = await client.get(AUDIT, params={"from": later, "to": later}, headers=admin.headers)
    assert r.status_code == 422
    assert (await client.get(f"{AUDIT}?from=2026-01-01T00:00:00", headers=admin.headers)).status_code == 422
    assert (await client.get(f"{AUDIT}?actor_id=nope", headers=admin.headers)).status_code == 422
    assert (await client.get(f"{AUDIT}?cursor=%%%", headers=admin.headers)).status_code == 422
    # Another tenant sees none of it.
    other = await factory.tenant()
    other_admin = await other.user("admin", ["admin"])
    assert (await client.get(f"{AUDIT}?actor_id={admin.id}", headers=other_admin.headers)).json()["items"] == []
    assert (await client.get(f"{AUDIT}?entity_id={uuid.uuid4()}", headers=admin.headers)).json()["items"] == []


async def test_audit_log_needs_audit_log_read(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    for role, status in (("analyst", 200), ("admin", 200), ("system_admin", 403), ("sales_director", 403)):
        user = await world.user(role, [role])
        assert (await client.get(AUDIT, headers=user.headers)).status_code == status, role
    assert (await client.get(AUDIT)).status_code == 401
