"""Query and header parameters shared by list and write endpoints."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import Header, Query, Request

from app.api.v1.schemas.sync import SYNC_TOKEN_DOC
from app.auth.principal import Principal
from app.domain.shared.errors import PreconditionFailed, ValidationFailed
from app.domain.shared.paging import DEFAULT_LIMIT, MAX_LIMIT, Page

Limit = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT}, max {MAX_LIMIT})."),
]
CursorParam = Annotated[
    str | None,
    Query(max_length=512, description="Opaque cursor from the previous page's next_cursor."),
]
SearchParam = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        description="Finds any part of name, email or phone (Chinese included).",
    ),
]
AllowDuplicate = Annotated[bool, Query(description="Create even when the normalized email or phone already exists.")]
IfMatch = Annotated[
    str | None,
    Header(max_length=64, description='The ETag from GET (W/"<version>"); 412 when stale.'),
]

WHERE_DOC = (
    'A condition tree as JSON, URL-encoded: {"op": "and" | "or", "conditions": [{"field", "op", "value"} | a group]}, '
    "over the fields GET /api/v1/reports/fields?entity= lists. ANDed with the other filters and your data range; "
    "a bad condition is a 422 naming its path (where.conditions[0].value). What a report's drill-down links carry."
)
WhereParam = Annotated[str | None, Query(max_length=20_000, description=WHERE_DOC)]

SyncTokenParam = Annotated[
    str | None,
    Query(
        max_length=200,
        description=SYNC_TOKEN_DOC,
    ),
]

# An analysis window (app/domain/analytics/window.py): local dates in the tenant's time zone.
WindowFrom = Annotated[
    date | None, Query(alias="from", description="First local date, inclusive (default: 1 January).")
]
WindowTo = Annotated[
    date | None, Query(description="Last local date, inclusive (default: today, in the tenant's zone).")
]
WindowGrain = Annotated[
    str | None, Query(max_length=10, description="Buckets of the series: day, week, month (default), quarter, year.")
]

_ETAG = re.compile(r'^(?:W/)?"(\d{1,9})"$')
CUSTOM_PREFIX = "custom."


def owner_filter(raw: str | None, principal: Principal) -> UUID | None:
    """`owner=me` or a user id."""
    if raw is None:
        return None
    if raw == "me":
        return principal.user_id
    try:
        return UUID(raw)
    except ValueError:
        raise ValidationFailed.one("owner", "must be 'me' or a user id")


def page_body(page: Page[Any]) -> dict[str, Any]:
    """A list page; a sync feed's last page also carries its `next_sync_token`."""
    body: dict[str, Any] = {"items": page.items, "next_cursor": page.next_cursor}
    if page.next_sync_token is not None:
        body["next_sync_token"] = page.next_sync_token
    return body


def custom_filters(request: Request) -> dict[str, str]:
    """`custom.<key>=<value>` query parameters, by key."""
    found = {k[len(CUSTOM_PREFIX) :]: v for k, v in request.query_params.items() if k.startswith(CUSTOM_PREFIX)}
    for key, value in found.items():
        if not key or len(key) > 63 or len(value) > 200:
            raise ValidationFailed.one(f"custom.{key}", "is not a usable custom-field filter")
    return found


def expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match.strip())
    if not match:
        raise PreconditionFailed("If-Match must be an ETag this API handed out")
    return int(match.group(1))
