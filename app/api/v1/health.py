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
    summary="The database answers on every pool requests use",
    responses={503: {"description": "Database unreachable"}},
)
async def readyz(request: Request) -> Response:
    # Reads and writes have a pool each; either failing fails requests.
    for engine in (request.app.state.read_engine, request.app.state.engine):
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database means "not ready"
            detail = "The database does not answer."
            return problem(503, "Not ready", detail, "not-ready", {"Retry-After": "2"}, retry_after=2)
    return json_response({"status": "ready"})
