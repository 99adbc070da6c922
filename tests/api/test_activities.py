"""Activities end to end over HTTP: CRUD, the owner's data range, links to customers and contacts
the caller can read, filters, keyset paging, concurrency, idempotency and the audit trail."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
import sqlalchemy as sa

from app.repositories.tables import audit_log, outbox
from tests.builders import Factory, World

API = "/api/v1/activities"
CUSTOMERS = "/api/v1/customers"
CONTACTS = "/api/v1/contacts"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def post(client: httpx.AsyncClient, url: str, user, **body) -> dict:  # type: ignore[no-untyped-def]
    r = await client.post(url, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def customer(client: httpx.AsyncClient, user, **body) -> dict:  # type: ignore[no-untyped-def]
    return await post(client, CUSTOMERS, user, **{"name": f"Customer {uuid.uuid4().hex[:8]}", **body})


async def contact(client: httpx.AsyncClient, user, **body) -> dict:  # type: ignore[no-untyped-def]
    return await post(client, CONTACTS, user, **{"name": f"Contact {uuid.uuid4().hex[:8]}", **body})


async def create(client: httpx.AsyncClient, user, **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("kind", "call")
    body.setdefault("subject", f"Call {uuid.uuid4().hex[:8]}")
    if "customer_id" not in body and "contact_id" not in body:
        body["customer_id"] = (await customer(client, user))["id"]
    return await post(client, API, user, **body)


async def ids(client: httpx.AsyncClient, user, **params) -> list[str]:  # type: ignore[no-untyped-def]
    r = await client.get(API, params={"limit": 200, **params}, headers=user.headers)
    assert r.status_code == 200, r.text
    return [a["id"] for a in r.json()["items"]]


async def test_create_get_and_etag(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    acme = await customer(client, rep)
    r = await client.post(
        API,
        json={
            "kind": "visit",
            "subject": "拜访北京星辰科技",
            "body": "Discussed the Q3 order.",
            "occurred_at": "2026-03-01T09:30:00+08:00",
            "duration_minutes": 90,
            "outcome": "order expected",
            "customer_id": acme["id"],
        },
        headers=rep.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["owner_id"] == str(rep.id)
    assert body["department_id"] == str(world.department_ids["Sales East"])
    assert body["occurred_at"] == "2026-03-01T01:30:00Z"
    assert body["contact_id"] is None and body["version"] == 1
    assert r.headers["location"] == f"{API}/{body['id']}"
    got = await client.get(f"{API}/{body['id']}", headers=rep.headers)
    assert got.status_code == 200 and got.headers["etag"] == 'W/"1"'
    assert got.json() == body


async def test_occurred_at_defaults_to_now(client: httpx.AsyncClient, world: World) -> None:
    a = await create(client, world.users["east_rep1"], kind="note")
    assert a["occurred_at"][:10] == a["created_at"][:10]


async def test_each_role_lists_exactly_its_range(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    own1 = await create(client, u["east_rep1"])
    own2 = await create(client, u["east_rep2"])
    west = await create(client, u["west_rep1"])
    agent = await create(client, u["agent1"], customer_id=own1["customer_id"])
    sales = {own1["id"], own2["id"], west["id"]}
    assert set(await ids(client, u["east_rep1"])) == {own1["id"]}
    assert set(await ids(client, u["east_manager"])) == {own1["id"], own2["id"]}
    assert set(await ids(client, u["west_manager"])) == {west["id"]}
    assert set(await ids(client, u["agent1"])) == {agent["id"]}
    assert set(await ids(client, u["service_manager"])) == {agent["id"]}
    for role in ("director", "admin", "analyst"):
        assert set(await ids(client, u[role])) == sales | {agent["id"]}, role
    for role in ("marketer", "it"):
        assert (await client.get(API, headers=u[role].headers)).status_code == 403, role


async def test_out_of_range_record_is_404_for_every_verb(client: httpx.AsyncClient, world: World) -> None:
    other = await create(client, world.users["east_rep2"])
    rep = world.users["east_rep1"].headers
    url = f"{API}/{other['id']}"
    assert (await client.get(url, headers=rep)).status_code == 404
    assert (await client.patch(url, json={"subject": "x"}, headers=rep)).status_code == 404
    assert (await client.delete(url, headers=rep)).status_code == 404
    assert (await client.post(f"{url}/restore", headers=rep)).status_code == 404
    stranger = await (await world.factory.tenant()).user("admin", ["admin"])
    assert (await client.get(url, headers=stranger.headers)).status_code == 404


async def test_needs_a_customer_or_contact(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    r = await client.post(API, json={"kind": "note", "subject": "Orphan"}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"
    person = await contact(client, rep)
    a = await create(client, rep, contact_id=person["id"])
    assert a["customer_id"] is None and a["contact_id"] == person["id"]
    r = await client.patch(f"{API}/{a['id']}", json={"contact_id": None}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"


async def test_links_must_be_readable_by_the_caller(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    rep = u["east_rep1"]
    theirs = await customer(client, u["east_rep2"])
    their_contact = await contact(client, u["east_rep2"])
    for body, field in (
        ({"customer_id": theirs["id"]}, "customer_id"),
        ({"customer_id": str(uuid.uuid4())}, "customer_id"),
        ({"contact_id": their_contact["id"]}, "contact_id"),
        ({"contact_id": str(uuid.uuid4())}, "contact_id"),
    ):
        r = await client.post(API, json={"kind": "call", "subject": "x", **body}, headers=rep.headers)
        assert r.status_code == 422, (body, r.text)
        assert [e["field"] for e in r.json()["errors"]] == [field]
    mine = await create(client, rep)
    r = await client.patch(f"{API}/{mine['id']}", json={"customer_id": theirs["id"]}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"
    # a service agent reads every customer and contact, and owns only their own activities
    agent = u["agent1"]
    logged = await create(client, agent, customer_id=theirs["id"], contact_id=None)
    assert logged["owner_id"] == str(agent.id) and logged["customer_id"] == theirs["id"]
    # a deleted contact is no longer a valid link
    await client.delete(f"{CONTACTS}/{their_contact['id']}", headers=u["east_rep2"].headers)
    r = await client.post(
        API, json={"kind": "call", "subject": "x", "contact_id": their_contact["id"]}, headers=u["admin"].headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contact_id"


async def test_a_contact_brings_its_customer(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    acme = await customer(client, rep)
    other = await customer(client, rep)
    person = await contact(client, rep, customer_id=acme["id"])
    a = await create(client, rep, contact_id=person["id"])
    assert a["customer_id"] == acme["id"]
    both = await create(client, rep, contact_id=person["id"], customer_id=acme["id"])
    assert both["customer_id"] == acme["id"]
    r = await client.post(
        API,
        json={"kind": "call", "subject": "x", "contact_id": person["id"], "customer_id": other["id"]},
        headers=rep.headers,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contact_id"
    r = await client.patch(f"{API}/{a['id']}", json={"customer_id": other["id"]}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"
    r = await client.patch(
        f"{API}/{a['id']}", json={"customer_id": other["id"], "contact_id": None}, headers=rep.headers
    )
    assert r.status_code == 200 and r.json()["customer_id"] == other["id"] and r.json()["contact_id"] is None


async def test_patch_with_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    a = await create(client, rep)
    url = f"{API}/{a['id']}"
    ok = await client.patch(url, json={"outcome": "callback"}, headers={**rep.headers, "If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.headers["etag"] == 'W/"2"'
    stale = await client.patch(url, json={"outcome": "lost"}, headers={**rep.headers, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert (await client.get(url, headers=rep.headers)).json()["outcome"] == "callback"


async def test_concurrent_patches_serialize_on_the_version(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    a = await create(client, rep)
    url = f"{API}/{a['id']}"
    results = await asyncio.gather(
        *(
            client.patch(url, json={"subject": f"Edit {i}"}, headers={**rep.headers, "If-Match": 'W/"1"'})
            for i in range(3)
        )
    )
    assert sorted(r.status_code for r in results) == [200, 412, 412]


async def test_idempotency_key_replays_first_response(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    acme = await customer(client, rep)
    headers = {**rep.headers, "Idempotency-Key": "log-call-1"}
    body = {"kind": "call", "subject": "Follow-up", "customer_id": acme["id"]}
    first, second = await asyncio.gather(
        client.post(API, json=body, headers=headers), client.post(API, json=body, headers=headers)
    )
    assert {first.status_code, second.status_code} == {201}
    assert first.json()["id"] == second.json()["id"]
    assert len(await ids(client, rep, customer=acme["id"])) == 1


async def test_filters_and_default_sort(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    acme = await customer(client, rep)
    person = await contact(client, rep, customer_id=acme["id"])
    old = await create(client, rep, kind="visit", customer_id=acme["id"], occurred_at="2026-01-05T10:00:00Z")
    mid = await create(client, rep, kind="call", contact_id=person["id"], occurred_at="2026-02-05T10:00:00Z")
    new = await create(client, rep, kind="email", occurred_at="2026-03-05T10:00:00Z")
    assert await ids(client, rep) == [new["id"], mid["id"], old["id"]]
    assert await ids(client, rep, sort="occurred_at") == [old["id"], mid["id"], new["id"]]
    assert await ids(client, rep, customer=acme["id"]) == [mid["id"], old["id"]]
    assert await ids(client, rep, contact=person["id"]) == [mid["id"]]
    assert await ids(client, rep, kind="visit") == [old["id"]]
    assert await ids(client, rep, occurred_from="2026-02-01T00:00:00Z", occurred_to="2026-03-01T00:00:00Z") == [
        mid["id"]
    ]
    manager = world.users["east_manager"]
    assert await ids(client, manager, owner=str(rep.id)) == [new["id"], mid["id"], old["id"]]
    assert await ids(client, manager, owner="me") == []


async def test_keyset_pages_cover_everything_once(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    acme = await customer(client, rep)
    same_instant = "2026-04-01T08:00:00Z"  # ties on the sort key are broken by id
    made = {
        (await create(client, rep, customer_id=acme["id"], occurred_at=same_instant if i % 2 else None))["id"]
        for i in range(7)
    }
    for sort in ("-occurred_at", "occurred_at", "-updated_at", "created_at"):
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
            page = (await client.get(API, params=params, headers=rep.headers)).json()
            seen += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 7 and set(seen) == made, sort


async def test_soft_delete_restore_and_tombstones(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    kept = await create(client, rep)
    a = await create(client, rep, customer_id=kept["customer_id"])
    url = f"{API}/{a['id']}"
    assert (await client.delete(url, headers=rep.headers)).status_code == 204
    assert (await client.get(url, headers=rep.headers)).status_code == 404
    assert await ids(client, rep) == [kept["id"]]
    feed = (await client.get(API, params={"updated_since": kept["created_at"]}, headers=rep.headers)).json()
    assert feed["items"][-1] == {
        "id": a["id"],
        "deleted": True,
        "reason": "deleted",
        "updated_at": feed["items"][-1]["updated_at"],
    }
    restored = await client.post(f"{url}/restore", headers=rep.headers)
    assert restored.status_code == 200 and restored.json()["id"] == a["id"]
    assert (await client.get(url, headers=rep.headers)).status_code == 200


async def test_owner_needs_assign_permission(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    acme = await customer(client, u["east_rep2"])
    body = {"kind": "call", "subject": "x", "customer_id": acme["id"], "owner_id": str(u["east_rep2"].id)}
    assert (await client.post(API, json=body, headers=u["east_rep1"].headers)).status_code == 403
    assert (await client.post(API, json=body, headers=u["agent1"].headers)).status_code == 403
    r = await client.post(API, json=body, headers=u["east_manager"].headers)
    assert r.status_code == 201 and r.json()["owner_id"] == str(u["east_rep2"].id)
    assert r.json()["department_id"] == str(world.department_ids["Sales East"])
    url = f"{API}/{r.json()['id']}"
    r = await client.patch(url, json={"owner_id": str(u["east_rep1"].id)}, headers=u["east_rep2"].headers)
    assert r.status_code == 403
    r = await client.post(f"{url}/assign", json={"owner_id": str(u["west_rep1"].id)}, headers=u["east_manager"].headers)
    assert r.status_code == 200 and r.json()["department_id"] == str(world.department_ids["Sales West"])
    assert (await client.get(url, headers=u["east_manager"].headers)).status_code == 404
    assert (await client.get(url, headers=u["west_rep1"].headers)).status_code == 200
    # the service manager assigns within the service department
    mine = await create(client, u["agent1"], customer_id=acme["id"])
    r = await client.post(
        f"{API}/{mine['id']}/assign",
        json={"owner_id": str(u["service_manager"].id)},
        headers=u["service_manager"].headers,
    )
    assert r.status_code == 200


async def test_every_write_is_audited_and_published(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    a = await create(client, u["east_rep1"])
    url = f"{API}/{a['id']}"
    await client.patch(url, json={"outcome": "won"}, headers=u["east_rep1"].headers)
    await client.post(f"{url}/assign", json={"owner_id": str(u["east_rep2"].id)}, headers=u["east_manager"].headers)
    await client.delete(url, headers=u["east_manager"].headers)
    await client.post(f"{url}/restore", headers=u["east_manager"].headers)
    async with world.factory.engine.connect() as conn:
        actions = (
            (
                await conn.execute(
                    sa.select(audit_log.c.action)
                    .where(audit_log.c.tenant_id == world.id, audit_log.c.entity_id == uuid.UUID(a["id"]))
                    .order_by(audit_log.c.id)
                )
            )
            .scalars()
            .all()
        )
        events = (
            (
                await conn.execute(
                    sa.select(outbox.c.event_type)
                    .where(outbox.c.tenant_id == world.id, outbox.c.entity_id == uuid.UUID(a["id"]))
                    .order_by(outbox.c.id)
                )
            )
            .scalars()
            .all()
        )
    assert actions == [
        "activity.created",
        "activity.updated",
        "activity.assigned",
        "activity.deleted",
        "activity.restored",
    ]
    # Like customers and contacts: every change is an event for the webhooks and the worker.
    assert events == actions


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("post", "", {"json": {"kind": "call", "subject": "x", "mood": "good"}}, "mood"),
        ("post", "", {"json": {"kind": "fax", "subject": "x"}}, "kind"),
        ("post", "", {"json": {"subject": "x"}}, "kind"),
        ("post", "", {"json": {"kind": "call"}}, "subject"),
        ("post", "", {"json": {"kind": "call", "subject": ""}}, "subject"),
        ("post", "", {"json": {"kind": "call", "subject": "x" * 201}}, "subject"),
        ("post", "", {"json": {"kind": "call", "subject": "x", "body": "b" * 10_001}}, "body"),
        ("post", "", {"json": {"kind": "call", "subject": "x", "occurred_at": "2026-01-01T10:00:00"}}, "occurred_at"),
        ("post", "", {"json": {"kind": "call", "subject": "x", "occurred_at": "soon"}}, "occurred_at"),
        ("post", "", {"json": {"kind": "call", "subject": "x", "duration_minutes": -1}}, "duration_minutes"),
        ("post", "", {"json": {"kind": "call", "subject": "x", "duration_minutes": 99999}}, "duration_minutes"),
        ("post", "", {"json": {"kind": "call", "subject": "x", "customer_id": "acme"}}, "customer_id"),
        ("post", "", {"json": {"kind": "call", "subject": "x", "customer_id": str(uuid.uuid4())}}, "customer_id"),
        ("post", "", {"json": {"kind": "call", "subject": "<script>", "contact_id": str(uuid.uuid4())}}, "contact_id"),
        ("get", "", {"params": {"kind": "fax"}}, "kind"),
        ("get", "", {"params": {"sort": "subject"}}, "sort"),
        ("get", "", {"params": {"cursor": "garbage!"}}, "cursor"),
        ("get", "", {"params": {"occurred_from": "last week"}}, "occurred_from"),
        ("get", "", {"params": {"contact": "x"}}, "contact"),
        ("get", "/not-a-uuid", {}, "activity_id"),
        ("patch", "/00000000-0000-0000-0000-000000000000", {"json": {"occurred_at": None}}, "occurred_at"),
        ("patch", "/00000000-0000-0000-0000-000000000000", {"json": {"kind": None}}, "kind"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, world: World, method, path, kwargs, field
) -> None:  # type: ignore[no-untyped-def]
    r = await getattr(client, method)(API + path, headers=world.users["admin"].headers, **kwargs)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"].split(".")[0] for e in r.json()["errors"]]
