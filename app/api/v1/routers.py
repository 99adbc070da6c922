"""Every /api/v1 router, in the order they appear in the OpenAPI document."""

from fastapi import APIRouter

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module in ROUTER_MODULES:
        router.include_router(module.router)
    return router


ROUTER_MODULES: list = []  # type: ignore[type-arg]
