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
    },
    "required": ["type", "title", "status", "detail"],
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
        for name in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
