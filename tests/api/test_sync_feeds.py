"""Sync feeds (README "Sync feeds", migration 0024): resuming from `next_sync_token` never misses a
committed change, whatever long transactions commit meanwhile; records that leave a caller's data
range come as `out_of_range` tombstones, records that enter it as changes; an old token is 410
Gone, a malformed one a 422 problem."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.scope import DataRange, DataScope, Grant
from app.repositories.customers import PgCustomerRepository
from app.repositories.outbox_queue import PgHousekeeping
from app.repositories.tables import customers, sync_departures
from tests.builders import Factory, User, World

API = "/api/v1/customers"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def create(client: httpx.AsyncClient, user: User, path: str = API, **body: Any) -> dict[str, Any]:
    if path in (API, "/api/v1/contacts"):
        body.setdefault("name", f"Record {uuid.uuid4().hex[:8]}")
    r = await client.post(path, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def feed(
    client: httpx.AsyncClient, user: User, start: dict[str, str], path: str = API, limit: int = 50
) -> tuple[list[dict[str, Any]], str]:
    """One pass: every page from `start` (updated_since or sync_token); its items and token."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {**start, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        r = await client.get(path, params=params, headers=user.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items, body["next_sync_token"]
        assert "next_sync_token" not in body


async def first_sync(client: httpx.AsyncClient, user: User, path: str = API) -> str:
    return (await feed(client, user, {"updated_since": "2000-01-01T00:00:00Z"}, path))[1]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in items}


async def assign(client: httpx.AsyncClient, by: User, record: dict[str, Any], to: User, path: str = API) -> None:
    r = await client.post(f"{path}/{record['id']}/assign", json={"owner_id": str(to.id)}, headers=by.headers)
    assert r.status_code == 200, r.text


async def test_a_record_leaving_the_range_is_a_tombstone_and_entering_it_a_change(
    client: httpx.AsyncClient, world: World
) -> None:
    u = world.users
    rep, west, manager = u["east_rep1"], u["west_rep1"], u["director"]
    c = await create(client, rep)
    rep_token, west_token = await first_sync(client, rep), await first_sync(client, west)
    east_manager_token = await first_sync(client, u["east_manager"])

    await assign(client, manager, c, west)
    items, rep_token = await feed(client, rep, {"sync_token": rep_token})
    assert items == [{"id": c["id"], "deleted": True, "reason": "out_of_range", "updated_at": items[0]["updated_at"]}]
    items, west_token = await feed(client, west, {"sync_token": west_token})
    assert [(i["id"], i["owner_id"], i["version"]) for i in items] == [(c["id"], str(west.id), 2)]
    items, east_manager_token = await feed(client, u["east_manager"], {"sync_token": east_manager_token})
    assert [i["reason"] for i in items] == ["out_of_range"]

    # Back: a change for the rep again, a tombstone for the west rep; nothing more for either after.
    await assign(client, manager, c, rep)
    items, rep_token = await feed(client, rep, {"sync_token": rep_token})
    assert [(i["id"], i["owner_id"], i["version"]) for i in items] == [(c["id"], str(rep.id), 3)]
    items, west_token = await feed(client, west, {"sync_token": west_token})
    assert [(i["id"], i["reason"]) for i in items] == [(c["id"], "out_of_range")]
    assert (await feed(client, rep, {"sync_token": rep_token}))[0] == []
    assert (await feed(client, west, {"sync_token": west_token}))[0] == []

    # Within the range (one East rep to the other): a change for the manager, no tombstone.
    await assign(client, manager, c, u["east_rep2"])
    items, _ = await feed(client, u["east_manager"], {"sync_token": east_manager_token})
    assert [(i["id"], i.get("reason"), i.get("version")) for i in items] == [(c["id"], None, 4)]
    items, _ = await feed(client, rep, {"sync_token": rep_token})
    assert [(i["id"], i["reason"]) for i in items] == [(c["id"], "out_of_range")]


