"""Idempotency-Key on POST: a retry with the same key and body returns the first response and
changes nothing; the same key with another body is refused (422).

    return await idempotent(lambda: create_and_shape(...))
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Request
from fastapi.responses import Response

from app.api.deps import AppSettings, Connection, CurrentPrincipal
from app.domain.shared.errors import ValidationFailed
from app.repositories.idempotency import PgIdempotencyStore, StoredResponse

MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("location", "etag", "content-type")


class Idempotency:
    def __init__(
        self,
        request: Request,
        store: PgIdempotencyStore,
        principal_key: tuple[UUID, UUID] | None,
        key: str | None,
        ttl_hours: int,
    ) -> None:
        self.request = request
        self.store = store
        self.principal_key = principal_key
        self.key = key
        self.ttl_hours = ttl_hours

    async def __call__(self, handler: Callable[[], Awaitable[Response]]) -> Response:
        if not self.key or self.principal_key is None:
            return await handler()
        tenant_id, principal_id = self.principal_key
        fingerprint = hashlib.sha256(
            self.request.method.encode()
            + b" "
            + self.request.url.path.encode()
            + b"?"
            + self.request.url.query.encode()
            + b"\n"
            + await self.request.body()
        ).digest()
        stored = await self.store.lock_and_find(tenant_id, principal_id, self.key, self.ttl_hours)
        if stored is not None:
            if stored.request_hash != fingerprint:
                raise ValidationFailed.one("Idempotency-Key", "was already used with a different request")
            headers = {**stored.headers, "Idempotent-Replayed": "true"}
            return Response(stored.body, status_code=stored.status_code, headers=headers)
        response = await handler()
        keep = {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
        await self.store.save(
            tenant_id,
            principal_id,
            self.key,
            StoredResponse(fingerprint, response.status_code, bytes(response.body), keep),
        )
        return response


async def idempotency(
    request: Request,
    conn: Connection,
    settings: AppSettings,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=MAX_KEY_LENGTH,
            description=(
                "Makes the POST safe to retry: the same key and body return the first response and create nothing new."
            ),
        ),
    ] = None,
) -> Idempotency:
    principal_id = principal.api_token_id or principal.user_id
    return Idempotency(
        request,
        PgIdempotencyStore(conn),
        (principal.tenant_id, principal_id),
        idempotency_key,
        settings.idempotency_ttl_hours,
    )


Idempotent = Annotated[Idempotency, Depends(idempotency)]
