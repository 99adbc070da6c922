import httpx


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
