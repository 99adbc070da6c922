"""Generate the benchmark's selling data in SQL, on top of the base data (bench/generate.py):
pipelines and stages, opportunities with their stage history, leads, a public lead form and
sales targets, in "Bench Corp" (200,000 opportunities, 1,000,000 leads by default) and
proportionally in "Bench Small Co".

The base data is not touched: this part carries its own marker, `settings.bench.selling` of the
big tenant ({version, opportunities, leads}), and is redone alone (its rows deleted and generated
again) when the marker is missing or says something else.

Like generate.py: set-based INSERT ... SELECT over generate_series in one transaction, secondary
indexes of the loaded tables dropped first and rebuilt at the end, foreign-key triggers skipped
(session_replication_role = replica) — which also skips the triggers that keep derived tables in
step (the opportunity rollups), so after the load `opportunity_rollups_rebuild(tenant)` runs for
each tenant when the database has that function. Then VACUUM ANALYZE.

Derived columns follow the repositories: opportunities' search_text = search_text(name,
next_step) (app/repositories/opportunities.py), leads' email_norm, phone_norm and search_text
(name, company, email, phone, phone_key(phone)) as app/repositories/leads.py computes them;
generate.check_derived compares a sample of both with those functions.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app import seed_data as v
from app.domain.shared.ids import new_id
from app.repositories.tables import lead_forms, pipeline_stages, pipelines, sales_targets, tenants
from app.seed_sales import COMPETITORS, LOST_REASONS, NEXT_STEPS, PIPELINES
from bench.generate import (
    BIG_TENANT,
    SMALL_FACTOR,
    SMALL_TENANT,
    BenchTenant,
    BenchUser,
    _owners,
    _timed,
    bench_marker,
    bulk_load_session,
    lit,
    phone_expr,
    pick,
    randoms,
    secondary_indexes,
    weighted,
)

log = logging.getLogger("bench.generate")

SELLING_VERSION = 1
# The public lead forms' keys (lead_forms.form_key is unique across tenants).
FORM_KEYS = {BIG_TENANT: "lf_bench_corp_contact_us", SMALL_TENANT: "lf_bench_small_contact_us"}
FORM_FIELDS = ["name", "company", "title", "phone", "email", "description"]
SELLING_TABLES = ("opportunities", "opportunity_stage_history", "leads")
ROLLUP_REBUILD = "opportunity_rollups_rebuild"
LEAD_REBUILD = "lead_status_rollups_rebuild"
LEAD_REBUILD = "lead_rollups_rebuild"

LEAD_SOURCES = ["web_form", "campaign", "import", "referral", "event", "other"]
LEAD_SOURCE_WEIGHTS = [30, 20, 12, 14, 16, 8]
# Converted leads need a customer (and its conversion) behind them: the bench has none.
LEAD_STATUSES = ["new", "contacted", "qualified", "unqualified"]
LEAD_STATUS_WEIGHTS = [36, 30, 18, 16]
UNQUALIFIED_REASONS = ["no budget", "no need", "competitor chosen", "not reachable", "预算不足", "暂无需求"]
PRODUCTS = ["CRM", "客服系统", "Marketing", "Analytics", "实施"]
AMOUNTS = ["8", "15", "30", "50", "80", "120", "200", "500"]  # thousands, as the demo seed's


@dataclass(frozen=True)
class SellingSize:
    opportunities: int
    leads: int

    def scaled(self, factor: float) -> SellingSize:
        return SellingSize(max(10, int(self.opportunities * factor)), max(10, int(self.leads * factor)))


SELLING = SellingSize(200_000, 1_000_000)


def wanted_marker(size: SellingSize) -> dict[str, Any]:
    return {"version": SELLING_VERSION, "opportunities": size.opportunities, "leads": size.leads}


# ---------------------------------------------------------------------------------------------
# SQL


def _opportunity_sql(tenant_id: UUID, count: int, customers: int) -> str:
    names = ["rc", "rren", "rst", "rprod", "ramt", "ramt2", "rcat", "rcre", "rent", "rclose", "rns", "rcomp", "rdel"]
    draws = f"SELECT g, {randoms(names)} FROM generate_series(1, {count}) g OFFSET 0"
    steps = [s for s in NEXT_STEPS if s]
    step_share = len(steps) / len(NEXT_STEPS)
    deals = f"""
      SELECT d.*, c.id AS customer_id, c.owner_id, c.department_id,
        c.name || ' - ' || (CASE WHEN s.renewal THEN '续约' ELSE {pick(PRODUCTS, "rprod")} END) AS name,
        s.pipeline_id, s.id AS stage_id, s.probability, s.kind, s.idx,
        now() - (5 + rcre * 360) * interval '1 day' AS created_at
      FROM ({draws}) d
      JOIN bench_cust c ON c.n = 1 + floor({customers} * power(d.rc, 1.2))::int
      JOIN bench_stage s ON s.renewal = (d.rren < 0.25) AND d.rst >= s.lo AND d.rst < s.hi
      OFFSET 0"""
    timed = f"""
      SELECT x.*, created_at + (CASE WHEN idx = 0 THEN 0 ELSE rent END) * (now() - created_at) AS entered,
        CASE WHEN kind = 'open' AND rns < {step_share:.6f} THEN {pick(steps, f"rns / {step_share:.6f}")} END
          AS next_step
      FROM ({deals}) x OFFSET 0"""
    return f"""
    INSERT INTO opportunities (tenant_id, id, name, customer_id, primary_contact_id, amount, currency,
        expected_close_date, pipeline_id, stage_id, probability, forecast_category, competitors, next_step,
        lost_reason, tags, owner_id, department_id, custom_fields, description, stage_entered_at, closed_at,
        search_text, created_at, updated_at, created_by, updated_by, version, deleted_at)
    SELECT {lit(str(tenant_id))}::uuid, pg_temp.uuid7_at(created_at), name, customer_id, NULL,
        round(({pick(AMOUNTS, "ramt")}::numeric * 1000 * (0.8 + 0.4 * ramt2))::numeric, -2), 'CNY',
        CASE WHEN kind = 'open' THEN current_date + (floor(rclose * 731)::int - 365) ELSE entered::date END,
        pipeline_id, stage_id, probability,
        CASE kind WHEN 'won' THEN 'closed' WHEN 'lost' THEN 'omitted'
             ELSE {pick(["pipeline", "pipeline", "best_case", "commit"], "rcat")} END,
        CASE WHEN rcomp < 0.5 THEN '{{}}'::text[] ELSE ARRAY[{pick(COMPETITORS, "(rcomp - 0.5) * 2")}] END,
        next_step, CASE WHEN kind = 'lost' THEN {pick(LOST_REASONS, "rcat")} END, '{{}}'::text[],
        owner_id, department_id, '{{}}'::jsonb, NULL, entered, CASE WHEN kind <> 'open' THEN entered END,
        pg_temp.search_text(concat_ws(' ', name, next_step)),
        created_at, entered, owner_id, owner_id, 1 + idx, CASE WHEN rdel < 0.005 THEN entered END
    FROM ({timed}) t
    ORDER BY created_at"""


def _history_sql(tenant_id: UUID) -> str:
    """Each deal's walk, shortened: created in its pipeline's first stage, then (when it is
    elsewhere now) moved to its current stage when it entered it."""
    tenant = f"{lit(str(tenant_id))}::uuid"
    return f"""
    INSERT INTO opportunity_stage_history (tenant_id, id, opportunity_id, from_stage_id, to_stage_id,
        changed_by, changed_at, seconds_in_from_stage)
    SELECT o.tenant_id, pg_temp.uuid7_at(o.created_at), o.id, NULL, f.id, o.owner_id, o.created_at, NULL
    FROM opportunities o JOIN bench_stage f ON f.pipeline_id = o.pipeline_id AND f.idx = 0
    WHERE o.tenant_id = {tenant}
    UNION ALL
    SELECT o.tenant_id, pg_temp.uuid7_at(o.stage_entered_at), o.id, f.id, o.stage_id, o.owner_id,
        o.stage_entered_at, extract(epoch FROM o.stage_entered_at - o.created_at)::bigint
    FROM opportunities o JOIN bench_stage f ON f.pipeline_id = o.pipeline_id AND f.idx = 0
    WHERE o.tenant_id = {tenant} AND o.stage_id <> f.id"""


def _lead_sql(tenant_id: UUID, count: int, zh_share: float, region_ids: list[UUID], owners: int) -> str:
    names = [
        "ro",
        "rown",
        "rz",
        "rs1",
        "rg1",
        "rco",
        "rb1",
        "rb2",
        "rtr",
        "rsuf",
        "rcity",
        "rttl",
        "rmail",
        "rfmt",
        "rp1",
        "rp2",
        "rsrc",
        "rst",
        "rrat",
        "rsc",
        "rreg",
        "rtag",
        "rage",
        "rcre",
        "rdesc",
        "rdel",
        "rver",
        "rdom",
    ]
    draws = f"SELECT g, {randoms(names)} FROM generate_series(1, {count}) g OFFSET 0"
    zh = f"(rz < {zh_share})"
    zh_person = f"{pick([s[0] for s in v.ZH_SURNAMES], 'rs1')} || {pick([s[0] for s in v.ZH_GIVEN], 'rg1')}"
    en_person = f"{pick(v.EN_FIRST, 'rs1')} || ' ' || {pick(v.EN_LAST, 'rg1')}"
    zh_company = (
        f"{pick([c[0] for c in v.CITIES], 'rcity')} || {pick([b[0] for b in v.ZH_BRANDS], 'rb1')}"
        f" || {pick([t[0] for t in v.ZH_TRADES], 'rtr')} || {pick(v.ZH_COMPANY_SUFFIXES, 'rsuf')}"
    )
    en_company = (
        f"{pick(v.EN_BRANDS, 'rb1')} || ' ' || {pick([t[0] for t in v.EN_TRADES], 'rtr')}"
        f" || ' ' || {pick(v.EN_COMPANY_SUFFIXES, 'rsuf')}"
    )
    zh_domain = (
        f"{pick([b[1] for b in v.ZH_BRANDS], 'rb1')} || '-' || {pick([t[1] for t in v.ZH_TRADES], 'rtr')}"
        " || '.example.com'"
    )
    en_domain = (
        f"{pick([b.lower().replace(' ', '') for b in v.EN_BRANDS], 'rb1')} || '-'"
        f" || {pick([t[0].lower() for t in v.EN_TRADES], 'rtr')} || '.example.com'"
    )
    local = (
        f"(CASE WHEN zh THEN {pick([s[1] for s in v.ZH_SURNAMES], 'rs1')} || '.' || "
        f"{pick([s[1] for s in v.ZH_GIVEN], 'rg1')} ELSE lower({pick(v.EN_FIRST, 'rs1')} || '.' || "
        f"{pick(v.EN_LAST, 'rg1')}) END) || '.' || g"
    )
    personal = pick(["mail.example.com", "example.net", "example.org", "qq.example.com"], "rdom")
    named = f"""
      SELECT d.*, {zh} AS zh,
        CASE WHEN {zh} THEN {zh_person} ELSE {en_person} END AS name,
        CASE WHEN rco < 0.75 THEN (CASE WHEN {zh} THEN {zh_company} ELSE {en_company} END) END AS company,
        CASE WHEN rco >= 0.75 OR rmail < 0.25 THEN 'x' END AS personal,
        CASE WHEN rfmt < 0.1 THEN NULL ELSE {phone_expr(zh, "rfmt", "rp1", "rp2")} END AS phone,
        CASE WHEN rown < 0.12 THEN NULL ELSE o.user_id END AS owner_id,
        CASE WHEN rown < 0.12 THEN NULL ELSE o.department_id END AS department_id,
        now() - power(rage, 2) * interval '700 days' AS updated_at
      FROM ({draws}) d JOIN bench_owner o ON o.i = floor({owners} * power(d.ro, 1.5))::int
      OFFSET 0"""
    mailed = f"""
      SELECT n.*, CASE WHEN rmail < 0.08 THEN NULL
                       ELSE {local} || '@' || (CASE WHEN personal IS NOT NULL THEN {personal}
                                                    WHEN zh THEN {zh_domain} ELSE {en_domain} END) END AS email,
             updated_at - rcre * interval '200 days' AS created_at
      FROM ({named}) n OFFSET 0"""
    titles = pick(v.ZH_TITLES, "rttl * 1.25")
    en_titles = pick(v.EN_TITLES, "rttl * 1.25")
    tag = pick(["event-2026", "newsletter", "webinar", "trial"], "(rtag - 0.7) / 0.3")
    tags = f"(CASE WHEN rtag < 0.7 THEN '{{}}'::text[] ELSE ARRAY[{tag}] END)"
    status = weighted(LEAD_STATUSES, LEAD_STATUS_WEIGHTS, "rst")
    return f"""
    INSERT INTO leads (tenant_id, id, name, company, title, phone, email, source, campaign_id, status,
        unqualified_reason, rating, score, score_reasons, region_id, tags, owner_id, department_id,
        custom_fields, description, email_norm, phone_norm, search_text, created_at, updated_at,
        created_by, updated_by, version, deleted_at)
    SELECT {lit(str(tenant_id))}::uuid, pg_temp.uuid7_at(created_at), name, company,
        CASE WHEN rttl < 0.8 THEN (CASE WHEN zh THEN {titles} ELSE {en_titles} END) END,
        phone, email, {weighted(LEAD_SOURCES, LEAD_SOURCE_WEIGHTS, "rsrc")}, NULL, status,
        CASE WHEN status = 'unqualified' THEN {pick(UNQUALIFIED_REASONS, "rsc")} END,
        CASE WHEN rrat < 0.15 THEN 'hot' WHEN rrat < 0.45 THEN 'warm' WHEN rrat < 0.7 THEN 'cold' END,
        floor(power(rsc, 2) * 100)::int, '[]'::jsonb,
        CASE WHEN rreg < 0.2 THEN NULL ELSE {pick([str(r) for r in region_ids], "(rreg - 0.2) / 0.8", "uuid")} END,
        {tags}, owner_id, department_id, '{{}}'::jsonb,
        CASE WHEN rdesc < 0.2 THEN 'Asked about ' || {pick(PRODUCTS, "rdesc * 5")} END,
        lower(trim(email)), pg_temp.phone_key(phone),
        pg_temp.search_text(concat_ws(' ', name, company, email, phone, pg_temp.phone_key(phone))),
        created_at, updated_at, owner_id, owner_id, 1 + floor(power(rver, 3) * 5)::int,
        CASE WHEN rdel < 0.01 THEN updated_at END
    FROM (SELECT m.*, {status} AS status FROM ({mailed}) m OFFSET 0) l
    ORDER BY created_at"""


# ---------------------------------------------------------------------------------------------
# Tenants


async def _tenant(conn: AsyncConnection, name: str) -> BenchTenant | None:
    from app.repositories.tables import roles, user_roles, users

    row = (await conn.execute(sa.select(tenants.c.id).where(tenants.c.name == name))).first()
    if row is None:
        return None
    tenant = BenchTenant(row.id, name)
    found = await conn.execute(
        sa.select(users.c.id, users.c.email, users.c.department_id, roles.c.key)
        .join(user_roles, sa.and_(user_roles.c.tenant_id == users.c.tenant_id, user_roles.c.user_id == users.c.id))
        .join(roles, sa.and_(roles.c.tenant_id == user_roles.c.tenant_id, roles.c.id == user_roles.c.role_id))
        .where(users.c.tenant_id == row.id)
    )
    for uid, email, dept, role in found:
        tenant.users[email.split("@", 1)[0]] = BenchUser(uid, email, role, dept)
    return tenant


async def _wipe(conn: AsyncConnection, tenant_ids: list[UUID]) -> None:
    """This part's rows of the bench tenants, whatever an earlier load or run left."""
    ids = ", ".join(f"{lit(str(t))}::uuid" for t in tenant_ids)
    for table in (
        "opportunity_stage_history",
        "opportunity_line_items",
        "quotes",
        "opportunities",
        "leads",
        "lead_forms",
        "lead_assignment_rules",
        "lead_scoring_rules",
        "sales_targets",
        "pipeline_stages",
        "pipelines",
    ):
        exists = (await conn.exec_driver_sql(f"SELECT to_regclass({lit(table)}) IS NOT NULL")).scalar()
        if exists:
            await conn.exec_driver_sql(f"DELETE FROM {table} WHERE tenant_id IN ({ids})")
    await conn.exec_driver_sql("DELETE FROM rate_limit_hits WHERE bucket LIKE 'lead-form:%'")


