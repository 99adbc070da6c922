"""The customer analysis rollups (migrations 0038, 0044) for the bench tenant: the bulk loads skip
the triggers (session_replication_role = replica), so the rollups are rebuilt here — one set-based
pass per table, as the worker's daily refresh does — whenever they are missing or older than today."""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.customer_metrics import PgCustomerMetricsJob
from bench.generate import BenchTenant

log = logging.getLogger("bench.generate_customers")


async def ensure(engine: AsyncEngine, tenant: BenchTenant) -> None:
    async with engine.begin() as conn:
        if not (await conn.execute(sa.text("SELECT to_regproc('customer_metrics_rebuild') IS NOT NULL"))).scalar():
            log.info("no customer_metrics_rebuild() in this database: no customer rollup")
            return
        fresh = await conn.execute(
            sa.text("""SELECT refreshed_on >= current_date
                       AND EXISTS (SELECT 1 FROM customer_lifecycle_days WHERE tenant_id = :t)
                       FROM customer_metrics_state WHERE tenant_id = :t"""),
            {"t": tenant.id},
        )
        if fresh.scalar():
            log.info("customer metrics present (refreshed today)")
            return
        await conn.execute(sa.text("SET LOCAL statement_timeout = 0"))
        started = time.perf_counter()
        await PgCustomerMetricsJob(conn).rebuild(tenant.id)
        log.info("customer metrics rebuilt in %.1f s", time.perf_counter() - started)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql(
            "VACUUM (ANALYZE) customer_metrics, customer_values, customer_segment_counts,"
            " customer_touch_days, customer_lifecycle_counted, customer_lifecycle_days"
        )
