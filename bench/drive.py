"""Drive the real server and the baseline with wrk, scenario by scenario, and report.

Both servers run side by side on loopback (one process each, the same pool size, the same
database); each measurement is a short warm-up then a timed wrk run with a Lua `done()` that
prints the latency distribution as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy as sa

from app.auth.jwt_tokens import issue_access_token
from app.auth.permissions import SYSTEM_ROLES
from app.domain.marketing.links import LinkSigner
from app.domain.shared.clock import utcnow
from app.repositories.database import create_engine
from app.repositories.deal_sums import PgRollupCompaction
from app.repositories.home_widgets import PgLeadRollupCompaction
from app.repositories.sessions import open_session
from app.repositories.tables import (
    campaign_members,
    customers,
    departments,
    leads,
    opportunities,
    pipeline_stages,
    tenants,
)
from app.repositories.ticket_stats import PgTicketStatsCompaction
from app.settings import Settings
from bench import capture, generate_events, generate_kb, generate_marketing, profile, report, verify
from bench.bodies import LOAD_EMAIL_DOMAIN, LOAD_TAG
from bench.generate import BenchTenant
from bench.generate_selling import FORM_KEYS
from bench.scenarios import (
    SEGMENT_PREVIEW_BODY,
    Scenario,
    Selling,
    Service,
    current_quarter,
    kb_search_paths,
    period_ending_now,
    scenarios,
    tracking_scenarios,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
log = logging.getLogger("bench.drive")

CALLERS = {
    "rep": "east.rep010",
    "manager": "east.manager",
    "admin": "admin",
    "director": "director",
    # bench/generate_service.py's Service team
    "agent": "agent01",
    "service_manager": "service.manager",
}
ID_COUNT = 1000
# The campaign send (bench/sends.py): no wrk scenario, a row of the same table.
SENDS = "campaign_send"


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Measurement:
    scenario: str
    target: str
    connections: int
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        r = self.result
        return r["requests"] / (r["duration_us"] / 1e6) if r.get("duration_us") else 0.0

    @property
    def error_kinds(self) -> str:
        kinds = ("connect", "read", "write", "status", "timeout")
        return ", ".join(f"{k} {self.result[f'errors_{k}']}" for k in kinds if self.result.get(f"errors_{k}"))

    @property
    def errors(self) -> int:
        r = self.result
        return sum(
            int(r.get(k, 0))
            for k in ("errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout")
        )


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log.info("wrk is missing: installing the Debian package")
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=600)
    else:
        subprocess.run(["sudo", "apt-get", "update", "-qq"], check=True, timeout=600)
        subprocess.run(["sudo", "apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=600)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed (Debian package `wrk`)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(url: str, settings: Settings, jwt_key: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(
        {
            "CRM_ENV": "development",
            "CRM_DATABASE_URL": url,
            "CRM_JWT_KEYS": jwt_key,
            "CRM_ACCESS_TOKEN_MINUTES": "240",
            "CRM_HOST": "127.0.0.1",
            "CRM_PORT": str(port),
            "CRM_LOG_LEVEL": "warning",
            # The API alone, like the baseline: the outbox's consumer runs as its own process.
            "CRM_WORKER_IN_SERVE": "false",
            "CRM_DB_POOL_SIZE": str(settings.db_pool_size),
            "CRM_DB_MAX_OVERFLOW": str(settings.db_max_overflow),
            # The public lead form limits submissions per client address: behind a proxy, the
            # address is X-Forwarded-For, which bench/wrk/lead.lua varies like many visitors.
            "CRM_TRUST_FORWARDED_FOR": "true",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def start_server(name: str, command: list[str], env: dict[str, str], port: int, cwd: Path = ROOT) -> Server:
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{name}.log"
    out = log_path.open("wb")
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with {process.returncode}; see {log_path}:\n{log_path.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as r:
                if r.status == 200:
                    log.info("%s is up on port %d (pid %d)", name, port, process.pid)
                    return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"{name} did not answer /healthz within 90 s; see {log_path}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=5)
    log.info("%s stopped", server.name)


def run_wrk(
    wrk: str, server: Server, scenario: Scenario, connections: int, threads: int, duration: int, script_args: list[str]
) -> dict[str, Any]:
    command = [
        wrk,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        f"bench/wrk/{scenario.script}.lua",
        server.base_url + scenario.url_path,
        "--",
        *script_args,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=duration + 60, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = orjson.loads(line[len("BENCH_JSON ") :])
            return result
    raise RuntimeError(f"wrk printed no result (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


async def _ids(url: str, settings: Settings, tenant: BenchTenant) -> dict[str, list[UUID]]:
    engine = create_engine(url, settings)
    t = customers
    rep = tenant.users[CALLERS["rep"]]
    manager = tenant.users[CALLERS["manager"]]
    try:
        async with engine.connect() as conn:
            subtree = select_subtree(tenant.id, manager.department_id)
            mine = (
                (
                    await conn.execute(
                        sa.select(t.c.id)
                        .where(t.c.tenant_id == tenant.id, t.c.owner_id == rep.id, t.c.deleted_at.is_(None))
                        .order_by(sa.func.md5(sa.cast(t.c.id, sa.Text)))
                        .limit(2 * ID_COUNT)
                    )
                )
                .scalars()
                .all()
            )
            sample = sa.tablesample(t, sa.func.system(2), seed=sa.literal(7))
            theirs = (
                (
                    await conn.execute(
                        sa.select(sample.c.id)
                        .where(
                            sample.c.tenant_id == tenant.id,
                            sample.c.deleted_at.is_(None),
                            sample.c.department_id.in_(subtree),
                        )
                        .limit(ID_COUNT)
                    )
                )
                .scalars()
                .all()
            )
    finally:
        await engine.dispose()
    if len(mine) < 20 or len(theirs) < 20:
        raise RuntimeError("too few customers for the rep or the manager; regenerate the data")
    half = len(mine) // 2
    return {"rep": list(mine[:half]), "patch": list(mine[half:]), "manager": list(theirs)}


async def _selling(url: str, settings: Settings, tenant: BenchTenant) -> Selling | None:
    """The bigger pipeline and the public form of the benchmarked tenant (None: no selling data)."""
    if not tenant.marker.get("selling"):
        return None
    engine = create_engine(url, settings)
    try:
        async with engine.connect() as conn:
            pipeline = (
                await conn.execute(
                    sa.select(opportunities.c.pipeline_id)
                    .where(opportunities.c.tenant_id == tenant.id)
                    .group_by(opportunities.c.pipeline_id)
                    .order_by(sa.func.count().desc())
                    .limit(1)
                )
            ).scalar()
    finally:
        await engine.dispose()
    if pipeline is None:
        return None
    return Selling(str(pipeline), FORM_KEYS[tenant.name], current_quarter())


async def _stage_ids(url: str, settings: Settings, tenant: BenchTenant, pipeline_id: str) -> list[str]:
    """The rep's live deals in the pipeline's first two open stages without required fields, as
    "<deal> <its stage> <the other one>" (bench/wrk/stage.lua moves each to the other)."""
    engine = create_engine(url, settings)
    rep = tenant.users[CALLERS["rep"]]
    s, o = pipeline_stages, opportunities
    try:
        async with engine.connect() as conn:
            stages = (
                (
                    await conn.execute(
                        sa.select(s.c.id)
                        .where(
                            s.c.tenant_id == tenant.id,
                            s.c.pipeline_id == UUID(pipeline_id),
                            s.c.kind == "open",
                            s.c.required_fields == sa.cast(sa.literal([]), s.c.required_fields.type),
                            s.c.deleted_at.is_(None),
                        )
                        .order_by(s.c.position)
                        .limit(2)
                    )
                )
                .scalars()
                .all()
            )
            if len(stages) < 2:
                raise RuntimeError("the pipeline has fewer than two open stages without required fields")
            rows = (
                await conn.execute(
                    sa.select(o.c.id, o.c.stage_id)
                    .where(
                        o.c.tenant_id == tenant.id,
                        o.c.owner_id == rep.id,
                        o.c.deleted_at.is_(None),
                        o.c.pipeline_id == UUID(pipeline_id),
                        o.c.stage_id.in_(stages),
                    )
                    .order_by(sa.func.md5(sa.cast(o.c.id, sa.Text)))
                    .limit(2 * ID_COUNT)
                )
            ).all()
    finally:
        await engine.dispose()
    if len(rows) < 8:
        raise RuntimeError("too few open deals for the rep; regenerate the selling data")
    other = {stages[0]: stages[1], stages[1]: stages[0]}
    return [f"{deal} {stage} {other[stage]}" for deal, stage in rows]


def _service(tenant: BenchTenant) -> Service | None:
    """The stats period over every generated ticket (None: no service data): the last 366 days."""
    if not tenant.marker.get("service") or "service.manager" not in tenant.users:
        return None
    return Service.ending_now()


def select_subtree(tenant_id: UUID, department_id: UUID | None) -> sa.Select[Any]:
    me = departments.alias("me")
    d = departments.alias("d")
    return (
        sa.select(d.c.id)
        .select_from(me.join(d, sa.and_(d.c.tenant_id == me.c.tenant_id, d.c.path.startswith(me.c.path))))
        .where(me.c.tenant_id == tenant_id, me.c.id == department_id)
    )


async def _fold_rollups(url: str, settings: Settings) -> None:
    """What the worker's minute job does to the rollups (fold each key's appended deltas), which
    the benchmark's server, run without its worker, leaves undone: a write scenario appends
    deltas hundreds of times faster than a tenant would between two runs of the job (the ticket
    stats read 45,000 of them after ticket_create), so each scenario starts from folded rollups,
    as a served tenant's are within a minute."""
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            await PgRollupCompaction(conn).compact()
        async with engine.begin() as conn:
            await PgTicketStatsCompaction(conn).compact()
        async with engine.begin() as conn:
            await PgLeadRollupCompaction(conn).compact()
    finally:
        await engine.dispose()


