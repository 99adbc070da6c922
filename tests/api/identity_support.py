"""Helpers shared by the identity API tests (auth, tokens, users, departments, roles, audit)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from app.main import create_app
from app.settings import Settings
from tests.builders import PASSWORD


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


@asynccontextmanager
async def client_from(app: FastAPI | object, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client calling from another address (throttling is per account and address)."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@asynccontextmanager
async def app_with(database_url: str, **overrides: Any) -> AsyncIterator[FastAPI]:
    """Another instance of the app on the same database, with some settings changed."""
    application = create_app(Settings(env="test", **overrides), database_url=database_url)
    async with application.router.lifespan_context(application):
        yield application
