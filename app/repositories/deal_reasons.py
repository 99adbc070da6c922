"""Won and lost reasons in PostgreSQL: the window's closed deals through `ix_opportunities_closed`
(tenant, closed_at), within the caller's range, summed per outcome, reason and currency."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.deal_reasons import ReasonRepository, ReasonSum
from app.domain.analytics.window import Window, zone
from app.domain.shared.scope import DataScope
from app.repositories.analytics_sql import tenant_zone
from app.repositories.scoping import scope_predicate
from app.repositories.tables import opportunities, pipeline_stages

D, S = opportunities, pipeline_stages


class PgReasons(ReasonRepository):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def time_zone(self, tenant_id: UUID) -> str:
        return await tenant_zone(self.conn, tenant_id)

    async def reason_sums(
        self, scope: DataScope, window: Window, time_zone: str, pipeline_id: UUID | None
    ) -> list[ReasonSum]:
        lo, hi = window.instants(zone(time_zone))
        reason = sa.case((S.c.kind == "won", D.c.won_reason), else_=D.c.lost_reason)
        stmt = (
            sa.select(S.c.kind, reason, D.c.currency, sa.func.count(), sa.func.sum(D.c.amount))
            .select_from(D.join(S, (S.c.tenant_id == D.c.tenant_id) & (S.c.id == D.c.stage_id)))
            .where(
                scope_predicate(D, scope),
                D.c.deleted_at.is_(None),
                D.c.closed_at >= lo,
                D.c.closed_at < hi,
                S.c.kind.in_(("won", "lost")),
            )
            .group_by(S.c.kind, reason, D.c.currency)
        )
        if pipeline_id is not None:
            stmt = stmt.where(D.c.pipeline_id == pipeline_id)
        return [ReasonSum(*row) for row in await self.conn.execute(stmt)]