async def _sessions(url: str, settings: Settings, tenant_id: UUID, user_ids: set[UUID]) -> dict[UUID, UUID]:
    """A sign-in session per caller: access tokens are honoured only while theirs is alive."""
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            expires_at = utcnow() + timedelta(days=settings.session_max_days)
            return {user_id: await open_session(conn, tenant_id, user_id, expires_at) for user_id in user_ids}
    finally:
        await engine.dispose()


async def _cleanup(url: str, settings: Settings, tenant: BenchTenant, event_id: UUID | None = None) -> None:
    """Remove what earlier write measurements created, so every run starts from the same data."""
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            # The tickets the ticket_create scenario opened (tagged) leave the ticket stats rollups
            # and customer counts first: their triggers (migration 0019) see a soft delete, and the
            # hard delete below, with triggers off, then changes nothing they count.
            load = f"SELECT id FROM tickets WHERE tenant_id = '{tenant.id}' AND '{LOAD_TAG}' = ANY(tags)"
            await conn.exec_driver_sql(
                f"UPDATE tickets SET deleted_at = now() WHERE id IN ({load}) AND deleted_at IS NULL"
            )
            # Nothing refers to the rows removed here, but some foreign keys that could have no
            # index (leads.converted_customer_id, activities.lead_id): each deleted row would scan
            # a table of millions. The bench database is the benchmark's own: skip the checks.
            if (await conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
                await conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            deleted = await conn.execute(
                customers.delete().where(
                    customers.c.tenant_id == tenant.id, customers.c.email.like(f"%@{LOAD_EMAIL_DOMAIN}")
                )
            )
            if event_id is not None:  # the registrations of registration_public, then their leads' consents
                await conn.execute(
                    campaign_members.delete().where(
                        campaign_members.c.tenant_id == tenant.id, campaign_members.c.campaign_id == event_id
                    )
                )
                # Their seats too: the deletes above ran without the triggers that count them.
                await conn.exec_driver_sql(f"DELETE FROM campaign_seats WHERE campaign_id = '{event_id}'")
                await conn.exec_driver_sql(
                    "DELETE FROM marketing_consents WHERE lead_id IN "
                    f"(SELECT id FROM leads WHERE email LIKE '%@{LOAD_EMAIL_DOMAIN}')"
                )
            created_leads = await conn.execute(leads.delete().where(leads.c.email.like(f"%@{LOAD_EMAIL_DOMAIN}")))
            # Tickets the ticket_create scenario opened, and the counter back after the rest.
            for table in ("ticket_status_changes", "ticket_comments"):
                await conn.exec_driver_sql(f"DELETE FROM {table} WHERE ticket_id IN ({load})")
            await conn.exec_driver_sql(f"DELETE FROM tickets WHERE id IN ({load})")
            await conn.exec_driver_sql(
                "UPDATE document_counters SET next_value = 1 + coalesce((SELECT max(substr(number, 2)::bigint) "
                f"FROM tickets WHERE tenant_id = '{tenant.id}'), 0) WHERE kind = 'ticket' AND tenant_id = '{tenant.id}'"
            )
            await conn.exec_driver_sql("DELETE FROM rate_limit_hits WHERE bucket LIKE 'lead-form:%'")
            await conn.exec_driver_sql("DELETE FROM rate_limit_hits WHERE bucket LIKE 'event-registration:%'")
            # The bench database is the benchmark's own: its audit log and outbox only hold
            # what earlier runs wrote (TRUNCATE, as the audit log refuses row deletes).
            await conn.exec_driver_sql("TRUNCATE audit_log, outbox")
        log.info(
            "cleanup: %d customers and %d leads created by earlier runs removed",
            deleted.rowcount,
            created_leads.rowcount,
        )
    finally:
        await engine.dispose()


# Quotas far above what one caller sends here (thousands of requests per second): the limiter
# counts every request as usual, never refuses one, so what is measured is the cost of counting.
BENCH_QUOTAS = {"user": 100_000_000, "token": 100_000_000}


async def _unthrottled(url: str, settings: Settings) -> None:
    """The bench tenants' own request quotas (tenant settings `rate_limits`, README "Rate limits")."""
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            quotas = sa.cast({"rate_limits": BENCH_QUOTAS}, tenants.c.settings.type)
            await conn.execute(tenants.update().values(settings=tenants.c.settings.op("||")(quotas)))
    finally:
        await engine.dispose()


def _measure_sends(args: argparse.Namespace, url: str, embedded: Any) -> dict[str, Any]:
    """The campaign send to `--sends-recipients` (default 100,000 x --scale, at least 2,000) through
    a local SMTP sink, on the bench database's own sends tenant (bench/sends.py)."""
    from bench import sends

    recipients = args.sends_recipients or max(2000, int(100_000 * min(args.scale, 1.0)))
    options = argparse.Namespace(
        recipients=recipients, bare=min(recipients, 20_000), rounds=args.sends_rounds or (1 if args.quick else 3),
        kills=1, lease=10.0, profile="campaign_send" in (args.profile or ""),
    )  # fmt: skip
    data = asyncio.run(sends.ensure_tenant(url, recipients))
    try:
        results = sends.measure(url, embedded, data, options)
    finally:
        sends.stop_children()
    text = sends.report(results)
    print("\n" + text + "\n", flush=True)
    (RESULTS / "sends.md").write_text(text + "\n")
    (RESULTS / "sends.json").write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2, default=str))
    return results


