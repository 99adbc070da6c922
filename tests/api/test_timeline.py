"""A customer's timeline: activities and key changes merged newest first, paged by keyset; the
customer must be readable and activities show within the caller's activities range. Also: merging
customers moves contacts and activities, and the timeline says so."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.builders import Factory, World

CUSTOMERS = "/api/v1/customers"
CONTACTS = "/api/v1/contacts"
ACTIVITIES = "/api/v1/activities"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def post(client: httpx.AsyncClient, url: str, user, **body) -> dict:  # type: ignore[no-untyped-def]
    r = await client.post(url, json=body, headers=user.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def activity(client: httpx.AsyncClient, user, customer_id: str, at: str, **body) -> dict:  # type: ignore[no-untyped-def]
    return await post(
        client,
        ACTIVITIES,
        user,
        **{
            "kind": "call",
            "subject": f"Call {uuid.uuid4().hex[:6]}",
            "customer_id": customer_id,
            "occurred_at": at,
            **body,
        },
    )


async def timeline(client: httpx.AsyncClient, user, customer_id: str, **params) -> list[dict]:  # type: ignore[no-untyped-def]
    r = await client.get(f"{CUSTOMERS}/{customer_id}/timeline", params={"limit": 200, **params}, headers=user.headers)
    assert r.status_code == 200, r.text
    assert r.json()["next_cursor"] is None
    return r.json()["items"]


def summary(items: list[dict]) -> list[tuple[str, str]]:
    return [(i["type"], i["id"] if i["type"] == "activity" else i["action"]) for i in items]


async def test_merges_activities_and_key_changes_newest_first(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    rep = u["east_rep1"]
    acme = await post(client, CUSTOMERS, rep, name="北京星辰科技有限公司")
    url = f"{CUSTOMERS}/{acme['id']}"
    old = await activity(client, rep, acme["id"], "2020-01-05T10:00:00Z", kind="visit", duration_minutes=60)
    planned = await activity(client, rep, acme["id"], "2099-06-01T10:00:00+08:00", kind="meeting")
    assert (await client.patch(url, json={"status": "active"}, headers=rep.headers)).status_code == 200
    assert (await client.patch(url, json={"industry": "software"}, headers=rep.headers)).status_code == 200
    gone = await activity(client, rep, acme["id"], "2021-01-01T00:00:00Z")
    assert (await client.delete(f"{ACTIVITIES}/{gone['id']}", headers=rep.headers)).status_code == 204
    other = await post(client, CUSTOMERS, rep, name="Other Co")
    await activity(client, rep, other["id"], "2022-01-01T00:00:00Z")
    r = await client.post(f"{url}/assign", json={"owner_id": str(u["east_rep2"].id)}, headers=u["east_manager"].headers)
    assert r.status_code == 200

    items = await timeline(client, u["director"], acme["id"])
    assert summary(items) == [
        ("activity", planned["id"]),
        ("change", "customer.assigned"),
        ("change", "customer.updated"),
        ("change", "customer.created"),
        ("activity", old["id"]),
    ]
    ats = [i["at"] for i in items]
    assert ats == sorted(ats, reverse=True)
    assert items[0] == {
        "type": "activity",
        "at": "2099-06-01T02:00:00Z",
        "id": planned["id"],
        "kind": "meeting",
        "subject": planned["subject"],
        "body": None,
        "duration_minutes": None,
        "outcome": None,
        "contact_id": None,
        "owner_id": str(rep.id),
    }
    assigned, updated, created = items[1:4]
    assert assigned["actor_id"] == str(u["east_manager"].id)
    assert assigned["changes"] == {"owner_id": {"before": str(rep.id), "after": str(u["east_rep2"].id)}}
    # only the key fields of an update show, and an update of other fields is no item at all
    assert updated["changes"] == {"status": {"before": "prospect", "after": "active"}}
    assert created["actor_id"] == str(rep.id)
    assert created["changes"]["status"] == {"before": None, "after": "prospect"}
    assert set(created["changes"]) == {"owner_id", "department_id", "status"}
    assert items[4]["kind"] == "visit" and items[4]["duration_minutes"] == 60


async def test_pages_cover_everything_once_in_order(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    acme = await post(client, CUSTOMERS, rep, name="Paged Co")
    same_instant = "2024-05-05T05:05:05Z"  # ties on `at` are broken by id
    for i in range(6):
        await activity(client, rep, acme["id"], same_instant if i % 2 else f"2024-0{i + 1}-01T00:00:00Z")
    for status in ("active", "inactive", "active"):
        await client.patch(f"{CUSTOMERS}/{acme['id']}", json={"status": status}, headers=rep.headers)
    everything = await timeline(client, rep, acme["id"])
    assert len(everything) == 10
    for limit in (1, 3, 4):
        seen: list[dict] = []
        cursor = None
        while True:
            params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            r = await client.get(f"{CUSTOMERS}/{acme['id']}/timeline", params=params, headers=rep.headers)
            assert r.status_code == 200, r.text
            seen += r.json()["items"]
            cursor = r.json()["next_cursor"]
            if not cursor:
                break
        assert seen == everything, limit


async def test_activities_show_within_the_callers_activity_range(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    rep = u["east_rep1"]
    acme = await post(client, CUSTOMERS, rep, name="Shared Co")
    mine = await activity(client, rep, acme["id"], "2025-01-01T00:00:00Z")
    agents = await activity(client, u["agent1"], acme["id"], "2025-02-01T00:00:00Z")
    everyone = {mine["id"], agents["id"]}

    async def activity_ids(user) -> set[str]:  # type: ignore[no-untyped-def]
        return {i["id"] for i in await timeline(client, user, acme["id"]) if i["type"] == "activity"}

    assert await activity_ids(rep) == {mine["id"]}
    assert await activity_ids(u["east_manager"]) == {mine["id"]}
    assert await activity_ids(u["agent1"]) == {agents["id"]}
    assert await activity_ids(u["service_manager"]) == {agents["id"]}
    assert await activity_ids(u["director"]) == everyone
    assert await activity_ids(u["analyst"]) == everyone
    # the marketer reads customers but no activities: the changes only
    items = await timeline(client, u["marketer"], acme["id"])
    assert summary(items) == [("change", "customer.created")]


async def test_customer_must_be_readable(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    theirs = await post(client, CUSTOMERS, u["east_rep2"], name="Not yours")
    url = f"{CUSTOMERS}/{theirs['id']}/timeline"
    assert (await client.get(url, headers=u["east_rep1"].headers)).status_code == 404
    assert (await client.get(url, headers=u["west_manager"].headers)).status_code == 404
    assert (await client.get(url, headers=u["it"].headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    stranger = await (await world.factory.tenant()).user("admin", ["admin"])
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    unknown = f"{CUSTOMERS}/{uuid.uuid4()}/timeline"
    assert (await client.get(unknown, headers=u["admin"].headers)).status_code == 404
    assert (await client.delete(f"{CUSTOMERS}/{theirs['id']}", headers=u["east_rep2"].headers)).status_code == 204
    assert (await client.get(url, headers=u["admin"].headers)).status_code == 404
    await client.post(f"{CUSTOMERS}/{theirs['id']}/restore", headers=u["admin"].headers)
    items = await timeline(client, u["admin"], theirs["id"])
    assert summary(items) == [
        ("change", "customer.restored"),
        ("change", "customer.deleted"),
        ("change", "customer.created"),
    ]
    assert items[0]["changes"] == {"deleted": {"before": True, "after": False}}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "garbage!"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
    ],
)
async def test_bad_paging_is_422(client: httpx.AsyncClient, world: World, params, field) -> None:  # type: ignore[no-untyped-def]
    rep = world.users["east_rep1"]
    acme = await post(client, CUSTOMERS, rep, name="Acme")
    r = await client.get(f"{CUSTOMERS}/{acme['id']}/timeline", params=params, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    r = await client.get(f"{CUSTOMERS}/not-a-uuid/timeline", headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"


async def test_merge_moves_contacts_and_activities(client: httpx.AsyncClient, world: World) -> None:
    admin = world.users["admin"]
    target = await post(client, CUSTOMERS, admin, name="Target")
    source = await post(client, CUSTOMERS, admin, name="Source")
    person = await post(client, CONTACTS, admin, name="王芳", customer_id=source["id"])
    deleted_person = await post(client, CONTACTS, admin, name="Gone", customer_id=source["id"])
    await client.delete(f"{CONTACTS}/{deleted_person['id']}", headers=admin.headers)
    call = await activity(client, admin, source["id"], "2025-03-03T03:03:03Z", contact_id=person["id"])
    kept = await activity(client, admin, target["id"], "2025-01-01T00:00:00Z")
    r = await client.post(f"{CUSTOMERS}/{target['id']}/merge", json={"source_id": source["id"]}, headers=admin.headers)
    assert r.status_code == 200, r.text

    moved = (await client.get(f"{CONTACTS}/{person['id']}", headers=admin.headers)).json()
    assert moved["customer_id"] == target["id"] and moved["version"] == 2
    r = await client.get(CONTACTS, params={"customer": target["id"]}, headers=admin.headers)
    assert [c["id"] for c in r.json()["items"]] == [person["id"]]
    r = await client.get(CONTACTS, params={"customer": source["id"]}, headers=admin.headers)
    assert r.json()["items"] == []
    restored = await client.post(f"{CONTACTS}/{deleted_person['id']}/restore", headers=admin.headers)
    assert restored.json()["customer_id"] == target["id"]
    r = await client.get(ACTIVITIES, params={"customer": target["id"]}, headers=admin.headers)
    assert [a["id"] for a in r.json()["items"]] == [call["id"], kept["id"]]
    assert r.json()["items"][0]["contact_id"] == person["id"]

    items = await timeline(client, admin, target["id"])
    assert summary(items) == [
        ("change", "customer.merge_target"),
        ("change", "customer.created"),
        ("activity", call["id"]),
        ("activity", kept["id"]),
    ]
    assert items[0]["changes"] == {"merged_from": {"before": None, "after": source["id"]}}
