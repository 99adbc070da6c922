"""Property-based: no input yields a 5xx, and every error is RFC 9457 problem+json.

Schemathesis generates requests from the app's own OpenAPI document, for every operation that
exists (routers added later are picked up without touching this file): schema-conforming input
(positive) and input that breaks the schema (negative: wrong types, missing fields, out-of-range
values, malformed ids...). The cases are sent in turn as the admin and as a sales rep of a
fresh `sales_world()` tenant per operation.

The requests go through httpx to the session `app` on the test's own event loop (the app's
asyncpg pool lives there). Schemathesis' own ASGI transport is not used: it runs the app's
lifespan on another loop in another thread, which would replace `app.state.engine`. Hypothesis
runs in a worker thread and hands each request to the loop.

Bounded and deterministic: CRM_FUZZ_EXAMPLES (default 20) examples per operation and mode,
derandomized, no example database, no shrinking. Every failure is collected (not just the
first) and reported with the request that reproduces it. `pytest -s` prints, per operation, the
statuses the cases reached: mostly 422s would mean the fuzz stays at the door.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Err

from tests.builders import Factory, User

EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "20"))
BASE_URL = "http://testserver"
PROBLEM = "application/problem+json"
CALLERS = ("admin", "east_rep1")
REQUEST_TIMEOUT = 60
APP_DIR = str(Path(__file__).resolve().parents[2] / "app") + os.sep

Run = Callable[[Coroutine[Any, Any, Any]], Any]


@dataclass
class Failure:
    operation: str
    mode: str
    caller: str
    reason: str
    request: str

    def __str__(self) -> str:
        return f"{self.operation} [{self.mode}, as {self.caller}]: {self.reason}\n{self.request}"


def _problem_violation(response: httpx.Response) -> str | None:
    """Why this response breaks the error contract, or None."""
    if response.status_code >= 500:
        return f"server error {response.status_code}: {response.text[:500]}"
    if not response.headers.get("x-request-id"):
        return f"{response.status_code} without X-Request-ID"
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", "").split(";")[0].strip()
    if content_type != PROBLEM:
        return f"{response.status_code} with content-type {content_type!r}, not {PROBLEM}: {response.text[:300]}"
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} problem body is not JSON: {response.text[:300]}"
    if not isinstance(body, dict):
        return f"{response.status_code} problem body is not an object: {body!r:.300}"
    missing = [k for k in ("type", "title", "detail") if not isinstance(body.get(k), str)]
    if missing or body.get("status") != response.status_code:
        return f"{response.status_code} problem body lacks {missing or 'a matching status'}: {body!r:.300}"
    return None


def _prepare(case: Any, user: User) -> requests.PreparedRequest | None:
    """The exact request (method, URL with query, headers, body bytes) schemathesis would send."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    headers = dict(kwargs.get("headers") or {})
    headers.update(user.headers)
    try:
        return requests.Request(
            method=kwargs["method"],
            url=kwargs["url"],
            headers=headers,
            params=kwargs.get("params"),
            cookies=kwargs.get("cookies"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
            files=kwargs.get("files"),
        ).prepare()
    except (ValueError, TypeError, requests.RequestException):
        return None  # not expressible on the wire (e.g. NaN in JSON): nothing a client could send


def _describe(prepared: requests.PreparedRequest) -> str:
    headers = {k: ("Bearer <token>" if k.lower() == "authorization" else v) for k, v in prepared.headers.items()}
    body = prepared.body if isinstance(prepared.body, bytes | None) else str(prepared.body).encode()
    text = (body or b"")[:1000].decode("utf-8", "replace")
    return f"  {prepared.method} {prepared.url}\n  headers: {headers}\n  body: {text}"


async def _send(client: httpx.AsyncClient, prepared: requests.PreparedRequest) -> httpx.Response | str:
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    try:
        request = client.build_request(
            prepared.method or "GET", prepared.url or "", headers=dict(prepared.headers), content=body
        )
    except (UnicodeEncodeError, httpx.InvalidURL, ValueError, TypeError):
        return ""  # headers/URL httpx cannot put on the wire: skip, as a real client would fail too
    try:
        return await client.send(request)
    except Exception as exc:  # the app raised through the ASGI transport: a 500 in production
        return _unhandled(exc)


def _unhandled(exc: BaseException) -> str:
    """`500: <exception>` and where in app/ it was raised."""
    message = traceback.format_exception_only(exc)[-1].strip().splitlines()[0][:300]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(APP_DIR)]
    cause = exc.__cause__ or exc.__context__
    while not frames and cause is not None:
        frames = [f for f in traceback.extract_tb(cause.__traceback__) if f.filename.startswith(APP_DIR)]
        cause = cause.__cause__ or cause.__context__
    where = f" (at {frames[-1].filename[len(APP_DIR) - 4 :]}:{frames[-1].lineno})" if frames else ""
    return f"500, unhandled {message}{where}"


