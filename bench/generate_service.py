"""Generate the benchmark's service data in SQL, on top of the base data (bench/generate.py):
a Service team (a service manager and 20 agents; 3 in the small tenant), the demo seed's ticket
categories, an SLA policy per priority on a Shanghai business calendar, and 200,000 tickets of
existing customers (8% without one) created over the past 360 days, with their SLA timestamps,
assignees (a few new ones waiting in the team's queue) and about two comments each (the first
public reply, an internal note for half, the resolution reply); 2% of that in the small tenant.
The ticket counter continues after the last number.

The base and selling data are not touched: this part carries its own marker,
`settings.bench.service` of the big tenant ({version, tickets}), and is redone alone (its rows
deleted and generated again; the Service users are kept) when the marker is missing or differs.

Like generate_selling.py: set-based INSERT ... SELECT over generate_series in one transaction,
secondary indexes of the loaded tables dropped first and rebuilt at the end, foreign-key triggers
skipped. SLA due times are the policy's business minutes stretched to wall time (a 9-hour,
five-day week is 3.73 wall minutes per business minute) rather than walked on the calendar: the
benchmark needs their shape (some breached, most met), not the exact minute. Derived column:
search_text = search_text(number, subject, description) as app/repositories/tickets.py computes it;
customer_owner_id and customer_department_id = the customer's owner_id and department_id, which the
triggers of migration 0018 would copy (the load skips triggers). The ticket stats rollups and
customer counts, which migration 0019's triggers keep, are rebuilt after the load
(`ticket_stats_rollups_rebuild(tenant)`); a database loaded before 0019 gets them from that
migration, which rebuilds every tenant's.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.domain.shared.ids import new_id
from app.repositories.identity import PgIdentityRepository
from app.repositories.tables import (
    departments,
    roles,
    sla_policies,
    tenants,
    ticket_calendars,
    ticket_categories,
    users,
)
from app.seed_tickets import CATEGORIES, CHANNEL_WEIGHTS, CHANNELS, HOLIDAYS, KIND_WEIGHTS, KINDS, SLA, SUBJECTS
from bench.generate import (
    BIG_TENANT,
    PASSWORD,
    SMALL_FACTOR,
    SMALL_TENANT,
    BenchTenant,
    BenchUser,
    _timed,
    bench_marker,
    bulk_load_session,
    lit,
    pick,
    randoms,
    secondary_indexes,
    weighted,
)

log = logging.getLogger("bench.generate")

SERVICE_VERSION = 1
SERVICE_TABLES = ("tickets", "ticket_comments")
# Kept by triggers the load skips: rebuilt after it (migration 0019).
STATS_REBUILD = "ticket_stats_rollups_rebuild"
STATS_TABLES = (
    "ticket_stats_rollups", "ticket_stats_month_rollups", "ticket_stats_year_rollups", "ticket_customer_counts"
)  # fmt: skip
AGENTS = {BIG_TENANT: 20, SMALL_TENANT: 3}
DOMAINS = {BIG_TENANT: "bench.example.com", SMALL_TENANT: "small.bench.example.com"}
# Wall minutes per business minute on a 9-hour, five-day week.
STRETCH = (24 * 7) / (9 * 5)
PRIORITIES, PRIORITY_WEIGHTS = ["low", "normal", "high", "urgent"], [20, 50, 22, 8]
NOTES = ["Checked the logs 已查日志", "Key account, handle with care 重点客户", "Asked R&D for a date 已询问研发"]
REPLIES = [
    "We are looking into it 正在处理",
    "Please send a screenshot 请提供截图",
    "An engineer will call 工程师将联系您",
]
SOLUTIONS = ["Fixed in release 3.2 已修复", "Explained the setting 已说明设置", "Replaced the device 已更换设备"]


@dataclass(frozen=True)
class ServiceSize:
    tickets: int

    def scaled(self, factor: float) -> ServiceSize:
        return ServiceSize(max(10, int(self.tickets * factor)))


SERVICE = ServiceSize(200_000)


def wanted_marker(size: ServiceSize) -> dict[str, Any]:
    return {"version": SERVICE_VERSION, "tickets": size.tickets}


# ---------------------------------------------------------------------------------------------
# SQL


def _ticket_sql(tenant_id: UUID, count: int, customers: int, agents: int) -> str:
    names = ["rc", "rnoc", "rag", "rq", "rk", "rch", "rpr", "rsub", "rzh", "rcre", "rst", "rfr", "rfl", "rres",
             "rrl", "rcl", "rreo", "rpau", "rtag", "rdesc", "rdel", "rdone"]  # fmt: skip
    draws = f"SELECT g, {randoms(names)} FROM generate_series(1, {count}) g OFFSET 0"
    kinds = f"""
      SELECT d.*, {weighted(KINDS, KIND_WEIGHTS, "rk")} AS kind,
        {weighted(CHANNELS, CHANNEL_WEIGHTS, "rch")} AS channel,
        {weighted(PRIORITIES, PRIORITY_WEIGHTS, "rpr")} AS priority,
        now() - (0.01 + rcre * 359.99) * interval '1 day' AS created_at
      FROM ({draws}) d OFFSET 0"""
    # The policy's targets as wall-clock intervals; when the ticket would be done; its status.
    timed = f"""
      SELECT k.*, p.id AS policy_id,
        p.first_response_minutes * {STRETCH:.4f} * interval '1 minute' AS first_span,
        p.resolution_minutes * {STRETCH:.4f} * interval '1 minute' AS resolution_span,
        s.subject_zh, s.subject_en, s.category_id
      FROM ({kinds}) k
      JOIN bench_policy p ON p.priority = k.priority
      JOIN bench_subject s ON s.kind = k.kind AND s.i = floor(k.rsub * s.n)::int
      OFFSET 0"""
    statused = f"""
      SELECT t.*,
        CASE WHEN created_at + resolution_span * (0.2 + 1.4 * rdone) <= now() AND rst < 0.96
               THEN (CASE WHEN rcl < 0.75 AND created_at < now() - interval '4 days' THEN 'closed' ELSE 'resolved' END)
             WHEN created_at > now() - interval '20 days'
               THEN (CASE WHEN rst < 0.22 THEN 'new' WHEN rst < 0.78 THEN 'open' ELSE 'pending' END)
             ELSE 'open' END AS status
      FROM ({timed}) t OFFSET 0"""
    responded = f"""
      SELECT s.*,
        CASE WHEN status <> 'new' THEN least(now() - interval '1 minute', created_at + first_span *
             (CASE WHEN rfl < 0.12 THEN 1.1 + 2.9 * rfr ELSE 0.05 + 0.9 * rfr END)) END AS first_responded_at
      FROM ({statused}) s OFFSET 0"""
    resolved = """
      SELECT r.*,
        CASE WHEN status IN ('resolved', 'closed') THEN greatest(first_responded_at + interval '1 minute',
             least(now() - interval '2 minutes', created_at + resolution_span *
                   (CASE WHEN rrl < 0.1 THEN 1.05 + 1.95 * rres ELSE 0.1 + 0.85 * rres END))) END AS resolved_at
      FROM ({responded}) r OFFSET 0"""
    owned = f"""
      SELECT x.*,
        CASE WHEN status = 'closed'
             THEN least(now() - interval '1 minute', resolved_at + (1 + 2 * rcl) * interval '1 day') END AS closed_at,
        CASE WHEN status = 'pending' THEN first_responded_at + (now() - first_responded_at) * (0.2 + 0.7 * rpau)
             END AS sla_paused_at,
        CASE WHEN status = 'new' AND rq < 0.4 THEN NULL ELSE a.user_id END AS owner_id,
        a.department_id AS team_id,
        CASE WHEN rnoc < 0.08 THEN NULL ELSE c.id END AS customer_id,
        CASE WHEN rnoc < 0.08 THEN NULL ELSE c.owner_id END AS customer_owner_id,
        CASE WHEN rnoc < 0.08 THEN NULL ELSE c.department_id END AS customer_department_id
      FROM ({resolved.format(responded=responded)}) x
      JOIN bench_agent a ON a.i = floor({agents} * power(x.rag, 1.3))::int
      JOIN bench_cust c ON c.n = 1 + floor({customers} * power(x.rc, 1.3))::int
      OFFSET 0"""
    numbered = f"""
      SELECT o.*, 'T' || lpad(row_number() OVER (ORDER BY created_at, g)::text, 6, '0') AS number,
        CASE WHEN rzh < 0.7 THEN subject_zh ELSE subject_en END AS subject,
        CASE WHEN rdesc < 0.5 THEN subject_en || ' / ' || subject_zh END AS description
      FROM ({owned}) o OFFSET 0"""
    updated = "greatest(created_at, first_responded_at, resolved_at, closed_at, sla_paused_at)"
    return f"""
    INSERT INTO tickets (tenant_id, id, number, kind, channel, priority, status, category_id, customer_id,
        contact_id, subject, description, solution, tags, custom_fields, owner_id, department_id,
        customer_owner_id, customer_department_id, sla_policy_id,
        first_response_due_at, first_responded_at, resolution_due_at, first_response_warn_at, resolution_warn_at,
        resolved_at, closed_at, sla_paused_at, sla_paused_seconds, reopen_count, escalation_level, search_text,
        created_at, updated_at, created_by, updated_by, version, deleted_at)
    SELECT {lit(str(tenant_id))}::uuid, pg_temp.uuid7_at(created_at), number, kind, channel, priority, status,
        category_id, customer_id, NULL, subject, description,
        CASE WHEN resolved_at IS NOT NULL THEN {pick(SOLUTIONS, "rres")} END,
        CASE WHEN rtag < 0.05 THEN ARRAY['vip'] ELSE '{{}}'::text[] END, '{{}}'::jsonb,
        owner_id, team_id, customer_owner_id, customer_department_id, policy_id,
        created_at + first_span, first_responded_at, created_at + resolution_span,
        created_at + 0.8 * first_span, created_at + 0.8 * resolution_span,
        resolved_at, closed_at, sla_paused_at, 0,
        CASE WHEN resolved_at IS NOT NULL AND rreo < 0.06 THEN 1 ELSE 0 END, 0,
        pg_temp.search_text(concat_ws(' ', number, subject, description)),
        created_at, {updated}, coalesce(owner_id, team_id), coalesce(owner_id, team_id),
        1 + (first_responded_at IS NOT NULL)::int + (resolved_at IS NOT NULL)::int + (closed_at IS NOT NULL)::int,
        CASE WHEN rdel < 0.003 THEN {updated} END
    FROM ({numbered}) n
    ORDER BY created_at"""


def _comment_sql(tenant_id: UUID) -> str:
    """The first public reply, an internal note for half the tickets, the resolution reply."""
    tenant = f"{lit(str(tenant_id))}::uuid"
    author = "coalesce(t.owner_id, t.created_by)"
    columns = "tenant_id, id, ticket_id, visibility, body, attachments, author_id, created_at, updated_at, " \
              "created_by, updated_by, version"  # fmt: skip

    def part(visibility: str, body: str, at: str, where: str) -> str:
        return f"""
        SELECT t.tenant_id, pg_temp.uuid7_at({at}), t.id, {lit(visibility)}, {body}, '[]'::jsonb, {author},
            {at}, {at}, {author}, {author}, 1
        FROM tickets t WHERE t.tenant_id = {tenant} AND {where}"""

    note_at = "t.created_at + (coalesce(t.resolved_at, now()) - t.created_at) / 2"
    return f"""
    INSERT INTO ticket_comments ({columns})
    {part("public", pick(REPLIES, "random()"), "t.first_responded_at", "t.first_responded_at IS NOT NULL")}
    UNION ALL
    {part("internal", pick(NOTES, "random()"), note_at, "random() < 0.5")}
    UNION ALL
    {part("public", "t.solution", "t.resolved_at", "t.resolved_at IS NOT NULL")}"""


# ---------------------------------------------------------------------------------------------
# Tenants


async def _service_team(conn: AsyncConnection, tenant: BenchTenant, password_hash: str) -> list[BenchUser]:
    """The Service department and its people (kept between loads): the manager first."""
    repo = PgIdentityRepository(conn)
    d = departments
    found = (await conn.execute(sa.select(d.c.id).where(d.c.tenant_id == tenant.id, d.c.name == "Service"))).scalar()
    service = found or await repo.insert_department(tenant.id, "Service")
    role_ids = dict(
        (await conn.execute(sa.select(roles.c.key, roles.c.id).where(roles.c.tenant_id == tenant.id))).all()
    )
    people = [("service.manager", "service_manager")] + [
        (f"agent{i:02d}", "service_agent") for i in range(1, AGENTS[tenant.name] + 1)
    ]
    team: list[BenchUser] = []
    for label, role in people:
        email = f"{label}@{DOMAINS[tenant.name]}"
        uid = (await conn.execute(sa.select(users.c.id).where(users.c.email == email))).scalar()
        if uid is None:
            uid = await repo.insert_user(
                tenant.id, email=email, name=label.replace(".", " ").title(), password_hash=password_hash,
                department_id=service,
            )  # fmt: skip
            await repo.set_user_roles(tenant.id, uid, [role_ids[role]])
        tenant.users[label] = BenchUser(uid, email, role, service)
        team.append(tenant.users[label])
    return team


async def _team(conn: AsyncConnection, tenant_id: UUID) -> list[BenchUser]:
    """The Service department's users as they are."""
    u, d = users, departments
    rows = await conn.execute(
        sa.select(u.c.id, u.c.email, u.c.department_id)
        .join(d, sa.and_(d.c.tenant_id == u.c.tenant_id, d.c.id == u.c.department_id))
        .where(u.c.tenant_id == tenant_id, d.c.name == "Service")
    )
    role = {True: "service_manager", False: "service_agent"}
    return [BenchUser(uid, email, role[email.startswith("service.")], dept) for uid, email, dept in rows]


