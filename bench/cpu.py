"""CPU per request, for comparing two versions of a hot path on a machine that is not idle.

`python -m bench.cpu board_director forecast_director --requests 300` serves the app in-process
(httpx over ASGI, no network, no wrk) against the benchmark database and sends the scenarios'
GET requests one after another. It reports the CPU time this process spent per request (the app
plus a thin client) and the CPU the PostgreSQL server spent per request (its processes' user and
system time, read from /proc). CPU time, unlike latency under load, hardly moves when other work
shares the machine, so it shows whether a change made a request cheaper; `make bench` remains the
measure of latency and throughput (DESIGN.md section 8).

`--compare CRM_RATE_LIMIT_ENABLED=false --rounds 5` serves a second app with that setting and
measures both in turn, five times each, reporting the medians and the ratio of the app's CPU per
request to the other's (what a feature costs). `--scale 0.1` for data generated at that scale.
GET scenarios with ids (get_rep) rotate over the caller's records.

With CRM_BENCH_DATABASE_URL (host= the server's data directory) it measures a copy database on a
shared server, counting only that database's backends. `--profile` prints the top functions;
BENCH_PROFILE_SORT (default tottime, e.g. cumulative) and BENCH_PROFILE_LINES (default 25) shape it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import os
import pstats
import statistics
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
from bench.drive import CALLERS, _ids, _selling, _service, _unthrottled
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


def _overrides(pairs: list[str]) -> dict[str, str]:
    """CRM_RATE_LIMIT_ENABLED=false -> {"rate_limit_enabled": "false"} (validated by Settings)."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.startswith("CRM_"):
            raise SystemExit(f"--compare takes CRM_NAME=value, not {pair!r}")
        out[key[len("CRM_") :].lower()] = value
    return out


async def _send(
    client: httpx.AsyncClient, paths: list[str], headers: dict[str, str], requests: int, pg: tuple[Path, str | None]
) -> tuple[float, float, float]:
    """Milliseconds per request: the app's CPU (plus the client's), PostgreSQL's CPU, wall time."""
    app_cpu, db_cpu, wall = time.process_time(), _postgres_cpu(*pg), time.perf_counter()
    for i in range(requests):
        (await client.get(paths[i % len(paths)], headers=headers)).raise_for_status()
    return (
        (time.process_time() - app_cpu) / requests * 1000,
        (_postgres_cpu(*pg) - db_cpu) / requests * 1000,
        (time.perf_counter() - wall) / requests * 1000,
    )


async def measure(
    url: str,
    pgdata: Path,
    database: str | None,
    names: list[str],
    requests: int,
    profile: bool,
    scale: float = 1.0,
    compare: dict[str, str] | None = None,
    rounds: int = 1,
) -> None:
    settings = Settings(env="development", worker_in_serve=False)
    tenant = await prepare_data(url, settings, regenerate=False, scale=scale)
    await _unthrottled(url, settings)
    selling = await _selling(url, settings, tenant)
    ids = await _ids(url, settings, tenant)
    chosen = {s.name: s for s in scenarios("星辰", "acme", selling, _service(tenant))}
    variants = {"app": settings}
    if compare:
        variants["compare"] = Settings(env="development", worker_in_serve=False, **compare)  # type: ignore[arg-type]
        print(f"compare: the app with {compare}")
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        engines = []
        for label, each in variants.items():
            app = create_app(each, database_url=url)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            engines.append(app.state.engine)
            clients[label] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://bench")
            )
        for name in names:
            scenario = chosen[name]
            if scenario.method != "GET":
                log.warning("%s: only GET scenarios are measured here", name)
                continue
            # A get rotates over its caller's records, as bench/wrk/get.lua does.
            paths = [f"{scenario.path}/{i}" for i in ids[scenario.ids]] if scenario.ids else [scenario.url_path]
            user = tenant.users[CALLERS[scenario.caller]]
            scopes = set(SYSTEM_ROLES[user.role]["permissions"])
            async with engines[0].begin() as conn:  # access tokens belong to a live session
                expires_at = utcnow() + timedelta(days=settings.session_max_days)
                session_id = await open_session(conn, tenant.id, user.id, expires_at)
            token, _ = issue_access_token(
                settings, user_id=user.id, tenant_id=tenant.id, scopes=scopes, session_id=session_id
            )
            headers = {"Authorization": f"Bearer {token}"}
            for client in clients.values():  # warm caches and prepared statements
                await _send(client, paths, headers, max(10, requests // 10), (pgdata, database))
            figures: dict[str, list[tuple[float, float, float]]] = {label: [] for label in clients}
            profiler = cProfile.Profile() if profile else None
            for _ in range(rounds):  # the variants in turn: a change in the machine's load hits both
                for label, client in clients.items():
                    if profiler and label == "app":
                        profiler.enable()
                    figures[label].append(await _send(client, paths, headers, requests, (pgdata, database)))
                    if profiler and label == "app":
                        profiler.disable()
            for label, runs in figures.items():
                app_cpu, db_cpu, wall = (statistics.median(r[i] for r in runs) for i in range(3))
                print(
                    f"{name:20} {label:8} app+client {app_cpu:6.3f} ms CPU  postgres {db_cpu:6.3f} ms CPU  "
                    f"wall {wall:6.2f} ms  (median of {len(runs)} x {requests})"
                )
            if compare:
                ratio = statistics.median(r[0] for r in figures["app"]) / statistics.median(
                    r[0] for r in figures["compare"]
                )
                print(f"{name:20} app/compare CPU per request {ratio:.3f}")
            if profiler:  # the profiler's own overhead inflates the figures above
                pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(
                    int(os.environ.get("BENCH_PROFILE_LINES", "25"))
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="cProfile the measured requests (top 25 by own time)")
    parser.add_argument("--scale", type=float, default=1.0, help="the bench data's size factor (as bench.run's)")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        help="also serve the app with this setting (CRM_NAME=value, repeatable) and measure both in turn, "
        "e.g. CRM_RATE_LIMIT_ENABLED=false",
    )
    parser.add_argument("--rounds", type=int, default=1, help="measurements per variant, in turn (the median counts)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    extra = (args.scale, _overrides(args.compare), args.rounds)
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
        asyncio.run(measure(url, pgdata, database, args.scenarios, args.requests, args.profile, *extra))
        return 0
    from bench.pg import EmbeddedPostgres

    embedded = EmbeddedPostgres(ROOT / ".crm" / "bench", "crm_bench")
    url = embedded.start()
    try:
        upgrade(url)
        pgdata = ROOT / ".crm" / "bench" / "pgdata"
        asyncio.run(measure(url, pgdata, None, args.scenarios, args.requests, args.profile, *extra))
    finally:
        embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
