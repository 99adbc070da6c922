"""Home's own counts in PostgreSQL (app/domain/analytics/home.py): each one statement through the
caller's scope on its resource, prepared per scope shape, over the partial indexes of migration
0043 (index-only where a director's whole company is counted). The forecast, ticket, survey and
campaign figures come from their own repositories and services, not from here.

Which figures read rollups: leads to work (lead_status_rollups); the forecast's (closing this
month, attainment, per rep) read the opportunity rollups through app/repositories/forecast.py.
Pipeline by stage reads the stage rollups when the tenant's deals have one currency (the usual
case), else sums the deals per currency (deal_sums(currency=True), an index-only scan); planned
work and tickets read partial indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.home import StageFigure
from app.domain.shared.scope import DataScope
from app.repositories.analytics_sql import tenant_zone
from app.repositories.deal_sums import deal_sums, deal_sums_kind
from app.repositories.prepared import StatementCache
from app.repositories.scoping import Shape, scope_clause, scope_params, scope_shape
from app.repositories.tables import (
    activities,
    campaigns,
    lead_status_rollups,
    leads,
    opportunities,
    pipeline_stages,
    pipelines,
    tickets,
    users,
)
from app.repositories.tickets import breaching

_STATEMENTS = StatementCache()
_ID = PGUUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)
TO_WORK = ("new", "contacted")


def _const(value: str) -> sa.ColumnElement[Any]:
    """A constant in the SQL text, not a parameter: the partial indexes' predicates (migration
    0043) must be provable from the statement itself, whatever plan a prepared statement keeps."""
    return sa.literal_column(f"'{value}'", sa.Text)


def _at(name: str) -> sa.BindParameter[Any]:
    return sa.bindparam(name, type_=TS)


def _currencies() -> sa.ClauseElement:
    """The first two currencies of the tenant's live deals, by a skip scan of
    ix_opportunities_currency (a few index probes, however many deals)."""
    o = opportunities
    tenant = sa.bindparam("scope_tenant", type_=_ID)
    live = sa.and_(o.c.tenant_id == tenant, o.c.deleted_at.is_(None))
    first = sa.select(o.c.currency).where(live).order_by(o.c.currency).limit(1)
    seen = first.cte("seen", recursive=True)
    following = (
        sa.select(o.c.currency).where(live, o.c.currency > seen.c.currency).order_by(o.c.currency).limit(1)
    ).scalar_subquery()
    seen = seen.union_all(sa.select(following).where(seen.c.currency.is_not(None)))
    return sa.select(seen.c.currency).where(seen.c.currency.is_not(None)).limit(2)


def _pipeline_by_stage(shape: Shape, one_currency: bool) -> sa.ClauseElement:
    """Open deals per pipeline, stage and currency. When the tenant's live deals all have one
    currency, the stage rollups' sums are that currency's (whatever the range), so they are read
    instead of the deals; a range narrowed by region or customer type reads the deals anyway."""
    d = deal_sums(shape, currency=not one_currency)
    currency = sa.bindparam("currency", type_=sa.Text) if one_currency else d.c.currency
    s, p = pipeline_stages, pipelines
    tenant = sa.bindparam("scope_tenant", type_=_ID)
    return (
        sa.select(
            p.c.id, p.c.name, s.c.id, s.c.name, s.c.position, currency.label("currency"),
            sa.func.sum(d.c.deals), sa.func.sum(d.c.amount),
        )
        .select_from(
            d.join(s, sa.and_(s.c.tenant_id == tenant, s.c.id == d.c.stage_id)).join(
                p, sa.and_(p.c.tenant_id == tenant, p.c.id == s.c.pipeline_id)
            )
        )
        .where(s.c.kind == _const("open"))
        .group_by(p.c.id, p.c.name, p.c.position, s.c.id, s.c.name, s.c.position, *([] if one_currency else [currency]))
        .having(sa.func.sum(d.c.deals) > 0)  # a key whose deals all left nets to zero rows
        .order_by(p.c.position, p.c.name, p.c.id, s.c.position, s.c.id, *([] if one_currency else [currency]))
    )  # fmt: skip


def _leads_to_work(shape: Shape) -> sa.ClauseElement:
    """Per status, from the lead rollups (migration 0043); a range narrowed by region or customer
    type needs each lead's own columns, so it counts the leads (a rare custom role)."""
    if deal_sums_kind(shape) == "deals":
        ld = leads
        return (
            sa.select(ld.c.status, sa.func.count())
            .where(scope_clause(ld, shape), ld.c.deleted_at.is_(None), ld.c.status.in_([_const(s) for s in TO_WORK]))
            .group_by(ld.c.status)
        )
    r = lead_status_rollups
    return (
        sa.select(r.c.status, sa.func.sum(r.c.leads))
        .where(scope_clause(r, shape), r.c.status.in_([_const(s) for s in TO_WORK]))
        .group_by(r.c.status)
    )


