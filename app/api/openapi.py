"""The published contract: stable operation ids, one tag per module, the Problem schema."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
        "existing_id": {"type": "string", "format": "uuid"},
        "retry_after": {"type": "integer"},
        "violated-policies": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["type", "title", "status", "detail"],
}


# draft-ietf-httpapi-ratelimit-headers, on every authenticated answer (app/api/rate_limits.py).
RATE_LIMIT_HEADERS: dict[str, Any] = {
    "RateLimit-Policy": {
        "description": 'The quota this request counts against, e.g. `"user";q=100;w=10` (100 per 10 s).',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'What is left of it and the seconds until its window ends, e.g. `"user";r=42;t=7`.',
        "schema": {"type": "string"},
    },
}
TOO_MANY_REQUESTS: dict[str, Any] = {
    "description": "Too many requests: past the caller's quota (see the RateLimit fields), or throttled",
    "headers": {
        "Retry-After": {"description": "Seconds until the quota is whole again.", "schema": {"type": "integer"}},
        **{name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS},
    },
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def customize_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        # FastAPI documents its own 422 shape; ours is problem+json.
        for path in schema.get("paths", {}).values():
            for op in path.values():
                resp = op.get("responses", {}).get("422")
                if resp and "application/json" in resp.get("content", {}):
                    resp["content"] = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        # Any operation that reaches the database may answer 503 while it is away or busy.
        unavailable = {
            "description": "The database is unavailable, busy or over the time budget; try again after Retry-After",
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for route, path in schema.get("paths", {}).items():
            if route.startswith("/api/"):
                for op in path.values():
                    op.setdefault("responses", {}).setdefault("503", unavailable)
        # Every authenticated operation counts against a quota and may answer 429.
        schema["components"]["headers"] = RATE_LIMIT_HEADERS
        schema["components"]["responses"] = {"TooManyRequests": TOO_MANY_REQUESTS}
        for path in schema.get("paths", {}).values():
            for op in path.values():
                if op.get("security"):
                    # Also where a route documents a 429 of its own (sign-in throttling).
                    op.setdefault("responses", {})["429"] = {"$ref": "#/components/responses/TooManyRequests"}
        for name in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