async def _tenant(conn: AsyncConnection, name: str) -> BenchTenant | None:
    row = (await conn.execute(sa.select(tenants.c.id).where(tenants.c.name == name))).first()
    return None if row is None else BenchTenant(row.id, name)


async def _wipe(conn: AsyncConnection, tenant_ids: list[UUID]) -> None:
    """This part's rows of the bench tenants, whatever an earlier load or run left."""
    ids = ", ".join(f"{lit(str(t))}::uuid" for t in tenant_ids)
    for table in (
        "ticket_sla_alerts",
        "ticket_escalations",
        "ticket_status_changes",
        "ticket_comments",
        "tickets",
        "ticket_escalation_rules",
        "ticket_assignment_rules",
        "sla_policies",
        "ticket_categories",
        "ticket_calendars",
    ):
        exists = (await conn.exec_driver_sql(f"SELECT to_regclass({lit(table)}) IS NOT NULL")).scalar()
        if exists:
            await conn.exec_driver_sql(f"DELETE FROM {table} WHERE tenant_id IN ({ids})")
    await conn.exec_driver_sql(f"DELETE FROM document_counters WHERE kind = 'ticket' AND tenant_id IN ({ids})")


async def _settings(conn: AsyncConnection, tenant_id: UUID) -> None:
    """Calendar, categories (bench_subject: the subjects per kind with their category) and SLA
    policies (bench_policy)."""
    await conn.execute(
        ticket_calendars.insert().values(
            tenant_id=tenant_id, time_zone="Asia/Shanghai", weekdays=[0, 1, 2, 3, 4], open_minute=540,
            close_minute=1080, holidays=HOLIDAYS,
        )
    )  # fmt: skip
    category_ids: dict[str, UUID] = {}
    for position, (name, children) in enumerate(CATEGORIES):
        parent = new_id()
        category_ids[name] = parent
        rows = [{"tenant_id": tenant_id, "id": parent, "name": name, "parent_id": None, "position": position * 10}]
        for i, child in enumerate(children):
            category_ids[child] = new_id()
            rows.append({"tenant_id": tenant_id, "id": category_ids[child], "name": child, "parent_id": parent,
                         "position": i * 10})  # fmt: skip
        await conn.execute(ticket_categories.insert(), rows)
    await conn.exec_driver_sql("DROP TABLE IF EXISTS bench_subject, bench_policy")
    await conn.exec_driver_sql(
        "CREATE TEMP TABLE bench_subject (kind text, i int, n int, subject_zh text, subject_en text, category_id uuid)"
    )
    values = [
        f"({lit(kind)}, {i}, {len(subjects)}, {lit(zh)}, {lit(en)}, {lit(str(category_ids[category]))}::uuid)"
        for kind, subjects in SUBJECTS.items()
        for i, (category, en, zh) in enumerate(subjects)
    ]
    await conn.exec_driver_sql(f"INSERT INTO bench_subject VALUES {', '.join(values)}")
    await conn.exec_driver_sql(
        "CREATE TEMP TABLE bench_policy (priority text, id uuid, first_response_minutes int, resolution_minutes int)"
    )
    for priority, (first, resolution) in SLA.items():
        policy = new_id()
        await conn.execute(
            sla_policies.insert().values(
                tenant_id=tenant_id, id=policy, name=f"{priority.title()} 标准", priority=priority,
                first_response_minutes=first, resolution_minutes=resolution,
            )
        )  # fmt: skip
        await conn.exec_driver_sql(
            f"INSERT INTO bench_policy VALUES ({lit(priority)}, {lit(str(policy))}::uuid, {first}, {resolution})"
        )


