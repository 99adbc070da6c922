"""The built web client at / with a history fallback; the API, docs and probes untouched; CORS
only for configured origins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from app.settings import Settings

INDEX = "<!doctype html><html><body><div id=root></div></body></html>"


@asynccontextmanager
async def served(settings: Settings, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database_url=database_url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c,
    ):
        yield c


@pytest.fixture
def web_dir(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("no", encoding="utf-8")
    return tmp_path


@pytest.fixture
async def web(database_url: str, web_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with served(Settings(env="test", db_prewarm=0, web_dir=web_dir), database_url) as c:
        yield c


async def test_index_and_history_fallback(web: httpx.AsyncClient) -> None:
    for path in ("/", "/customers", "/customers/0b0e8c1c-0000-4000-8000-000000000000", "/admin/roles?x=1"):
        r = await web.get(path)
        assert r.status_code == 200, path
        assert r.text == INDEX
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["cache-control"] == "no-cache"
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_assets_are_served_and_cached(web: httpx.AsyncClient) -> None:
    r = await web.get("/assets/index-abc123.js")
    assert r.status_code == 200
    assert r.text == "console.log(1)"
    assert "immutable" in r.headers["cache-control"]
    assert (await web.get("/favicon.svg")).text == "<svg/>"


async def test_no_escape_from_the_build_folder(web: httpx.AsyncClient) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        r = await web.get(path)
        assert r.text != "no", path


async def test_api_docs_and_probes_keep_working(web: httpx.AsyncClient) -> None:
    assert (await web.get("/healthz")).status_code == 200
    assert (await web.get("/readyz")).status_code == 200
    assert (await web.get("/openapi.json")).json()["info"]["title"] == "CRM API"
    assert "swagger" in (await web.get("/docs")).text.lower()
    r = await web.get("/api/v1/customers")
    assert r.status_code == 401


async def test_unknown_api_paths_stay_problem_json_404(web: httpx.AsyncClient) -> None:
    for method, path in (("GET", "/api/v1/nothing-here"), ("POST", "/api/v1/nothing"), ("GET", "/api/x")):
        r = await web.request(method, path)
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/problem+json"
    r = await web.post("/customers")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


async def test_without_a_build_there_is_no_client(database_url: str, tmp_path: Path) -> None:
    async with served(Settings(env="test", db_prewarm=0, web_dir=tmp_path / "missing"), database_url) as c:
        r = await c.get("/")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


async def test_cors_only_for_configured_origins(database_url: str, tmp_path: Path) -> None:
    settings = Settings(env="test", db_prewarm=0, web_dir=tmp_path, cors_origins="https://crm.example.com")  # type: ignore[arg-type]
    async with served(settings, database_url) as c:
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        ok = await c.options("/api/v1/auth/login", headers={"Origin": "https://crm.example.com", **preflight})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "https://crm.example.com"
        assert ok.headers["access-control-allow-credentials"] == "true"
        bad = await c.options("/api/v1/auth/login", headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in bad.headers
        r = await c.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


async def test_no_cors_headers_by_default(web: httpx.AsyncClient) -> None:
    r = await web.get("/healthz", headers={"Origin": "https://crm.example.com"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_origins_must_be_origins() -> None:
    with pytest.raises(ValueError):
        Settings(env="test", cors_origins="*")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Settings(env="test", cors_origins="https://a.example/")  # type: ignore[arg-type]
    assert Settings(env="test", cors_origins="https://a.example, http://localhost:5173").cors_origins == [  # type: ignore[arg-type]
        "https://a.example",
        "http://localhost:5173",
    ]


async def test_a_known_path_with_another_method_is_still_405(web: httpx.AsyncClient) -> None:
    r = await web.put("/api/v1/customers")
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    r = await web.get("/api/v1/auth/login")
    assert r.status_code == 405
