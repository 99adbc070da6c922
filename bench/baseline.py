"""The baseline: a bare ASGI app on an asyncpg pool that does what the customer endpoints, the
opportunities' list (the same shape: an owned resource's scoped keyset page) and the opportunities'
stage change between open stages must do, and nothing a framework adds. It is the yardstick the
real server is measured against.

Per request, like the app: verify the HS256 access token (signature, typ, aud, iss, exp), look the
caller up with the app's own principal statement, derive the data range from the caller's roles,
run the app's own statements (captured from the real app by bench/capture.py, read from
bench/results/spec.json) with parameters built from the token, the caller's row, the path, the
query and the body, and serialize the rows with orjson into the app's JSON shape. Writes run in
one transaction with the same statements: context, duplicate check, insert/update, audit, outbox.

    python -m bench.baseline --port 8101      (CRM_DATABASE_URL, CRM_JWT_KEYS, BENCH_SPEC)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID

import orjson

# asyncpg hands out its own UUID subclass, which orjson leaves to `default=str`.
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

PREFIX = "/api/v1/customers"
# Owned resources whose list page the baseline serves as it serves the customers' (same statements
# shape: principal, then the scoped keyset page); gets and writes are the customers' only.
OPPORTUNITIES = "/api/v1/opportunities"
# Tickets: the same page, then the tenant's calendar, and each ticket's SLA block computed from it
# with the app's own function (app/domain/tickets/sla.py), as the app's list does.
LIST_PREFIXES = {OPPORTUNITIES: "opportunities", "/api/v1/tickets": "tickets"}
JSON_HEADERS = [(b"content-type", b"application/json")]
PROBLEM_HEADERS = [(b"content-type", b"application/problem+json")]
CUSTOMER_DEFAULTS: dict[str, Any] = {
    "kind": "company",
    "customer_type": None,
    "industry": None,
    "level": None,
    "status": "prospect",
    "source": None,
    "region_id": None,
    "address": None,
    "phone": None,
    "email": None,
    "website": None,
    "tags": [],
    "owner_id": None,
    "custom_fields": {},
    "description": None,
}
WRITABLE = frozenset(["name", *CUSTOMER_DEFAULTS])
KINDS = frozenset({"company", "individual"})
STATUSES = frozenset({"prospect", "active", "inactive", "lost"})
JSONB_COLUMNS = frozenset({"customers.custom_fields", "audit_log.changes", "outbox.payload"})
# POST /api/v1/opportunities/{id}/stage: the body it takes.
STAGE_BODY = frozenset({"stage_id", "expected_close_date", "lost_reason"})


class HttpError(Exception):
    def __init__(self, status: int, detail: str, extra: dict[str, Any] | None = None) -> None:
        self.status = status
        self.detail = detail
        self.extra = extra or {}


def range_key(roles: list[Any], permission: str) -> str:
    """The shape of the caller's data range for `permission`: which predicate the SQL carries."""
    resource = permission.partition(":")[0]
    ranges: set[str] = set()
    for _key, permissions, data_ranges in roles:
        if permission not in permissions:
            continue
        spec = data_ranges.get(resource) or {}
        narrowed = bool(spec.get("regions") or spec.get("customer_types"))
        value = spec.get("range", "none") + ("~narrowed" if narrowed else "")
        if value == "all":
            return "all"
        ranges.add(value)
    ranges.discard("none")
    return "+".join(sorted(ranges)) or "none"


def route_key(resource: str, route: str, shape: str, q: bool) -> str:
    """The spec's key of a route's statements; the customers' keys keep their original form."""
    key = f"{route}|{shape}|{'q' if q else ''}"
    return key if resource == "customers" else f"{resource}:{key}"


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


