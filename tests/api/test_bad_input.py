"""Generic edge behaviour: whatever arrives, the answer is a 4xx RFC 9457 problem+json with an
X-Request-ID, never a 5xx or a stack trace. (Oversized bodies: tests/api/test_health.py.)"""

from __future__ import annotations

import httpx
import pytest

from tests.builders import Factory, User

LOGIN = "/api/v1/auth/login"  # public: the body is parsed before any credentials are looked at
CUSTOMERS = "/api/v1/customers"  # authenticated
JSON = {"Content-Type": "application/json"}


def assert_problem(r: httpx.Response, status: int | tuple[int, ...]) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert r.status_code in statuses, (r.status_code, r.text)
    assert r.headers["content-type"] == "application/problem+json", r.headers
    assert r.headers.get("x-request-id")
    body = r.json()
    assert body["status"] == r.status_code
    assert body["type"].startswith("https://") and body["title"] and isinstance(body["detail"], str)
    assert "Traceback" not in r.text
    return body


@pytest.fixture
async def admin(factory: Factory) -> User:
    world = await factory.sales_world()
    return world.users["admin"]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"email": "a@example.com",', id="truncated"),
        pytest.param(b"{'email': 'a@example.com'}", id="single-quotes"),
        pytest.param(b'{"email": "a@example.com", "password": "x",}', id="trailing-comma"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(b"\x00", id="nul-byte"),
        pytest.param(b"NaN", id="nan"),
        pytest.param(b'"just a string"', id="string"),
        pytest.param(b"[1, 2]", id="array"),
        pytest.param(b"null", id="null"),
        pytest.param(b"", id="empty"),
    ],
)
async def test_malformed_or_non_object_json_is_422(client: httpx.AsyncClient, raw: bytes) -> None:
    body = assert_problem(await client.post(LOGIN, content=raw, headers=JSON), 422)
    assert body["errors"] and all({"field", "message"} <= set(e) for e in body["errors"])


async def test_malformed_json_on_an_authenticated_endpoint_is_422(client: httpx.AsyncClient, admin: User) -> None:
    r = await client.post(CUSTOMERS, content=b'{"name": ', headers={**JSON, **admin.headers})
    body = assert_problem(r, 422)
    assert [e["field"] for e in body["errors"]] == ["body"]


async def test_non_numeric_content_length_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post(LOGIN, content=b"{}", headers={**JSON, "Content-Length": "ten"})
    assert_problem(r, 400)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", None],
)
async def test_wrong_content_type_is_refused(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    r = await client.post(LOGIN, content=b'{"email": "a@example.com", "password": "x"}', headers=headers)
    # 415 is the precise answer; 422 (the body is not the JSON object the operation takes) is accepted.
    assert_problem(r, (415, 422))


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/no-such-resource/123/deeper"), ("POST", "/api/v1/no-such-resource"), ("GET", "/nothing")],
)
async def test_unknown_route_is_404(client: httpx.AsyncClient, method: str, path: str) -> None:
    assert_problem(await client.request(method, path), 404)


@pytest.mark.parametrize(("method", "path", "allowed"), [("PUT", CUSTOMERS, "GET"), ("GET", LOGIN, "POST")])
async def test_method_not_allowed_is_405_with_allow(
    client: httpx.AsyncClient, admin: User, method: str, path: str, allowed: str
) -> None:
    r = await client.request(method, path, headers=admin.headers)
    assert_problem(r, 405)
    assert allowed in r.headers["allow"]


async def test_malformed_id_in_the_path_is_422(client: httpx.AsyncClient, admin: User) -> None:
    body = assert_problem(await client.get(f"{CUSTOMERS}/not-a-uuid", headers=admin.headers), 422)
    assert body["errors"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Bearer crm_pat_not-a-real-token", "Basic YTpi", "bearer"],
)
async def test_missing_or_garbage_credentials_are_401(client: httpx.AsyncClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    r = await client.get(CUSTOMERS, headers=headers)
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")


async def test_error_responses_echo_the_client_request_id(client: httpx.AsyncClient) -> None:
    r = await client.post(LOGIN, content=b"{", headers={**JSON, "X-Request-ID": "trace-42"})
    assert_problem(r, 422)
    assert r.headers["x-request-id"] == "trace-42"
    # An unusable incoming id (too long) is replaced, not echoed.
    r = await client.get("/api/v1/no-such-resource", headers={"X-Request-ID": "x" * 500})
    assert_problem(r, 404)
    assert r.headers["x-request-id"] != "x" * 500


async def test_nul_in_a_customer_search_or_cursor_is_422_not_500(client: httpx.AsyncClient, admin: User) -> None:
    # Customer reads go straight to asyncpg (app/repositories/prepared.py): PostgreSQL's refusal
    # of NUL must still come back as the 422 the SQLAlchemy path gives.
    import base64

    import orjson

    r = await client.get(CUSTOMERS, params={"q": "a\x00"}, headers=admin.headers)
    assert "NUL" in assert_problem(r, 422)["detail"]
    cursor = base64.urlsafe_b64encode(orjson.dumps(["-name", "a\x00", str(admin.id)])).decode().rstrip("=")
    r = await client.get(CUSTOMERS, params={"sort": "-name", "cursor": cursor}, headers=admin.headers)
    assert "NUL" in assert_problem(r, 422)["detail"]
