"""Rate limits on the authenticated API (per user, per API token, per tenant; shared by every
process through PostgreSQL or Redis) and failed logins per client address across accounts.

Each test runs apps of its own (the real defaults, no background sync: the test syncs where it
means to) with a clock it moves by hand, so no window ends in the middle of a test."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.tables import tenants
from tests.api.identity_support import app_with, bearer, client_from, login
from tests.builders import Factory, unique_email

ME = "/api/v1/auth/me"
LOGIN = "/api/v1/auth/login"
# A window boundary (1_800_000_000 is a multiple of 10 and of 20), plus 3 s: 7 s left in a window
# of the default 10 s, 17 s in one of 20 s.
T0 = 1_800_000_003.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def limited_app(database_url: str, **overrides: Any) -> AsyncIterator[FastAPI]:
    """An app with the default quotas (100 per 10 s), syncing only when the test says so."""
    settings: dict[str, Any] = {"worker_in_serve": False, "db_prewarm": 0, "rate_limit_sync_ms": 3_600_000}
    async with app_with(database_url, **settings | overrides) as app:
        app.state.quotas.clock = Clock(T0)
        yield app


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from(app, "203.0.113.50") as c:
        yield c


async def set_limits(engine: AsyncEngine, tenant_id: UUID, limits: dict[str, Any]) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            tenants.update()
            .where(tenants.c.id == tenant_id)
            .values(settings=tenants.c.settings.op("||")(sa.cast({"rate_limits": limits}, tenants.c.settings.type)))
        )


async def api_token(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    r = await client.post("/api/v1/api-tokens", json={"name": "sync", "scopes": ["users:read"]}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def remaining(response: httpx.Response) -> int:
    policy, _, params = response.headers["ratelimit"].partition(";")
    fields = dict(p.split("=") for p in params.split(";"))
    return int(fields["r"])


async def test_a_token_past_its_quota_gets_429_with_retry_after(
    database_url: str, factory: Factory, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    await set_limits(engine, world.id, {"token": 3})
    async with limited_app(database_url) as app, client_of(app) as client:
        token = await api_token(client, rep.headers)
        answers = [await client.get(ME, headers=bearer(token)) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    for r in answers:
        assert r.headers["ratelimit-policy"] == '"token";q=3;w=10'
    # The quota counts down; the window has 7 s left.
    assert [r.headers["ratelimit"] for r in answers] == [f'"token";r={n};t=7' for n in (2, 1, 0, 0)]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "7"
    body = refused.json()
    assert body["status"] == 429 and body["type"].endswith("/too-many-requests")
    assert body["retry_after"] == 7 and body["violated-policies"] == ["token"]


async def test_a_burst_on_one_token_gets_the_default_quota_and_429s(database_url: str, factory: Factory) -> None:
    """The defect the quotas were made for: 150 requests at once on one API token all succeeded.
    With the defaults (100 per 10 s, as HubSpot's per app) 100 get through and 50 are refused."""
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    async with limited_app(database_url) as app, client_of(app) as client:
        token = await api_token(client, rep.headers)
        answers = await asyncio.gather(*(client.get(ME, headers=bearer(token)) for _ in range(150)))
        after = await client.get(ME, headers=bearer(token))
    served = [r for r in answers if r.status_code == 200]
    refused = [r for r in answers if r.status_code != 200]
    assert len(served) == 100 and {r.status_code for r in refused} == {429} and len(refused) == 50
    # Each served request counted once, whatever order they ran in.
    assert sorted(remaining(r) for r in served) == list(range(100))
    for r in [*answers, after]:
        assert r.headers["ratelimit-policy"] == '"token";q=100;w=10'
    for r in [*refused, after]:
        assert r.headers["retry-after"] == "7" and r.headers["ratelimit"] == '"token";r=0;t=7'
        assert r.json()["violated-policies"] == ["token"]
    assert after.status_code == 429


async def test_users_and_their_tokens_have_quotas_of_their_own(
    database_url: str, factory: Factory, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    other = await world.user("other", ["sales_rep"])
    await set_limits(engine, world.id, {"user": 3, "token": 2})
    async with limited_app(database_url) as app, client_of(app) as client:
        token = await api_token(client, rep.headers)  # the user's first request
        as_user = [(await client.get(ME, headers=rep.headers)).status_code for _ in range(3)]
        as_token = [(await client.get(ME, headers=bearer(token))).status_code for _ in range(3)]
        as_other = await client.get(ME, headers=other.headers)
    assert as_user == [200, 200, 429]
    assert as_token == [200, 200, 429]  # not spent by the user's requests, and its own size
    assert as_other.status_code == 200 and as_other.headers["ratelimit"] == '"user";r=2;t=7'


async def test_tenant_settings_override_the_defaults(database_url: str, factory: Factory, engine: AsyncEngine) -> None:
    plain, own = await factory.tenant(), await factory.tenant()
    a = await plain.user("a", ["sales_rep"])
    b = await own.user("b", ["sales_rep"])
    await set_limits(engine, own.id, {"user": 5, "window_seconds": 20, "token": "lots"})
    async with limited_app(database_url) as app, client_of(app) as client:
        ra = await client.get(ME, headers=a.headers)
        rb = await client.get(ME, headers=b.headers)
        token = await api_token(client, b.headers)
        rt = await client.get(ME, headers=bearer(token))
    assert ra.headers["ratelimit-policy"] == '"user";q=100;w=10'
    assert ra.headers["ratelimit"] == '"user";r=99;t=7'
    # 20-second windows: T0 is 3 s into one.
    assert rb.headers["ratelimit-policy"] == '"user";q=5;w=20'
    assert rb.headers["ratelimit"] == '"user";r=4;t=17'
    # A malformed value falls back to the default (the window is the tenant's).
    assert rt.headers["ratelimit-policy"] == '"token";q=100;w=20'


async def test_the_quota_is_whole_again_in_the_next_window(
    database_url: str, factory: Factory, engine: AsyncEngine
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    await set_limits(engine, world.id, {"user": 2})
    async with limited_app(database_url) as app, client_of(app) as client:
        codes = [(await client.get(ME, headers=rep.headers)).status_code for _ in range(3)]
        app.state.quotas.clock.now = T0 + 6.5  # the same window still
        late = await client.get(ME, headers=rep.headers)
        app.state.quotas.clock.now = T0 + 7  # the next one
        fresh = await client.get(ME, headers=rep.headers)
    assert codes == [200, 200, 429]
    assert late.status_code == 429 and late.headers["retry-after"] == "1"
    assert fresh.status_code == 200 and fresh.headers["ratelimit"] == '"user";r=1;t=10'


async def _two_processes_share_the_count(
    database_url: str, factory: Factory, engine: AsyncEngine, **store: Any
) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    await set_limits(engine, world.id, {"user": 6})
    async with (
        limited_app(database_url, **store) as one,
        limited_app(database_url, **store) as two,
        client_of(one) as c1,
        client_of(two) as c2,
    ):
        codes = []
        for i in range(12):
            served, other = ((one, c1), (two, c2)) if i % 2 == 0 else ((two, c2), (one, c1))
            codes.append((await served[1].get(ME, headers=rep.headers)).status_code)
            # A sync interval passes: the serving process sends its count, then the other reads.
            await served[0].state.quotas.sync()
            await other[0].state.quotas.sync()
        seen = [remaining(await c.get(ME, headers=rep.headers)) for c in (c1, c2)]
    # Each alone would allow 6: together they allow 6.
    assert codes == [200] * 6 + [429] * 6
    assert seen == [0, 0]


async def test_two_processes_share_the_count_in_postgresql(
    database_url: str, factory: Factory, engine: AsyncEngine
) -> None:
    await _two_processes_share_the_count(database_url, factory, engine)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason="no Redis answers on 127.0.0.1:6379")


@needs_redis
async def test_two_processes_share_the_count_in_redis(database_url: str, factory: Factory, engine: AsyncEngine) -> None:
    await _two_processes_share_the_count(database_url, factory, engine, redis_url="redis://127.0.0.1:6379/0")


@needs_redis
async def test_the_redis_store_adds_reads_and_expires_its_counters() -> None:
    from app.repositories.redis_counters import PREFIX, RedisCounterStore

    store = RedisCounterStore.from_url("redis://127.0.0.1:6379/0")
    a, b = f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"
    try:
        assert await store.add([(a, 3, T0 + 7), (b, 0, T0 + 7)]) == {a: 3}
        assert await store.add([(a, 2, T0 + 7), (b, 1, T0 + 7)]) == {a: 5, b: 1}
        assert await store.add([(a, 0, T0 + 7)]) == {a: 5}
        assert await store.client.expiretime(PREFIX + a) == int(T0 + 7) + 1
    finally:
        await store.client.delete(PREFIX + a, PREFIX + b)
        await store.close()


async def test_the_postgresql_store_adds_and_reads(engine: AsyncEngine) -> None:
    from app.repositories.rate_limits import PgCounterStore

    store = PgCounterStore(engine)
    a, b, c = (f"test:{uuid.uuid4()}" for _ in range(3))
    assert await store.add([(a, 3, T0 + 7), (b, 0, T0 + 7)]) == {a: 3}
    assert await store.add([(a, 2, T0 + 7), (b, 1, T0 + 7), (c, 0, T0 + 7)]) == {a: 5, b: 1}


async def test_without_the_limiter_no_quota_applies(database_url: str, factory: Factory, engine: AsyncEngine) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    await set_limits(engine, world.id, {"user": 1})
    async with (
        app_with(database_url, worker_in_serve=False, db_prewarm=0, rate_limit_enabled=False) as app,
        client_of(app) as client,
    ):
        answers = [await client.get(ME, headers=rep.headers) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert "ratelimit" not in answers[0].headers


async def test_unauthenticated_answers_carry_no_quota(database_url: str) -> None:
    async with limited_app(database_url) as app, client_of(app) as client:
        r = await client.get(ME)
        health = await client.get("/healthz")
    assert r.status_code == 401 and "ratelimit" not in r.headers
    assert "ratelimit" not in health.headers


async def test_cors_exposes_the_rate_limit_fields(database_url: str, factory: Factory) -> None:
    world = await factory.tenant()
    rep = await world.user("rep", ["sales_rep"])
    origin = "https://crm.example.com"
    async with limited_app(database_url, cors_origins=origin) as app, client_of(app) as client:
        r = await client.get(ME, headers={**rep.headers, "Origin": origin})
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"ratelimit", "ratelimit-policy", "retry-after"} <= exposed


# -- failed logins per client address, across accounts ---------------------------------------------


async def test_forty_accounts_tried_from_one_address_get_throttled(database_url: str, factory: Factory) -> None:
    world = await factory.tenant()
    regular = await world.user("regular", ["sales_rep"])
    victim = await world.user("victim", ["sales_rep"])
    sprayer = "198.51.100.99"
    async with limited_app(database_url) as app:
        async with client_from(app, sprayer) as office:
            await login(office, regular.email)  # signs in from this address (a shared office NAT)
            codes = [
                (
                    await office.post(LOGIN, json={"email": unique_email(f"u{i}"), "password": "guess guess 1"})
                ).status_code
                for i in range(40)
            ]
            refused = await office.post(LOGIN, json={"email": unique_email("next"), "password": "guess guess 1"})
            # The regular user of that address still signs in; another account does not even with its password.
            assert (await login(office, regular.email))["access_token"]
            stranger = await office.post(
                LOGIN, json={"email": victim.email, "password": "correct horse battery staple 42"}
            )
        async with client_from(app, "192.0.2.200") as elsewhere:
            assert (await login(elsewhere, victim.email))["access_token"]  # not locked out
    assert codes == [401] * 20 + [429] * 20  # 20 failures per address per 15 minutes
    assert refused.headers["content-type"] == "application/problem+json"
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "address" in refused.json()["detail"]
    assert stranger.status_code == 429
