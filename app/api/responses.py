"""Serialize once with orjson. Domain dataclasses, UUIDs and datetimes go straight to bytes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from fastapi.responses import JSONResponse, Response


def _fallback(value: Any) -> Any:
    # asyncpg hands out its own UUID subclass, which orjson does not take as a UUID.
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, default=_fallback, option=orjson.OPT_UTC_Z)


class ORJSON(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def json_response(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(content), status_code=status_code, headers=headers, media_type="application/json")


def record_response(record: Any, status_code: int = 200, *, collection: str) -> Response:
    """One record with its ETag; a creation (201) also with its Location, /api/v1/<collection>/<id>."""
    headers = {"ETag": etag_for(record.version)}
    if status_code == 201:
        headers["Location"] = f"/api/v1/{collection}/{record.id}"
    return json_response(record, status_code, headers)


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def page_response(items: list[Any], next_cursor: str | None) -> Response:
    return json_response({"items": items, "next_cursor": next_cursor})
