"""CPU per request, for comparing two versions of a hot path on a machine that is not idle.

`python -m bench.cpu board_director forecast_director --requests 300` serves the app in-process
(httpx over ASGI, no network, no wrk) against the benchmark database and sends the scenarios'
GET requests one after another. It reports the CPU time this process spent per request (the app
plus a thin client) and the CPU the PostgreSQL server spent per request (its processes' user and
system time, read from /proc). CPU time, unlike latency under load, hardly moves when other work
shares the machine, so it shows whether a change made a request cheaper; `make bench` remains the
measure of latency and throughput (DESIGN.md section 8).

With CRM_BENCH_DATABASE_URL (host= the server's data directory) it measures a copy database on a
shared server, counting only that database's backends. `--profile` prints the top functions;
BENCH_PROFILE_SORT (default tottime, e.g. cumulative) and BENCH_PROFILE_LINES (default 25) shape it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from app.auth.jwt_tokens import issue_access_token
from app.auth.permissions import SYSTEM_ROLES
from app.domain.shared.clock import utcnow
from app.main import create_app
from app.migrate import upgrade
from app.repositories.database import async_url
from app.repositories.sessions import open_session
from app.settings import Settings
from bench.drive import CALLERS, _selling, _service
from bench.run import ROOT, prepare_data
from bench.scenarios import scenarios

log = logging.getLogger("bench.cpu")
TICK = os.sysconf("SC_CLK_TCK")


def _postgres_cpu(pgdata: Path, database: str | None = None) -> float:
    """Seconds of CPU used by the server: the postmaster, its live children, its reaped ones; or,
    with `database` (a server others use too), only the live backends connected to it."""
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            title = Path(entry.path, "cmdline").read_bytes().decode(errors="replace") if database else ""
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if database:
            if ppid == postmaster and f" {database} " in title:
                total += int(fields[11]) + int(fields[12])
        elif pid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / TICK


async def measure(url: str, pgdata: Path, database: str | None, names: list[str], requests: int, profile: bool) -> None:
    settings = Settings(env="development", worker_in_serve=False)
    tenant = await prepare_data(url, settings, regenerate=False, scale=1.0)
    selling = await _selling(url, settings, tenant)
    chosen = {s.name: s for s in scenarios("星辰", "acme", selling, _service(tenant))}
    app = create_app(settings, database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name in names:
                scenario = chosen[name]
                if scenario.method != "GET" or scenario.ids:
                    log.warning("%s: only GET scenarios without ids are measured here", name)
                    continue
                user = tenant.users[CALLERS[scenario.caller]]
                scopes = set(SYSTEM_ROLES[user.role]["permissions"])
                async with app.state.engine.begin() as conn:
                    expires_at = utcnow() + timedelta(days=settings.session_max_days)
                    session_id = await open_session(conn, tenant.id, user.id, expires_at)
                token, _ = issue_access_token(
                    settings, user_id=user.id, tenant_id=tenant.id, scopes=scopes, session_id=session_id
                )
                headers = {"Authorization": f"Bearer {token}"}
                for _ in range(max(10, requests // 10)):  # warm caches and prepared statements
                    (await client.get(scenario.url_path, headers=headers)).raise_for_status()
                profiler = cProfile.Profile() if profile else None
                app_cpu, db_cpu, wall = time.process_time(), _postgres_cpu(pgdata, database), time.perf_counter()
                if profiler:
                    profiler.enable()
                for _ in range(requests):
                    (await client.get(scenario.url_path, headers=headers)).raise_for_status()
                if profiler:
                    profiler.disable()
                app_cpu = (time.process_time() - app_cpu) / requests * 1000
                db_cpu = (_postgres_cpu(pgdata, database) - db_cpu) / requests * 1000
                wall = (time.perf_counter() - wall) / requests * 1000
                print(f"{name:20} app+client {app_cpu:6.2f} ms CPU  postgres {db_cpu:6.2f} ms CPU  wall {wall:6.2f} ms")
                if profiler:  # the profiler's own overhead inflates the figures above
                    pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(
                        int(os.environ.get("BENCH_PROFILE_LINES", "25"))
                    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="cProfile the measured requests (top 25 by own time)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    external = os.environ.get("CRM_BENCH_DATABASE_URL")
    if external:
        # A database of its own on a server others may use: its socket directory must be the
        # server's data directory (an embedded server's is), and only its own backends count.
        url = async_url(external)
        parsed = make_url(url)
        pgdata, database = Path(str(parsed.query.get("host", ""))), parsed.database
        if not (pgdata / "postmaster.pid").exists():
            parser.error("CRM_BENCH_DATABASE_URL must name the server's data directory as its host=")
        upgrade(url)
        asyncio.run(measure(url, pgdata, database, args.scenarios, args.requests, args.profile))
        return 0
    from bench.pg import EmbeddedPostgres

    embedded = EmbeddedPostgres(ROOT / ".crm" / "bench", "crm_bench")
    url = embedded.start()
    try:
        upgrade(url)
        asyncio.run(measure(url, ROOT / ".crm" / "bench" / "pgdata", None, args.scenarios, args.requests, args.profile))
    finally:
        embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
