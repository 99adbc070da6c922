"""Liveness and readiness, outside /api/v1 and without authentication."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import text

from app.api.errors import problem
from app.api.responses import json_response

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="healthz", summary="The process is up")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="The database answers",
    responses={503: {"description": "Database unreachable"}},
)
async def readyz(request: Request) -> Response:
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return problem(503, "Not ready", "The database does not answer.", "not-ready")
    return json_response({"status": "ready"})
