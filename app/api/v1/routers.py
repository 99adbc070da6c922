"""Every /api/v1 router, in the order they appear in the OpenAPI document.
A new resource module adds its import and one line to ROUTERS."""

from fastapi import APIRouter

from app.api.v1 import (
    activities,
    api_tokens,
    audit_log,
    auth,
    contacts,
    custom_fields,
    customers,
    departments,
    regions,
    roles,
    timeline,
    users,
)

API_PREFIX = "/api/v1"

ROUTERS: list[APIRouter] = [
    auth.router,
    users.router,
    departments.router,
    regions.router,
    roles.router,
    api_tokens.router,
    audit_log.router,
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
