import httpx

from app.main import create_app
from app.settings import Settings


async def test_healthz_and_readyz_answer_with_request_id(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["x-request-id"]
    r = await client.get("/readyz", headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 200 and r.json() == {"status": "ready"}
    assert r.headers["x-request-id"] == "abc-123"


async def test_unknown_path_is_problem_json(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 404


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/customers", content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


async def test_an_unexpected_error_is_500_problem_json_with_request_id(settings: Settings, database_url: str) -> None:
    # Starlette answers 500s from its outermost middleware; the request id must still be on them.
    app = create_app(settings, database_url=database_url)

    async def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        r = await c.get("/boom", headers={"X-Request-ID": "req-500"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-request-id"] == "req-500"
