"""Record the exact SQL the real app sends for each scenario, so the baseline sends the same.

The app runs in-process (httpx over ASGI) on the bench database; a SQLAlchemy
`before_cursor_execute` listener, and an observer of the statements the app sends straight to
asyncpg on read connections (app/repositories/prepared.py), see every statement as it goes to
asyncpg ($n placeholders and the positional parameters). Each parameter is then described by where its value comes from:

  {"slot": "tenant_id"}           a value of the request: token claims, the caller's row, the path,
                                  the query string (matched by value against what the capture sent)
  {"col": "customers.name"}       a column of an INSERT or of an UPDATE's SET list: the baseline
                                  computes it from the body, the caller and the row, as the app does
  {"const": ..., "type": ...}     the same in every request of this shape

The result, bench/results/spec.json, is what bench/baseline.py executes.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.jwt_tokens import decode_access_token
from app.domain.shared.normalize import email_key, phone_key, search_pattern
from app.main import create_app
from app.repositories import prepared
from app.repositories.principals import PgPrincipalRepository
from app.settings import Settings
from bench import bodies
from bench.baseline import range_key, route_key
from bench.scenarios import Scenario

log = logging.getLogger("bench.capture")

REQUEST_ID = "bench-capture-0001"
CLIENT_IP = "127.0.0.1"
_INSERT = re.compile(r"^INSERT INTO (\w+) \(([^)]*)\) VALUES \((.*?)\)(?: RETURNING |$)", re.S)
_UPDATE = re.compile(r"^UPDATE (\w+) SET (.*?) WHERE ", re.S)
# The request counters' background sync (a few times a second) is no statement of any request.
BACKGROUND = "rate_limit_counters"
_PARAM = re.compile(r"^\$(\d+)(?:::[\w\[\] ]+)?$")


def classify(sql: str, route: str, resource: str = "customers") -> str:
    text = sql.lstrip()
    if "FROM users u WHERE u.tenant_id" in text:
        return "principal"
    if text.startswith("INSERT INTO customers"):
        return "insert"
    if text.startswith("UPDATE customers") or (route == "stage" and text.startswith("UPDATE opportunities")):
        return "update"
    if text.startswith("INSERT INTO opportunity_stage_history"):
        return "history"
    if route == "stage" and "FROM pipeline_stages" in text:
        return "stages"
    if route == "stage" and "FROM pipelines" in text:
        return "pipeline"
    if text.startswith("INSERT INTO audit_log"):
        return "audit"
    if text.startswith("INSERT INTO outbox"):
        return "outbox"
    if "pg_advisory_xact_lock" in text:
        return "lock"
    if "FROM tenants" in text:
        return "context"
    if "FOR UPDATE" in text:
        return "current"
    if text.startswith("SELECT customers.id") and "_norm" in text and route in ("create", "patch"):
        return "duplicate"
    if "FROM ticket_calendars" in text:
        return "calendar"
    if text.startswith("SELECT") and f"FROM {resource}" in text and route in ("list", "get"):
        return "rows" if route == "list" else "row"
    return "other"


def _column_params(sql: str) -> dict[int, str]:
    """$n -> table.column for the values of an INSERT and the SET list of an UPDATE."""
    found: dict[int, str] = {}
    if m := _INSERT.match(sql):
        table, cols, vals = m.group(1), [c.strip() for c in m.group(2).split(",")], _split(m.group(3))
        for col, val in zip(cols, vals, strict=True):
            if p := _PARAM.match(val.strip()):
                found[int(p.group(1))] = f"{table}.{col}"
    elif m := _UPDATE.match(sql):
        table = m.group(1)
        for assignment in _split(m.group(2)):
            col, _, val = assignment.partition("=")
            if p := _PARAM.match(val.strip()):
                found[int(p.group(1))] = f"{table}.{col.strip()}"
    return found


def _split(text: str) -> list[str]:
    """Split on top-level commas."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _const(value: Any) -> dict[str, Any]:
    if isinstance(value, UUID):
        return {"const": str(value), "type": "uuid"}
    if isinstance(value, datetime):
        return {"const": value.isoformat(), "type": "datetime"}
    if isinstance(value, list) and any(isinstance(v, UUID) for v in value):
        return {"const": [str(v) for v in value], "type": "uuid[]"}
    return {"const": value}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, UUID) or isinstance(b, UUID):  # asyncpg's UUID type is a UUID subclass
        return isinstance(a, UUID) and isinstance(b, UUID) and str(a) == str(b)
    return type(a) is type(b) and a == b


