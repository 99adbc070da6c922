"""Proof that the baseline sends what the app sends: with log_statement = all (a reload, so every
open session follows), one request per scenario to each server; the statements PostgreSQL logged
for the two are compared, transaction control included. Embedded PostgreSQL only (it reads the
server's log file)."""

from __future__ import annotations

import logging
import re
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench import bodies
from bench.scenarios import Scenario

log = logging.getLogger("bench.verify")
# asyncpg's once-per-connection type introspection (a request that lands on a fresh pool connection)
ONE_TIME = ("typeinfo_tree", "set_config('jit', 'off', false)", "set_config('jit', $1, false)")
# The app's background statements, not a request's: the request counters' sync (a few per second).
BACKGROUND = ("rate_limit_counters",)
_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_TEXT = re.compile(r"LOG:\s+(?:statement|execute [^:]+):\s*(.*)$", re.S)


def _statements(text: str) -> list[str]:
    entries: list[str] = []
    for line in text.splitlines():
        if _ENTRY.match(line):
            entries.append(line)
        elif entries:
            entries[-1] += "\n" + line
    out = []
    for entry in entries:
        if m := _TEXT.search(entry):
            text = " ".join(m.group(1).split()).rstrip(";")
            if any(marker in text for marker in ONE_TIME + BACKGROUND):
                continue
            # READ COMMITTED is PostgreSQL's default: the same transaction, the same round trip.
            out.append("BEGIN" if text == "BEGIN ISOLATION LEVEL READ COMMITTED" else text)
    return out


def _request(
    base_url: str, scenario: Scenario, token: str, target: str | None, body: dict[str, Any] | None
) -> tuple[int, Any]:
    method = scenario.method
    path = scenario.url_path if target is None else f"{scenario.path}/{target}"
    if scenario.route == "stage":
        path += "/stage"
    data = orjson.dumps(body) if body is not None else None
    request = urllib.request.Request(
        base_url + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status), orjson.loads(response.read())


def _keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items() if k != "custom_fields"} | (
            {"custom_fields": "{...}"} if "custom_fields" in value else {}
        )
    if isinstance(value, list):
        return [_keys(value[0])] if value else []
    return type(value).__name__


def _same_answer(scenario: Scenario, app: Any, base: Any) -> str:
    """Reads must answer the same JSON; writes (different rows) the same shape."""
    if scenario.route in ("list", "get"):
        return "same JSON body" if app == base else "DIFFERENT JSON body"
    a, b = _keys(app), _keys(base)
    if a == b:
        return "same JSON shape"
    if isinstance(a, dict) and isinstance(b, dict):
        differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        return "DIFFERENT JSON shape: " + ", ".join(f"{k} app {a.get(k)} baseline {b.get(k)}" for k in differ[:5])
    return "DIFFERENT JSON shape"


def verify(
    servers: list[Any],
    chosen: list[Scenario],
    tokens: dict[str, str],
    ids: dict[str, list[str]],
    log_file: Path,
    psql: Callable[[str], str],
    moves: list[str] | None = None,
) -> list[str]:
    """Returns a line per scenario: OK or what differed. `moves`: the stage change's deals
    ("<deal> <its stage> <the other>"), the first one already moved by the capture; the second
    is moved three times by each server in turn (each time a real move)."""
    psql("ALTER SYSTEM SET log_statement = 'all';")
    psql("SELECT pg_reload_conf();")
    time.sleep(0.5)
    report: list[str] = []
    try:
        for n, scenario in enumerate(chosen):
            seen: dict[str, list[str]] = {}
            answers: dict[str, Any] = {}
            for k, server in enumerate(servers):
                target = ids[scenario.ids or scenario.caller][n % 7] if scenario.route in ("get", "patch") else None
                body = None
                if scenario.route == "create":
                    body = bodies.create_body(998, k, int(time.time() * 1000) % 1_000_000 + n)
                elif scenario.route == "patch":
                    body = bodies.patch_body(998, k, int(time.time() * 1000) % 1_000_000 + n)
                # Every statement is prepared on first use; the compared request is the third.
                for attempt in range(3):
                    if body is not None and scenario.route in ("create", "patch"):
                        body = {
                            **body,
                            **(
                                {"email": f"v{attempt}-{body['email']}", "phone": body["phone"][:-1] + str(attempt)}
                                if scenario.route == "create"
                                else {"description": f"{body['description']} {attempt}"}
                            ),
                        }
                    if scenario.route == "stage":  # one deal (the same JSON shape), moved to and fro
                        assert moves is not None and len(moves) > 1
                        deal, at, other = moves[1].split()
                        target, body = deal, {"stage_id": other if (attempt + k) % 2 == 0 else at}
                    time.sleep(0.3)
                    start = log_file.stat().st_size
                    status, answers[server.name] = _request(
                        server.base_url, scenario, tokens[scenario.caller], target, body
                    )
                time.sleep(0.5)
                with log_file.open("rb") as f:
                    f.seek(start)
                    seen[server.name] = _statements(f.read().decode("utf-8", errors="replace"))
                if status >= 300:
                    seen[server.name] = [f"HTTP {status}"]
            app, base = seen.get("app", []), seen.get("baseline", [])
            shape = _same_answer(scenario, answers.get("app"), answers.get("baseline"))
            if app == base:
                report.append(f"{scenario.name:<13} same {len(app)} statements; {shape}")
            else:
                diff = [
                    f"    app:      {a[:110]}\n    baseline: {b[:110]}"
                    for a, b in zip(app, base, strict=False)
                    if a != b
                ][:3]
                report.append(
                    f"{scenario.name:<13} DIFFERENT: app {len(app)} statements, baseline {len(base)}\n"
                    + "\n".join(diff)
                )
    finally:
        psql("ALTER SYSTEM RESET log_statement;")
        psql("SELECT pg_reload_conf();")
    return report
