"""The baseline of the open pixel and click redirect: a bare ASGI app on an asyncpg pool that does
what `GET /api/v1/public/t/o/{token}` and `/t/c/{token}` must do, and nothing a framework adds.

Per request, like the app: verify the link's HMAC (the app's LinkSigner: a few microseconds of
hashlib either way), check the click's URL (http/https only), run the app's own recording
statement (app/repositories/tracking.py, the same SQL text and arguments) on a pooled connection,
and answer the GIF or the 302, with the same no-store headers.

    python -m bench.tracking_baseline --port 8102      (CRM_DATABASE_URL, CRM_JWT_KEYS)
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from app.domain.marketing.links import CLICK, OPEN, LinkSigner
from app.domain.marketing.tracking import USER_AGENT_MAX, safe_target
from app.domain.shared.ids import new_id
from app.repositories.tracking import _RECORD

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

log = logging.getLogger("bench.tracking_baseline")

OPEN_PREFIX = "/api/v1/public/t/o/"
CLICK_PREFIX = "/api/v1/public/t/c/"
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = [
    (b"cache-control", b"no-store, no-cache, must-revalidate, max-age=0, private"),
    (b"pragma", b"no-cache"),
    (b"expires", b"0"),
]
NOT_FOUND = b'{"type":"not-found","title":"Not found","status":404,"detail":"no such link"}'


class TrackingBaseline:
    def __init__(self, url: str, signer: LinkSigner, pool_size: int) -> None:
        self.url = url
        self.signer = signer
        self.pool_size = pool_size
        self.pool: asyncpg.Pool | None = None
        self.statements = {kind: (p.sql, p.names, p.constants) for kind, p in _RECORD.items()}

    async def _record(self, kind: str, target: Any, url: str | None, scope: Scope) -> None:
        sql, names, constants = self.statements[kind]
        agent = None
        for name, value in scope["headers"]:
            if name == b"user-agent":
                agent = value.decode("latin-1")[:USER_AGENT_MAX]
        client = scope.get("client")
        values = {
            **constants,
            "tenant_id": target.tenant_id,
            "delivery_id": target.delivery_id,
            "event_id": new_id(),
            "outbox_id": new_id(),
            "url": url,
            "ip": client[0] if client else None,
            "user_agent": agent,
        }
        assert self.pool is not None
        try:
            async with self.pool.acquire() as conn:
                await conn.fetch(sql, *(values[n] for n in names))
        except Exception:  # as the app: the redirect matters more than one count
            log.exception("could not record")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.pool = await asyncpg.create_pool(
                        self.url,
                        min_size=min(16, self.pool_size),
                        max_size=self.pool_size,
                        server_settings={"plan_cache_mode": "force_custom_plan", "jit": "off"},
                    )
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self.pool is not None:
                        await self.pool.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path: str = scope["path"]
        if path == "/healthz":
            await _answer(send, 200, [(b"content-type", b"application/json")], b'{"status":"ok"}')
            return
        if path.startswith(OPEN_PREFIX):
            target = self.signer.verify(OPEN, path[len(OPEN_PREFIX) :])
            if target is not None:
                await self._record(OPEN, target, None, scope)
                await _answer(send, 200, [(b"content-type", b"image/gif"), *NO_STORE], PIXEL)
                return
        elif path.startswith(CLICK_PREFIX):
            target = self.signer.verify(CLICK, path[len(CLICK_PREFIX) :])
            url = safe_target(target.url) if target is not None else None
            if target is not None and url is not None:
                await self._record(CLICK, target, url, scope)
                await _answer(send, 302, [(b"location", url.encode()), *NO_STORE], b"")
                return
        await _answer(send, 404, [(b"content-type", b"application/problem+json")], NOT_FOUND)


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="bare ASGI + asyncpg baseline of the open pixel and click redirect")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8102)
    args = parser.parse_args()
    url = os.environ["CRM_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
    keys = dict(entry.strip().partition(":")[::2] for entry in os.environ["CRM_JWT_KEYS"].split(",") if entry.strip())
    signer = LinkSigner(keys, next(iter(keys)))
    pool_size = int(os.environ.get("CRM_DB_POOL_SIZE", "40")) + int(os.environ.get("CRM_DB_MAX_OVERFLOW", "10"))
    uvicorn.run(
        TrackingBaseline(url, signer, pool_size),
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
