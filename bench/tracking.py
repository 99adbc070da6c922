"""`python -m bench.tracking`: the open pixel and the click redirect (issue 14) against their bare
baseline (bench/tracking_baseline.py), at 32 and 4 connections; target: the app's requests/s at
least 0.6 of the baseline's.

These endpoints read no business data, so they need none of the 1M-customer set: the run adds a
tenant of its own, "Bench Tracking Co" (a marketer, a campaign, one e-mail send and --deliveries
leads, each a campaign member with a delivery), to the bench database (the embedded one under
.crm/bench, or CRM_BENCH_DATABASE_URL), once; `make bench`'s data may or may not be there. The wrk
scripts rotate over the signed open and click links of those deliveries (bench/wrk/tracking.lua).

Before each measured run (after its warm-up) the members go back to "sent" and the tenant's outbox
is emptied, so both servers record the same mix: the first open or click of each delivery moves
its member and writes an event, the later ones only count. The app runs without its worker, as
in `make bench`.

    python -m bench.tracking                       # 15 s per measurement, 32 and 4 connections
    python -m bench.tracking --quick               # 3 s
    python -m bench.tracking --deliveries 20000 --connections 32,4,1
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import signal
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy as sa

from app.auth.passwords import hash_password
from app.domain.marketing.links import CLICK, OPEN, LinkSigner, LinkTarget
from app.migrate import upgrade
from app.repositories.database import async_url, create_engine
from app.repositories.identity import PgIdentityRepository
from app.repositories.tables import campaign_members, outbox, tenants
from app.settings import Settings
from bench.drive import (
    RESULTS,
    Measurement,
    Server,
    ensure_wrk,
    free_port,
    run_wrk,
    server_env,
    start_server,
    stop_server,
)
from bench.run import _exclusive, _terminate
from bench.scenarios import Scenario

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("bench.tracking")

TENANT = "Bench Tracking Co"
TARGET_RATIO = 0.6
DELIVERIES = 5000  # the tracking tenant's deliveries (the links the scripts rotate over)
SCENARIOS = {
    "tracking_open": Scenario("tracking_open", "get", "public", "tracking"),
    "tracking_click": Scenario("tracking_click", "get", "public", "tracking"),
}

GENERATE = """
WITH leads_made AS (
    INSERT INTO leads (tenant_id, id, name, email, owner_id, department_id, source, search_text)
    SELECT :tenant, gen_random_uuid(), 'Bench lead ' || i, 'reader' || i || '@bench.example', :owner, NULL,
           'event', 'reader' || i
    FROM generate_series(1, :n) AS i
    RETURNING id
), numbered AS (
    SELECT id AS lead_id, gen_random_uuid() AS member_id, gen_random_uuid() AS delivery_id,
           row_number() OVER () AS i
    FROM leads_made
), members AS (
    INSERT INTO campaign_members (tenant_id, id, campaign_id, lead_id, status, sent_at)
    SELECT :tenant, member_id, :campaign, lead_id, 'sent', now() FROM numbered
)
INSERT INTO message_deliveries (tenant_id, id, send_id, member_id, lead_id, address, status, message_id, sent_at)
SELECT :tenant, delivery_id, :send, member_id, lead_id, 'reader' || i || '@bench.example', 'sent',
       '<bench-' || i || '@crm.bench>', now()
FROM numbered
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.tracking", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="3 s per measurement")
    p.add_argument("--duration", type=int, default=15, help="seconds per measurement (default 15)")
    p.add_argument("--warmup", type=int, default=3, help="warm-up seconds before each measurement")
    p.add_argument("--connections", default="32,4", help="comma separated wrk connection counts")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--deliveries", type=int, default=DELIVERIES, help="deliveries in the bench tracking tenant")
    p.add_argument("--only", default="", help="tracking_open, tracking_click (default both)")
    return p.parse_args(argv)


