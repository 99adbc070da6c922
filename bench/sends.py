"""`python -m bench.sends`: a campaign send to 100,000 recipients through a local SMTP sink.

In one run, on a small database of its own (an embedded PostgreSQL under .crm/bench-sends, or
CRM_BENCH_SENDS_DATABASE_URL), with a fresh tenant whose 100,000 contacts, consents and campaign
members it makes in SQL (the full bench data is not needed for this):

1. bare: aiosmtplib in a plain loop over one connection, sending a message of the same shape and
   size (built once, only its Message-ID changed) to the sink: the ceiling for one connection.
2. app: `crm worker`'s send runner in a process of its own (one SMTP connection, the database
   beside it) delivers a send to the 100,000 recipients; messages per second between the first
   and the last message recorded sent, and the ratio to bare (target: at least 0.7).
3. kill: two worker processes share a new send to the same recipients; one is killed with SIGKILL
   mid-send (`--kills N`: a new one is started and killed again, N times); the survivor takes over
   the dead one's rows when their lease (`--lease`, 10 s here) expires. The sink counts every
   Message-ID it accepted: duplicates (an id twice) and losses (a delivery recorded sent, or the
   send's recipient, never received) must be zero.

The sink is aiosmtpd in its own process (as a real server would be), recording each accepted
message's Message-ID; both senders run on uvloop. Results: printed, and bench/results/sends.json.

    python -m bench.sends                       # 100,000 recipients, one kill
    python -m bench.sends --recipients 20000 --kills 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
log = logging.getLogger("bench.sends")

HTML = (
    "<html><body><h1>{{ campaign.name }}</h1><p>Dear {{ contact.name }},</p>"
    '<p>Our spring launch is on. Read <a href="https://example.com/launch?utm_source=mail">the details</a> '
    'or <a href="https://example.com/register">register now</a>.</p>'
    "<p>{% if customer %}{{ customer.name }}{% endif %}</p>"
    '<p><a href="{{ links.unsubscribe }}">Unsubscribe</a></p></body></html>'
)
CONTENT = {
    "en": {"subject": "{{ contact.name }}, the spring launch", "html": HTML, "text": ""},
    "zh-CN": {"subject": "{{ contact.name }}，春季发布会", "html": HTML, "text": ""},  # noqa: RUF001
}
TARGET_RATIO = 0.7
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the sink (a process of its own) ------------------------------------------------------------


def sink_main(port: int, out: str) -> None:
    import uvloop
    from aiosmtpd.controller import Controller

    seen: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            found = MESSAGE_ID.search(envelope.content or b"")
            seen.append(found.group(1) if found else b"-")
            return "250 OK"

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, loop=uvloop.new_event_loop())
    controller.start()
    cpu_at_start = time.process_time()
    Path(out + ".ready").write_text("1")
    done.wait()
    controller.stop()
    Path(out + ".cpu").write_text(str(time.process_time() - cpu_at_start))
    Path(out).write_bytes(b"\n".join(seen))


# The sink and worker processes started, stopped when the run is interrupted.
CHILDREN: list[subprocess.Popen[bytes]] = []


def stop_children() -> None:
    for child in CHILDREN:
        if child.poll() is None:
            child.kill()
            child.wait()
    CHILDREN.clear()


class Sink:
    def __init__(self, work: Path, name: str) -> None:
        self.port = free_port()
        self.out = work / f"sink-{name}.txt"
        for p in (self.out, Path(str(self.out) + ".ready")):
            p.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.sends", "sink", str(self.port), str(self.out)], cwd=ROOT
        )
        CHILDREN.append(self.proc)
        while not Path(str(self.out) + ".ready").exists():
            time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=off"

    def stop(self) -> Counter[str]:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        cpu = Path(str(self.out) + ".cpu")
        self.cpu = float(cpu.read_text()) if cpu.exists() else float("nan")
        return Counter(line.decode() for line in self.out.read_bytes().split(b"\n") if line)


# -- a worker (a process of its own) ------------------------------------------------------------


async def worker_main(url: str, smtp: str, tenant: str, send: str, name: str, lease: float) -> None:
    import sqlalchemy as sa

    from app.composition import build_delivery_runner
    from app.repositories.database import create_engine
    from app.repositories.tables import message_sends
    from app.settings import Settings

    settings = Settings(env="development", smtp_url=smtp, worker_in_serve=False)
    engine = create_engine(url, settings)
    runner = build_delivery_runner(engine, settings, worker_id=name)
    runner.store.only_tenant = UUID(tenant)
    runner.lease = timedelta(seconds=lease)
    runner.batch = 200
    status = sa.select(message_sends.c.status).where(message_sends.c.id == UUID(send))
    cpu_at_start = time.process_time()  # after the imports and the set-up: the sending alone
    while True:
        handled = await runner.run_once()
        if not handled:
            async with engine.connect() as conn:
                if (await conn.execute(status)).scalar() in ("completed", "cancelled", "failed"):
                    break
            await asyncio.sleep(0.2)
    await runner.close()
    await runner.store.close()
    await engine.dispose()
    cpu = time.process_time() - cpu_at_start
    await asyncio.to_thread((ROOT / ".crm" / "bench-sends" / f"worker-{name}.cpu").write_text, str(cpu))


def start_worker(
    url: str, sink: Sink, tenant: UUID, send: UUID, name: str, lease: float, profile_to: Path | None = None
) -> subprocess.Popen[bytes]:
    args = ["worker", url, sink.url, str(tenant), str(send), name, str(lease)]
    command = [sys.executable, "-m", "bench.sends", *args]
    if profile_to is not None:  # py-spy runs the worker and samples it until it exits
        from bench.profile import ensure_py_spy

        spy = [ensure_py_spy(), "record", "--format", "raw", "--output", str(profile_to), "--rate", "250"]
        command = [*spy, "--nonblocking", "--", *command]
    proc = subprocess.Popen(command, cwd=ROOT)
    CHILDREN.append(proc)
    return proc


# -- the data -----------------------------------------------------------------------------------


async def make_tenant(url: str, recipients: int, name: str | None = None) -> dict[str, Any]:
    import sqlalchemy as sa

    from app.domain.shared.ids import new_id
    from app.repositories.database import create_engine
    from app.repositories.identity import PgIdentityRepository
    from app.repositories.tables import campaigns, message_templates
    from app.settings import Settings

    engine = create_engine(url, Settings(env="development"))
    started = time.perf_counter()
    async with engine.begin() as conn:
        repo = PgIdentityRepository(conn)
        marker = {"bench": {"recipients": recipients}}
        tenant = await repo.insert_tenant(name or f"Sends Bench {time.strftime('%H%M%S')}", marker)
        role_ids = await repo.insert_system_roles(tenant)
        dept = await repo.insert_department(tenant, "Marketing", None)
        marketer = await repo.insert_user(
            tenant, email=f"marketer.{tenant.hex}@bench.example", name="Bench Marketer", password_hash="!",
            department_id=dept,
        )  # fmt: skip
        await repo.set_user_roles(tenant, marketer, [role_ids["marketer"]])
        campaign, template = new_id(), new_id()
        await conn.execute(
            campaigns.insert().values(
                tenant_id=tenant, id=campaign, name="Spring launch", campaign_type="email", owner_id=marketer,
                department_id=dept,
            )
        )  # fmt: skip
        await conn.execute(
            message_templates.insert().values(
                tenant_id=tenant, id=template, name="Spring launch invitation", channel="email",
                default_locale="en", content=CONTENT,
            )
        )  # fmt: skip
        params = {"t": tenant, "owner": marketer, "dept": dept, "n": recipients, "campaign": campaign}
        # As bench/generate.py loads: without the per-row triggers (search text, sync feeds), which
        # make 100,000 contacts take many minutes; nothing here reads what they derive.
        await conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        await conn.execute(
            sa.text("""
            INSERT INTO contacts (tenant_id, id, name, emails, emails_norm, owner_id, department_id, custom_fields)
            SELECT :t, gen_random_uuid(), 'Recipient ' || i, ARRAY['r' || i || '@bench.example'],
                   ARRAY['r' || i || '@bench.example'], :owner, :dept,
                   CASE WHEN i % 3 = 0 THEN '{"locale": "zh-CN"}'::jsonb ELSE '{}'::jsonb END
              FROM generate_series(1, :n) i"""),
            params,
        )
        await conn.execute(
            sa.text("""
            INSERT INTO marketing_consents (tenant_id, id, contact_id, channel, status, source)
            SELECT :t, gen_random_uuid(), id, 'email', 'granted', 'import' FROM contacts WHERE tenant_id = :t"""),
            params,
        )
        await conn.execute(
            sa.text("""
            INSERT INTO campaign_members (tenant_id, id, campaign_id, contact_id)
            SELECT :t, gen_random_uuid(), :campaign, id FROM contacts WHERE tenant_id = :t"""),
            params,
        )
    async with engine.connect() as conn:
        await conn.execute(sa.text("COMMIT"))
        await conn.execute(sa.text("ANALYZE contacts, marketing_consents, campaign_members"))
    await engine.dispose()
    log.info("tenant with %s recipients made in %.1f s", f"{recipients:,}", time.perf_counter() - started)
    return {"tenant": tenant, "marketer": marketer, "campaign": campaign, "template": template}


# `make bench`'s own sends tenant in the bench database: made once (again when the number of
# recipients changes), its earlier sends removed at the start of each run.
TENANT = "Bench Sends Co"


async def ensure_tenant(url: str, recipients: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from app.repositories.database import create_engine
    from app.settings import Settings

    engine = create_engine(url, Settings(env="development"))
    try:
        async with engine.begin() as conn:
            found = (
                await conn.execute(sa.text("SELECT id, settings FROM tenants WHERE name = :n"), {"n": TENANT})
            ).first()
            if found is not None and (found.settings.get("bench") or {}).get("recipients") != recipients:
                log.info("regenerating %s (%s recipients wanted)", TENANT, f"{recipients:,}")
                await conn.execute(
                    sa.text("UPDATE tenants SET name = :old WHERE id = :id"), {"old": f"{TENANT} (old)", "id": found.id}
                )
                found = None
            if found is not None:
                t = {"t": found.id}
                # Earlier runs' sends gone, the members back to "targeted": every run starts alike.
                await conn.execute(sa.text("DELETE FROM message_deliveries WHERE tenant_id = :t"), t)
                await conn.execute(sa.text("DELETE FROM message_sends WHERE tenant_id = :t"), t)
                await conn.execute(sa.text("DELETE FROM outbox WHERE tenant_id = :t"), t)
                await conn.execute(
                    sa.text("UPDATE campaign_members SET status = 'targeted', sent_at = NULL WHERE tenant_id = :t"), t
                )
                row = (
                    await conn.execute(
                        sa.text("""
                        SELECT c.id AS campaign, c.owner_id AS marketer, m.id AS template
                          FROM campaigns c JOIN message_templates m ON m.tenant_id = c.tenant_id
                         WHERE c.tenant_id = :t"""),
                        t,
                    )
                ).one()
                return {
                    "tenant": found.id,
                    "marketer": row.marketer,
                    "campaign": row.campaign,
                    "template": row.template,
                }
    finally:
        await engine.dispose()
    return await make_tenant(url, recipients, TENANT)


async def new_send(url: str, data: dict[str, Any]) -> UUID:
    import sqlalchemy as sa

    from app.domain.shared.ids import new_id
    from app.repositories.database import create_engine
    from app.repositories.tables import message_sends
    from app.settings import Settings

    engine = create_engine(url, Settings(env="development"))
    send = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            message_sends.insert().values(
                tenant_id=data["tenant"], id=send, campaign_id=data["campaign"], template_id=data["template"],
                channel="email", audience="members", status="scheduled", scheduled_at=sa.func.now(),
                owner_id=data["marketer"], created_by=data["marketer"],
            )
        )  # fmt: skip
    await engine.dispose()
    return send


async def send_facts(url: str, send: UUID) -> dict[str, Any]:
    import sqlalchemy as sa

    from app.repositories.database import create_engine
    from app.settings import Settings

    engine = create_engine(url, Settings(env="development"))
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text("""
                SELECT s.status, s.sent, s.failed, s.skipped, s.queued, s.started_at, s.completed_at,
                       (SELECT min(sent_at) FROM message_deliveries WHERE send_id = s.id) AS first_sent,
                       (SELECT max(sent_at) FROM message_deliveries WHERE send_id = s.id) AS last_sent,
                       (SELECT count(*) FROM message_deliveries WHERE send_id = s.id AND attempts > 1) AS retried,
                       (SELECT count(DISTINCT claimed_by) FROM message_deliveries WHERE send_id = s.id) AS workers
                  FROM message_sends s WHERE s.id = :id"""),
                {"id": send},
            )
        ).one()
        ids = (
            await conn.execute(sa.text("SELECT id, status FROM message_deliveries WHERE send_id = :id"), {"id": send})
        ).all()
    await engine.dispose()
    facts = dict(row._mapping)
    facts["expected"] = {f"<{r.id}@crm.delivery>" for r in ids}
    facts["recorded_sent"] = {f"<{r.id}@crm.delivery>" for r in ids if r.status == "sent"}
    return facts


async def progress_of(url: str, send: UUID, worker: str) -> tuple[int, int]:
    """(Messages recorded sent, rows `worker` holds claimed.)"""
    import sqlalchemy as sa

    from app.repositories.database import create_engine
    from app.settings import Settings

    engine = create_engine(url, Settings(env="development"))
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text("""
                SELECT count(*) FILTER (WHERE status = 'sent') AS sent,
                       count(*) FILTER (WHERE status = 'sending' AND claimed_by = :w) AS held
                  FROM message_deliveries WHERE send_id = :id"""),
                {"id": send, "w": worker},
            )
        ).one()
    await engine.dispose()
    return int(row.sent), int(row.held)


async def sent_so_far(url: str, send: UUID) -> int:
    import sqlalchemy as sa

    from app.repositories.database import create_engine
    from app.settings import Settings

    engine = create_engine(url, Settings(env="development"))
    async with engine.connect() as conn:
        n = (await conn.execute(sa.text("SELECT sent FROM message_sends WHERE id = :id"), {"id": send})).scalar()
    await engine.dispose()
    return int(n or 0)


# -- the phases ---------------------------------------------------------------------------------


def _pg_cpu(embedded: Any) -> Callable[[], float]:
    """Seconds of CPU the embedded PostgreSQL used so far (nan for an external server)."""
    if embedded is None:
        return lambda: float("nan")
    from bench.cpu import _postgres_cpu

    pgdata = Path(embedded.server.pgdata)
    return lambda: _postgres_cpu(pgdata)


def _cpu_ms(sender: float, sink: float, db: float, messages: int) -> dict[str, float]:
    """CPU milliseconds per message of the sender, the sink and PostgreSQL."""
    per = 1000 / max(messages, 1)
    return {"sender": round(sender * per, 3), "sink": round(sink * per, 3), "postgres": round(db * per, 3)}


async def bare(sink: Sink, messages: int) -> float:
    """aiosmtplib in a plain loop over one connection: the same shape and size of message."""
    import aiosmtplib

    from app.domain.marketing.delivery import Composed
    from app.domain.shared.ids import new_id
    from app.mail import campaign_message

    html = HTML.replace("{{ campaign.name }}", "Spring launch").replace("{{ contact.name }}", "Recipient 1")
    pixel = '<img src="https://crm.example/api/v1/public/t/o/' + "x" * 90 + '">'
    subject = "Recipient 1, the spring launch"
    sample = Composed(new_id(), "r1@bench.example", "Recipient 1", "en", subject, html + pixel, "text " * 40)
    template = campaign_message(
        sample, "CRM <no-reply@bench.example>", "<ID>", "https://crm.example/u/" + "x" * 90, None
    )
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, start_tls=False)
    await smtp.connect()
    started = time.perf_counter()
    for i in range(messages):
        data = template.replace(b"<ID>", f"<bare-{i}@bench>".encode())
        await smtp.sendmail("no-reply@bench.example", [f"r{i}@bench.example"], data)
    elapsed = time.perf_counter() - started
    await smtp.quit()
    return messages / elapsed


def wait_for(proc: subprocess.Popen[bytes], timeout: float) -> None:
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def run(args: argparse.Namespace) -> dict[str, Any]:

    from app.migrate import upgrade

    work = ROOT / ".crm" / "bench-sends"
    work.mkdir(parents=True, exist_ok=True)
    embedded = None
    url = os.environ.get("CRM_BENCH_SENDS_DATABASE_URL", "")
    try:
        if url:
            from app.repositories.database import async_url

            url = async_url(url)
        else:
            from bench.pg import EmbeddedPostgres

            embedded = EmbeddedPostgres(work, "crm_bench_sends")
            url = embedded.start()
        upgrade(url)
        data = asyncio.run(make_tenant(url, args.recipients))
        return measure(url, embedded, data, args)
    finally:
        stop_children()
        if embedded is not None:
            embedded.stop()


def measure(url: str, embedded: Any, data: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The rounds of bare and app runs, then the kill phase, on `data`'s tenant (make_tenant's or
    ensure_tenant's). `args`: recipients, bare, rounds, kills, lease, profile."""
    import uvloop

    work = ROOT / ".crm" / "bench-sends"
    work.mkdir(parents=True, exist_ok=True)
    if embedded is not None:  # the load's dirty pages written now, not during a measurement
        embedded.psql("CHECKPOINT")
    pg = _pg_cpu(embedded)
    results: dict[str, Any] = {"recipients": args.recipients, "rounds": []}
    bare_n = args.bare or min(args.recipients, 20_000)

    def bare_phase(name: str, n: int) -> dict[str, Any]:
        sink = Sink(work, name)
        cpu, db = time.process_time(), pg()
        rate = uvloop.run(bare(sink, n))
        cpu, db = time.process_time() - cpu, pg() - db
        received = sink.stop()
        out = {"per_second": round(rate, 1), "messages": n, "received": sum(received.values()),
               "cpu_ms": _cpu_ms(cpu, sink.cpu, db, n)}  # fmt: skip
        log.info("%s: %.0f messages/s; CPU ms per message %s", name, rate, out["cpu_ms"])
        return out

    def app_phase(name: str) -> dict[str, Any]:
        sink = Sink(work, name)
        send = asyncio.run(new_send(url, data))
        spied = RESULTS / f"profile-sends-{name}.txt" if args.profile else None
        if spied is not None:
            spied.parent.mkdir(parents=True, exist_ok=True)
        db = pg()
        worker = start_worker(url, sink, data["tenant"], send, name, 300, spied)
        wait_for(worker, 3600)
        db = pg() - db
        received = sink.stop()
        facts = asyncio.run(send_facts(url, send))
        span = (facts["last_sent"] - facts["first_sent"]).total_seconds()
        rate = facts["sent"] / span if span > 0 else float("nan")
        whole = (facts["completed_at"] - facts["started_at"]).total_seconds()
        cpu_file = work / f"worker-{name}.cpu"
        cpu = float(cpu_file.read_text()) if cpu_file.exists() else float("nan")
        out = {
            "sent": facts["sent"], "per_second": round(rate, 1),
            "seconds_sending": round(span, 1), "seconds_prepare_to_complete": round(whole, 1),
            "received": sum(received.values()), "duplicates": sum(n - 1 for n in received.values() if n > 1),
            "lost": len(facts["expected"] - set(received)),
            "cpu_ms": _cpu_ms(cpu, sink.cpu, db, facts["sent"]),
        }  # fmt: skip
        log.info("%s: %s", name, out)
        if spied is not None and spied.exists():
            from bench.profile import summarize

            print(f"\n--- profile of the app worker ({spied.relative_to(ROOT)})")
            print(summarize(spied, requests=facts["sent"]) + "\n", flush=True)
        return out

    # Warm-up: the sink's and the client's code paths, the loopback, the database's caches.
    bare_phase("warmup", min(2000, bare_n))
    # Rounds of bare, app, bare ...: each app run is compared with the faster of the bare runs
    # either side of it (on a shared machine the load moves between phases), and the figure is
    # the median of the rounds' ratios.
    bares = [bare_phase("bare-1", bare_n)]
    for r in range(args.rounds):
        app = app_phase(f"app-{r + 1}")
        bares.append(bare_phase(f"bare-{r + 2}", bare_n))
        ratio = app["per_second"] / max(bares[-2]["per_second"], bares[-1]["per_second"])
        results["rounds"].append({"app": app, "bare_before": bares[-2], "bare_after": bares[-1],
                                  "ratio": round(ratio, 3)})  # fmt: skip
        log.info("round %d: app %.0f messages/s, ratio to the faster bare %.2f", r + 1, app["per_second"], ratio)
    ratios = sorted(r["ratio"] for r in results["rounds"])
    results["ratio_median"] = statistics.median(ratios)
    results["app_per_second_median"] = statistics.median(r["app"]["per_second"] for r in results["rounds"])
    results["bare_per_second_median"] = statistics.median(b["per_second"] for b in bares)
    results["app"] = {
        "duplicates": sum(r["app"]["duplicates"] for r in results["rounds"]),
        "lost": sum(r["app"]["lost"] for r in results["rounds"]),
    }
    if args.kills < 0:
        return results

    sink = Sink(work, "kill")
    send = asyncio.run(new_send(url, data))
    survivor = start_worker(url, sink, data["tenant"], send, "survivor", args.lease)
    kills = []
    for k in range(args.kills):
        victim = start_worker(url, sink, data["tenant"], send, f"victim-{k + 1}", args.lease)
        target = args.recipients * (k + 1) // (args.kills + 1)
        # Killed past its share of the target, while it holds claimed rows (mid-batch).
        while victim.poll() is None:
            sent, held = asyncio.run(progress_of(url, send, f"victim-{k + 1}"))
            if sent >= target and held:
                break
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        sent, held = asyncio.run(progress_of(url, send, f"victim-{k + 1}"))
        kills.append({"sent": sent, "rows_it_held": held})
        log.info("killed victim-%d at %d sent, holding %d rows", k + 1, sent, held)
    wait_for(survivor, 3600)
    received = sink.stop()
    facts = asyncio.run(send_facts(url, send))
    results["kill"] = {
        "kills": args.kills, "killed_at_sent": kills, "lease_seconds": args.lease, "sent": facts["sent"],
        "status": facts["status"], "received_distinct": len(received), "received": sum(received.values()),
        "duplicates": sum(n - 1 for n in received.values() if n > 1),
        "lost": len(facts["expected"] - set(received)),
        "recorded_sent_not_received": len(facts["recorded_sent"] - set(received)),
        "resent_after_a_kill": facts["retried"], "workers": facts["workers"],
    }  # fmt: skip
    log.info("kill: %s", results["kill"])
    return results