def _fuzz_operation(
    operation: Any, users: dict[str, User], client: httpx.AsyncClient, run: Run, statuses: Counter[int]
) -> list[Failure]:
    failures: list[Failure] = []
    seen: set[str] = set()  # one report per distinct failure of the operation, not 20 of the same
    label = f"{operation.method.upper()} {operation.path}"
    modes = [GenerationMode.POSITIVE]
    if any(True for _ in operation.iter_parameters()) or len(operation.body):
        modes.append(GenerationMode.NEGATIVE)  # nothing to break in an operation without input
    for mode in modes:
        sent = itertools.count()

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: Any) -> None:
            caller = CALLERS[next(sent) % len(CALLERS)]  # the callers take turns
            prepared = _prepare(case, users[caller])
            if prepared is None:
                return
            outcome = run(_send(client, prepared))
            if outcome == "":
                return
            statuses[outcome.status_code if isinstance(outcome, httpx.Response) else 500] += 1
            reason = outcome if isinstance(outcome, str) else _problem_violation(outcome)
            if reason is not None and reason[:80] not in seen:
                seen.add(reason[:80])
                failures.append(Failure(label, mode.value, caller, reason, _describe(prepared)))

        with contextlib.suppress(Unsatisfiable):  # the schema admits no (invalid) input for this mode
            check()
    return failures


def _fuzz_all(app_schema: dict[str, Any], factory: Factory, client: httpx.AsyncClient, run: Run) -> list[Failure]:
    schema = schemathesis.openapi.from_dict(app_schema)
    failures: list[Failure] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(Failure("?", "-", "-", f"schemathesis cannot read an operation: {result.err()}", ""))
            continue
        operation = result.ok()
        # A fresh tenant per operation: what one operation's cases create (or revoke) never
        # changes what another one sees.
        started = time.monotonic()
        world = run(factory.sales_world())
        built = time.monotonic()
        statuses: Counter[int] = Counter()
        failures += _fuzz_operation(operation, world.users, client, run, statuses)
        # What the cases reached (shown with `pytest -s`): all 422s would mean a shallow fuzz.
        print(
            f"fuzz {operation.method.upper():6} {operation.path}: {dict(sorted(statuses.items()))}"
            f" world {built - started:.2f}s fuzz {time.monotonic() - built:.2f}s"
        )
    return failures


async def test_no_input_yields_a_server_error(app: FastAPI, factory: Factory) -> None:
    loop = asyncio.get_running_loop()
    document = json.loads(json.dumps(app.openapi()))

    def run(coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=REQUEST_TIMEOUT)

    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        failures = await asyncio.to_thread(_fuzz_all, document, factory, client, run)
    if failures:
        pytest.fail(
            f"{len(failures)} request(s) broke the error contract:\n\n" + "\n\n".join(map(str, failures)),
            pytrace=False,
        )