async def test_deleted_records_keep_reason_deleted(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    c = await create(client, rep)
    token = await first_sync(client, rep)
    assert (await client.delete(f"{API}/{c['id']}", headers=rep.headers)).status_code == 204
    items, token = await feed(client, rep, {"sync_token": token})
    assert items == [{"id": c["id"], "deleted": True, "reason": "deleted", "updated_at": items[0]["updated_at"]}]
    assert (await client.post(f"{API}/{c['id']}/restore", headers=rep.headers)).status_code == 200
    items, _ = await feed(client, rep, {"sync_token": token})
    assert [(i["id"], i["version"]) for i in items] == [(c["id"], 3)]


async def test_tickets_leave_the_range_with_their_customer(client: httpx.AsyncClient, world: World) -> None:
    """A ticket reaches its customer's owner; reassigning the customer (a trigger rewrites the
    ticket's copy, migration 0018) takes the ticket out of the rep's feed with a tombstone."""
    u = world.users
    rep, other = u["east_rep1"], u["west_rep1"]
    c = await create(client, rep)
    t = await create(client, u["agent1"], "/api/v1/tickets", subject="Jam", customer_id=c["id"])
    token = await first_sync(client, rep, "/api/v1/tickets")
    other_token = await first_sync(client, other, "/api/v1/tickets")
    await assign(client, u["director"], c, other)
    items, _ = await feed(client, rep, {"sync_token": token}, "/api/v1/tickets")
    assert [(i["id"], i["reason"]) for i in items] == [(t["id"], "out_of_range")]
    items, _ = await feed(client, other, {"sync_token": other_token}, "/api/v1/tickets")
    assert [i["id"] for i in items] == [t["id"]] and "reason" not in items[0]


async def test_a_token_older_than_the_kept_tombstones_is_gone(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    u = world.users
    rep = u["east_rep1"]
    c = await create(client, rep)
    old_token = await first_sync(client, rep)
    await assign(client, u["director"], c, u["west_rep1"])
    async with engine.begin() as conn:
        aged = (
            sync_departures.update()
            .where(sync_departures.c.tenant_id == world.id, sync_departures.c.record_id == uuid.UUID(c["id"]))
            .values(occurred_at=sa.func.now() - timedelta(days=31))
        )
        assert (await conn.execute(aged)).rowcount == 1
        purged = await PgHousekeeping(conn).purge(timedelta(hours=24), timedelta(days=30), timedelta(days=30))
    assert purged["sync_departures"] >= 1
    r = await client.get(API, params={"sync_token": old_token}, headers=rep.headers)
    assert r.status_code == 410, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "sync again" in r.json()["detail"]
    # A full resync hands out a token that works.
    items, token = await feed(client, rep, {"updated_since": "2000-01-01T00:00:00Z"})
    assert c["id"] not in by_id(items)
    assert (await feed(client, rep, {"sync_token": token}))[0] == []


@pytest.mark.parametrize(
    "params",
    [
        {"sync_token": "not-a-token"},
        {"sync_token": "eyJ2IjoyLCJ4IjoxfQ"},  # {"v":2,"x":1}: another version
        {"sync_token": "eyJ2IjoxLCJ4IjotMX0"},  # {"v":1,"x":-1}
        {"sync_token": "x" * 201},
        {"sync_token": "eyJ2IjoxLCJ4IjoxfQ", "updated_since": "2020-01-01T00:00:00Z"},
        {"sync_token": "eyJ2IjoxLCJ4IjoxfQ", "cursor": "bm9wZQ"},
        {"updated_since": "2020-01-01T00:00:00Z", "cursor": "eyJ2IjoxLCJtIjoidG9rZW4iLCJrIjoxLCJpIjoieCIsIngiOjF9"},
    ],
)
async def test_bad_tokens_and_cursors_are_422_problems(
    client: httpx.AsyncClient, world: World, params: dict[str, str]
) -> None:
    for path in (API, "/api/v1/contacts", "/api/v1/activities", "/api/v1/leads", "/api/v1/opportunities"):
        r = await client.get(path, params=params, headers=world.users["east_rep1"].headers)
        assert r.status_code == 422, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_paging_with_commits_in_between_loses_nothing(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Between the pages of a pass, a record already served changes, one not yet served changes
    and a new one is made; the pass and the next one from its token hold every last version."""
    rep = world.users["east_rep1"]
    token = await first_sync(client, rep)
    made = [await create(client, rep) for _ in range(7)]
    first = await client.get(API, params={"sync_token": token, "limit": "3"}, headers=rep.headers)
    page = first.json()
    served = page["items"]
    assert len(served) == 3 and page["next_cursor"] and "next_sync_token" not in page
    latest = {c["id"]: c["version"] for c in made}
    # A long transaction that began before the page and commits after: same updated_at as ever.
    async with engine.begin() as conn:
        ids = [uuid.UUID(served[0]["id"]), uuid.UUID(made[-1]["id"])]
        stmt = (
            customers.update()
            .where(customers.c.tenant_id == world.id, customers.c.id == sa.any_(sa.literal(ids)))
            .values(version=customers.c.version + 1, name=customers.c.name + " (moved)")
            .returning(customers.c.id, customers.c.version)
        )
        for row in await conn.execute(stmt):
            latest[str(row.id)] = row.version
    extra = await create(client, rep)
    latest[extra["id"]] = extra["version"]
    cursor, rest = page["next_cursor"], []
    while cursor:  # the pass that began before those commits, to its end
        r = await client.get(API, params={"sync_token": token, "limit": "3", "cursor": cursor}, headers=rep.headers)
        assert r.status_code == 200, r.text
        rest += r.json()["items"]
        cursor = r.json()["next_cursor"]
    next_pass, _ = await feed(client, rep, {"sync_token": r.json()["next_sync_token"]}, limit=3)
    seen = {(i["id"], i["version"]) for i in served + rest + next_pass}
    assert set(latest.items()) <= seen


async def test_a_poller_resuming_from_the_token_misses_no_commit(
    app: object, client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    """Long transactions (bulk updates and owner transfers through the repository that stay open
    while others commit; their `updated_at` is their start) race short API writes, while the
    department manager polls from the token, a few items a page. Once all have committed, every
    committed (id, version) has been seen, or a later version of the record: zero misses, round
    after round, and the poller's copy ends exactly as the table."""
    u = world.users
    manager, reps = u["east_manager"], [u["east_rep1"], u["east_rep2"]]
    made = [await create(client, reps[i % 2]) for i in range(30)]
    ids = [uuid.UUID(c["id"]) for c in made]
    items, token = await feed(client, manager, {"updated_since": "2000-01-01T00:00:00Z"})
    seen = {(i["id"], i["version"]) for i in items}
    committed = {(c["id"], c["version"]) for c in made}
    rng = random.Random(13)
    writing = 0
    scope = DataScope(world.id, manager.id, (world.department_ids["Sales East"],), (Grant(DataRange.ALL),))
    mine = customers.c.tenant_id == world.id

    def client_of() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")  # type: ignore[arg-type]

    async def long_transactions() -> None:
        for round_ in range(8):
            async with engine.begin() as conn:
                if round_ % 2:
                    source, target = reps[round_ // 2 % 2], reps[1 - round_ // 2 % 2]
                    department = world.department_ids["Sales East"]
                    repo = PgCustomerRepository(conn)
                    changed = await repo.reassign_owner(scope, source.id, target.id, department, manager.id)
                else:
                    bulk = (
                        customers.update()
                        .where(mine, customers.c.id == sa.any_(sa.literal(rng.sample(ids, 12))))
                        .values(version=customers.c.version + 1, updated_at=sa.func.now())
                        .returning(customers.c.id)
                    )
                    changed = list((await conn.execute(bulk)).scalars())
                versions = sa.select(customers.c.id, customers.c.version).where(
                    mine, customers.c.id == sa.any_(sa.literal(changed))
                )
                now_at = {(str(r.id), r.version) for r in await conn.execute(versions)}
                await asyncio.sleep(0.25)  # open while short ones commit and the poller polls
            committed.update(now_at)

    async def short_writes(n: int) -> None:
        async with client_of() as own:
            for k in range(n):
                c = rng.choice(made)
                r = await own.patch(f"{API}/{c['id']}", json={"description": f"edit {k}"}, headers=manager.headers)
                assert r.status_code == 200, r.text
                committed.add((c["id"], r.json()["version"]))

    async def writer(work: Any) -> None:
        nonlocal writing
        writing += 1
        try:
            await work
        finally:
            writing -= 1

    async def poller() -> int:
        nonlocal token
        rounds = 0
        async with client_of() as own:
            while writing and rounds < 10_000:  # the writers end it; the cap only bounds a broken run
                items, token = await feed(own, manager, {"sync_token": token}, limit=7)
                seen.update((i["id"], i["version"]) for i in items)
                rounds += 1
            items, token = await feed(own, manager, {"sync_token": token}, limit=7)  # after the last commit
            seen.update((i["id"], i["version"]) for i in items)
        return rounds

    tasks = [writer(long_transactions()), writer(short_writes(25)), writer(short_writes(25))]
    started = [asyncio.ensure_future(t) for t in tasks]
    await asyncio.sleep(0)
    rounds = await poller()
    await asyncio.gather(*started)
    async with engine.connect() as conn:
        final_versions = dict((await conn.execute(sa.select(customers.c.id, customers.c.version).where(mine))).all())
    committed.update((str(r), v) for r, v in final_versions.items())
    assert rounds >= 8
    # A feed serves records as they are: a version overwritten before any poll can only be seen
    # through the one that overwrote it. Missed: committed, and neither it nor a later one seen.
    newest_seen: dict[str, int] = {}
    for record_id, version in seen:
        newest_seen[record_id] = max(version, newest_seen.get(record_id, 0))
    missed = {(i, v) for i, v in committed if newest_seen.get(i, 0) < v}
    assert missed == set()
    assert newest_seen == {str(r): v for r, v in final_versions.items()}