async def _load_tenant(conn: AsyncConnection, tenant: BenchTenant, size: ServiceSize, password_hash: str) -> None:
    log.info("%s: %s tickets", tenant.name, f"{size.tickets:,}")
    tid = lit(str(tenant.id))
    team = await _service_team(conn, tenant, password_hash)
    await _settings(conn, tenant.id)
    # bench_agent: the agents, then the manager; owner i receives a share that falls with i.
    order = [*team[1:], team[0]]
    await conn.exec_driver_sql("DROP TABLE IF EXISTS bench_agent")
    await conn.exec_driver_sql("CREATE TEMP TABLE bench_agent (i int PRIMARY KEY, user_id uuid, department_id uuid)")
    rows = ", ".join(f"({i}, {lit(str(u.id))}::uuid, {lit(str(u.department_id))}::uuid)" for i, u in enumerate(order))
    await conn.exec_driver_sql(f"INSERT INTO bench_agent VALUES {rows}")
    await conn.exec_driver_sql("DROP TABLE IF EXISTS bench_cust")
    await _timed(
        conn,
        "stage customers",
        f"""
        CREATE TEMP TABLE bench_cust AS
        SELECT row_number() OVER (ORDER BY id)::int AS n, id, owner_id, department_id
        FROM customers WHERE tenant_id = {tid}::uuid AND deleted_at IS NULL""",
    )
    await conn.exec_driver_sql("ALTER TABLE bench_cust ADD PRIMARY KEY (n)")
    for table in ("bench_cust", "bench_agent", "bench_policy", "bench_subject"):
        await conn.exec_driver_sql(f"ANALYZE {table}")
    customers = (await conn.exec_driver_sql("SELECT count(*) FROM bench_cust")).scalar() or 0
    if customers == 0:
        raise RuntimeError(f"{tenant.name} has no customers: generate the base data first")
    await _timed(conn, "tickets", _ticket_sql(tenant.id, size.tickets, int(customers), len(order)))
    await _timed(conn, "ticket comments", _comment_sql(tenant.id))
    await conn.exec_driver_sql(
        f"INSERT INTO document_counters (tenant_id, kind, next_value) VALUES ({tid}::uuid, 'ticket', "
        f"{size.tickets + 1})"
    )
    await conn.exec_driver_sql("DROP TABLE bench_cust, bench_agent, bench_policy, bench_subject")