def report(results: dict[str, Any]) -> str:
    rounds = results["rounds"]
    ok = results["ratio_median"] >= TARGET_RATIO and not results["app"]["duplicates"] and not results["app"]["lost"]
    lines = [
        f"Send to {results['recipients']:,} recipients through a local SMTP sink (aiosmtpd, own process); "
        "both senders: one SMTP connection, no pipelining (the sink offers none), uvloop",
        "",
        "| round | bare before msg/s | app msg/s | bare after msg/s | app / faster bare "
        "| CPU ms/msg app: worker + sink + PostgreSQL | bare: loop + sink |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rounds, 1):
        a, b = r["app"]["cpu_ms"], r["bare_after"]["cpu_ms"]
        lines.append(
            f"| {i} | {r['bare_before']['per_second']:.0f} | {r['app']['per_second']:.0f} | "
            f"{r['bare_after']['per_second']:.0f} | {r['ratio']:.2f} | {a['sender']:.2f} + {a['sink']:.2f} + "
            f"{a['postgres']:.2f} | {b['sender']:.2f} + {b['sink']:.2f} |"
        )
    lines += [
        "",
        f"median: app {results['app_per_second_median']:.0f} msg/s, bare {results['bare_per_second_median']:.0f} "
        f"msg/s, ratio {results['ratio_median']:.2f} (target >= {TARGET_RATIO:.2f}: {'ok' if ok else 'MISSED'}); "
        f"app runs: duplicates {results['app']['duplicates']}, lost {results['app']['lost']}",
    ]
    kill = results.get("kill")
    if kill:
        lines.append(
            f"two workers, {kill['kills']} SIGKILLed mid-batch ({kill['killed_at_sent']}; "
            f"lease {kill['lease_seconds']} s): "
            f"status {kill['status']}, {kill['sent']:,} sent, received {kill['received']:,} "
            f"({kill['received_distinct']:,} distinct): duplicates {kill['duplicates']}, lost {kill['lost']} "
            f"({'ok' if kill['duplicates'] == 0 and kill['lost'] == 0 else 'MISSED'}); "
            f"{kill['resent_after_a_kill']} rows claimed again after a kill"
        )
    return "\n".join(lines)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sink"]:
        sink_main(int(argv[1]), argv[2])
        return 0
    if argv[:1] == ["worker"]:
        import uvloop

        logging.basicConfig(level=logging.WARNING)
        uvloop.run(worker_main(argv[1], argv[2], argv[3], argv[4], argv[5], float(argv[6])))
        return 0
    p = argparse.ArgumentParser(prog="python -m bench.sends", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--recipients", type=int, default=100_000)
    p.add_argument("--bare", type=int, default=0, help="messages per bare run (default: recipients, at most 20,000)")
    p.add_argument("--kills", type=int, default=1, help="workers SIGKILLed mid-send in the kill phase (-1: none)")
    p.add_argument("--rounds", type=int, default=3, help="app runs, each between two bare runs (median ratio)")
    p.add_argument("--lease", type=float, default=10.0, help="the kill phase's lease in seconds")
    p.add_argument("--profile", action="store_true", help="sample the app worker with py-spy (CPU per message)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    os.chdir(ROOT)
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        results = run(args)
    except KeyboardInterrupt:
        log.warning("interrupted")
        return 130
    text = report(results)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sends.json").write_text(json.dumps(results, indent=2, default=str))
    (out / "sends.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
