"""Contacts end to end over HTTP: CRUD, data ranges, the customer link, concurrency, idempotency,
duplicates, search, sync, assignment and the customers' transfer taking contacts along."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import sqlalchemy as sa

from app.repositories.tables import audit_log, outbox
from tests.builders import Factory, World

API = "/api/v1/contacts"
CUSTOMERS = "/api/v1/customers"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def create(client: httpx.AsyncClient, user, **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("name", f"Contact {uuid.uuid4().hex[:8]}")
    r = await client.post(API, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def customer(client: httpx.AsyncClient, user, **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("name", f"Customer {uuid.uuid4().hex[:8]}")
    r = await client.post(CUSTOMERS, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def ids(client: httpx.AsyncClient, user, **params) -> list[str]:  # type: ignore[no-untyped-def]
    r = await client.get(API, params={"limit": 200, **params}, headers=user.headers)
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["items"]]


async def test_create_get_and_etag(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    acme = await customer(client, rep)
    r = await client.post(
        API,
        json={
            "name": "张伟",
            "customer_id": acme["id"],
            "title": "采购经理",
            "phones": ["+86 139-1122-3344"],
            "emails": ["Zhang.Wei@Acme.cn"],
            "birthday": "1985-04-12",
            "is_primary": True,
            "tags": ["decision-maker"],
        },
        headers=rep.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["owner_id"] == str(rep.id)
    assert body["department_id"] == str(world.department_ids["Sales East"])
    assert body["customer_id"] == acme["id"]
    assert body["birthday"] == "1985-04-12" and body["is_primary"] is True
    assert body["emails"] == ["Zhang.Wei@Acme.cn"] and body["version"] == 1
    assert r.headers["location"] == f"{API}/{body['id']}"
    got = await client.get(f"{API}/{body['id']}", headers=rep.headers)
    assert got.status_code == 200 and got.headers["etag"] == 'W/"1"'
    assert got.json() == body


async def test_each_role_lists_exactly_its_range(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    own1 = await create(client, u["east_rep1"])
    own2 = await create(client, u["east_rep2"])
    west = await create(client, u["west_rep1"])
    everything = {own1["id"], own2["id"], west["id"]}
    assert set(await ids(client, u["east_rep1"])) == {own1["id"]}
    assert set(await ids(client, u["east_manager"])) == {own1["id"], own2["id"]}
    assert set(await ids(client, u["west_manager"])) == {west["id"]}
    for role in ("director", "admin", "analyst", "service_manager", "agent1", "marketer"):
        assert set(await ids(client, u[role])) == everything, role
    assert (await client.get(API, headers=u["it"].headers)).status_code == 403
    r = await client.get(API)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


async def test_out_of_range_record_is_404_for_every_verb(client: httpx.AsyncClient, world: World) -> None:
    other = await create(client, world.users["east_rep2"])
    rep = world.users["east_rep1"].headers
    url = f"{API}/{other['id']}"
    assert (await client.get(url, headers=rep)).status_code == 404
    assert (await client.patch(url, json={"name": "x"}, headers=rep)).status_code == 404
    assert (await client.delete(url, headers=rep)).status_code == 404
    assert (await client.post(f"{url}/restore", headers=rep)).status_code == 404
    stranger = await (await world.factory.tenant()).user("admin", ["admin"])
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.delete(url, headers=stranger.headers)).status_code == 404


async def test_customer_link_must_be_a_live_customer_the_caller_can_read(
    client: httpx.AsyncClient, world: World
) -> None:
    u = world.users
    mine = await customer(client, u["east_rep1"])
    theirs = await customer(client, u["east_rep2"])
    rep = u["east_rep1"]
    for bad in (theirs["id"], str(uuid.uuid4())):
        r = await client.post(API, json={"name": "X", "customer_id": bad}, headers=rep.headers)
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == ["customer_id"]
    c = await create(client, rep, customer_id=mine["id"])
    r = await client.patch(f"{API}/{c['id']}", json={"customer_id": theirs["id"]}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"
    # a deleted customer is no longer a valid link
    assert (await client.delete(f"{CUSTOMERS}/{theirs['id']}", headers=u["east_rep2"].headers)).status_code == 204
    r = await client.post(API, json={"name": "X", "customer_id": theirs["id"]}, headers=u["admin"].headers)
    assert r.status_code == 422
    # unlinking is always allowed, and filtering by customer finds the linked ones
    r = await client.patch(f"{API}/{c['id']}", json={"customer_id": None}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["customer_id"] is None
    linked = await create(client, rep, customer_id=mine["id"])
    assert await ids(client, rep, customer=mine["id"]) == [linked["id"]]


async def test_patch_with_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    c = await create(client, rep)
    url = f"{API}/{c['id']}"
    ok = await client.patch(url, json={"title": "CTO"}, headers={**rep.headers, "If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.headers["etag"] == 'W/"2"'
    stale = await client.patch(url, json={"title": "CEO"}, headers={**rep.headers, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert (await client.get(url, headers=rep.headers)).json()["title"] == "CTO"


async def test_duplicate_email_or_phone_is_409_naming_the_record(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    first = await create(client, rep, emails=["a@x.example", "li.na@acme.example"], phones=["+86 138-0013-8000"])
    r = await client.post(API, json={"name": "Again", "emails": [" LI.NA@acme.example "]}, headers=rep.headers)
    assert r.status_code == 409 and r.json()["existing_id"] == first["id"]
    # a colleague outside the record's range still collides: duplicates are per tenant
    r = await client.post(
        API, json={"name": "Phone", "phones": ["13800138000"]}, headers=world.users["west_rep1"].headers
    )
    assert r.status_code == 409 and r.json()["existing_id"] == first["id"]
    second = await create(client, rep, emails=["other@acme.example"])
    r = await client.patch(f"{API}/{second['id']}", json={"phones": ["0086 138 0013 8000"]}, headers=rep.headers)
    assert r.status_code == 409 and r.json()["existing_id"] == first["id"]
    # its own keys are no conflict, and allow_duplicate lets it through
    r = await client.patch(f"{API}/{first['id']}", json={"emails": ["li.na@acme.example"]}, headers=rep.headers)
    assert r.status_code == 200
    r = await client.post(
        API,
        params={"allow_duplicate": "true"},
        json={"name": "Twin", "emails": ["li.na@acme.example"]},
        headers=rep.headers,
    )
    assert r.status_code == 201
    # a deleted contact no longer blocks its keys
    await client.delete(f"{API}/{second['id']}", headers=rep.headers)
    assert (
        await client.post(API, json={"name": "N", "emails": ["other@acme.example"]}, headers=rep.headers)
    ).status_code == 201


async def test_concurrent_creates_of_the_same_email_make_one_contact(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    body = {"name": "Race", "emails": ["race@acme.example"], "phones": ["139 0000 1111"]}
    results = await asyncio.gather(*(client.post(API, json=body, headers=rep.headers) for _ in range(4)))
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409]


async def test_equal_emails_and_phones_in_one_contact_are_kept_once(client: httpx.AsyncClient, world: World) -> None:
    c = await create(
        client,
        world.users["east_rep1"],
        emails=["a@b.example", "A@B.example"],
        phones=["13800138000", "+86 138 0013 8000"],
        tags=["x", "x"],
    )
    assert c["emails"] == ["a@b.example"] and c["phones"] == ["13800138000"] and c["tags"] == ["x"]


async def test_idempotency_key_replays_first_response(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    headers = {**rep.headers, "Idempotency-Key": "create-contact-1"}
    body = {"name": "Idempotent Person", "emails": ["idem@acme.example"]}
    first, second = await asyncio.gather(
        client.post(API, json=body, headers=headers), client.post(API, json=body, headers=headers)
    )
    assert {first.status_code, second.status_code} == {201}
    assert first.json()["id"] == second.json()["id"]
    assert "true" in (first.headers.get("idempotent-replayed"), second.headers.get("idempotent-replayed"))
    assert len(await ids(client, rep, q="Idempotent Person")) == 1
    assert (await client.post(API, json={"name": "Else"}, headers=headers)).status_code == 422


@pytest.mark.parametrize("term", ["张伟", "伟", "张", "ZHANG.WEI", "acme.cn", "13911", "139-1122"])
async def test_search_finds_any_part(client: httpx.AsyncClient, world: World, term: str) -> None:
    rep = world.users["east_rep1"]
    target = await create(client, rep, name="张伟", emails=["zhang.wei@acme.cn"], phones=["139-1122-3344"])
    await create(client, rep, name="李娜", emails=["li.na@other.example"], phones=["138 0000 9999"])
    r = await client.get(API, params={"q": term}, headers=rep.headers)
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["items"]] == [target["id"]]


async def test_search_treats_wildcards_and_sql_as_text(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    await create(client, rep, name="50% Wang")
    await create(client, rep, name="Plain Wang")
    r = await client.get(API, params={"q": "%"}, headers=rep.headers)
    assert [c["name"] for c in r.json()["items"]] == ["50% Wang"]
    r = await client.get(API, params={"q": "' OR 1=1 --"}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["items"] == []


async def test_keyset_pages_cover_everything_once(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    made = {(await create(client, rep, name=f"Paged {i:02d}"))["id"] for i in range(7)}
    for sort in ("-updated_at", "name", "-name", "created_at"):
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
            page = (await client.get(API, params=params, headers=rep.headers)).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 7 and set(seen) == made, sort


async def test_filters(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    acme = await customer(client, rep)
    a = await create(client, rep, customer_id=acme["id"], tags=["vip", "north"])
    b = await create(client, rep, tags=["north"])
    manager = world.users["east_manager"]
    assert await ids(client, manager, tag="vip") == [a["id"]]
    assert await ids(client, manager, customer=acme["id"]) == [a["id"]]
    assert set(await ids(client, manager, owner=str(rep.id))) == {a["id"], b["id"]}
    assert set(await ids(client, rep, owner="me")) == {a["id"], b["id"]}
    assert await ids(client, manager, owner="me") == []
    assert await ids(client, manager, department=str(world.department_ids["Sales West"])) == []
    assert set(await ids(client, manager, department=str(world.department_ids["Sales East"]))) == {a["id"], b["id"]}
    assert set(await ids(client, rep, created_from=a["created_at"])) == {a["id"], b["id"]}
    assert await ids(client, rep, created_to=a["created_at"]) == []


async def test_soft_delete_restore_and_tombstones(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    kept = await create(client, rep)
    c = await create(client, rep)
    url = f"{API}/{c['id']}"
    assert (await client.delete(url, headers=rep.headers)).status_code == 204
    assert (await client.get(url, headers=rep.headers)).status_code == 404
    assert await ids(client, rep) == [kept["id"]]
    feed = (await client.get(API, params={"updated_since": kept["created_at"]}, headers=rep.headers)).json()
    assert [i["id"] for i in feed["items"]] == [kept["id"], c["id"]]
    assert feed["items"][1] == {
        "id": c["id"],
        "deleted": True,
        "reason": "deleted",
        "updated_at": feed["items"][1]["updated_at"],
    }
    assert (await client.delete(url, headers=rep.headers)).status_code == 404
    restored = await client.post(f"{url}/restore", headers=rep.headers)
    assert restored.status_code == 200 and restored.json()["id"] == c["id"]
    assert (await client.post(f"{url}/restore", headers=rep.headers)).status_code == 404
    assert (await client.get(url, headers=rep.headers)).status_code == 200


async def test_writes_are_audited_and_published(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    c = await create(client, u["east_rep1"], emails=["audit@acme.example"])
    url = f"{API}/{c['id']}"
    await client.patch(url, json={"title": "VP"}, headers=u["east_rep1"].headers)
    await client.post(f"{url}/assign", json={"owner_id": str(u["east_rep2"].id)}, headers=u["east_manager"].headers)
    await client.delete(url, headers=u["east_manager"].headers)
    await client.post(f"{url}/restore", headers=u["east_manager"].headers)
    engine = world.factory.engine
    async with engine.connect() as conn:
        actions = (
            await conn.execute(
                sa.select(audit_log.c.action, audit_log.c.changes)
                .where(audit_log.c.tenant_id == world.id, audit_log.c.entity_id == uuid.UUID(c["id"]))
                .order_by(audit_log.c.id)
            )
        ).all()
        events = (
            (
                await conn.execute(
                    sa.select(outbox.c.event_type)
                    .where(outbox.c.tenant_id == world.id, outbox.c.entity_id == uuid.UUID(c["id"]))
                    .order_by(outbox.c.id)
                )
            )
            .scalars()
            .all()
        )
    expected = ["contact.created", "contact.updated", "contact.assigned", "contact.deleted", "contact.restored"]
    assert [a.action for a in actions] == expected
    assert events == expected
    assert actions[1].changes == {"title": {"before": None, "after": "VP"}}
    assert actions[2].changes["owner_id"] == {"before": str(u["east_rep1"].id), "after": str(u["east_rep2"].id)}


async def test_owner_needs_assign_permission(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    r = await client.post(API, json={"name": "X", "owner_id": str(u["east_rep2"].id)}, headers=u["east_rep1"].headers)
    assert r.status_code == 403
    c = await create(client, u["east_rep1"])
    url = f"{API}/{c['id']}"
    r = await client.patch(url, json={"owner_id": str(u["east_rep2"].id)}, headers=u["east_rep1"].headers)
    assert r.status_code == 403
    r = await client.post(f"{url}/assign", json={"owner_id": str(u["east_rep2"].id)}, headers=u["east_rep1"].headers)
    assert r.status_code == 403
    r = await client.post(f"{url}/assign", json={"owner_id": str(u["west_rep1"].id)}, headers=u["east_manager"].headers)
    assert r.status_code == 200
    assert r.json()["owner_id"] == str(u["west_rep1"].id)
    assert r.json()["department_id"] == str(world.department_ids["Sales West"])
    assert (await client.get(url, headers=u["east_manager"].headers)).status_code == 404
    assert (await client.get(url, headers=u["west_manager"].headers)).status_code == 200
    r = await client.patch(url, json={"owner_id": str(u["west_manager"].id)}, headers=u["west_manager"].headers)
    assert r.status_code == 200 and r.json()["owner_id"] == str(u["west_manager"].id)
    r = await client.post(f"{url}/assign", json={"owner_id": str(uuid.uuid4())}, headers=u["admin"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "owner_id"
    # creating for someone else with the permission puts the record in their department
    r = await client.post(
        API, json={"name": "For rep", "owner_id": str(u["east_rep2"].id)}, headers=u["director"].headers
    )
    assert r.status_code == 201 and r.json()["department_id"] == str(world.department_ids["Sales East"])


async def test_transfer_moves_a_leaving_reps_customers_and_contacts(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    leaver, heir = u["east_rep2"], u["east_rep1"]
    made_customers = {(await customer(client, leaver))["id"] for _ in range(2)}
    made_contacts = {(await create(client, leaver))["id"] for _ in range(3)}
    deleted = await create(client, leaver)
    await client.delete(f"{API}/{deleted['id']}", headers=leaver.headers)
    west_contact = await create(client, u["west_rep1"])
    r = await client.post(
        f"{CUSTOMERS}/transfer",
        json={"from_owner_id": str(leaver.id), "to_owner_id": str(heir.id)},
        headers=u["east_manager"].headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["moved"] == 2 and set(r.json()["customer_ids"]) == made_customers
    assert r.json()["contacts_moved"] == 3
    assert set(await ids(client, heir)) == made_contacts
    assert await ids(client, leaver) == []
    for contact_id in made_contacts:
        got = (await client.get(f"{API}/{contact_id}", headers=heir.headers)).json()
        assert got["owner_id"] == str(heir.id) and got["department_id"] == str(world.department_ids["Sales East"])
    async with world.factory.engine.connect() as conn:
        audited = (
            await conn.execute(
                sa.select(sa.func.count()).where(
                    audit_log.c.tenant_id == world.id,
                    audit_log.c.action == "contact.assigned",
                    audit_log.c.entity_id.in_([uuid.UUID(i) for i in made_contacts]),
                )
            )
        ).scalar()
    assert audited == 3
    # the east manager's range does not reach the west: the west rep's contacts stay
    r = await client.post(
        f"{CUSTOMERS}/transfer",
        json={"from_owner_id": str(u["west_rep1"].id), "to_owner_id": str(heir.id)},
        headers=u["east_manager"].headers,
    )
    assert r.json() == {"moved": 0, "customer_ids": [], "contacts_moved": 0}
    got = (await client.get(f"{API}/{west_contact['id']}", headers=u["west_rep1"].headers)).json()
    assert got["owner_id"] == str(u["west_rep1"].id)


async def test_transfer_is_one_transaction(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    c = await create(client, u["east_rep2"])
    r = await client.post(
        f"{CUSTOMERS}/transfer",
        json={"from_owner_id": str(u["east_rep2"].id), "to_owner_id": str(uuid.uuid4())},
        headers=u["east_manager"].headers,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to_owner_id"
    got = (await client.get(f"{API}/{c['id']}", headers=u["east_rep2"].headers)).json()
    assert got["owner_id"] == str(u["east_rep2"].id) and got["version"] == 1


async def test_custom_fields_validated_and_filterable(client: httpx.AsyncClient, world: World) -> None:
    admin = world.users["admin"]
    for spec in (
        {"entity": "contact", "key": "wechat", "label": "WeChat", "type": "text"},
        {"entity": "contact", "key": "influence", "label": "Influence", "type": "select", "options": ["low", "high"]},
        {"entity": "customer", "key": "only_customers", "label": "C", "type": "number"},
    ):
        r = await client.post("/api/v1/custom-fields", json=spec, headers=admin.headers)
        assert r.status_code == 201, r.text
    rep = world.users["east_rep1"]
    bad = await client.post(API, json={"name": "Bad", "custom_fields": {"influence": "huge"}}, headers=rep.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "custom_fields.influence"
    # a customer field is not a contact field
    bad = await client.post(API, json={"name": "Bad", "custom_fields": {"only_customers": 1}}, headers=rep.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "custom_fields.only_customers"
    good = await create(client, rep, custom_fields={"wechat": "zw_1985", "influence": "high"})
    await create(client, rep, custom_fields={"influence": "low"})
    assert await ids(client, rep, **{"custom.influence": "high"}) == [good["id"]]
    assert await ids(client, rep, **{"custom.wechat": "zw_1985"}) == [good["id"]]
    r = await client.get(API, params={"custom.only_customers": "1"}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "custom.only_customers"
    r = await client.patch(f"{API}/{good['id']}", json={"custom_fields": {"wechat": None}}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["custom_fields"] == {"influence": "high"}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("post", "", {"json": {"name": "x", "colour": "red"}}, "colour"),
        ("post", "", {"json": {"name": "x" * 201}}, "name"),
        ("post", "", {"json": {"name": ""}}, "name"),
        ("post", "", {"json": {"emails": ["a@b.example"]}}, "name"),
        ("post", "", {"json": {"name": "x", "emails": ["not-an-email"]}}, "emails"),
        ("post", "", {"json": {"name": "x", "emails": "a@b.example"}}, "emails"),
        ("post", "", {"json": {"name": "x", "phones": ["call me"]}}, "phones"),
        ("post", "", {"json": {"name": "x", "phones": ["1"] * 21}}, "phones"),
        ("post", "", {"json": {"name": "x", "birthday": "1985-13-01"}}, "birthday"),
        ("post", "", {"json": {"name": "x", "birthday": "2999-01-01"}}, "birthday"),
        ("post", "", {"json": {"name": "x", "is_primary": "perhaps"}}, "is_primary"),
        ("post", "", {"json": {"name": "x", "customer_id": "nope"}}, "customer_id"),
        ("post", "", {"json": {"name": "x", "customer_id": str(uuid.uuid4())}}, "customer_id"),
        ("post", "", {"json": {"name": "x", "owner_id": str(uuid.uuid4())}}, "owner_id"),
        ("post", "", {"json": {"name": "x", "tags": ["t"] * 51}}, "tags"),
        ("post", "", {"json": {"name": "x", "custom_fields": {"k": 1}}}, "custom_fields"),
        ("get", "", {"params": {"limit": 201}}, "limit"),
        ("get", "", {"params": {"cursor": "garbage!"}}, "cursor"),
        ("get", "", {"params": {"sort": "emails_norm"}}, "sort"),
        ("get", "", {"params": {"owner": "someone"}}, "owner"),
        ("get", "", {"params": {"customer": "someone"}}, "customer"),
        ("get", "", {"params": {"updated_since": "yesterday"}}, "updated_since"),
        ("get", "/not-a-uuid", {}, "contact_id"),
        ("patch", "/00000000-0000-0000-0000-000000000000", {"json": {"name": None}}, "name"),
        ("patch", "/00000000-0000-0000-0000-000000000000", {"json": {"is_primary": None}}, "is_primary"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, world: World, method, path, kwargs, field
) -> None:  # type: ignore[no-untyped-def]
    r = await getattr(client, method)(API + path, headers=world.users["admin"].headers, **kwargs)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"].split(".")[0] for e in r.json()["errors"]]


async def test_cursor_of_another_sort_is_refused(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    for _ in range(3):
        await create(client, rep)
    cursor = (await client.get(API, params={"limit": 1}, headers=rep.headers)).json()["next_cursor"]
    r = await client.get(API, params={"limit": 1, "sort": "name", "cursor": cursor}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"
