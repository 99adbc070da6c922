"""`crm create-tenant` and `crm create-user`: the same use cases as the API, from the shell."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner, Result

from app.cli import cli
from app.settings import get_settings
from tests.api.identity_support import bearer, login
from tests.builders import unique_email


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CRM_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _run(*args: str) -> Result:
    # The command runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args))


async def test_create_tenant_then_users(cli_env: None, client: httpx.AsyncClient) -> None:
    admin_email = unique_email("cli-admin")
    result = await _run(
        "create-tenant", "--name", "Shell Co", "--admin-email", admin_email, "--admin-name", "Root",
        "--password", "shell passphrase 42",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    tenant_id = re.search(r"tenant ([0-9a-f-]{36}) created", result.output).group(1)  # type: ignore[union-attr]
    admin = await login(client, admin_email, "shell passphrase 42")
    me = (await client.get("/api/v1/auth/me", headers=bearer(admin["access_token"]))).json()
    assert me["tenant_id"] == tenant_id and me["tenant_name"] == "Shell Co"
    assert [r["key"] for r in me["roles"]] == ["admin"]

    dept = await client.post("/api/v1/departments", json={"name": "Sales"}, headers=bearer(admin["access_token"]))
    rep_email = unique_email("cli-rep")
    result = await _run(
        "create-user", "--tenant-id", tenant_id, "--email", rep_email, "--name", "Rep", "--role", "sales_rep",
        "--role", "marketer", "--department-id", dept.json()["id"], "--password", "shell passphrase 43",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rep = await login(client, rep_email, "shell passphrase 43")
    me = (await client.get("/api/v1/auth/me", headers=bearer(rep["access_token"]))).json()
    assert sorted(r["key"] for r in me["roles"]) == ["marketer", "sales_rep"]
    assert me["user"]["department_id"] == dept.json()["id"]

    # Mistakes are reported, not raised.
    again = await _run(
        "create-user", "--tenant-id", tenant_id, "--email", rep_email.upper(), "--name", "Dup", "--role", "sales_rep",
        "--password", "shell passphrase 44",
    )  # fmt: skip
    assert again.exit_code == 1 and "already exists" in again.output
    bad_role = await _run(
        "create-user", "--tenant-id", tenant_id, "--email", unique_email("x"), "--name", "X", "--role", "wizard",
        "--password", "shell passphrase 44",
    )  # fmt: skip
    assert bad_role.exit_code == 1 and "wizard" in bad_role.output
    weak = await _run(
        "create-tenant", "--name", "Weak", "--admin-email", unique_email("w"), "--admin-name", "W",
        "--password", "password123",
    )  # fmt: skip
    assert weak.exit_code == 1 and "common" in weak.output
