"""Every /api/v1 router, in the order they appear in the OpenAPI document.
A new resource module adds its import and one line to ROUTERS."""

from fastapi import APIRouter

from app.api.v1 import activities, contacts, custom_fields, customers, timeline

API_PREFIX = "/api/v1"

ROUTERS: list[APIRouter] = [
    customers.router,
    timeline.router,
    contacts.router,
    activities.router,
    custom_fields.router,
]


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module_router in ROUTERS:
        router.include_router(module_router)
    return router
