"""Customer analysis in PostgreSQL (issue 15), through the caller's customers read range.

Which figures read the rollups of migration 0038:
- RFM: the whole tenant or departments (range all / department, not narrowed) sum
  `customer_segment_counts` (a few hundred rows); other ranges group their customers'
  `customer_metrics` rows.
- churn risk: `customer_metrics` in rank order (index ix_customer_metrics_churn), customers in
  range kept; value: `customer_values` per currency in rank order (ix_customer_values_rank).
- lifecycle: the whole tenant or departments (as for RFM) with the default dormant days sum
  `customer_lifecycle_days` (migration 0044: per department and local day; a year by day is a few
  thousand rows); other ranges and other dormant days are counted live: "lost" from
  `customer_metrics.lost_at`, new, active and dormant from customers, done activities, orders and
  won deals in the window. Dormant at a bucket's end E (a local midnight: the bucket's end, or the
  end of today for the current bucket): the customers not lost, created before E less N days,
  without a touch in the N days before E.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.analytics.customers import DORMANT_DAYS
from app.domain.analytics.window import Grain, Window, bucket_start, next_bucket
from app.domain.analytics.window import zone as domain_zone
from app.domain.shared.scope import DataRange, DataScope
from app.repositories.analytics_sql import bucket, tenant_zone
from app.repositories.scoping import UUIDS, scope_predicate
from app.repositories.tables import (
    activities,
    customer_lifecycle_counted,
    customer_lifecycle_days,
    customer_metrics,
    customer_metrics_state,
    customer_segment_counts,
    customer_touch_days,
    customer_values,
    customers,
    opportunities,
    orders,
    pipeline_stages,
)

c, m, v, k, ld = customers, customer_metrics, customer_values, customer_segment_counts, customer_lifecycle_days
# The rollup column that, summed over a bucket's days, counts the customers active in it.
_FIRST = {Grain.DAY: ld.c.touched, Grain.WEEK: ld.c.first_week, Grain.MONTH: ld.c.first_month,
          Grain.QUARTER: ld.c.first_quarter, Grain.YEAR: ld.c.first_year}  # fmt: skip
Source = Literal["all", "department", "live"]
TSS = ARRAY(sa.TIMESTAMP(timezone=True))


def source_of(scope: DataScope) -> Source:
    """Where the RFM figures come from: the counts of the tenant or of the departments, or the
    range's own customers (own ranges, narrowed ranges)."""
    grants = [g for g in scope.grants if g.range != DataRange.NONE]
    if any(g.range == DataRange.ALL and g.regions is None and g.customer_types is None for g in grants):
        return "all"
    if (
        grants
        and scope.department_ids
        and not scope.creator_reads
        and all(g.range == DataRange.DEPARTMENT and g.regions is None and g.customer_types is None for g in grants)
    ):
        return "department"
    return "live"


def _in_range(scope: DataScope) -> list[sa.ColumnElement[bool]]:
    return [scope_predicate(c, scope), c.c.deleted_at.is_(None)]


def _won_at() -> sa.ColumnElement[Any]:
    return sa.func.coalesce(opportunities.c.closed_at, opportunities.c.stage_entered_at)


def _touches(tenant_id: UUID, lo: Any, hi: Any) -> sa.Subquery:
    """(customer_id, at) of every touch in [lo, hi): done activities, orders not cancelled, won deals."""
    a, o, d, s = activities, orders, opportunities, pipeline_stages
    done = sa.select(a.c.customer_id, a.c.occurred_at.label("at")).where(
        a.c.tenant_id == tenant_id, a.c.deleted_at.is_(None), a.c.status == "done", a.c.customer_id.isnot(None),
        a.c.occurred_at >= lo, a.c.occurred_at < hi,
    )  # fmt: skip
    ordered = sa.select(o.c.customer_id, o.c.created_at).where(
        o.c.tenant_id == tenant_id, o.c.deleted_at.is_(None), o.c.status != "cancelled",
        o.c.created_at >= lo, o.c.created_at < hi,
    )  # fmt: skip
    won = (
        sa.select(d.c.customer_id, _won_at())
        .join(s, sa.and_(s.c.tenant_id == d.c.tenant_id, s.c.id == d.c.stage_id))
        .where(d.c.tenant_id == tenant_id, d.c.deleted_at.is_(None), s.c.kind == "won", _won_at() >= lo, _won_at() < hi)
    )
    return sa.union_all(done, ordered, won).subquery("touches")


