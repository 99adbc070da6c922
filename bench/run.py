"""`make bench` / `python -m bench.run`: generate (once) a large tenant, then drive the real server
and the bare baseline with wrk over the main customer paths, and print both side by side.

    python -m bench.run                  # full run: 32 and 4 connections, 15 s each
    python -m bench.run --quick          # smoke run: small durations
    python -m bench.run --regenerate     # wipe and generate the data again
    CRM_BENCH_DATABASE_URL=postgresql://... python -m bench.run   # a database of its own

See DESIGN.md section 8.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import IO

from app.migrate import upgrade
from app.repositories.database import async_url, create_engine
from app.settings import Settings
from bench import generate, generate_customers, generate_kb, generate_marketing, generate_selling, generate_service

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("bench")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="short smoke run (3 s per measurement)")
    p.add_argument("--duration", type=int, default=15, help="seconds per measurement (default 15)")
    p.add_argument("--warmup", type=int, default=3, help="warm-up seconds before each measurement")
    p.add_argument("--connections", default="32,4", help="comma separated wrk connection counts")
    p.add_argument(
        "--scenario-connections",
        default="",
        help="a scenario's own connection counts, e.g. board_director=8+16,forecast_director=8 "
        "(default: board and forecast 8, the others --connections)",
    )
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--only", default="", help="comma separated scenario names (default: all)")
    p.add_argument("--regenerate", action="store_true", help="wipe and generate the data again")
    p.add_argument("--scale", type=float, default=1.0, help="data size factor (1.0 = 1M customers)")
    p.add_argument("--search-zh", default="星辰", help="Chinese search term (default 星辰)")
    p.add_argument("--search-en", default="acme", help="Latin search term (default acme)")
    p.add_argument("--generate-only", action="store_true", help="make sure the data exists, then stop")
    p.add_argument("--no-verify-sql", action="store_true", help="skip the app-vs-baseline SQL comparison")
    p.add_argument("--app-dir", default="", help="serve the app from another checkout (same venv), e.g. an experiment")
    p.add_argument(
        "--app-env",
        default="",
        help="the app's own settings (comma separated CRM_NAME=value), e.g. to swap roles with --exp-env",
    )
    p.add_argument(
        "--paired",
        action="store_true",
        help="measure the app and exp (--app-dir, --exp-env) at the same time on GET scenarios (a busy machine)",
    )
    p.add_argument(
        "--exp-env",
        default="",
        help="a third server (exp): the app (or --app-dir) with these settings, e.g. CRM_RATE_LIMIT_ENABLED=false "
        "(comma separated KEY=VALUE)",
    )
    p.add_argument(
        "--sends-recipients", type=int, default=0, help="the campaign send's recipients (default 100,000 x --scale)"
    )
    p.add_argument("--sends-rounds", type=int, default=None, help="the campaign send's app runs (3; 1 with --quick)")
    p.add_argument("--profile", default="", help="scenarios to sample the app with py-spy during (comma separated)")
    return p.parse_args(argv)


async def prepare_data(url: str, settings: Settings, *, regenerate: bool, scale: float) -> generate.BenchTenant:
    engine = create_engine(url, settings)
    try:
        found = None if regenerate else await generate.existing(engine)
        size = generate.BIG.scaled(scale) if scale != 1.0 else generate.BIG
        if found is not None and found[1].get("customers") != size.customers:
            log.info("bench data has %s customers, %s wanted: regenerating", found[1].get("customers"), size.customers)
            found = None
        elif found is not None:
            log.info("bench data present (%s customers); --regenerate to rebuild", f"{found[1]['customers']:,}")
        if found is None:
            await generate.generate(engine, size)
            found = await generate.existing(engine)
            assert found is not None
        selling = generate_selling.SELLING.scaled(scale) if scale != 1.0 else generate_selling.SELLING
        found[0].marker["selling"] = await generate_selling.ensure(engine, selling)
        service = generate_service.SERVICE.scaled(scale) if scale != 1.0 else generate_service.SERVICE
        found[0].marker["service"] = await generate_service.ensure(engine, found[0], service)
        kb = generate_kb.KB.scaled(scale) if scale != 1.0 else generate_kb.KB
        found[0].marker["kb"] = await generate_kb.ensure(engine, kb)
        await generate_marketing.ensure(engine, found[0])
        await generate_customers.ensure(engine, found[0])
        drift = await generate.check_derived(engine)
        if drift:
            log.warning(
                "the bench data's derived columns no longer match the app's rules (%d of the sample), "
                "e.g. %s; run with --regenerate",
                len(drift),
                drift[0][:300],
            )
        return found[0]
    finally:
        await engine.dispose()


def _exclusive(path: Path) -> IO[str] | None:
    """One benchmark at a time per checkout: two would share (and stop) one PostgreSQL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        log.error("another benchmark is running (pid %s); wait for it to finish", handle.read().strip() or "?")
        handle.close()
        return None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    signal.signal(signal.SIGTERM, _terminate)
    os.chdir(ROOT)
    # The API alone, as the baseline: the SQL capture must not see the worker's statements.
    settings = Settings(env="development", worker_in_serve=False)
    embedded = None
    external = os.environ.get("CRM_BENCH_DATABASE_URL")
    lock = _exclusive(ROOT / ".crm" / "bench.lock")
    if lock is None:
        return 2
    try:
        if external:
            url = async_url(external)
        else:
            from bench.pg import EmbeddedPostgres

            embedded = EmbeddedPostgres(ROOT / ".crm" / "bench", "crm_bench")
            url = embedded.start()
        started = time.perf_counter()
        upgrade(url)
        log.info("migrated in %.1f s", time.perf_counter() - started)
        tenant = asyncio.run(prepare_data(url, settings, regenerate=args.regenerate, scale=args.scale))
        if args.generate_only:
            return 0
        from bench.drive import run_benchmark

        return run_benchmark(args, url, settings, tenant, embedded)
    except KeyboardInterrupt:
        log.warning("interrupted")
        return 130
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    sys.exit(main())
