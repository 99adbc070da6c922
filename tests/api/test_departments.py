"""/api/v1/departments (a tree) and /api/v1/regions."""

from __future__ import annotations

import uuid

import httpx

from tests.builders import Factory

DEPTS = "/api/v1/departments"
REGIONS = "/api/v1/regions"


async def _create(client: httpx.AsyncClient, headers: dict[str, str], name: str, parent: str | None = None) -> dict:
    r = await client.post(DEPTS, json={"name": name, "parent_id": parent}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_tree_create_list_and_reparent(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    sales = await _create(client, it.headers, "Sales")
    east = await _create(client, it.headers, "East", sales["id"])
    shanghai = await _create(client, it.headers, "Shanghai", east["id"])
    service = await _create(client, it.headers, "Service")
    assert east["path"] == f"/{sales['id']}/{east['id']}/"
    assert shanghai["path"] == f"/{sales['id']}/{east['id']}/{shanghai['id']}/"
    listed = (await client.get(DEPTS, headers=it.headers)).json()["items"]
    index = {d["id"]: i for i, d in enumerate(listed)}
    assert index[sales["id"]] < index[east["id"]] < index[shanghai["id"]]  # parents first
    # East (with Shanghai below it) moves under Service: the whole subtree's paths follow.
    r = await client.patch(f"{DEPTS}/{east['id']}", json={"parent_id": service["id"]}, headers=it.headers)
    assert r.status_code == 200, r.text
    assert r.json()["path"] == f"/{service['id']}/{east['id']}/" and r.json()["parent_id"] == service["id"]
    moved = (await client.get(f"{DEPTS}/{shanghai['id']}", headers=it.headers)).json()
    assert moved["path"] == f"/{service['id']}/{east['id']}/{shanghai['id']}/"
    # To the root, and renamed in the same call.
    r = await client.patch(f"{DEPTS}/{east['id']}", json={"parent_id": None, "name": "East HQ"}, headers=it.headers)
    assert r.json()["path"] == f"/{east['id']}/" and r.json()["name"] == "East HQ"
    moved = (await client.get(f"{DEPTS}/{shanghai['id']}", headers=it.headers)).json()
    assert moved["path"] == f"/{east['id']}/{shanghai['id']}/"


async def test_reparenting_refuses_cycles(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    top = await _create(client, it.headers, "Top")
    mid = await _create(client, it.headers, "Mid", top["id"])
    low = await _create(client, it.headers, "Low", mid["id"])
    for new_parent in (top["id"], mid["id"], low["id"]):
        r = await client.patch(f"{DEPTS}/{top['id']}", json={"parent_id": new_parent}, headers=it.headers)
        assert r.status_code == 422, new_parent
        assert r.json()["errors"][0]["field"] == "parent_id"
    other = await factory.tenant()
    foreign = await other.department("Foreign")
    r = await client.patch(f"{DEPTS}/{low['id']}", json={"parent_id": str(foreign)}, headers=it.headers)
    assert r.status_code == 422
    r = await client.post(DEPTS, json={"name": "Orphan", "parent_id": str(foreign)}, headers=it.headers)
    assert r.status_code == 422


async def test_reparenting_moves_managers_range_along(client: httpx.AsyncClient, factory: Factory) -> None:
    """A manager's department range covers sub-departments by path: after a move, the moved
    department's records fall in the new parent's manager's range, and leave the old one's."""
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    north = await _create(client, it.headers, "North")
    south = await _create(client, it.headers, "South")
    team = await _create(client, it.headers, "Team", north["id"])
    north_manager = await world.user("north_manager", ["sales_manager"], uuid.UUID(north["id"]))
    south_manager = await world.user("south_manager", ["sales_manager"], uuid.UUID(south["id"]))
    rep = await world.user("rep", ["sales_rep"], uuid.UUID(team["id"]))
    r = await client.post("/api/v1/customers", json={"name": "Team Customer"}, headers=rep.headers)
    assert r.status_code == 201, r.text

    async def visible(manager_headers: dict[str, str]) -> list[str]:
        r = await client.get("/api/v1/customers", headers=manager_headers)
        assert r.status_code == 200
        return [c["name"] for c in r.json()["items"]]

    assert await visible(north_manager.headers) == ["Team Customer"]
    assert await visible(south_manager.headers) == []
    r = await client.patch(f"{DEPTS}/{team['id']}", json={"parent_id": south["id"]}, headers=it.headers)
    assert r.status_code == 200
    assert await visible(north_manager.headers) == []
    assert await visible(south_manager.headers) == ["Team Customer"]


async def test_delete_refuses_departments_with_members_or_children(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    parent = await _create(client, it.headers, "Parent")
    child = await _create(client, it.headers, "Child", parent["id"])
    staffed = await _create(client, it.headers, "Staffed")
    member = await world.user("member", ["sales_rep"], uuid.UUID(staffed["id"]))
    assert (await client.delete(f"{DEPTS}/{parent['id']}", headers=it.headers)).status_code == 409
    assert (await client.delete(f"{DEPTS}/{staffed['id']}", headers=it.headers)).status_code == 409
    assert (await client.delete(f"{DEPTS}/{child['id']}", headers=it.headers)).status_code == 204
    assert (await client.get(f"{DEPTS}/{child['id']}", headers=it.headers)).status_code == 404
    assert (await client.delete(f"{DEPTS}/{parent['id']}", headers=it.headers)).status_code == 204
    # The member leaves: now the department can go.
    await client.patch(f"/api/v1/users/{member.id}", json={"department_id": None}, headers=it.headers)
    assert (await client.delete(f"{DEPTS}/{staffed['id']}", headers=it.headers)).status_code == 204
    names = [d["name"] for d in (await client.get(DEPTS, headers=it.headers)).json()["items"]]
    assert names == []


async def test_department_permissions_and_tenancy(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    it = await world.user("it", ["system_admin"])
    dept = await _create(client, it.headers, "Mine")
    assert (await client.get(DEPTS, headers=rep.headers)).status_code == 200
    assert (await client.post(DEPTS, json={"name": "X"}, headers=rep.headers)).status_code == 403
    assert (await client.patch(f"{DEPTS}/{dept['id']}", json={"name": "Y"}, headers=rep.headers)).status_code == 403
    assert (await client.delete(f"{DEPTS}/{dept['id']}", headers=rep.headers)).status_code == 403
    other = await factory.tenant()
    other_it = await other.user("it", ["system_admin"])
    assert (await client.get(f"{DEPTS}/{dept['id']}", headers=other_it.headers)).status_code == 404
    assert (await client.delete(f"{DEPTS}/{dept['id']}", headers=other_it.headers)).status_code == 404
    assert (await client.post(DEPTS, json={"name": ""}, headers=it.headers)).status_code == 422
    assert (await client.post(DEPTS, json={"name": "A", "colour": "red"}, headers=it.headers)).status_code == 422
    r = await client.patch(f"{DEPTS}/{dept['id']}", json={"name": "Z"}, headers={**it.headers, "If-Match": 'W/"9"'})
    assert r.status_code == 412


async def test_regions_crud_and_unique_code(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    it = await world.user("it", ["system_admin"])
    r = await client.post(REGIONS, json={"code": "CN-E", "name": "East China"}, headers=it.headers)
    assert r.status_code == 201
    east = r.json()
    dup = await client.post(REGIONS, json={"code": "CN-E", "name": "Again"}, headers=it.headers)
    assert dup.status_code == 409 and dup.json()["existing_id"] == east["id"]
    west = (await client.post(REGIONS, json={"code": "CN-W", "name": "West China"}, headers=it.headers)).json()
    assert (await client.patch(f"{REGIONS}/{west['id']}", json={"code": "CN-E"}, headers=it.headers)).status_code == 409
    r = await client.patch(f"{REGIONS}/{west['id']}", json={"name": "华西"}, headers=it.headers)
    assert r.status_code == 200 and r.json()["name"] == "华西"
    # The same code in another tenant is fine.
    other = await factory.tenant()
    other_it = await other.user("it", ["system_admin"])
    assert (await client.post(REGIONS, json={"code": "CN-E", "name": "E"}, headers=other_it.headers)).status_code == 201
    codes = [x["code"] for x in (await client.get(REGIONS, headers=it.headers)).json()["items"]]
    assert codes == ["CN-E", "CN-W"]
    assert (await client.delete(f"{REGIONS}/{west['id']}", headers=it.headers)).status_code == 204
    assert (await client.get(f"{REGIONS}/{west['id']}", headers=it.headers)).status_code == 404
    # A deleted region's code is free again.
    assert (await client.post(REGIONS, json={"code": "CN-W", "name": "W"}, headers=it.headers)).status_code == 201


async def test_region_in_use_cannot_be_deleted(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    rep = await world.user("rep", ["sales_rep"])
    used_by_user = (await client.post(REGIONS, json={"code": "U", "name": "U"}, headers=admin.headers)).json()
    used_by_role = (await client.post(REGIONS, json={"code": "R", "name": "R"}, headers=admin.headers)).json()
    await client.patch(f"/api/v1/users/{rep.id}", json={"region_id": used_by_user["id"]}, headers=admin.headers)
    r = await client.post(
        "/api/v1/roles",
        json={
            "name": "Regional", "permissions": ["customers:read"],
            "data_ranges": {"customers": {"range": "all", "regions": [used_by_role["id"]]}},
        },
        headers=admin.headers,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert (await client.delete(f"{REGIONS}/{used_by_user['id']}", headers=admin.headers)).status_code == 409
    assert (await client.delete(f"{REGIONS}/{used_by_role['id']}", headers=admin.headers)).status_code == 409
    assert (await client.post(REGIONS, json={"code": "X", "name": "X"}, headers=rep.headers)).status_code == 403