def _exp_env(text: str) -> dict[str, str]:
    """--exp-env CRM_RATE_LIMIT_ENABLED=false,CRM_X=y"""
    pairs = [item.partition("=") for item in text.split(",") if item.strip()]
    bad = [k for k, sep, _ in pairs if not sep or not k.strip().startswith("CRM_")]
    if bad:
        raise SystemExit(f"--exp-env takes CRM_NAME=value pairs, not {bad}")
    return {k.strip(): v.strip() for k, _, v in pairs}


def _own_counts(args: argparse.Namespace, name: str) -> list[int]:
    """--scenario-connections board_director=8+16,forecast_director=8: a scenario's own counts."""
    for item in str(getattr(args, "scenario_connections", "") or "").split(","):
        key, _, counts = item.partition("=")
        if key.strip() == name:
            return [int(c) for c in counts.split("+") if c.strip()]
    return []


def run_benchmark(
    args: argparse.Namespace, url: str, base_settings: Settings, tenant: BenchTenant, embedded: Any = None
) -> int:
    wrk = ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = RESULTS / "tmp"
    work.mkdir(exist_ok=True)
    duration = 3 if args.quick else args.duration
    warmup = 1 if args.quick else args.warmup
    conn_counts = [int(c) for c in str(args.connections).split(",") if c.strip()]
    jwt_key = "bench:" + secrets.token_urlsafe(36)
    settings = base_settings.model_copy(update={"jwt_keys": [jwt_key], "access_token_minutes": 240})
    selling = asyncio.run(_selling(url, settings, tenant))
    has_kb = generate_kb.AGENT in tenant.users
    has_marketer = generate_marketing.MARKETER in tenant.users
    event_key, event_id = asyncio.run(generate_events.ensure_event(url, settings, tenant, CALLERS["admin"]))
    chosen = (
        scenarios(
            args.search_zh,
            args.search_en,
            selling,
            _service(tenant),
            kb=has_kb,
            marketing=has_marketer,
            event_key=event_key,
        )
        + tracking_scenarios()
    )
    wanted = {s.strip() for s in args.only.split(",") if s.strip()} if args.only else set()
    if wanted:
        unknown = wanted - {s.name for s in chosen} - {SENDS}
        if unknown:
            raise SystemExit(f"no such scenario: {', '.join(sorted(unknown))}")
        chosen = [s for s in chosen if s.name in wanted]
    run_sends = not wanted or SENDS in wanted
    chosen = [replace(s, connections=tuple(own)) if (own := _own_counts(args, s.name)) else s for s in chosen]
    # Those bench/baseline.py serves (their SQL is captured and compared); the tracking links have a
    # bare server of their own.
    with_baseline = [s for s in chosen if s.baseline and s.baseline_server == "baseline"]
    tracking = [s for s in chosen if s.baseline_server == "tracking_baseline"]
    tracking_files: dict[str, Path] = {}
    tracking_tenant: UUID | None = None
    if tracking:
        from bench import tracking as tracking_bench

        tracking_tenant, deliveries = asyncio.run(tracking_bench.ensure_data(url, settings, tracking_bench.DELIVERIES))
        kid, _, secret = jwt_key.partition(":")
        tracking_files = tracking_bench.write_paths(work, LinkSigner({kid: secret}, kid), tracking_tenant, deliveries)
    callers: dict[str, capture.Caller] = {}
    logins = {
        key: tenant.users[login]
        for key, login in (
            CALLERS
            | ({"kb_agent": generate_kb.AGENT} if has_kb else {})
            | ({"marketer": generate_marketing.MARKETER} if has_marketer else {})
        ).items()
        if login in tenant.users  # no service data: no service callers
    }
    sessions = asyncio.run(_sessions(url, settings, tenant.id, {u.id for u in logins.values()}))
    for key, user in logins.items():
        scopes = set(SYSTEM_ROLES[user.role]["permissions"])
        token, _ = issue_access_token(
            settings, user_id=user.id, tenant_id=tenant.id, scopes=scopes, session_id=sessions[user.id]
        )
        callers[key] = capture.Caller(key, user.id, token)

    asyncio.run(_cleanup(url, settings, tenant, event_id))
    asyncio.run(_unthrottled(url, settings))
    ids = asyncio.run(_ids(url, settings, tenant))
    id_files = {}
    for key, values in ids.items():
        path = work / f"ids_{key}.txt"
        path.write_text("\n".join(str(v) for v in values) + "\n")
        id_files[key] = str(path)
    log.info("ids: %s", ", ".join(f"{k} {len(v)}" for k, v in ids.items()))

    moves: list[str] = []
    if selling is not None and any(s.route == "stage" for s in with_baseline):
        moves = asyncio.run(_stage_ids(url, settings, tenant, selling.pipeline_id))
    log.info("capturing the app's SQL per scenario the baseline serves")
    spec = asyncio.run(
        capture.capture(url, settings, callers, ids, with_baseline, moves, selling.pipeline_id if selling else None)
    )
    spec_path = RESULTS / "spec.json"
    spec_path.write_bytes(orjson.dumps(spec, option=orjson.OPT_INDENT_2))

    servers: list[Server] = []
    measurements: list[Measurement] = []
    sameness: list[str] = []
    profiled = {s.strip() for s in (args.profile or "").split(",") if s.strip()}
    started = time.time()
    try:
        app_port, base_port = free_port(), free_port()
        crm = ROOT / ".venv" / "bin" / "crm"
        app_cmd = [str(crm), "serve"] if crm.exists() else [sys.executable, "-m", "app.cli", "serve"]
        servers.append(
            start_server(
                "app",
                [*app_cmd, "--port", str(app_port)],
                {**server_env(url, settings, jwt_key, app_port), **_exp_env(getattr(args, "app_env", ""))},
                app_port,
            )
        )
        exp_settings = _exp_env(getattr(args, "exp_env", ""))
        if args.app_dir or exp_settings:
            # A third server: another checkout of the app (a branch, an experiment; same venv), or
            # this one with other settings (CRM_RATE_LIMIT_ENABLED=false: what the limiter costs).
            exp_dir, exp_port = Path(args.app_dir or ROOT).resolve(), free_port()
            exp_env = {**server_env(url, settings, jwt_key, exp_port), "PYTHONPATH": str(exp_dir), **exp_settings}
            exp_cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(exp_port)]
            servers.append(start_server("exp", exp_cmd, exp_env, exp_port, cwd=exp_dir))
            log.info("exp: the app from %s%s", exp_dir, f" with {exp_settings}" if exp_settings else "")
        if with_baseline:  # the scenarios measured alone need none
            servers.append(
                start_server(
                    "baseline",
                    [sys.executable, "-m", "bench.baseline", "--port", str(base_port), "--spec", str(spec_path)],
                    server_env(url, settings, jwt_key, base_port),
                    base_port,
                )
            )
        if tracking:
            from bench import tracking as tracking_bench

            track_port = free_port()
            servers.append(
                start_server(
                    "tracking_baseline",
                    [sys.executable, "-m", "bench.tracking_baseline", "--port", str(track_port)],
                    {**server_env(url, settings, jwt_key, track_port), "PYTHONPATH": str(ROOT)},
                    track_port,
                )
            )
            for server in servers:
                if server.name in ("app", "tracking_baseline"):
                    tracking_bench.check(server, tracking_files)

        def serves(server: Server, scenario: Scenario) -> bool:
            """Whether `server` is measured on `scenario`: the app (and exp) always, a baseline
            server on the scenarios it is the baseline of."""
            if server.name in ("baseline", "tracking_baseline"):
                return scenario.baseline and server.name == scenario.baseline_server
            return True

        def before_measuring(scenario: Scenario) -> None:
            if scenario.route == "tracking" and tracking_tenant is not None:
                # Every member back to "sent" and the tenant's events gone after the warm-up: both
                # servers record the same mix (first touches move the member, later ones count).
                asyncio.run(tracking_bench.reset_members(url, settings, tracking_tenant))

        def script_args_for(scenario: Scenario, inv: int, connections: int) -> list[str]:
            if scenario.route == "public_create":
                return [str(inv)]
            if scenario.route == "tracking":
                return [str(tracking_files[scenario.name])]
            token = callers[scenario.caller].token
            if scenario.route == "stage":
                # The deals as they are now (earlier runs moved them): every request a real move.
                assert selling is not None
                time.sleep(0.3)  # the last run's requests in flight land first
                path = work / "ids_stage.txt"
                path.write_text("\n".join(asyncio.run(_stage_ids(url, settings, tenant, selling.pipeline_id))) + "\n")
                return [token, str(path), str(min(args.threads, connections))]
            if scenario.route == "segment_preview":
                return [token, SEGMENT_PREVIEW_BODY]
            if scenario.route == "report":
                assert scenario.body is not None
                return [token, scenario.body]
            if scenario.route in ("create", "ticket_create"):
                return [token, str(inv)]
            if scenario.route == "patch":
                return [token, id_files["patch"], str(inv)]
            if scenario.route == "get":
                return [token, id_files[scenario.ids or scenario.caller]]
            if scenario.route == "search":
                path = work / "kb_search_paths.txt"
                path.write_text("\n".join(kb_search_paths(generate_kb.QUERIES_ZH + generate_kb.QUERIES_EN)) + "\n")
                return [token, str(path)]
            return [token]

        if embedded is not None and not args.no_verify_sql and with_baseline:
            log.info("checking that both servers send PostgreSQL the same statements (log_statement = all)")
            sameness = verify.verify(
                [s for s in servers if s.name in ("app", "baseline")],
                with_baseline,
                {k: c.token for k, c in callers.items()},
                {k: [str(v) for v in vs] for k, vs in ids.items()},
                Path(embedded.server.log),
                embedded.psql,
                moves,
            )
            print("\nSQL sent per request, app vs baseline:\n  " + "\n  ".join(sameness) + "\n", flush=True)
        invocation = 0
        if warmup and not args.quick:  # bring the tables and indexes the scenarios touch into memory
            log.info("warming the database up: %d s per scenario against the baseline", warmup)
            for scenario in chosen:
                invocation += 1
                first = scenario.conn_counts(conn_counts)[0]
                run_wrk(
                    wrk,
                    next(s for s in servers if s.name == (scenario.baseline_server if scenario.baseline else "app")),
                    scenario,
                    first,
                    args.threads,
                    warmup,
                    script_args_for(scenario, invocation, first),
                )
        for scenario in map(period_ending_now, chosen):
            asyncio.run(_fold_rollups(url, settings))
            for connections in scenario.conn_counts(conn_counts):
                paired: set[str] = set()
                has_exp = any(sv.name == "exp" for sv in servers)
                if getattr(args, "paired", False) and scenario.method == "GET" and has_exp:
                    # The app and exp at the same time, so both meet the same machine: on a
                    # shared machine their ratio is steadier than that of runs taken in turn.
                    pair = [sv for sv in servers if sv.name in ("app", "exp")]
                    invocation += 1
                    script = script_args_for(scenario, invocation, connections)
                    with ThreadPoolExecutor(len(pair)) as pool:
                        for d in ([warmup] if warmup else []) + [duration]:  # the last is measured
                            futures = [
                                (sv, pool.submit(run_wrk, wrk, sv, scenario, connections, args.threads, d, script))
                                for sv in pair
                            ]
                            results = [(sv, f.result()) for sv, f in futures]
                    for sv, result in results:
                        measurements.append(Measurement(scenario.name, sv.name, connections, result))
                        log.info(
                            "%-18s c=%-3d %-8s %8.1f req/s  p50 %6.1f ms  p99 %6.1f ms  (paired)",
                            scenario.name,
                            connections,
                            sv.name,
                            measurements[-1].rps,
                            result["p50_us"] / 1000,
                            result["p99_us"] / 1000,
                        )
                    paired = {sv.name for sv in pair}
                for server in servers:
                    if not serves(server, scenario):
                        continue
                    if server.name in paired:
                        continue
                    invocation += 1
                    if warmup:
                        run_wrk(
                            wrk,
                            server,
                            scenario,
                            connections,
                            args.threads,
                            warmup,
                            script_args_for(scenario, invocation, connections),
                        )
                    before_measuring(scenario)
                    invocation += 1
                    spy = None
                    if scenario.name in profiled and connections == scenario.conn_counts(conn_counts)[0]:
                        spy_out = RESULTS / f"profile-{scenario.name}-{server.name}-c{connections}.txt"
                        spy = profile.start(server.process.pid, spy_out, duration)
                    result = run_wrk(
                        wrk,
                        server,
                        scenario,
                        connections,
                        args.threads,
                        duration,
                        script_args_for(scenario, invocation, connections),
                    )
                    if spy is not None:
                        summary = profile.finish(spy, spy_out, requests=result["requests"])
                        print(
                            f"\n--- profile of {server.name}, {scenario.name} at {connections} connections "
                            f"({spy_out.relative_to(ROOT)})\n{summary}\n",
                            flush=True,
                        )
                    # Either baseline server is the row's "baseline" (the report's pairing).
                    target = "baseline" if server.name == "tracking_baseline" else server.name
                    m = Measurement(scenario.name, target, connections, result)
                    measurements.append(m)
                    log.info(
                        "%-18s c=%-3d %-8s %8.1f req/s  p50 %6.1f ms  p99 %6.1f ms%s",
                        scenario.name,
                        connections,
                        server.name,
                        m.rps,
                        result["p50_us"] / 1000,
                        result["p99_us"] / 1000,
                        f"  ERRORS {m.errors} ({m.error_kinds})" if m.errors else "",
                    )
                    if server.process.poll() is not None:
                        raise RuntimeError(f"{server.name} died; see {server.log_path}")
    finally:
        for server in servers:
            stop_server(server)
        try:
            asyncio.run(_cleanup(url, settings, tenant))
        except Exception as error:
            log.warning("cleanup failed: %s", error)
    rows = report.build(chosen, conn_counts, measurements)
    if run_sends:
        rows.append(report.sends_row(_measure_sends(args, url, embedded)))
    meta = report.environment(url, tenant, duration, warmup, args.threads, started, spec)
    meta["same_sql"] = sameness
    print(report.table(rows))
    paths = report.write(RESULTS, rows, meta)
    log.info("results: %s", ", ".join(str(p.relative_to(ROOT)) for p in paths))
    return 0 if all(c["pass"] for r in rows for c in r["checks"]) else 1
