"""Test harness: a real PostgreSQL (embedded by default, CRM_TEST_DATABASE_URL overrides), one
database per xdist worker built by the migrations (as the owner role), the real app over httpx
(as the application role, so the whole suite runs on the application role's grants).

Isolation: every test builds its own tenant(s) with unique emails (tests/builders.py). All data is
tenant-scoped, so tests never see each other's rows and need no cleanup.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from passlib.context import CryptContext
from sqlalchemy.ext.asyncio import AsyncEngine

from app import local_postgres, migrate
from app.auth import passwords
from app.main import create_app
from app.repositories.database import async_url, create_engine
from app.settings import Settings
from tests.builders import Factory
from tests.dbutil import TEST_APP, drop_database, recreate_database, role_url

ROOT = Path(__file__).resolve().parent.parent

# Argon2 at production cost makes every user insert take ~50 ms; the scheme stays the same.
passwords._context = CryptContext(schemes=["argon2"], argon2__type="ID", argon2__memory_cost=256, argon2__rounds=1)


def _database_name() -> str:
    # Unique per process: parallel runs (xdist workers, several developers) never share one.
    return f"crm_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


@pytest.fixture(scope="session")
def admin_url() -> str:
    """A superuser on the test server (creates and drops the databases)."""
    external = os.environ.get("CRM_TEST_DATABASE_URL")
    return async_url(external) if external else local_postgres.start(ROOT / ".crm" / "test", database="postgres")


@pytest.fixture(scope="session")
def migration_url(admin_url: str) -> Iterator[str]:
    """The test database as its owner role, migrated to head."""
    name = _database_name()
    owner, _ = asyncio.run(recreate_database(admin_url, name))
    migrate.upgrade(owner, app_role=TEST_APP)
    yield owner
    asyncio.run(drop_database(admin_url, name))


@pytest.fixture(scope="session")
def database_url(migration_url: str) -> str:
    """The test database as the application role: the app under test has only its grants."""
    return role_url(migration_url, TEST_APP)


@pytest.fixture(scope="session")
def settings() -> Settings:
    # The API alone: no worker (tests/integration/test_worker.py runs it where it asks for it), and
    # no web client whether or not frontend/dist is built (tests/api/test_spa.py serves one).
    return Settings(
        env="test",
        allow_signup=True,
        db_prewarm=0,
        worker_in_serve=False,
        web_dir=ROOT / "tests" / "no-web-client",
        app_database_role=TEST_APP,
        # Tests share users' addresses and run fast: quotas high enough never to trip here.
        # tests/api/test_rate_limits.py runs apps of its own with the real defaults.
        rate_limit_per_user=1_000_000,
        rate_limit_per_token=1_000_000,
        login_max_failures_per_client=1_000_000,
    )


@pytest.fixture(scope="session")
async def app(database_url: str, settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings, database_url=database_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def engine(app: object) -> AsyncEngine:
    return app.state.engine  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def factory(engine: AsyncEngine, settings: Settings) -> Factory:
    return Factory(engine, settings)


@pytest.fixture
def scratch_engine_factory(database_url: str, settings: Settings):  # type: ignore[no-untyped-def]
    """Engines on throwaway databases (migration tests)."""
    made: list[AsyncEngine] = []

    def make(url: str) -> AsyncEngine:
        e = create_engine(url, settings)
        made.append(e)
        return e

    return make