class PgCustomerAnalytics:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def zone(self, tenant_id: UUID) -> str:
        return await tenant_zone(self.conn, tenant_id)

    async def lifecycle(
        self, scope: DataScope, window: Window, zone: str, dormant_days: int, now: datetime
    ) -> dict[date, dict[str, int]]:
        source = source_of(scope)
        if source != "live" and dormant_days == DORMANT_DAYS:
            return await self._lifecycle_rollup(scope, source, window, zone, now)
        return await self._lifecycle_live(scope, window, zone, dormant_days, now)

    async def _lifecycle_rollup(
        self, scope: DataScope, source: Source, window: Window, zone: str, now: datetime
    ) -> dict[date, dict[str, int]]:
        out: dict[date, dict[str, int]] = {
            b: {"new": 0, "active": 0, "dormant": 0, "lost": 0} for b in window.buckets()
        }
        where = [ld.c.tenant_id == scope.tenant_id]
        if source == "department":
            where.append(ld.c.department_id == sa.any_(sa.literal(list(scope.department_ids), UUIDS)))
        ends = _bucket_ends(window, zone, now)
        last = max([window.end, *ends.values()])
        # One pass over the days up to the last end: the window's sums per day, and the dormant
        # deltas of every earlier day (their running sum is the count at each end).
        stmt = (
            sa.select(
                ld.c.day,
                sa.func.sum(ld.c.new),
                sa.func.sum(ld.c.lost),
                sa.func.sum(_FIRST[window.grain]),
                sa.func.sum(ld.c.dormant),
            )
            .where(*where, ld.c.day <= last)
            .group_by(ld.c.day)
            .order_by(ld.c.day)
        )
        rows = (await self.conn.execute(stmt)).all()
        for day, new, lost, active, _ in rows:
            if window.start <= day < window.end:
                counts = out[bucket_start(day, window.grain)]
                counts["new"] += new
                counts["lost"] += lost
                counts["active"] += active
        first = bucket_start(window.start, window.grain)
        if first != window.start:
            # A first bucket cut by the window: a customer whose first touch of the bucket came
            # before the window may still touch it within; count its customers from the touch days.
            cut = min(next_bucket(first, window.grain), window.end)
            out[first]["active"] = await self._active_from(scope, source, window.start, cut)
        running, i = 0, 0
        for period, end in sorted(ends.items(), key=lambda item: item[1]):
            while i < len(rows) and rows[i][0] <= end:
                running += rows[i][4]
                i += 1
            out[period]["dormant"] = running
        return out

    async def _active_from(self, scope: DataScope, source: Source, lo: date, hi: date) -> int:
        """Customers with a touch day in [lo, hi): each counted on its first one (previous touch before lo)."""
        t, lc = customer_touch_days, customer_lifecycle_counted
        stmt = sa.select(sa.func.count()).where(
            t.c.tenant_id == scope.tenant_id, t.c.day >= lo, t.c.day < hi,
            sa.or_(t.c.prev_day.is_(None), t.c.prev_day < lo),
        )  # fmt: skip
        if source == "department":
            stmt = stmt.where(
                lc.c.tenant_id == t.c.tenant_id, lc.c.customer_id == t.c.customer_id,
                lc.c.department_id == sa.any_(sa.literal(list(scope.department_ids), UUIDS)),
            )  # fmt: skip
        return int((await self.conn.execute(stmt)).scalar_one())

    async def _lifecycle_live(
        self, scope: DataScope, window: Window, zone: str, dormant_days: int, now: datetime
    ) -> dict[date, dict[str, int]]:
        lo, hi = window.instants(domain_zone(zone))
        t = scope.tenant_id
        out: dict[date, dict[str, int]] = {
            b: {"new": 0, "active": 0, "dormant": 0, "lost": 0} for b in window.buckets()
        }
        created = bucket(c.c.created_at, window.grain, zone)
        rows = await self.conn.execute(
            sa.select(created, sa.func.count())
            .where(*_in_range(scope), c.c.created_at >= lo, c.c.created_at < hi)
            .group_by(created)
        )
        for day, n in rows:
            out[day]["new"] = n
        touch = _touches(t, lo, hi)
        at = bucket(touch.c.at, window.grain, zone)
        rows = await self.conn.execute(
            sa.select(at, sa.func.count(sa.distinct(touch.c.customer_id)))
            .select_from(touch.join(c, sa.and_(c.c.tenant_id == t, c.c.id == touch.c.customer_id)))
            .where(*_in_range(scope))
            .group_by(at)
        )
        for day, n in rows:
            out[day]["active"] = n
        lost = bucket(m.c.lost_at, window.grain, zone)
        rows = await self.conn.execute(
            sa.select(lost, sa.func.count())
            .select_from(m.join(c, sa.and_(c.c.tenant_id == m.c.tenant_id, c.c.id == m.c.customer_id)))
            .where(*_in_range(scope), m.c.tenant_id == t, c.c.status == "lost", m.c.lost_at >= lo, m.c.lost_at < hi)
            .group_by(lost)
        )
        for day, n in rows:
            out[day]["lost"] = n
        tz = domain_zone(zone)
        ends = {
            b: datetime.combine(e, time(), tzinfo=tz).astimezone(UTC)
            for b, e in _bucket_ends(window, zone, now).items()
        }
        for day, n in await self._dormant(scope, ends, dormant_days):
            out[day]["dormant"] = n
        return out

    async def _dormant(self, scope: DataScope, ends: dict[date, datetime], days: int) -> list[tuple[date, int]]:
        """Per bucket: customers in range (not lost) created before its end less `days` days, with no
        touch in the `days` days before its end."""
        if not ends:
            return []
        t = scope.tenant_id
        span = timedelta(days=days)
        e = (
            sa.func.unnest(sa.literal(list(ends), ARRAY(sa.Date)), sa.literal([ends[b] for b in ends], TSS))
            .table_valued("day", "at")
            .render_derived(name="ends")
        )
        first = min(ends.values()) - span
        touch = _touches(t, first, max(ends.values()))
        recent = (
            sa.select(touch.c.customer_id, e.c.day)
            .select_from(touch.join(e, sa.and_(touch.c.at >= e.c.at - span, touch.c.at < e.c.at)))
            .subquery("recent")
        )
        stmt = (
            sa.select(e.c.day, sa.func.count())
            .select_from(e.join(c, c.c.created_at < e.c.at - span))
            .where(
                *_in_range(scope),
                c.c.status != "lost",
                ~sa.exists().where(recent.c.customer_id == c.c.id, recent.c.day == e.c.day),
            )
            .group_by(e.c.day)
        )
        return [(day, n) for day, n in await self.conn.execute(stmt)]

    async def rfm(self, scope: DataScope) -> list[dict[str, Any]]:
        source = source_of(scope)
        if source == "live":
            stmt = (
                sa.select(
                    m.c.recency_score,
                    m.c.frequency_score,
                    m.c.rfm_segment,
                    m.c.currency,
                    sa.func.count().label("customers"),
                    sa.func.sum(m.c.monetary_365d).label("monetary"),
                )
                .select_from(m.join(c, sa.and_(c.c.tenant_id == m.c.tenant_id, c.c.id == m.c.customer_id)))
                .where(*_in_range(scope), m.c.tenant_id == scope.tenant_id, m.c.rfm_segment.isnot(None))
                .group_by(m.c.recency_score, m.c.frequency_score, m.c.rfm_segment, m.c.currency)
            )
        else:
            where = [k.c.tenant_id == scope.tenant_id]
            if source == "department":
                where.append(k.c.department_id == sa.any_(sa.literal(list(scope.department_ids), UUIDS)))
            stmt = (
                sa.select(
                    k.c.recency_score,
                    k.c.frequency_score,
                    k.c.rfm_segment,
                    k.c.currency,
                    sa.cast(sa.func.sum(k.c.customers), sa.BigInteger).label("customers"),
                    sa.func.sum(k.c.monetary).label("monetary"),
                )
                .where(*where)
                .group_by(k.c.recency_score, k.c.frequency_score, k.c.rfm_segment, k.c.currency)
            )
        return [dict(row._mapping) for row in await self.conn.execute(stmt)]

    async def churn_risk(self, scope: DataScope, limit: int, after: tuple[int, UUID] | None) -> list[dict[str, Any]]:
        where = [*_in_range(scope), m.c.tenant_id == scope.tenant_id, m.c.churn_score > 0]
        if after is not None:
            score, customer_id = after
            where.append(
                sa.or_(m.c.churn_score < score, sa.and_(m.c.churn_score == score, m.c.customer_id > customer_id))
            )
        stmt = (
            sa.select(
                m.c.customer_id,
                c.c.name,
                c.c.owner_id,
                c.c.status,
                m.c.churn_score,
                m.c.last_activity_at,
                m.c.last_purchase_at,
                m.c.open_complaints,
                m.c.latest_csat,
                m.c.orders_90d,
                m.c.orders_prev_90d,
                m.c.rfm_segment,
                customer_metrics_state.c.scored_at,
            )
            .select_from(
                m.join(c, sa.and_(c.c.tenant_id == m.c.tenant_id, c.c.id == m.c.customer_id)).outerjoin(
                    customer_metrics_state, customer_metrics_state.c.tenant_id == m.c.tenant_id
                )
            )
            .where(*where)
            .order_by(m.c.churn_score.desc(), m.c.customer_id)
            .limit(limit)
        )
        return [dict(row._mapping) for row in await self.conn.execute(stmt)]

    async def value(self, scope: DataScope, limit: int, currency: str | None) -> list[dict[str, Any]]:
        t = scope.tenant_id
        if currency is not None:
            currencies = sa.select(sa.literal(currency, sa.Text).label("currency")).subquery("cur")
        else:
            # The tenant's currencies by a skip scan of the ranking index (one probe each).
            seed = sa.select(sa.func.min(v.c.currency).label("currency")).where(v.c.tenant_id == t)
            rec = seed.cte("cur", recursive=True)
            nxt = sa.select(
                sa.select(sa.func.min(v.c.currency))
                .where(v.c.tenant_id == t, v.c.currency > rec.c.currency)
                .scalar_subquery()
            ).where(rec.c.currency.isnot(None))
            currencies = rec.union_all(nxt)  # type: ignore[assignment]
        top = (
            sa.select(v.c.customer_id, c.c.name, c.c.owner_id, v.c.won_value, v.c.purchases)
            .select_from(v.join(c, sa.and_(c.c.tenant_id == v.c.tenant_id, c.c.id == v.c.customer_id)))
            .where(*_in_range(scope), v.c.tenant_id == t, v.c.currency == currencies.c.currency)
            .order_by(v.c.won_value.desc(), v.c.customer_id)
            .limit(limit)
            .lateral("top")
        )
        stmt = (
            sa.select(currencies.c.currency, *top.c)
            .select_from(currencies.join(top, sa.true()))
            .where(currencies.c.currency.isnot(None))
            .order_by(currencies.c.currency, top.c.won_value.desc(), top.c.customer_id)
        )
        return [dict(row._mapping) for row in await self.conn.execute(stmt)]


def _bucket_ends(window: Window, zone_name: str, now: datetime) -> dict[date, date]:
    """Each bucket's end as a local date (exclusive), clipped to the window's end and to the end of
    today; buckets starting after today are left out (nothing is dormant yet in the future)."""
    today = now.astimezone(domain_zone(zone_name)).date()
    out: dict[date, date] = {}
    for start in window.buckets():
        if max(start, window.start) <= today:
            out[start] = min(next_bucket(start, window.grain), window.end, today + timedelta(days=1))
    return out