async def rebuild_stats_rollups(conn: AsyncConnection, tenant_ids: list[UUID]) -> bool:
    """The trigger-kept ticket stats rollups and customer counts (migration 0019), recomputed: the
    load skipped the triggers. False in a database from before them."""
    found = await conn.exec_driver_sql(f"SELECT count(*) FROM pg_proc WHERE proname = {lit(STATS_REBUILD)}")
    if not found.scalar():
        return False
    for tenant_id in tenant_ids:
        await _timed(conn, "ticket stats rollups", f"SELECT {STATS_REBUILD}({lit(str(tenant_id))}::uuid)")
    return True


async def service_marker(engine: AsyncEngine) -> dict[str, Any] | None:
    return await bench_marker(engine, "service")


async def ensure(engine: AsyncEngine, tenant: BenchTenant, size: ServiceSize = SERVICE) -> dict[str, Any]:
    """The service data as `size` asks, generated when missing or outdated; returns its marker.
    The Service team's users are added to `tenant.users` either way."""
    want = wanted_marker(size)
    found = await service_marker(engine)
    if found == want:
        log.info("service data present (%s tickets)", f"{size.tickets:,}")
        async with engine.connect() as conn:
            for user in await _team(conn, tenant.id):
                tenant.users[user.email.split("@", 1)[0]] = user
        return found
    log.info("service data %s: generating it (%s)", "outdated" if found else "missing", want)
    await generate(engine, size, tenant)
    return want


