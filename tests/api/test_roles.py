"""/api/v1/roles: system and custom roles, permissions and data ranges."""

from __future__ import annotations

import httpx
import pytest

from app.auth.permissions import SYSTEM_ROLES
from tests.api.identity_support import bearer, login
from tests.builders import Factory

ROLES = "/api/v1/roles"


async def test_system_roles_are_listed_with_full_data_ranges(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    r = await client.get(f"{ROLES}?limit=200", headers=it.headers)
    assert r.status_code == 200
    roles = {role["key"]: role for role in r.json()["items"]}
    assert set(roles) == set(SYSTEM_ROLES)
    rep = roles["sales_rep"]
    assert rep["is_system"] is True
    assert rep["data_ranges"]["customers"] == {"range": "own", "regions": None, "customer_types": None}
    assert rep["permissions"] == sorted(SYSTEM_ROLES["sales_rep"]["permissions"])
    assert roles["system_admin"]["data_ranges"] == {}
    got = await client.get(f"{ROLES}/{rep['id']}", headers=it.headers)
    assert got.json() == rep and got.headers["etag"] == 'W/"1"'
    # A sales rep may not read roles.
    sales = await world.user("rep", ["sales_rep"])
    assert (await client.get(ROLES, headers=sales.headers)).status_code == 403


async def test_custom_role_lifecycle(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    region = (await client.post("/api/v1/regions", json={"code": "N", "name": "North"}, headers=admin.headers)).json()
    body = {
        "key": "key_accounts",
        "name": "Key-account manager",
        "description": "Large customers in the north",
        "permissions": ["customers:read", "customers:update", "customers:read", "contacts:read"],
        "data_ranges": {
            "customers": {"range": "all", "regions": [region["id"]], "customer_types": ["enterprise"]},
            "contacts": {"range": "department"},
        },
    }
    r = await client.post(ROLES, json=body, headers=admin.headers)
    assert r.status_code == 201, r.text
    role = r.json()
    assert role["permissions"] == ["contacts:read", "customers:read", "customers:update"]
    assert role["data_ranges"]["customers"] == {
        "range": "all",
        "regions": [region["id"]],
        "customer_types": ["enterprise"],
    }
    assert role["is_system"] is False
    dup = await client.post(ROLES, json=body, headers=admin.headers)
    assert dup.status_code == 409
    r = await client.patch(
        f"{ROLES}/{role['id']}",
        json={"permissions": ["customers:read"], "data_ranges": {"customers": {"range": "own"}}},
        headers={**admin.headers, "If-Match": 'W/"1"'},
    )
    assert r.status_code == 200, r.text
    assert r.json()["permissions"] == ["customers:read"] and r.json()["version"] == 2
    assert r.json()["data_ranges"] == {"customers": {"range": "own", "regions": None, "customer_types": None}}
    assert (await client.delete(f"{ROLES}/{role['id']}", headers=admin.headers)).status_code == 204
    assert (await client.get(f"{ROLES}/{role['id']}", headers=admin.headers)).status_code == 404
    # The key is free again.
    assert (await client.post(ROLES, json=body, headers=admin.headers)).status_code == 201


async def test_key_is_generated_when_omitted(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    r = await client.post(ROLES, json={"name": "客服主管", "permissions": ["users:read"]}, headers=admin.headers)
    assert r.status_code == 201 and r.json()["key"].startswith("custom_")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"permissions": ["customers:read", "customers:fly"]}, "permissions.1", "unknown permission 'customers:fly'"),
        ({"permissions": ["nothing"]}, "permissions.0", "unknown permission 'nothing'"),
        ({"permissions": ["customers:read"]}, "data_ranges.customers", "is required"),
        (
            {"permissions": ["users:read"], "data_ranges": {"users": {"range": "all"}}},
            "data_ranges.users",
            "take a data range",
        ),
        (
            {"permissions": ["customers:read"], "data_ranges": {"customers": {"range": "everything"}}},
            "data_ranges.customers.range",
            "",
        ),
        (
            {"permissions": ["customers:read"], "data_ranges": {"customers": {"range": "all", "regions": []}}},
            "data_ranges.customers.regions",
            "must not be empty",
        ),
        (
            {
                "permissions": ["customers:read"],
                "data_ranges": {"customers": {"range": "all", "regions": ["0190a4b2-0000-7000-8000-000000000000"]}},
            },
            "data_ranges.customers.regions.0",
            "no such region",
        ),
        ({"permissions": ["users:read"], "key": "Bad Key!"}, "key", "a-z"),
        ({"permissions": ["users:read"], "is_system": True}, "is_system", ""),
    ],
)
async def test_role_validation_names_the_problem(
    client: httpx.AsyncClient, factory: Factory, body: dict, field: str, message: str
) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    r = await client.post(ROLES, json={"name": "Bad", **body}, headers=admin.headers)
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert error["field"] == field
    assert message in error["message"]