def _planned(shape: Shape) -> sa.ClauseElement:
    """Planned tasks and appointments: today's per kind, and those past their time (before now)."""
    a = activities
    today = (a.c.occurred_at >= _at("day_start")) & (a.c.occurred_at < _at("day_end"))
    late = a.c.occurred_at < _at("now")
    return sa.select(
        sa.func.count().filter(today & (a.c.kind == "task")),
        sa.func.count().filter(today & (a.c.kind == "appointment")),
        sa.func.count().filter(late),
    ).where(
        scope_clause(a, shape),
        a.c.deleted_at.is_(None),
        a.c.status == _const("planned"),
        a.c.occurred_at < _at("day_end"),
    )


def _ticket_queue(shape: Shape) -> sa.ClauseElement:
    t = tickets
    return sa.select(
        sa.func.count(),
        sa.func.count().filter(t.c.owner_id.is_(None)),
        sa.func.count().filter(t.c.owner_id == sa.bindparam("scope_user", type_=_ID)),
    ).where(scope_clause(t, shape), t.c.deleted_at.is_(None), t.c.is_open)


def _sla(shape: Shape) -> sa.ClauseElement:
    t = tickets
    return sa.select(
        sa.func.count().filter(breaching(_at("now"))),
        sa.func.count(),
    ).where(scope_clause(t, shape), t.c.deleted_at.is_(None), breaching(_at("soon")))


def _campaigns_running(shape: Shape) -> sa.ClauseElement:
    c = campaigns
    live = sa.and_(scope_clause(c, shape), c.c.deleted_at.is_(None), c.c.status == "running")
    total = sa.select(sa.func.count()).where(live).scalar_subquery()
    first = (
        sa.select(c.c.id, c.c.name, c.c.starts_on, c.c.ends_on)
        .where(live)
        .order_by(c.c.ends_on.asc().nulls_last(), c.c.id)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .subquery()
    )
    one = sa.select(sa.literal(1).label("one")).subquery("one")
    return sa.select(total, first.c.id, first.c.name, first.c.starts_on, first.c.ends_on).select_from(
        one.outerjoin(first, sa.true())
    )


def _names() -> sa.ClauseElement:
    u = users
    tenant, ids = sa.bindparam("tenant_id", type_=_ID), sa.bindparam("ids", type_=sa.ARRAY(_ID))
    return sa.select(u.c.id, u.c.name).where(u.c.tenant_id == tenant, u.c.id == sa.any_(ids))


class PgLeadRollupCompaction:
    """The worker's minute job: fold each key's appended lead deltas into one row (migration 0043)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def compact(self) -> None:
        await self.conn.execute(sa.text("SELECT lead_status_rollups_compact()"))


class PgHomeFigures:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _rows(
        self, name: str, scope: DataScope, build: Callable[[Shape], sa.ClauseElement], **params: Any
    ) -> Any:
        shape = scope_shape(scope)
        key: Hashable = (name, shape)
        return await _STATEMENTS.get(key, lambda: build(shape)).rows(self.conn, {**scope_params(scope), **params})

    async def zone(self, tenant_id: UUID) -> str:
        return await tenant_zone(self.conn, tenant_id)

    async def pipeline_by_stage(self, scope: DataScope) -> list[StageFigure]:
        found = await _STATEMENTS.get("currencies", _currencies).rows(self.conn, {"scope_tenant": scope.tenant_id})
        if not found:
            return []
        one = len(found) == 1 and deal_sums_kind(scope_shape(scope)) == "rollups"
        rows = await self._rows(
            f"pipeline_by_stage_{one}", scope, lambda shape: _pipeline_by_stage(shape, one),
            **({"currency": found[0][0]} if one else {}),
        )  # fmt: skip
        return [StageFigure(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]), r[7]) for r in rows]

    async def leads_to_work(self, scope: DataScope) -> dict[str, int]:
        return {status: int(n) for status, n in await self._rows("leads_to_work", scope, _leads_to_work)}

    async def planned(
        self, scope: DataScope, day_start: datetime, day_end: datetime, now: datetime
    ) -> tuple[int, int, int]:
        rows = await self._rows("planned", scope, _planned, day_start=day_start, day_end=day_end, now=now)
        tasks, appointments, late = rows[0]
        return int(tasks), int(appointments), int(late)

    async def ticket_queue(self, scope: DataScope) -> tuple[int, int, int]:
        total, unassigned, mine = (await self._rows("ticket_queue", scope, _ticket_queue))[0]
        return int(total), int(unassigned), int(mine)

    async def sla_warnings(self, scope: DataScope, now: datetime, soon: datetime) -> tuple[int, int]:
        breached, due = (await self._rows("sla", scope, _sla, now=now, soon=soon))[0]
        return int(breached), int(due) - int(breached)

    async def campaigns_running(self, scope: DataScope, limit: int) -> tuple[int, list[dict[str, Any]]]:
        rows = await self._rows("campaigns_running", scope, _campaigns_running, limit=limit)
        total = int(rows[0][0]) if rows else 0
        items = [{"id": r[1], "name": r[2], "starts_on": r[3], "ends_on": r[4]} for r in rows if r[1] is not None]
        return total, items

    async def user_names(self, tenant_id: UUID, ids: list[UUID]) -> dict[UUID, str]:
        if not ids:
            return {}
        rows = await _STATEMENTS.get("user_names", _names).rows(self.conn, {"tenant_id": tenant_id, "ids": ids})
        return {row[0]: row[1] for row in rows}