async def _pipelines(conn: AsyncConnection, tenant_id: UUID) -> None:
    """The demo seed's two pipelines (app/seed_sales.py) and bench_stage(renewal, lo, hi, ...):
    the share of deals per stage as the demo seed draws them."""
    await conn.exec_driver_sql("DROP TABLE IF EXISTS bench_stage")
    await conn.exec_driver_sql(
        "CREATE TEMP TABLE bench_stage (renewal boolean, lo float8, hi float8, id uuid, pipeline_id uuid, "
        "probability int, kind text, idx int)"
    )
    weights = {False: [30, 22, 18, 12, 10, 8], True: [40, 25, 25, 10]}
    for position, (name, spec) in enumerate(PIPELINES):
        renewal = position == 1
        pipeline_id = new_id()
        await conn.execute(
            pipelines.insert().values(tenant_id=tenant_id, id=pipeline_id, name=name, position=(position + 1) * 10)
        )
        rows = [
            {"tenant_id": tenant_id, "id": new_id(), "pipeline_id": pipeline_id, "name": stage,
             "position": (i + 1) * 10, "probability": probability, "kind": kind, "required_fields": required,
             "rotting_days": rotting}
            for i, (stage, probability, kind, required, rotting) in enumerate(spec)
        ]  # fmt: skip
        await conn.execute(pipeline_stages.insert(), rows)
        total, acc = sum(weights[renewal]), 0
        values = []
        for i, (row, weight) in enumerate(zip(rows, weights[renewal], strict=True)):
            lo, acc = acc / total, acc + weight
            hi = acc / total if i < len(rows) - 1 else 1.01
            values.append(
                f"({'true' if renewal else 'false'}, {lo}, {hi}, {lit(str(row['id']))}::uuid, "
                f"{lit(str(pipeline_id))}::uuid, {row['probability']}, {lit(row['kind'])}, {i})"
            )
        await conn.exec_driver_sql(f"INSERT INTO bench_stage VALUES {', '.join(values)}")
    await conn.exec_driver_sql("ANALYZE bench_stage")


