"""Every error leaves as RFC 9457 application/problem+json. Domain errors map by class; request
validation errors become 422 with an `errors` list; a database that is away, busy or over the
time budget 503 with Retry-After; anything unexpected is a bare 500 (logged)."""

from __future__ import annotations

import logging
import re
from typing import Any
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api import headers as h
from app.api.i18n import localized
from app.api.responses import dumps
from app.auth.principal import Principal
from app.domain.shared import errors as e
from app.repositories.audit import record_denied
from app.repositories.faults import RETRY_AFTER_SECONDS, DatabaseUnavailable, Fault, classify, invalid_argument

log = logging.getLogger("crm.errors")

PROBLEM = "application/problem+json"
TYPE_BASE = "https://crm.example.org/problems/"

STATUS: dict[type[e.DomainError], int] = {
    e.ValidationFailed: 422,
    e.NotFound: 404,
    e.PermissionDenied: 403,
    e.Unauthenticated: 401,
    e.Duplicate: 409,
    e.Conflict: 409,
    e.InvalidTransition: 409,
    e.PreconditionFailed: 412,
    e.TooManyRequests: 429,
    e.FeatureDisabled: 403,
    e.Gone: 410,
}


def status_of(error: e.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail, **extra}
    return Response(dumps(body), status_code=status, media_type=PROBLEM, headers=headers)


def _field_name(error: Any) -> str:
    if error.get("type") == "json_invalid":  # its location is a character offset, not a field
        return "body"
    parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


UUID_IN_PATH = re.compile(r"/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:/|$)")


async def _audit_denied(request: Request, exc: e.PermissionDenied) -> None:
    """Every refusal of a signed-in caller is a security event (separation of duties: each attempt
    to reach beyond one's powers is visible to the audit administrator)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    engine = getattr(request.app.state, "read_engine", None)
    if principal is None or engine is None:
        return
    path = request.url.path
    found = UUID_IN_PATH.search(path)
    target = path.removeprefix("/api/v1/").split("/", 1)[0]
    try:
        await record_denied(
            engine,
            principal,
            target,
            UUID(found.group(1)) if found else None,
            {"method": request.method, "path": path, "reason": exc.detail},
        )
    except Exception:  # the caller gets its 403 either way
        log.exception("could not audit a refused %s %s", request.method, path)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, e.DomainError)
    if isinstance(exc, e.PermissionDenied):
        await _audit_denied(request, exc)
    status = status_of(exc)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = dict(exc.extra)
    if isinstance(exc, e.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, e.TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
        extra["retry_after"] = exc.retry_after
    if isinstance(exc, e.ValidationFailed):
        extra["errors"] = [{"field": f.field, "message": f.message} for f in exc.errors]
    return problem(status, exc.title, exc.detail, exc.code, headers or None, **extra)


async def request_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    accept_language = request.headers.get("accept-language")
    errors = [{"field": _field_name(err), "message": localized(err, accept_language)} for err in exc.errors()]
    detail = "; ".join(f"{x['field']}: {x['message']}" for x in errors[:5])
    return problem(422, "Validation failed", detail, "validation-failed", errors=errors)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {
        401: "Authentication required",
        403: "Permission denied",
        404: "Not found",
        405: "Method not allowed",
        413: "Request body too large",
        415: "Unsupported media type",
    }
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    title = titles.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem(exc.status_code, title, detail, title.lower().replace(" ", "-"), headers or None)


# PostgreSQL refuses NUL in text (22021) and \u0000 in jsonb (22P05): client input, never a 500.
NUL_SQLSTATES = frozenset({"22021", "22P05"})


FAULTS = {
    Fault.UNAVAILABLE: ("Database unavailable", "The database cannot be reached right now.", "database-unavailable"),
    Fault.BUSY: ("Database busy", "No database connection or lock came free in time.", "database-busy"),
    Fault.TIMEOUT: ("Request too slow", "The request ran past its time budget in the database.", "database-timeout"),
}


async def database_error(request: Request, exc: Exception) -> Response:
    if getattr(getattr(exc, "orig", None), "sqlstate", None) in NUL_SQLSTATES:
        detail = "Text must not contain NUL (\\u0000) characters."
        errors = [{"field": "body", "message": detail}]
        return problem(422, "Validation failed", detail, "validation-failed", errors=errors)
    if invalid_argument(exc):
        detail = "A value is outside what can be stored (instants: years 1 to 9999 once moved to UTC)."
        return problem(
            422, "Validation failed", detail, "validation-failed", errors=[{"field": "request", "message": detail}]
        )
    fault = classify(exc)
    if fault is None:
        return await unexpected_error(request, exc)
    # Passing, and nothing the client did: say when to come back. The transaction was rolled back.
    log.warning("database %s on %s %s: %s", fault.value, request.method, request.url.path, exc)
    title, detail, code = FAULTS[fault]
    retry_after = RETRY_AFTER_SECONDS[fault]
    detail = f"{detail} Try again in {retry_after} s."
    return problem(503, title, detail, code, {"Retry-After": str(retry_after)}, retry_after=retry_after)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        "Internal error",
        "The server failed to handle this request; it has been logged.",
        "internal",
    )


async def outermost_error(request: Request, exc: Exception) -> Response:
    """The handler for `Exception`: Starlette runs it in its outermost layer, outside every
    middleware, so the security headers the middleware adds elsewhere are added here."""
    response = await unexpected_error(request, exc)
    tls = request.url.scheme == "https" or request.app.state.settings.force_hsts
    response.headers.update(_ERROR_HEADERS[tls])
    return response


_ERROR_HEADERS = {tls: h.as_dict((*h.common(tls), h.API_CSP)) for tls in (False, True)}


def install(app: FastAPI) -> None:
    app.add_exception_handler(e.DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(StatementError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)
    app.add_exception_handler(DatabaseUnavailable, database_error)
    app.add_exception_handler(Exception, outermost_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: documents its problem+json answers in the OpenAPI document."""
    return {
        s: {
            "description": HTTP_DESCRIPTIONS.get(s, "Error"),
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }


HTTP_DESCRIPTIONS = {
    401: "Missing, invalid or expired credentials",
    403: "The caller lacks the required permission",
    404: "No such record within the caller's data range",
    409: "Conflict (duplicate, state)",
    410: "Gone: the link expired or was withdrawn",
    412: "If-Match did not match the current version",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many requests",
    503: "The database is unavailable, busy or over the time budget: try again after Retry-After",
}