async def test_system_roles_keep_their_permissions_and_cannot_be_deleted(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.tenant()
    it = await world.user("security", ["security_admin"])
    rep_role = world.role_ids["sales_rep"]
    r = await client.patch(f"{ROLES}/{rep_role}", json={"permissions": ["customers:read"]}, headers=it.headers)
    assert r.status_code == 409 and "custom role" in r.json()["detail"]
    r = await client.patch(f"{ROLES}/{rep_role}", json={"key": "rep"}, headers=it.headers)
    assert r.status_code == 409
    # Translating the name is fine.
    r = await client.patch(
        f"{ROLES}/{rep_role}", json={"name": "销售代表", "description": "一线销售"}, headers=it.headers
    )
    assert r.status_code == 200 and r.json()["name"] == "销售代表"
    # Sending back what GET returned (same permissions) is not a change.
    got = (await client.get(f"{ROLES}/{rep_role}", headers=it.headers)).json()
    r = await client.patch(
        f"{ROLES}/{rep_role}",
        json={"permissions": got["permissions"], "data_ranges": got["data_ranges"]},
        headers=it.headers,
    )
    assert r.status_code == 200 and r.json()["version"] == got["version"]
    r = await client.delete(f"{ROLES}/{world.role_ids['marketer']}", headers=it.headers)
    assert r.status_code == 409


async def test_a_role_in_use_cannot_be_deleted(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    role = (
        await client.post(ROLES, json={"name": "Readers", "permissions": ["users:read"]}, headers=admin.headers)
    ).json()
    holder = await world.user("holder", [])
    await client.patch(f"/api/v1/users/{holder.id}", json={"role_ids": [role["id"]]}, headers=admin.headers)
    assert (await client.delete(f"{ROLES}/{role['id']}", headers=admin.headers)).status_code == 409
    await client.patch(f"/api/v1/users/{holder.id}", json={"role_ids": []}, headers=admin.headers)
    assert (await client.delete(f"{ROLES}/{role['id']}", headers=admin.headers)).status_code == 204


async def test_role_edits_apply_to_holders_on_their_next_request(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    r = await client.post(
        ROLES, json={"name": "Directory", "permissions": ["users:read", "departments:read"]}, headers=admin.headers
    )
    role = r.json()
    user = await world.user("user", [])
    await client.patch(f"/api/v1/users/{user.id}", json={"role_ids": [role["id"]]}, headers=admin.headers)
    token = (await login(client, user.email))["access_token"]
    assert (await client.get("/api/v1/departments", headers=bearer(token))).status_code == 200
    await client.patch(f"{ROLES}/{role['id']}", json={"permissions": ["users:read"]}, headers=admin.headers)
    assert (await client.get("/api/v1/departments", headers=bearer(token))).status_code == 403
    assert (await client.get("/api/v1/users", headers=bearer(token))).status_code == 200


async def test_roles_of_another_tenant_do_not_exist(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    other = await factory.tenant()
    theirs = other.role_ids["sales_rep"]
    assert (await client.get(f"{ROLES}/{theirs}", headers=admin.headers)).status_code == 404
    assert (await client.patch(f"{ROLES}/{theirs}", json={"name": "x"}, headers=admin.headers)).status_code == 404
    assert (await client.delete(f"{ROLES}/{theirs}", headers=admin.headers)).status_code == 404