class Tokens:
    def __init__(self, keys: list[str], audience: str, issuer: str) -> None:
        self.secrets = {k: s.encode() for k, _, s in (e.partition(":") for e in keys)}
        self.audience = audience
        self.issuer = issuer

    def verify(self, token: str) -> dict[str, Any]:
        try:
            head, payload, signature = token.split(".")
            header = orjson.loads(_b64(head))
            secret = self.secrets.get(header.get("kid"))
            if secret is None or header.get("alg") != "HS256":
                raise ValueError("key")
            mac = hmac.new(secret, f"{head}.{payload}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(mac, _b64(signature)):
                raise ValueError("signature")
            claims: dict[str, Any] = orjson.loads(_b64(payload))
            if (
                claims.get("typ") != "access"
                or claims.get("aud") != self.audience
                or claims.get("iss") != self.issuer
                or int(claims["exp"]) <= time.time()
            ):
                raise ValueError("claims")
            claims["_tenant"], claims["_user"], claims["_jti"] = (
                UUID(claims["tid"]),
                UUID(claims["sub"]),
                UUID(claims["jti"]),
            )
            return claims
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            raise HttpError(401, "invalid or expired token")


class Statement:
    """One captured statement and how to fill its parameters."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.kind: str = spec.get("kind", "principal")
        self.sql: str = spec["sql"]
        self.fill: list[tuple[str, Any]] = []
        self.columns: list[str] = []
        for p in spec["params"]:
            if "slot" in p:
                self.fill.append(("slot", p["slot"]))
            elif "col" in p:
                self.fill.append(("col", p["col"]))
                self.columns.append(p["col"])
            else:
                value = p["const"]
                kind = p.get("type")
                if kind == "uuid":
                    value = UUID(value)
                elif kind == "uuid[]":
                    value = [UUID(v) for v in value]
                elif kind == "datetime":
                    value = datetime.fromisoformat(value)
                self.fill.append(("const", value))

    def args(self, ctx: dict[str, Any], cols: dict[str, Any] | None = None) -> list[Any]:
        out = []
        for kind, ref in self.fill:
            if kind == "const":
                out.append(ref)
            elif kind == "slot":
                out.append(ctx[ref])
            else:
                value = cols[ref.partition(".")[2]] if cols is not None else None
                out.append(orjson.dumps(value, default=str) if ref in JSONB_COLUMNS else value)
        return out


def _jsonb_encode(value: bytes | str) -> bytes:
    return b"\x01" + (value if isinstance(value, bytes) else value.encode())


def _jsonb_decode(value: bytes) -> Any:
    return orjson.loads(value[1:])


def _diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    before = before or {}
    return {
        k: {"before": before.get(k), "after": after.get(k)}
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def _cursor(sort: str, value: Any, ident: UUID) -> str:
    raw = orjson.dumps([sort, value.isoformat() if isinstance(value, datetime) else value, str(ident)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Baseline:
    def __init__(self, dsn: str, spec: dict[str, Any], tokens: Tokens, pool_size: int) -> None:
        from app.domain.shared.ids import new_id
        from app.domain.shared.normalize import email_key, phone_key, search_pattern, search_text

        self.new_id, self.email_key, self.phone_key = new_id, email_key, phone_key
        self.search_pattern, self.search_text = search_pattern, search_text
        self.dsn = dsn
        self.tokens = tokens
        self.pool_size = pool_size
        self.pool: Any = None
        self.principal = Statement(spec["principal"])
        self.routes = {key: [Statement(s) for s in stmts] for key, stmts in spec["routes"].items()}
        known = {"customers", "audit_log", "outbox", "opportunities", "opportunity_stage_history"}
        for statements in self.routes.values():
            for st in statements:
                for col in st.columns:
                    if col.partition(".")[0] not in known:
                        raise SystemExit(f"baseline: no rule for column {col}; update bench/baseline.py")

    # -- ASGI ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        request_id = uuid.uuid4().hex
        for name, value in scope["headers"]:
            if name == b"x-request-id" and 0 < len(value) <= 128:
                request_id = value.decode("latin-1")
        try:
            status, body, headers = await self._route(scope, receive, request_id)
            headers = [*headers, (b"x-request-id", request_id.encode("latin-1"))]
        except HttpError as error:
            status = error.status
            body = orjson.dumps(
                {"type": "about:blank", "title": "error", "status": status, "detail": error.detail, **error.extra}
            )
            headers = [*PROBLEM_HEADERS, (b"x-request-id", request_id.encode("latin-1"))]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        import asyncpg

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":

                async def init(conn: Any) -> None:
                    await conn.set_type_codec(
                        "jsonb", encoder=_jsonb_encode, decoder=_jsonb_decode, schema="pg_catalog", format="binary"
                    )

                async def reset(conn: Any) -> None:
                    # asyncpg's default reset costs a round trip per release (RESET ALL, UNLISTEN,
                    # ...). The app's pool (SQLAlchemy) only rolls back an open transaction; so here.
                    return None

                self.pool = await asyncpg.create_pool(
                    self.dsn,
                    reset=reset,
                    min_size=min(4, self.pool_size),
                    max_size=self.pool_size,
                    init=init,
                    server_settings={"plan_cache_mode": "force_custom_plan", "jit": "off"},
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _route(self, scope: Scope, receive: Receive, request_id: str) -> tuple[int, bytes, list[Any]]:
        path: str = scope["path"]
        method: str = scope["method"]
        if path == "/healthz":
            return 200, b'{"status":"ok"}', JSON_HEADERS
        resource = LIST_PREFIXES.get(path)
        if resource is None and not path.startswith((PREFIX, OPPORTUNITIES + "/")):
            raise HttpError(404, "not found")
        rest = path[len(PREFIX) :]
        token = None
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                token = value[7:].decode("latin-1")
        if token is None:
            raise HttpError(401, "missing bearer token")
        claims = self.tokens.verify(token)
        client = scope.get("client")
        ctx: dict[str, Any] = {
            "tenant_id": claims["_tenant"],
            "user_id": claims["_user"],
            "jti": claims["_jti"],
            "request_id": request_id,
            "ip": client[0] if client else "unknown",
        }
        if resource is not None:
            if method != "GET":
                raise HttpError(405, "the baseline serves this resource's list only")
            return await self._list(ctx, claims, scope["query_string"], resource)
        if path.startswith(OPPORTUNITIES + "/") and path.endswith("/stage") and path.count("/") == 5:
            if method != "POST":
                raise HttpError(405, "method not allowed")
            try:
                ctx["path_id"] = UUID(path[len(OPPORTUNITIES) + 1 : -len("/stage")])
            except ValueError:
                raise HttpError(422, "opportunity_id: not a UUID")
            return await self._stage(ctx, claims, await self._json(receive))
        if rest == "" and method == "GET":
            return await self._list(ctx, claims, scope["query_string"])
        if rest == "" and method == "POST":
            return await self._create(ctx, claims, await self._json(receive))
        if rest.startswith("/") and rest.count("/") == 1:
            try:
                ctx["path_id"] = UUID(rest[1:])
            except ValueError:
                raise HttpError(422, "customer_id: not a UUID")
            if method == "GET":
                return await self._get(ctx, claims)
            if method == "PATCH":
                return await self._patch(ctx, claims, await self._json(receive))
        raise HttpError(404, "not found")

    @staticmethod
    async def _json(receive: Receive) -> dict[str, Any]:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        try:
            body = orjson.loads(b"".join(chunks))
        except orjson.JSONDecodeError:
            raise HttpError(422, "body: not JSON")
        if not isinstance(body, dict):
            raise HttpError(422, "body: not an object")
        return body

    # -- the caller ------------------------------------------------------------------------

    async def _caller(self, conn: Any, ctx: dict[str, Any], claims: dict[str, Any], permission: str) -> str:
        row = await conn.fetchrow(self.principal.sql, *self.principal.args(ctx))
        if row is None or row["revoked"] or not row["active"] or claims["iat"] < row["valid_after"]:
            raise HttpError(401, "invalid, expired or revoked credentials")
        roles = row["roles"]
        granted = set().union(*(set(r[1]) for r in roles)) if roles else set()
        if permission not in granted or permission not in claims.get("scope", "").split():
            raise HttpError(403, f"requires the {permission} permission")
        for i, dept in enumerate(row["department_ids"]):
            ctx[f"department_ids.{i}"] = dept
        ctx["department_id"] = row["department_id"]
        return range_key(roles, permission)

    def _statements(self, key: str) -> list[Statement]:
        statements = self.routes.get(key)
        if statements is None:
            raise HttpError(501, f"the baseline has no captured statements for {key}")
        return statements

    # -- reads -----------------------------------------------------------------------------

    async def _list(
        self, ctx: dict[str, Any], claims: dict[str, Any], query_string: bytes, resource: str = "customers"
    ) -> tuple[int, bytes, list[Any]]:
        limit, q = 50, None
        for name, value in parse_qsl(query_string.decode("latin-1"), encoding="utf-8"):
            if name == "limit":
                if not value.isdigit() or not 1 <= int(value) <= 200:
                    raise HttpError(422, "limit: must be 1..200")
                limit = int(value)
            elif name == "q":
                if len(value) > 200:
                    raise HttpError(422, "q: too long")
                q = value.strip() or None
            else:
                raise HttpError(422, f"{name}: not supported by the baseline")
        ctx["limit"], ctx["limit_plus_1"] = limit, limit + 1
        if q:
            ctx["q_pattern"] = self.search_pattern(q)
        async with self.pool.acquire() as conn:
            shape = await self._caller(conn, ctx, claims, f"{resource}:read")
            rows: list[Any] = []
            calendar = None
            for st in self._statements(route_key(resource, "list", shape, bool(q))):
                found = await conn.fetch(st.sql, *st.args(ctx))
                if st.kind == "calendar":
                    calendar = found[0] if found else None
                else:
                    rows = found
        more = len(rows) > limit
        items = [dict(r) for r in rows[:limit]]
        if resource == "tickets":
            self._sla(items, calendar)
        next_cursor = _cursor("-updated_at", items[-1]["updated_at"], items[-1]["id"]) if more and items else None
        return (
            200,
            orjson.dumps({"items": items, "next_cursor": next_cursor}, option=orjson.OPT_UTC_Z, default=str),
            JSON_HEADERS,
        )

    @staticmethod
    def _sla(items: list[dict[str, Any]], calendar: Any) -> None:
        from types import SimpleNamespace

        from app.domain.tickets.entities import CalendarSettings
        from app.domain.tickets.sla import business_calendar, sla_view

        settings = CalendarSettings(*calendar) if calendar is not None else CalendarSettings()
        hours, now = business_calendar(settings), datetime.now(UTC)
        for item in items:
            item["sla"] = sla_view(hours, SimpleNamespace(**item), now)  # type: ignore[arg-type]  # a row, not a Ticket

    async def _get(self, ctx: dict[str, Any], claims: dict[str, Any]) -> tuple[int, bytes, list[Any]]:
        async with self.pool.acquire() as conn:
            shape = await self._caller(conn, ctx, claims, "customers:read")
            row = None
            for st in self._statements(f"get|{shape}|"):
                row = await conn.fetchrow(st.sql, *st.args(ctx))
        if row is None:
            raise HttpError(404, "no such customer")
        item = dict(row)
        return (
            200,
            orjson.dumps(item, option=orjson.OPT_UTC_Z, default=str),
            [*JSON_HEADERS, (b"etag", f'W/"{item["version"]}"'.encode())],
        )

    # -- writes ----------------------------------------------------------------------------

    def _validate(self, body: dict[str, Any], *, create: bool) -> dict[str, Any]:
        unknown = set(body) - WRITABLE
        if unknown:
            raise HttpError(422, f"unknown fields: {', '.join(sorted(unknown))}")
        if create:
            name = body.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > 200:
                raise HttpError(422, "name: required, 1..200 characters")
            body = {**CUSTOMER_DEFAULTS, **body}
        for field in (
            "customer_type",
            "industry",
            "level",
            "source",
            "address",
            "phone",
            "email",
            "website",
            "description",
        ):
            if body.get(field) is not None and not isinstance(body[field], str):
                raise HttpError(422, f"{field}: must be a string")
        if "kind" in body and body["kind"] not in KINDS:
            raise HttpError(422, "kind: invalid")
        if "status" in body and body["status"] not in STATUSES:
            raise HttpError(422, "status: invalid")
        tags = body.get("tags")
        if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
            raise HttpError(422, "tags: must be a list of strings")
        if body.get("owner_id") is not None:
            raise HttpError(422, "owner_id: not supported by the baseline")
        return body

    def _check_context(self, row: Any, values: dict[str, Any]) -> None:
        settings = row[0] or {}
        for field, setting in (("customer_type", "customer_types"), ("level", "customer_levels")):
            allowed = settings.get(setting) or []
            if values.get(field) is not None and allowed and values[field] not in allowed:
                raise HttpError(422, f"{field}: must be one of {', '.join(allowed)}")
        definitions = {d["key"]: d for d in (row[1] or [])}
        for key in values.get("custom_fields") or {}:
            if key not in definitions:
                raise HttpError(422, f"custom_fields.{key}: not a defined custom field")

    def _derived(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "email_norm": self.email_key(values.get("email")),
            "phone_norm": self.phone_key(values.get("phone")),
            "search_text": self.search_text(values.get("name"), values.get("email"), values.get("phone")),
        }

    async def _record(
        self,
        conn: Any,
        st: Statement,
        ctx: dict[str, Any],
        event: str,
        entity_id: UUID,
        changes: dict[str, Any],
        payload: dict[str, Any],
        resource: str = "customers",
        entity: str = "customer",
    ) -> None:
        if st.kind == "audit":
            cols = {
                "tenant_id": ctx["tenant_id"],
                "id": self.new_id(),
                "actor_id": ctx["user_id"],
                "api_token_id": None,
                "action": event,
                "entity": resource,
                "entity_id": entity_id,
                "changes": changes,
                "request_id": ctx["request_id"],
                "ip": ctx["ip"],
            }
        else:
            cols = {
                "tenant_id": ctx["tenant_id"],
                "id": self.new_id(),
                "event_type": event,
                "entity": entity,
                "entity_id": entity_id,
                "payload": payload,
            }
        await conn.execute(st.sql, *st.args(ctx, cols))

    async def _create(
        self, ctx: dict[str, Any], claims: dict[str, Any], body: dict[str, Any]
    ) -> tuple[int, bytes, list[Any]]:
        values = self._validate(body, create=True)
        derived = self._derived(values)
        ctx["email_norm"], ctx["phone_norm"] = derived["email_norm"], derived["phone_norm"]
        keys = {derived["email_norm"], derived["phone_norm"]} - {None}
        ctx["lock.keys"] = sorted(f"{ctx['tenant_id']}:{key}" for key in keys)
        async with self.pool.acquire() as conn, conn.transaction():
            shape = await self._caller(conn, ctx, claims, "customers:create")
            created: dict[str, Any] | None = None
            for st in self._statements(f"create|{shape}|"):
                if st.kind == "context":
                    self._check_context(await conn.fetchrow(st.sql, *st.args(ctx)), values)
                elif st.kind == "duplicate":
                    existing = await conn.fetchval(st.sql, *st.args(ctx))
                    if existing is not None:
                        raise HttpError(
                            409, "a customer with this email or phone exists", {"existing_id": str(existing)}
                        )
                elif st.kind == "insert":
                    cols = {
                        **values,
                        **derived,
                        "tenant_id": ctx["tenant_id"],
                        "id": self.new_id(),
                        "owner_id": ctx["user_id"],
                        "department_id": ctx["department_id"],
                        "created_by": ctx["user_id"],
                        "updated_by": ctx["user_id"],
                    }
                    created = dict(await conn.fetchrow(st.sql, *st.args(ctx, cols)))
                elif st.kind in ("audit", "outbox"):
                    assert created is not None
                    changes = _diff(None, created)
                    await self._record(conn, st, ctx, "customer.created", created["id"], changes, created)
                else:
                    await conn.execute(st.sql, *st.args(ctx))
        assert created is not None
        return (
            201,
            orjson.dumps(created, option=orjson.OPT_UTC_Z, default=str),
            [
                *JSON_HEADERS,
                (b"etag", f'W/"{created["version"]}"'.encode()),
                (b"location", f"{PREFIX}/{created['id']}".encode()),
            ],
        )

    async def _patch(
        self, ctx: dict[str, Any], claims: dict[str, Any], body: dict[str, Any]
    ) -> tuple[int, bytes, list[Any]]:
        changes = self._validate(body, create=False)
        async with self.pool.acquire() as conn, conn.transaction():
            shape = await self._caller(conn, ctx, claims, "customers:update")
            current: dict[str, Any] | None = None
            updated: dict[str, Any] | None = None
            changed: dict[str, Any] = {}
            for st in self._statements(f"patch|{shape}|"):
                if st.kind == "current":
                    row = await conn.fetchrow(st.sql, *st.args(ctx))
                    if row is None:
                        raise HttpError(404, "no such customer")
                    current = dict(row)
                elif st.kind == "context":
                    self._check_context(await conn.fetchrow(st.sql, *st.args(ctx)), changes)
                elif st.kind == "update":
                    assert current is not None
                    merged = {"name": current["name"], "email": current["email"], "phone": current["phone"], **changes}
                    cols = {**changes, **self._derived(merged), "updated_by": ctx["user_id"]}
                    updated = dict(await conn.fetchrow(st.sql, *st.args(ctx, cols)))
                    changed = _diff(current, updated)
                    changed.pop("updated_at", None)
                    changed.pop("version", None)
                elif st.kind in ("audit", "outbox"):
                    assert updated is not None
                    if changed:
                        await self._record(
                            conn,
                            st,
                            ctx,
                            "customer.updated",
                            updated["id"],
                            changed,
                            {"id": updated["id"], "changes": changed},
                        )
                else:
                    await conn.execute(st.sql, *st.args(ctx))
        assert updated is not None
        return (
            200,
            orjson.dumps(updated, option=orjson.OPT_UTC_Z, default=str),
            [*JSON_HEADERS, (b"etag", f'W/"{updated["version"]}"'.encode())],
        )

    # -- the stage change ------------------------------------------------------------------

    async def _stage(
        self, ctx: dict[str, Any], claims: dict[str, Any], body: dict[str, Any]
    ) -> tuple[int, bytes, list[Any]]:
        """Move a deal to another open stage of its pipeline, as OpportunityService.change_stage
        does: the locked row, its pipeline and stages, the stage's required fields, the update
        (probability and forecast category of the stage, stage_entered_at now), the history row,
        audit and outbox. Won and lost stages (close date, lost reason) are not served."""
        unknown = set(body) - STAGE_BODY
        if unknown:
            raise HttpError(422, f"unknown fields: {', '.join(sorted(unknown))}")
        if body.get("expected_close_date") is not None or body.get("lost_reason") is not None:
            raise HttpError(422, "expected_close_date, lost_reason: not supported by the baseline")
        try:
            target_id = UUID(str(body.get("stage_id")))
        except ValueError:
            raise HttpError(422, "stage_id: not a UUID")
        async with self.pool.acquire() as conn, conn.transaction():
            shape = await self._caller(conn, ctx, claims, "opportunities:update")
            current: dict[str, Any] | None = None
            stages: list[Any] = []
            updated: dict[str, Any] | None = None
            target: Any = None
            spent = 0
            for st in self._statements(route_key("opportunities", "stage", shape, False)):
                if st.kind == "current":
                    row = await conn.fetchrow(st.sql, *st.args(ctx))
                    if row is None:
                        raise HttpError(404, "no such opportunity")
                    current = dict(row)
                    if current["stage_id"] == target_id:
                        break  # already there: the deal as it is
                    ctx["row.pipeline_id"] = current["pipeline_id"]
                elif st.kind == "pipeline":
                    if await conn.fetchrow(st.sql, *st.args(ctx)) is None:
                        raise HttpError(404, "no such pipeline")
                elif st.kind == "stages":
                    stages = await conn.fetch(st.sql, *st.args(ctx))
                elif st.kind == "update":
                    assert current is not None
                    target = next((s for s in stages if s["id"] == target_id), None)
                    if target is None:
                        raise HttpError(422, "stage_id: is not a stage of this deal's pipeline")
                    if target["kind"] != "open":
                        raise HttpError(422, "stage_id: won and lost stages are not supported by the baseline")
                    for name in target["required_fields"]:
                        value = current.get(name)
                        if value is None or value == "" or value == [] or (name == "amount" and not value):
                            raise HttpError(422, f"{name}: is required to enter the stage {target['name']!r}")
                    now = datetime.now(UTC)
                    cols = {
                        "stage_id": target_id,
                        "probability": target["probability"],
                        "forecast_category": "pipeline",
                        "closed_at": None,
                        "lost_reason": None,
                        "stage_entered_at": now,
                        "search_text": self.search_text(current["name"], current["next_step"]),
                        "updated_by": ctx["user_id"],
                    }
                    updated = dict(await conn.fetchrow(st.sql, *st.args(ctx, cols)))
                    spent = max(int((now - current["stage_entered_at"]).total_seconds()), 0)
                elif st.kind == "history":
                    assert current is not None
                    cols = {
                        "tenant_id": ctx["tenant_id"],
                        "id": self.new_id(),
                        "opportunity_id": current["id"],
                        "from_stage_id": current["stage_id"],
                        "to_stage_id": target_id,
                        "changed_by": ctx["user_id"],
                        "seconds_in_from_stage": spent,
                    }
                    await conn.execute(st.sql, *st.args(ctx, cols))
                elif st.kind in ("audit", "outbox"):
                    assert current is not None and updated is not None
                    changes = {
                        "stage_id": {"before": current["stage_id"], "after": target_id},
                        "seconds_in_stage": {"before": None, "after": spent},
                    }
                    await self._record(
                        conn,
                        st,
                        ctx,
                        "opportunity.stage_changed",
                        updated["id"],
                        changes,
                        {"id": updated["id"], "changes": changes},
                        "opportunities",
                        "opportunity",
                    )
                else:
                    await conn.execute(st.sql, *st.args(ctx))
        result = updated if updated is not None else current
        assert result is not None
        return (
            200,
            orjson.dumps(result, option=orjson.OPT_UTC_Z, default=str),
            [*JSON_HEADERS, (b"etag", f'W/"{result["version"]}"'.encode())],
        )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="bare ASGI + asyncpg baseline")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--spec", default=os.environ.get("BENCH_SPEC", "bench/results/spec.json"))
    args = parser.parse_args()
    url = os.environ["CRM_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
    keys = [k.strip() for k in os.environ["CRM_JWT_KEYS"].split(",") if k.strip()]
    tokens = Tokens(keys, os.environ.get("CRM_JWT_AUDIENCE", "crm-api"), os.environ.get("CRM_JWT_ISSUER", "crm"))
    pool_size = int(os.environ.get("CRM_DB_POOL_SIZE", "20")) + int(os.environ.get("CRM_DB_MAX_OVERFLOW", "10"))
    with open(args.spec, "rb") as f:
        spec = orjson.loads(f.read())
    app = Baseline(url, spec, tokens, pool_size)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