async def _targets(conn: AsyncConnection, tenant: BenchTenant, today: date) -> int:
    """A target per seller and per sales department for each quarter from a year back to a year
    ahead (the deals' close dates span the same)."""
    sellers = [u for u in tenant.users.values() if u.role in ("sales_rep", "sales_manager")]
    departments = (
        await conn.exec_driver_sql(
            f"SELECT id FROM departments WHERE tenant_id = {lit(str(tenant.id))}::uuid ORDER BY path"
        )
    ).scalars()
    first = date(today.year - 1, 3 * ((today.month - 1) // 3) + 1, 1)
    months = [first.month - 1 + 3 * k for k in range(9)]
    quarters = [date(first.year + m // 12, m % 12 + 1, 1) for m in months]
    rows: list[dict[str, Any]] = []
    for n, seller in enumerate(sorted(sellers, key=lambda u: u.email)):
        amount = (600 + 200 * (n % 4)) * 1000
        for start in quarters:
            rows.append({"user_id": seller.id, "department_id": None, "period_start": start, "amount": amount})
    for dept in departments:
        for start in quarters:
            rows.append({"user_id": None, "department_id": dept, "period_start": start, "amount": 30_000_000})
    await conn.execute(
        sales_targets.insert(),
        [
            {"tenant_id": tenant.id, "id": new_id(), "period_kind": "quarter", "won_count": r["amount"] // 100_000, **r}
            for r in rows
        ],
    )
    return len(rows)


async def _load_tenant(conn: AsyncConnection, tenant: BenchTenant, size: SellingSize, zh_share: float) -> None:
    log.info("%s: %s opportunities, %s leads", tenant.name, f"{size.opportunities:,}", f"{size.leads:,}")
    tid = lit(str(tenant.id))
    await _pipelines(conn, tenant.id)
    await conn.exec_driver_sql("DROP TABLE IF EXISTS bench_cust")
    await _timed(
        conn,
        "stage customers",
        f"""
        CREATE TEMP TABLE bench_cust AS
        SELECT row_number() OVER (ORDER BY id)::int AS n, id, name, owner_id, department_id
        FROM customers WHERE tenant_id = {tid}::uuid AND deleted_at IS NULL""",
    )
    await conn.exec_driver_sql("ALTER TABLE bench_cust ADD PRIMARY KEY (n)")
    await conn.exec_driver_sql("ANALYZE bench_cust")
    customers = (await conn.exec_driver_sql("SELECT count(*) FROM bench_cust")).scalar() or 0
    if customers == 0:
        raise RuntimeError(f"{tenant.name} has no customers: generate the base data first")
    await _timed(conn, "opportunities", _opportunity_sql(tenant.id, size.opportunities, int(customers)))
    await _timed(conn, "opportunity stage history", _history_sql(tenant.id))
    owners = await _owners(conn, tenant)
    region_ids = list(
        (await conn.exec_driver_sql(f"SELECT id FROM regions WHERE tenant_id = {tid}::uuid ORDER BY code")).scalars()
    )
    await _timed(conn, "leads", _lead_sql(tenant.id, size.leads, zh_share, region_ids, owners))
    await conn.execute(
        lead_forms.insert().values(
            tenant_id=tenant.id,
            id=new_id(),
            name="Contact us 联系我们",
            form_key=FORM_KEYS[tenant.name],
            fields=FORM_FIELDS,
            tags=["web"],
        )
    )
    today: date = (await conn.exec_driver_sql("SELECT current_date")).scalar_one()
    log.info("  %-38s %8d", "sales targets", await _targets(conn, tenant, today))
    await conn.exec_driver_sql("DROP TABLE bench_cust, bench_stage, bench_owner")


async def selling_marker(engine: AsyncEngine) -> dict[str, Any] | None:
    return await bench_marker(engine, "selling")


async def has_rollups(conn: AsyncConnection) -> bool:
    found = await conn.exec_driver_sql(f"SELECT count(*) FROM pg_proc WHERE proname = {lit(ROLLUP_REBUILD)}")
    return bool(found.scalar())


async def rebuild_rollups(conn: AsyncConnection, tenant_ids: list[UUID]) -> bool:
    """The trigger-kept opportunity rollups, recomputed (the load skipped the triggers)."""
    if not await has_rollups(conn):
        return False
    found = await conn.exec_driver_sql(f"SELECT count(*) FROM pg_proc WHERE proname = {lit(LEAD_REBUILD)}")
    leads_too = found.scalar()
    for tenant_id in tenant_ids:
        await _timed(conn, "opportunity rollups", f"SELECT {ROLLUP_REBUILD}({lit(str(tenant_id))}::uuid)")
        if leads_too:  # Home's lead counts (migration 0043)
            await _timed(conn, "lead rollups", f"SELECT {LEAD_REBUILD}({lit(str(tenant_id))}::uuid)")
    return True


async def ensure(engine: AsyncEngine, size: SellingSize = SELLING) -> dict[str, Any]:
    """The selling data as `size` asks, generated when missing or outdated; returns its marker."""
    want = wanted_marker(size)
    found = await selling_marker(engine)
    if found == want:
        log.info("selling data present (%s opportunities, %s leads)", f"{size.opportunities:,}", f"{size.leads:,}")
        return found
    log.info("selling data %s: generating it (%s)", "outdated" if found else "missing", want)
    await generate(engine, size)
    return want


async def generate(engine: AsyncEngine, size: SellingSize = SELLING) -> None:
    started = time.perf_counter()
    async with engine.begin() as conn:
        await bulk_load_session(conn, 0.2027)
        big = await _tenant(conn, BIG_TENANT)
        small = await _tenant(conn, SMALL_TENANT)
        if big is None or small is None:
            raise RuntimeError("the bench tenants are missing: generate the base data first")
        await _wipe(conn, [big.id, small.id])
        indexes = await secondary_indexes(conn, SELLING_TABLES)
        for name, _ in indexes:
            await conn.exec_driver_sql(f'DROP INDEX "{name}"')
        log.info("dropped %d secondary indexes for the load", len(indexes))
        await _load_tenant(conn, big, size, zh_share=0.7)
        await _load_tenant(conn, small, size.scaled(SMALL_FACTOR), zh_share=0.5)
        for name, definition in indexes:
            await _timed(conn, f"index {name}", definition)
        if not await rebuild_rollups(conn, [big.id, small.id]):
            log.info("  no %s() in this database: no rollups to rebuild", ROLLUP_REBUILD)
        # The lead analysis' rollups (migration 0039), skipped by the load as well.
        if (await conn.exec_driver_sql(f"SELECT count(*) FROM pg_proc WHERE proname = {lit(LEAD_REBUILD)}")).scalar():
            for tenant_id in (big.id, small.id):
                await _timed(conn, "lead rollups", f"SELECT {LEAD_REBUILD}({lit(str(tenant_id))}::uuid)")
        await conn.exec_driver_sql(
            f"UPDATE tenants SET settings = jsonb_set(settings, '{{bench,selling}}', {lit(_json(wanted_marker(size)))}"
            f"::jsonb) WHERE id = {lit(str(big.id))}::uuid"
        )
    log.info("selling load committed after %.1f s; VACUUM ANALYZE", time.perf_counter() - started)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in (*SELLING_TABLES, "pipelines", "pipeline_stages", "sales_targets", "lead_forms"):
            await _timed(conn, f"vacuum analyze {table}", f"VACUUM (ANALYZE) {table}")
        if await has_rollups(conn):
            await _timed(conn, "vacuum analyze opportunity_rollups", "VACUUM (ANALYZE) opportunity_rollups")
        await conn.exec_driver_sql("CHECKPOINT")
    log.info("selling generation took %.1f s", time.perf_counter() - started)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)
