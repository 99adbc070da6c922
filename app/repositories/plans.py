"""Sales plans in PostgreSQL: the shared owned-record adapter, and their progress."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from app.domain.forecast.periods import Period
from app.domain.plans.entities import SORTABLE, SalesPlan
from app.domain.shared.scope import DataScope
from app.repositories.owned import OwnedTable
from app.repositories.scoping import scope_predicate
from app.repositories.tables import activities, customers, leads, sales_plans

TARGET_TABLES = {"customers": customers, "leads": leads}


class PgSalesPlanRepository(OwnedTable[SalesPlan]):
    table = sales_plans
    record = SalesPlan
    sortable = SORTABLE
    fk_fields = {"fk_sales_plans_owner": "owner_id"}

    async def progress(self, tenant_id: UUID, plan: SalesPlan, period: Period) -> tuple[int, int]:
        a = activities
        where = [
            a.c.tenant_id == tenant_id,
            a.c.owner_id == plan.owner_id,
            a.c.deleted_at.is_(None),
            a.c.occurred_at >= period.start,
            a.c.occurred_at < period.end,
        ]
        targets = []
        if plan.target_customer_ids:
            targets.append(a.c.customer_id.in_(plan.target_customer_ids))
        if plan.target_lead_ids:
            targets.append(a.c.lead_id.in_(plan.target_lead_ids))
        if targets:
            where.append(sa.or_(*targets))
        stmt = sa.select(
            sa.func.count().filter(a.c.status == "done"), sa.func.count().filter(a.c.status == "planned")
        ).where(*where)
        done, scheduled = (await self.conn.execute(stmt)).one()
        return int(done), int(scheduled)

    async def visible(self, scope: DataScope, table: str, ids: list[UUID]) -> set[UUID]:
        if not ids:
            return set()
        t = TARGET_TABLES[table]
        stmt = sa.select(t.c.id).where(scope_predicate(t, scope), t.c.id.in_(ids), t.c.deleted_at.is_(None))
        return set((await self.conn.execute(stmt)).scalars())