def describe(sql: str, params: tuple[Any, ...], known: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    columns = _column_params(sql)
    out: list[dict[str, Any]] = []
    for position, value in enumerate(params, start=1):
        if position in columns:
            out.append({"col": columns[position]})
            continue
        slot = next((name for name, v in known if value is not None and _same(v, value)), None)
        out.append({"slot": slot} if slot else _const(value))
    return out


@dataclass
class Caller:
    key: str
    user_id: UUID
    token: str


@contextlib.asynccontextmanager
async def _observing_driver(seen: list[tuple[str, tuple[Any, ...]]]) -> AsyncIterator[None]:
    def observer(statement: str, parameters: tuple[Any, ...]) -> None:
        seen.append((statement, parameters))

    prepared.statement_observers.append(observer)
    try:
        yield
    finally:
        prepared.statement_observers.remove(observer)


async def capture(
    url: str,
    settings: Settings,
    callers: dict[str, Caller],
    ids: dict[str, list[UUID]],
    scenarios: list[Scenario],
    moves: list[str] | None = None,
    pipeline_id: str | None = None,
) -> dict[str, Any]:
    """`moves`: the stage change's "<deal> <its stage> <the other>" lines; `pipeline_id`: theirs."""
    app = create_app(settings, database_url=url)
    spec: dict[str, Any] = {"principal": None, "routes": {}, "scenarios": {}}
    seen: list[tuple[str, tuple[Any, ...]]] = []
    nonce = int(time.time() * 1000) % 10_000_000  # a body unlike any earlier run's: the patch changes something

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if BACKGROUND not in statement:
            seen.append((statement, tuple(parameters) if not many else tuple(parameters[0])))

    async with app.router.lifespan_context(app), _observing_driver(seen):  # type: ignore[attr-defined]
        engine = app.state.engine
        # Every engine the app keeps (a separate read engine, say) is listened to.
        engines = [e for e in vars(app.state).get("_state", {}).values() if isinstance(e, AsyncEngine)] or [engine]
        for each in engines:
            event.listen(each.sync_engine, "before_cursor_execute", listener)
        transport = httpx.ASGITransport(app=app, client=(CLIENT_IP, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for scenario in scenarios:
                caller = callers[scenario.caller]
                claims = decode_access_token(settings, caller.token)
                async with engine.connect() as conn:
                    row = await PgPrincipalRepository(conn).by_user(claims.tenant_id, claims.user_id, claims.jti)
                    raw_roles = (
                        [
                            [
                                r.key,
                                sorted(r.permissions),
                                {k: {"range": g.range.value} for k, g in r.data_ranges.items()},
                            ]
                            for r in row.roles
                        ]
                        if row
                        else []
                    )
                assert row is not None, f"caller {caller.key} not found"
                known: list[tuple[str, Any]] = [
                    ("tenant_id", claims.tenant_id),
                    ("user_id", claims.user_id),
                    ("jti", claims.jti),
                    *((f"department_ids.{i}", d) for i, d in enumerate(row.department_ids)),
                    ("department_id", row.department_id),
                    ("request_id", REQUEST_ID),
                    ("ip", CLIENT_IP),
                ]
                headers = {"Authorization": f"Bearer {caller.token}", "X-Request-ID": REQUEST_ID}
                body: dict[str, Any] | None = None
                path = scenario.path
                if scenario.route in ("get", "patch"):
                    target = ids[scenario.ids or scenario.caller][0]
                    path = f"{scenario.path}/{target}"
                    known.append(("path_id", target))
                if scenario.route == "list":
                    limit = int(scenario.query.get("limit", "50"))
                    known += [("limit_plus_1", limit + 1), ("limit", limit)]
                    if "q" in scenario.query:
                        known += [("q_pattern", search_pattern(scenario.query["q"]))]
                if scenario.route == "create":
                    body = bodies.create_body(999, 9, nonce)
                    em, ph = email_key(body["email"]), phone_key(body["phone"])
                    known += [
                        ("email_norm", em),
                        ("phone_norm", ph),
                        # the duplicate check's advisory locks, taken in one statement (sorted keys)
                        ("lock.keys", sorted({f"{claims.tenant_id}:{em}", f"{claims.tenant_id}:{ph}"})),
                    ]
                if scenario.route == "patch":
                    body = bodies.patch_body(999, 9, nonce)
                if scenario.route == "stage":
                    assert moves and pipeline_id, "the stage change needs the deals to move"
                    deal, _, other = moves[0].split()
                    path = f"{scenario.path}/{deal}/stage"
                    body = {"stage_id": other}
                    known += [("path_id", UUID(deal)), ("row.pipeline_id", UUID(pipeline_id))]
                method = scenario.method
                seen.clear()
                response = await client.request(method, path, params=scenario.query or None, json=body, headers=headers)
                expected = 201 if scenario.route == "create" else 200
                if response.status_code != expected:
                    raise RuntimeError(
                        f"{scenario.name}: {method} {path} answered {response.status_code}: {response.text[:500]}"
                    )
                if not seen:
                    raise RuntimeError(f"{scenario.name}: no SQL seen; does the app keep its engines on app.state?")
                statements = []
                for sql, params in seen:
                    kind = classify(sql, scenario.route, scenario.resource)
                    if kind == "principal":
                        spec["principal"] = {"sql": sql, "params": describe(sql, params, known)}
                        continue
                    statements.append({"kind": kind, "sql": sql, "params": describe(sql, params, known)})
                shape = range_key(raw_roles, _permission(scenario.route, scenario.resource))
                key = route_key(scenario.resource, scenario.route, shape, "q" in scenario.query)
                previous = spec["routes"].get(key)
                if previous is not None and [s["sql"] for s in previous] != [s["sql"] for s in statements]:
                    raise RuntimeError(f"{scenario.name}: statements differ from another scenario of shape {key}")
                spec["routes"][key] = statements
                spec["scenarios"][scenario.name] = {
                    "key": key,
                    "statements": 1 + len(statements),
                    "kinds": [s["kind"] for s in statements],
                }
                log.info("  %-14s %-22s principal + %s", scenario.name, key, ", ".join(s["kind"] for s in statements))
    return spec


def _permission(route: str, resource: str = "customers") -> str:
    actions = {"list": "read", "get": "read", "create": "create", "patch": "update", "stage": "update"}
    return f"{resource}:" + actions[route]