async def ensure_data(url: str, settings: Settings, deliveries: int) -> tuple[UUID, list[UUID]]:
    """The tracking tenant and its deliveries' ids (made once; again when --deliveries changes)."""
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            found = (
                await conn.execute(sa.select(tenants.c.id, tenants.c.settings).where(tenants.c.name == TENANT))
            ).first()
            if found is not None and (found.settings.get("bench") or {}).get("deliveries") == deliveries:
                tenant_id = found.id
            else:
                if found is not None:
                    log.info("regenerating %s (%s deliveries wanted)", TENANT, deliveries)
                    await conn.execute(
                        sa.update(tenants).where(tenants.c.id == found.id).values(name=f"{TENANT} (old)")
                    )
                started = time.perf_counter()
                repo = PgIdentityRepository(conn)
                tenant_id = await repo.insert_tenant(TENANT, {"bench": {"deliveries": deliveries}})
                roles = await repo.insert_system_roles(tenant_id)
                owner = await repo.insert_user(
                    tenant_id, email="marketer@tracking.bench", name="Marketer",
                    password_hash=await hash_password(secrets.token_urlsafe(16)), department_id=None,
                )  # fmt: skip
                await repo.set_user_roles(tenant_id, owner, [roles["marketer"]])
                campaign, send = await _campaign_and_send(conn, tenant_id, owner)
                await conn.execute(
                    sa.text(GENERATE),
                    {"tenant": tenant_id, "owner": owner, "campaign": campaign, "send": send, "n": deliveries},
                )
                log.info("generated %s: %d deliveries in %.1f s", TENANT, deliveries, time.perf_counter() - started)
        async with engine.begin() as conn:
            await conn.execute(sa.text("ANALYZE message_deliveries, campaign_members"))
            ids = (
                await conn.execute(
                    sa.text("SELECT id FROM message_deliveries WHERE tenant_id = :t ORDER BY id"), {"t": tenant_id}
                )
            ).scalars()
            return tenant_id, list(ids)
    finally:
        await engine.dispose()


async def _campaign_and_send(conn: Any, tenant_id: UUID, owner: UUID) -> tuple[UUID, UUID]:
    campaign, send = (
        await conn.execute(
            sa.text(
                """
                WITH c AS (
                    INSERT INTO campaigns (tenant_id, id, name, campaign_type, channel, status, owner_id)
                    VALUES (:t, gen_random_uuid(), 'Bench newsletter', 'email', 'email', 'running', :o) RETURNING id
                )
                INSERT INTO message_sends (tenant_id, id, campaign_id, template_id, channel, audience, status, owner_id)
                SELECT :t, gen_random_uuid(), c.id, gen_random_uuid(), 'email', 'members', 'completed', :o FROM c
                RETURNING campaign_id, id
                """
            ),
            {"t": tenant_id, "o": owner},
        )
    ).one()
    return campaign, send


async def reset_members(url: str, settings: Settings, tenant_id: UUID) -> None:
    """Every member back to "sent" and the tenant's events gone: each measurement starts alike."""
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                campaign_members.update()
                .where(campaign_members.c.tenant_id == tenant_id)
                .values(status="sent", opened_at=None, clicked_at=None)
            )
            await conn.execute(outbox.delete().where(outbox.c.tenant_id == tenant_id))
    finally:
        await engine.dispose()


def write_paths(work: Path, signer: LinkSigner, tenant_id: UUID, ids: list[UUID]) -> dict[str, Path]:
    opens = [f"/api/v1/public/t/o/{signer.sign(OPEN, LinkTarget(tenant_id, d))}" for d in ids]
    clicks = [
        f"/api/v1/public/t/c/{signer.sign(CLICK, LinkTarget(tenant_id, d, f'https://example.com/expo?from=crm&i={i}'))}"
        for i, d in enumerate(ids)
    ]
    files = {"tracking_open": work / "paths_open.txt", "tracking_click": work / "paths_click.txt"}
    files["tracking_open"].write_text("\n".join(opens) + "\n")
    files["tracking_click"].write_text("\n".join(clicks) + "\n")
    return files


