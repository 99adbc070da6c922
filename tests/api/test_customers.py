"""Customers end to end over HTTP: CRUD, data ranges, concurrency, idempotency, search, sync."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.builders import Factory, World

API = "/api/v1/customers"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def create(client: httpx.AsyncClient, user, **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("name", f"Customer {uuid.uuid4().hex[:8]}")
    r = await client.post(API, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_create_get_and_etag(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    r = await client.post(
        API,
        json={"name": "北京星辰科技有限公司", "email": "Info@XingChen.cn", "tags": ["vip"]},
        headers=rep.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["owner_id"] == str(rep.id)
    assert body["department_id"] == str(world.department_ids["Sales East"])
    assert body["status"] == "prospect" and body["version"] == 1
    assert r.headers["location"] == f"{API}/{body['id']}"
    got = await client.get(f"{API}/{body['id']}", headers=rep.headers)
    assert got.status_code == 200
    assert got.headers["etag"] == 'W/"1"'
    assert got.json() == body


async def test_each_role_lists_exactly_its_range(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    own1 = await create(client, u["east_rep1"])
    own2 = await create(client, u["east_rep2"])
    west = await create(client, u["west_rep1"])

    async def ids(user) -> set[str]:  # type: ignore[no-untyped-def]
        r = await client.get(API, params={"limit": 200}, headers=user.headers)
        assert r.status_code == 200, r.text
        return {c["id"] for c in r.json()["items"]}

    everything = {own1["id"], own2["id"], west["id"]}
    assert await ids(u["east_rep1"]) == {own1["id"]}
    assert await ids(u["east_manager"]) == {own1["id"], own2["id"]}
    assert await ids(u["west_manager"]) == {west["id"]}
    assert await ids(u["director"]) == everything
    assert await ids(u["admin"]) == everything
    assert await ids(u["analyst"]) == everything
    r = await client.get(API, headers=u["it"].headers)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    r = await client.get(API)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


async def test_out_of_range_record_is_404_for_every_verb(client: httpx.AsyncClient, world: World) -> None:
    other = await create(client, world.users["east_rep2"])
    rep = world.users["east_rep1"].headers
    url = f"{API}/{other['id']}"
    assert (await client.get(url, headers=rep)).status_code == 404
    assert (await client.patch(url, json={"name": "x"}, headers=rep)).status_code == 404
    assert (await client.delete(url, headers=rep)).status_code == 404
    # another tenant's admin sees nothing either
    stranger = await (await world.factory.tenant()).user("admin", ["admin"])
    assert (await client.get(url, headers=stranger.headers)).status_code == 404


async def test_patch_with_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    c = await create(client, rep)
    url = f"{API}/{c['id']}"
    ok = await client.patch(url, json={"status": "active"}, headers={**rep.headers, "If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.headers["etag"] == 'W/"2"'
    stale = await client.patch(url, json={"status": "lost"}, headers={**rep.headers, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert (await client.get(url, headers=rep.headers)).json()["status"] == "active"


async def test_duplicate_email_or_phone_is_409_naming_the_record(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    first = await create(client, rep, email="sales@acme.example", phone="+86 138-0013-8000")
    r = await client.post(API, json={"name": "Acme again", "email": " SALES@acme.example "}, headers=rep.headers)
    assert r.status_code == 409 and r.json()["existing_id"] == first["id"]
    r = await client.post(
        API,
        json={"name": "Acme phone", "phone": "13800138000"},
        headers=world.users["east_rep2"].headers,
    )
    assert r.status_code == 409 and r.json()["existing_id"] == first["id"]
    r = await client.post(
        API,
        params={"allow_duplicate": "true"},
        json={"name": "Acme 2", "email": "sales@acme.example"},
        headers=rep.headers,
    )
    assert r.status_code == 201


async def test_idempotency_key_replays_first_response(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    headers = {**rep.headers, "Idempotency-Key": "create-acme-1"}
    body = {"name": "Idempotent Co"}
    first, second = await asyncio.gather(
        client.post(API, json=body, headers=headers), client.post(API, json=body, headers=headers)
    )
    assert {first.status_code, second.status_code} == {201}
    assert first.json()["id"] == second.json()["id"]
    assert "true" in (
        first.headers.get("idempotent-replayed"),
        second.headers.get("idempotent-replayed"),
    )
    listed = await client.get(API, params={"q": "Idempotent Co"}, headers=rep.headers)
    assert len(listed.json()["items"]) == 1
    other = await client.post(API, json={"name": "Something else"}, headers=headers)
    assert other.status_code == 422


@pytest.mark.parametrize("term", ["星辰", "北京星辰科技", "科技有限", "XINGCHEN", "13911"])
async def test_search_finds_any_part(client: httpx.AsyncClient, world: World, term: str) -> None:
    rep = world.users["east_rep1"]
    target = await create(client, rep, name="北京星辰科技有限公司", email="hello@xingchen.cn", phone="139 1122 3344")
    await create(client, rep, name="上海云帆贸易有限公司")
    r = await client.get(API, params={"q": term}, headers=rep.headers)
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["items"]] == [target["id"]]


async def test_search_treats_wildcards_and_sql_as_text(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    await create(client, rep, name="100% Cotton Ltd")
    await create(client, rep, name="Plain Ltd")
    r = await client.get(API, params={"q": "%"}, headers=rep.headers)
    assert [c["name"] for c in r.json()["items"]] == ["100% Cotton Ltd"]
    r = await client.get(API, params={"q": "' OR 1=1 --"}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["items"] == []


async def test_keyset_pages_cover_everything_once(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    made = {(await create(client, rep, name=f"Paged {i:02d}"))["id"] for i in range(7)}
    for sort in ("-updated_at", "name", "-created_at"):
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
            page = (await client.get(API, params=params, headers=rep.headers)).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 7 and set(seen) == made
    names = [c["name"] for c in (await client.get(API, params={"sort": "name"}, headers=rep.headers)).json()["items"]]
    assert names == sorted(names)


async def test_filters(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    a = await create(client, rep, status="active", level="A", customer_type="smb", tags=["vip", "north"])
    await create(client, rep, status="lost", level="B", customer_type="enterprise", tags=["north"])
    manager = world.users["east_manager"].headers
    for params in (
        {"status": "active"},
        {"level": "A"},
        {"type": "smb"},
        {"tag": "vip"},
        {"owner": str(rep.id), "status": "active"},
    ):
        r = await client.get(API, params=params, headers=manager)
        assert [c["id"] for c in r.json()["items"]] == [a["id"]], params
    mine = await client.get(API, params={"owner": "me"}, headers=rep.headers)
    assert len(mine.json()["items"]) == 2
    r = await client.get(API, params={"department": str(world.department_ids["Sales West"])}, headers=manager)
    assert r.json()["items"] == []
    # several by id, still within the caller's range (a west rep's customer is not among them)
    b = await create(client, world.users["east_rep2"])
    west = await create(client, world.users["west_rep1"])
    r = await client.get(API, params=[("ids", a["id"]), ("ids", b["id"]), ("ids", west["id"])], headers=manager)
    assert sorted(c["id"] for c in r.json()["items"]) == sorted([a["id"], b["id"]])
    r = await client.get(API, params={"ids": "not-a-uuid"}, headers=manager)
    assert r.status_code == 422


async def test_soft_delete_restore_and_tombstones(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    before = (await client.get(API, headers=rep.headers)).json()
    c = await create(client, rep)
    sync_from = c["created_at"]
    url = f"{API}/{c['id']}"
    assert (await client.delete(url, headers=rep.headers)).status_code == 204
    assert (await client.get(url, headers=rep.headers)).status_code == 404
    assert (await client.get(API, headers=rep.headers)).json()["items"] == before["items"]
    feed = (await client.get(API, params={"updated_since": sync_from}, headers=rep.headers)).json()
    assert feed["items"] == [
        {"id": c["id"], "deleted": True, "reason": "deleted", "updated_at": feed["items"][0]["updated_at"]}
    ]
    assert (await client.delete(url, headers=rep.headers)).status_code == 404
    restored = await client.post(f"{url}/restore", headers=rep.headers)
    assert restored.status_code == 200 and restored.json()["id"] == c["id"]
    assert (await client.get(url, headers=rep.headers)).status_code == 200


async def test_owner_needs_assign_permission(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    r = await client.post(API, json={"name": "X", "owner_id": str(u["east_rep2"].id)}, headers=u["east_rep1"].headers)
    assert r.status_code == 403
    c = await create(client, u["east_rep1"])
    r = await client.patch(
        f"{API}/{c['id']}",
        json={"owner_id": str(u["east_rep2"].id)},
        headers=u["east_rep1"].headers,
    )
    assert r.status_code == 403
    r = await client.post(
        f"{API}/{c['id']}/assign",
        json={"owner_id": str(u["east_rep2"].id)},
        headers=u["east_rep1"].headers,
    )
    assert r.status_code == 403
    r = await client.post(
        f"{API}/{c['id']}/assign",
        json={"owner_id": str(u["west_rep1"].id)},
        headers=u["east_manager"].headers,
    )
    assert r.status_code == 200
    assert r.json()["owner_id"] == str(u["west_rep1"].id)
    assert r.json()["department_id"] == str(world.department_ids["Sales West"])
    # now outside the east manager's range, inside the west manager's
    assert (await client.get(f"{API}/{c['id']}", headers=u["east_manager"].headers)).status_code == 404
    assert (await client.get(f"{API}/{c['id']}", headers=u["west_manager"].headers)).status_code == 200
    r = await client.post(f"{API}/{c['id']}/assign", json={"owner_id": str(uuid.uuid4())}, headers=u["admin"].headers)
    assert r.status_code == 422


async def test_transfer_moves_a_leaving_reps_book(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    made = {(await create(client, u["east_rep2"]))["id"] for _ in range(3)}
    r = await client.post(
        f"{API}/transfer",
        json={"from_owner_id": str(u["east_rep2"].id), "to_owner_id": str(u["east_rep1"].id)},
        headers=u["east_manager"].headers,
    )
    assert r.status_code == 200 and r.json()["moved"] == 3
    mine = {c["id"] for c in (await client.get(API, headers=u["east_rep1"].headers)).json()["items"]}
    assert made <= mine
    assert (await client.get(API, headers=u["east_rep2"].headers)).json()["items"] == []


async def test_merge_moves_children_and_deletes_source(client: httpx.AsyncClient, world: World) -> None:
    admin = world.users["admin"]
    target = await create(client, admin, name="Target")
    source = await create(client, admin, name="Source")
    r = await client.post(f"{API}/{target['id']}/merge", json={"source_id": source["id"]}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["id"] == target["id"]
    assert (await client.get(f"{API}/{source['id']}", headers=admin.headers)).status_code == 404
    r = await client.post(f"{API}/{target['id']}/merge", json={"source_id": target["id"]}, headers=admin.headers)
    assert r.status_code == 422


async def test_custom_fields_validated_and_filterable(client: httpx.AsyncClient, world: World) -> None:
    admin = world.users["admin"]
    for spec in (
        {"entity": "customer", "key": "revenue", "label": "Revenue", "type": "number"},
        {
            "entity": "customer",
            "key": "segment",
            "label": "Segment",
            "type": "select",
            "options": ["smb", "ent"],
        },
    ):
        r = await client.post("/api/v1/custom-fields", json=spec, headers=admin.headers)
        assert r.status_code == 201, r.text
    dup = await client.post(
        "/api/v1/custom-fields",
        json={"entity": "customer", "key": "revenue", "label": "R", "type": "text"},
        headers=admin.headers,
    )
    assert dup.status_code == 409
    rep = world.users["east_rep1"]
    bad = await client.post(API, json={"name": "Bad", "custom_fields": {"revenue": "lots"}}, headers=rep.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "custom_fields.revenue"
    bad = await client.post(API, json={"name": "Bad", "custom_fields": {"nope": 1}}, headers=rep.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "custom_fields.nope"
    good = await create(client, rep, custom_fields={"revenue": 1200000, "segment": "ent"})
    await create(client, rep, custom_fields={"revenue": 5, "segment": "smb"})
    r = await client.get(API, params={"custom.segment": "ent"}, headers=rep.headers)
    assert [c["id"] for c in r.json()["items"]] == [good["id"]]
    r = await client.get(API, params={"custom.revenue": "1200000"}, headers=rep.headers)
    assert [c["id"] for c in r.json()["items"]] == [good["id"]]
    r = await client.get(API, params={"custom.unknown": "x"}, headers=rep.headers)
    assert r.status_code == 422
    r = await client.patch(f"{API}/{good['id']}", json={"custom_fields": {"segment": None}}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["custom_fields"] == {"revenue": 1200000}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("post", "", {"json": {"name": "x", "colour": "red"}}, "colour"),
        ("post", "", {"json": {"name": "x" * 201}}, "name"),
        ("post", "", {"json": {"name": ""}}, "name"),
        ("post", "", {"json": {"name": 5}}, "name"),
        ("post", "", {"json": {"name": "x", "status": "happy"}}, "status"),
        ("post", "", {"json": {"name": "x", "email": "not-an-email"}}, "email"),
        ("post", "", {"json": {"name": "x", "level": "Z"}}, "level"),
        ("post", "", {"json": {"name": "x", "region_id": str(uuid.uuid4())}}, "region_id"),
        ("post", "", {"json": {"name": "x", "tags": ["t"] * 51}}, "tags"),
        ("get", "", {"params": {"limit": 201}}, "limit"),
        ("get", "", {"params": {"limit": 0}}, "limit"),
        ("get", "", {"params": {"cursor": "garbage!"}}, "cursor"),
        ("get", "", {"params": {"sort": "password"}}, "sort"),
        ("get", "", {"params": {"owner": "someone"}}, "owner"),
        ("get", "/not-a-uuid", {}, "customer_id"),
        ("patch", "/00000000-0000-0000-0000-000000000000", {"json": {"name": None}}, "name"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, world: World, method, path, kwargs, field
) -> None:  # type: ignore[no-untyped-def]
    r = await getattr(client, method)(API + path, headers=world.users["admin"].headers, **kwargs)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"].split(".")[0] for e in r.json()["errors"]]
