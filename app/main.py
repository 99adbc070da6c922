"""create_app(): middleware, routers, lifespan; nothing else."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from starlette.types import ASGIApp

from app.api import errors, spa
from app.api.middleware import BodyLimitMiddleware, RequestIdMiddleware, SecurityHeadersMiddleware
from app.api.openapi import customize_openapi
from app.api.rate_limits import QuotaPolicies
from app.api.responses import ORJSON
from app.api.v1 import health
from app.api.v1.routers import API_PREFIX, ROUTERS
from app.domain.shared.quotas import CounterStore, QuotaCounter
from app.repositories.database import create_engine, open_connections, resolve_url
from app.repositories.rate_limits import PgCounterStore
from app.repositories.redis_counters import RedisCounterStore
from app.settings import Settings, get_settings
from app.worker import Worker

DOCS = "/docs"
REDOC = "/redoc"


def _operation_id(route: APIRoute) -> str:
    # Routes name their operation ids explicitly (customers_list, ...); this is a fallback.
    return route.name


class _App(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Starlette puts its ServerErrorMiddleware, which answers the 500s, outside all user
        # middleware: the request id goes around it, so every response carries X-Request-ID.
        return RequestIdMiddleware(super().build_middleware_stack())


def create_app(settings: Settings | None = None, database_url: str | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or resolve_url(settings)
        app.state.engine = create_engine(url, settings, budget=True)
        app.state.read_engine = create_engine(url, settings, autocommit=True, budget=True)
        await open_connections(app.state.read_engine, settings.db_prewarm)
        redis = (
            RedisCounterStore.from_url(settings.redis_url)
            if settings.redis_url and settings.rate_limit_enabled
            else None
        )
        if settings.rate_limit_enabled:
            # The request counters: shared by every process through Redis or PostgreSQL.
            store: CounterStore = redis or PgCounterStore(app.state.read_engine)
            app.state.quotas = QuotaCounter(store, settings.rate_limit_sync_ms / 1000)
            app.state.quotas.start()
        # Everything built so far lives as long as the process: keep it out of the collector's
        # full passes, which otherwise walk it all and stall requests for tens of milliseconds.
        gc.collect()
        gc.freeze()
        stop = asyncio.Event()
        worker = asyncio.create_task(Worker(app.state.engine, settings).run(stop)) if settings.worker_in_serve else None
        try:
            yield
        finally:
            stop.set()
            if worker is not None:
                await worker
            if app.state.quotas is not None:
                await app.state.quotas.stop()
            if redis is not None:
                await redis.close()
            await app.state.engine.dispose()
            await app.state.read_engine.dispose()

    app = _App(
        title="CRM API",
        version="1.0.0",
        summary="Customers, contacts and their interaction history, with tenant, role and data-range security.",
        lifespan=lifespan,
        default_response_class=ORJSON,
        generate_unique_id_function=_operation_id,
        # Production serves no interactive docs unless CRM_DOCS_ENABLED; the contract stays at
        # CRM_OPENAPI_PATH (and in the repository, openapi/openapi.json).
        docs_url=DOCS if settings.interactive_docs else None,
        redoc_url=REDOC if settings.interactive_docs else None,
        openapi_url=settings.openapi_path or None,
    )
    app.state.settings = settings
    app.state.quotas = None  # set by the lifespan when the rate limits are on
    app.state.quota_policies = QuotaPolicies(settings)
    errors.install(app)
    app.include_router(health.router)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    if spa.available(settings.web_dir):
        # The router's fallback: it sees only paths no route matched (a known path with another
        # method still answers 405, a missing trailing slash still redirects).
        app.router.default = spa.SinglePageApp(settings.web_dir)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["ETag", "Retry-After", "X-Request-ID", "Location", "RateLimit", "RateLimit-Policy"],
            max_age=600,
        )
    # Outermost: every answer, the other layers' own (413, CORS preflight) included.
    docs = (DOCS, f"{DOCS}/oauth2-redirect", REDOC) if settings.interactive_docs else ()
    app.add_middleware(SecurityHeadersMiddleware, force_hsts=settings.force_hsts, no_csp_paths=frozenset(docs))
    customize_openapi(app)
    return app