def check(server: Server, files: dict[str, Path]) -> None:
    """One request of each kind: the pixel, and a redirect to the link's own URL."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    path = files["tracking_open"].read_text().splitlines()[0]
    with opener.open(server.base_url + path, timeout=10) as r:
        assert r.status == 200 and r.headers["content-type"] == "image/gif", (server.name, r.status)
    path = files["tracking_click"].read_text().splitlines()[0]
    try:
        opener.open(server.base_url + path, timeout=10)
        raise AssertionError(f"{server.name}: the click did not redirect")
    except urllib.error.HTTPError as e:
        assert e.code == 302 and e.headers["location"].startswith("https://example.com/expo"), (server.name, e.code)


def report(measurements: list[Measurement], args: argparse.Namespace) -> tuple[str, bool]:
    rows = [
        "| scenario | conns | app req/s | app p50 ms | app p99 ms | baseline req/s | baseline p50 ms | baseline p99 ms "
        "| app/baseline | target >= 0.6 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    ok = True
    by_key = {(m.scenario, m.target, m.connections): m for m in measurements}
    for name in SCENARIOS:
        for conns in sorted({m.connections for m in measurements}, reverse=True):
            app, base = by_key.get((name, "app", conns)), by_key.get((name, "baseline", conns))
            if app is None or base is None:
                continue
            ratio = app.rps / base.rps if base.rps else 0.0
            met = ratio >= TARGET_RATIO and not app.errors
            ok &= met
            rows.append(
                f"| {name} | {conns} | {app.rps:,.0f} | {app.result['p50_us'] / 1000:.2f} | "
                f"{app.result['p99_us'] / 1000:.2f} | {base.rps:,.0f} | {base.result['p50_us'] / 1000:.2f} | "
                f"{base.result['p99_us'] / 1000:.2f} | {ratio:.2f} | {'yes' if met else 'NO'}"
                + (f" (errors: {app.error_kinds})" if app.errors else "")
                + " |"
            )
    header = (
        f"Open pixel and click redirect, {args.deliveries:,} deliveries, {args.duration if not args.quick else 3} s "
        f"per run after {args.warmup if not args.quick else 1} s warm-up, wrk -t{args.threads}; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    return header + "\n\n" + "\n".join(rows) + "\n", ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    signal.signal(signal.SIGTERM, _terminate)
    os.chdir(ROOT)
    settings = Settings(env="development", worker_in_serve=False)
    lock = _exclusive(ROOT / ".crm" / "bench.lock")
    if lock is None:
        return 2
    embedded = None
    servers: list[Server] = []
    try:
        external = os.environ.get("CRM_BENCH_DATABASE_URL")
        if external:
            url = async_url(external)
        else:
            from bench.pg import EmbeddedPostgres

            embedded = EmbeddedPostgres(ROOT / ".crm" / "bench", "crm_bench")
            url = embedded.start()
        upgrade(url)
        tenant_id, ids = asyncio.run(ensure_data(url, settings, args.deliveries))
        wrk = ensure_wrk()
        work = RESULTS / "tmp"
        work.mkdir(parents=True, exist_ok=True)
        jwt_key = "bench:" + secrets.token_urlsafe(36)
        kid, _, secret = jwt_key.partition(":")
        files = write_paths(work, LinkSigner({kid: secret}, kid), tenant_id, ids)
        duration = 3 if args.quick else args.duration
        warmup = 1 if args.quick else args.warmup
        conn_counts = [int(c) for c in args.connections.split(",") if c.strip()]
        chosen = [SCENARIOS[n.strip()] for n in args.only.split(",") if n.strip()] or list(SCENARIOS.values())

        app_port, base_port = free_port(), free_port()
        # This checkout's code whatever the venv's `crm` entry point was installed from (a shared
        # venv's editable install points at another checkout).
        env = {"PYTHONPATH": str(ROOT)}
        app_cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(app_port)]
        servers.append(start_server("app", app_cmd, {**server_env(url, settings, jwt_key, app_port), **env}, app_port))
        servers.append(
            start_server(
                "baseline",
                [sys.executable, "-m", "bench.tracking_baseline", "--port", str(base_port)],
                {**server_env(url, settings, jwt_key, base_port), **env},
                base_port,
            )
        )
        for server in servers:
            check(server, files)
        measurements: list[Measurement] = []
        for scenario in chosen:
            for conns in conn_counts:
                for server in servers:
                    script = [str(files[scenario.name])]
                    run_wrk(wrk, server, scenario, conns, args.threads, warmup, script)
                    asyncio.run(reset_members(url, settings, tenant_id))
                    result = run_wrk(wrk, server, scenario, conns, args.threads, duration, script)
                    m = Measurement(scenario.name, server.name, conns, result)
                    measurements.append(m)
                    log.info(
                        "%s %s c=%d: %.0f req/s p50 %.2f ms p99 %.2f ms%s", scenario.name, server.name, conns, m.rps,
                        result["p50_us"] / 1000, result["p99_us"] / 1000,
                        f" errors {m.error_kinds}" if m.errors else "",
                    )  # fmt: skip
        table, ok = report(measurements, args)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "tracking.md").write_text(table)
        (RESULTS / "tracking.json").write_bytes(
            orjson.dumps([m.__dict__ for m in measurements], option=orjson.OPT_INDENT_2)
        )
        print("\n" + table)
        print("all targets met" if ok else "SOME TARGETS MISSED")
        return 0 if ok else 1
    except KeyboardInterrupt:
        log.warning("interrupted")
        return 130
    finally:
        for server in servers:
            stop_server(server)
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    sys.exit(main())