async def generate(engine: AsyncEngine, size: ServiceSize, benched: BenchTenant) -> None:
    from app.auth.passwords import hash_password

    started = time.perf_counter()
    password_hash = await hash_password(PASSWORD)
    async with engine.begin() as conn:
        await bulk_load_session(conn, 0.2028)
        big = await _tenant(conn, BIG_TENANT)
        small = await _tenant(conn, SMALL_TENANT)
        if big is None or small is None:
            raise RuntimeError("the bench tenants are missing: generate the base data first")
        big.users = benched.users
        await _wipe(conn, [big.id, small.id])
        indexes = await secondary_indexes(conn, SERVICE_TABLES)
        for name, _ in indexes:
            await conn.exec_driver_sql(f'DROP INDEX "{name}"')
        log.info("dropped %d secondary indexes for the load", len(indexes))
        await _load_tenant(conn, big, size, password_hash)
        await _load_tenant(conn, small, size.scaled(SMALL_FACTOR), password_hash)
        for name, definition in indexes:
            await _timed(conn, f"index {name}", definition)
        if not await rebuild_stats_rollups(conn, [big.id, small.id]):
            log.info("  no %s() in this database: no rollups to rebuild", STATS_REBUILD)
        await conn.exec_driver_sql(
            f"UPDATE tenants SET settings = jsonb_set(settings, '{{bench,service}}', {lit(_json(wanted_marker(size)))}"
            f"::jsonb) WHERE id = {lit(str(big.id))}::uuid"
        )
    log.info("service load committed after %.1f s; VACUUM ANALYZE", time.perf_counter() - started)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in (*SERVICE_TABLES, "ticket_categories", "sla_policies", "users", "departments", *STATS_TABLES):
            if (await conn.exec_driver_sql(f"SELECT to_regclass({lit(table)}) IS NOT NULL")).scalar():
                await _timed(conn, f"vacuum analyze {table}", f"VACUUM (ANALYZE) {table}")
        await conn.exec_driver_sql("CHECKPOINT")
    log.info("service generation took %.1f s", time.perf_counter() - started)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)
