"""Production posture at the HTTP edge: no interactive docs in production unless asked for, the
contract at a setting-controlled path, and the security headers on every kind of response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from app.main import create_app
from app.settings import Settings
from tests.builders import Factory

PRODUCTION = {
    "env": "production",
    "jwt_keys": "k1:" + "p" * 40,
    "database_url": "postgresql://crm_app@db/crm",  # required in production; the tests pass their own
    "db_prewarm": 0,
    "worker_in_serve": False,
}
TEST = {"env": "test", "db_prewarm": 0, "worker_in_serve": False}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


@asynccontextmanager
async def served(url: str, base_url: str = "http://testserver", **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(**settings), database_url=url)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def boom() -> None:
        raise RuntimeError("an unexpected failure")

    app.add_api_route("/boom", boom)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url=base_url) as c:
        yield c


def assert_common(r: httpx.Response) -> None:
    assert r.headers["x-content-type-options"] == "nosniff", r.url
    assert r.headers["referrer-policy"] == "no-referrer", r.url
    assert len(r.headers.get_list("content-security-policy")) == 1, r.url


async def test_production_serves_no_interactive_docs_but_the_contract(database_url: str) -> None:
    async with served(database_url, **PRODUCTION) as c:
        for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            r = await c.get(path)
            assert r.status_code == 404, path
            assert r.headers["content-type"] == "application/problem+json"
        assert (await c.get("/openapi.json")).json()["info"]["title"] == "CRM API"
    async with served(database_url, **PRODUCTION, openapi_path="") as c:
        assert (await c.get("/openapi.json")).status_code == 404


async def test_docs_follow_their_settings(database_url: str) -> None:
    async with served(database_url, **PRODUCTION, docs_enabled=True, openapi_path="/api/openapi.json") as c:
        r = await c.get("/docs")
        assert r.status_code == 200 and "/api/openapi.json" in r.text
        assert "content-security-policy" not in r.headers  # Swagger UI loads from a CDN
        assert (await c.get("/redoc")).status_code == 200
        assert (await c.get("/api/openapi.json")).status_code == 200
        assert (await c.get("/openapi.json")).status_code == 404
    async with served(database_url, **TEST, docs_enabled=False) as c:
        assert (await c.get("/docs")).status_code == 404
        assert (await c.get("/openapi.json")).status_code == 200
    async with served(database_url, **TEST) as c:
        assert (await c.get("/docs")).status_code == 200


async def test_every_kind_of_response_carries_the_security_headers(database_url: str, factory: Factory) -> None:
    world = await factory.tenant()
    admin = await world.user("admin", ["admin"])
    async with served(database_url, **TEST) as c:
        answers = {
            "probe": await c.get("/healthz"),
            "data": await c.get("/api/v1/customers", headers=admin.headers),
            "401": await c.get("/api/v1/customers"),
            "404": await c.get("/api/v1/nothing-here"),
            "422": await c.post("/api/v1/customers", json={}, headers=admin.headers),
            "413": await c.post("/api/v1/customers", content=b"x" * (1024 * 1024 + 1), headers=admin.headers),
            "500": await c.get("/boom"),
        }
    for name, r in answers.items():
        assert_common(r)
        assert r.headers["content-security-policy"] == API_CSP, name
        assert "strict-transport-security" not in r.headers, name  # plain http
    assert [answers[n].status_code for n in ("401", "404", "422", "413", "500")] == [401, 404, 422, 413, 500]
    # Authenticated answers are never stored by a cache; the others keep their own choice.
    assert answers["data"].headers["cache-control"] == "no-store"
    assert answers["422"].headers["cache-control"] == "no-store"
    assert "cache-control" not in answers["probe"].headers


async def test_hsts_only_over_tls_unless_forced(database_url: str) -> None:
    async with served(database_url, "https://testserver", **PRODUCTION) as c:
        for path in ("/healthz", "/api/v1/customers", "/boom"):
            assert (await c.get(path)).headers["strict-transport-security"] == HSTS, path
    async with served(database_url, **PRODUCTION) as c:
        assert "strict-transport-security" not in (await c.get("/healthz")).headers
    async with served(database_url, **PRODUCTION, force_hsts=True) as c:
        for path in ("/healthz", "/boom"):
            assert (await c.get(path)).headers["strict-transport-security"] == HSTS, path


async def test_the_web_client_keeps_its_own_policy(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc.js").write_text("1", encoding="utf-8")
    async with served(database_url, "https://testserver", **PRODUCTION, web_dir=tmp_path) as c:
        page = await c.get("/customers")
        asset = await c.get("/assets/index-abc.js")
    assert page.status_code == 200 and asset.status_code == 200
    for r in (page, asset):
        assert_common(r)
        assert r.headers["strict-transport-security"] == HSTS
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self' 'unsafe-inline'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-cache"
    assert asset.headers["content-security-policy"] == policy  # a worker script would live by it
