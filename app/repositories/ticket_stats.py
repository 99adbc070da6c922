"""`GET /tickets/stats` from the trigger-kept rollups of migration 0019, or from the tickets.

Every figure is a sum over (dimension, value) pairs that `ticket_stats_pairs(...)` makes of a
ticket; the rollups hold those sums per UTC day (and month) and team. Where the caller's range is
the whole tenant or their departments' teams (range all or department, not narrowed), a request
reads:
- the rollups for the whole UTC days inside [from, to): complete months from the month rows, the
  rest from the day rows; the teams in the department range (`department_id = any(D)`);
- live pairs of the tickets in range that the rollups do not cover: those created in the partial
  days at the period's two edges, and those the department range reaches only through their
  customer's department (`customer_department_id = any(D)`, team outside D);
- live, the breaches the clock alone makes (a ticket not yet answered or resolved, past its due
  time): the rollups hold only the settled ones;
- the customers with the most tickets and complaints: see `_CustomerWalk`.
Any other range (own, narrowed by region or customer type) makes the same pairs live from its
tickets. Both ways give the same numbers: the same function makes the pairs, and the times are
bucketed alike (app/domain/tickets/durations.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.shared.scope import DataRange, DataScope
from app.domain.tickets.durations import percentiles
from app.domain.tickets.stats import GroupBy, period_start
from app.repositories.prepared import Prepared, StatementCache
from app.repositories.scoping import TEXTS, UUIDS, Shape, scope_clause, scope_params, scope_shape
from app.repositories.tables import (
    TICKET_UNSETTLED_SQL,
    TS,
    ticket_customer_counts,
    ticket_stats_month_rollups,
    ticket_stats_rollups,
    tickets,
)

t = tickets
_UUID = PGUUID(as_uuid=True)

# Dimensions listed by value (the 50 largest of each), facts counted once, times as histograms.
_DIMENSIONS = ("kind", "category", "channel", "priority", "status", "owner")
_FACTS = ("no_customer", "with_sla", "breached", "resolved", "reopened")
_TIMES = ("first_response", "resolution")
_PAIRS = (*_DIMENSIONS, *_FACTS, *_TIMES)
# What the volume over time needs: tickets and complaints per period (each ticket has one kind),
# and the settled breaches.
_VOLUME = ("kind", "breached")
_TOP = 50
# The columns ticket_stats_pairs() takes, in its order (migration 0019).
_PAIR_COLUMNS = (
    "kind", "category_id", "channel", "priority", "status", "owner_id", "customer_id", "sla_policy_id", "created_at",
    "first_response_due_at", "first_responded_at", "resolution_due_at", "resolved_at", "reopen_count",
)  # fmt: skip

Source = Literal["all", "department", "live"]
_STATEMENTS = StatementCache()


def stats_source(scope: DataScope) -> Source:
    """Where a scope's figures come from: the rollups of the tenant ("all") or of the departments'
    teams ("department"), or the tickets themselves ("live": own ranges, narrowed ranges)."""
    grants = [g for g in scope.grants if g.range != DataRange.NONE]
    if any(g.range == DataRange.ALL and g.regions is None and g.customer_types is None for g in grants):
        return "all"  # nothing can widen the whole tenant (scoping.scope_clause)
    if (
        grants
        and scope.department_ids
        and all(g.range == DataRange.DEPARTMENT and g.regions is None and g.customer_types is None for g in grants)
    ):
        return "department"
    return "live"


def _param(name: str, type_: Any) -> sa.BindParameter[Any]:
    return sa.bindparam(name, type_=type_)


def _utc_day(column: Any) -> sa.ColumnElement[date]:
    # A literal zone, not a parameter: GROUP BY must repeat the very expression.
    return sa.cast(sa.func.timezone(sa.literal_column("'UTC'"), column), sa.Date)


def _in_period(lo: str, hi: str) -> sa.ColumnElement[bool]:
    return sa.and_(t.c.created_at >= _param(lo, TS), t.c.created_at < _param(hi, TS))


def _live_parts(shape: Shape, source: Source) -> list[sa.ColumnElement[bool]]:
    """The tickets whose pairs are made live, as disjoint predicates (one UNION ALL branch each, so
    each can use its index): with the rollups, the partial days at the edges ([start, edge0) and
    [edge1, end)) and the customers' tickets of other teams; without, the whole period."""
    if source == "live":
        return [_in_period("start", "end")]
    parts = [_in_period("start", "edge0"), _in_period("edge1", "end")]
    if source == "department":
        departments = _param("scope_departments", UUIDS)
        parts.append(
            sa.and_(
                _in_period("edge0", "edge1"),
                t.c.customer_department_id == sa.any_(departments),
                sa.not_(sa.func.coalesce(t.c.department_id == sa.any_(departments), sa.false())),
            )
        )
    return parts


def _live_pairs(shape: Shape, source: Source, by_day: bool) -> sa.Select[Any]:
    """Live tickets' pairs, counted per (dimension, value), or with `by_day` per (UTC day,
    dimension) for the volume's dimensions only."""
    branches = []
    for part in _live_parts(shape, source):
        pairs = sa.func.ticket_stats_pairs(*(t.c[c] for c in _PAIR_COLUMNS)).table_valued("dimension", "value")
        p = pairs.lateral("p")
        where = [scope_clause(t, shape), t.c.deleted_at.is_(None), part]
        if by_day:
            where.append(p.c.dimension == sa.any_(_param("volume_dims", TEXTS)))
        branches.append(
            sa.select(_utc_day(t.c.created_at).label("day"), p.c.dimension, p.c.value, t.c.kind)
            .select_from(t.join(p, sa.true()))
            .where(*where)
        )
    u = sa.union_all(*branches).subquery("pairs") if len(branches) > 1 else branches[0].subquery("pairs")
    keys = [u.c.day, u.c.dimension] if by_day else [u.c.dimension, u.c.value]
    return sa.select(
        *keys, sa.func.count().label("tickets"), sa.func.count().filter(u.c.kind == "complaint").label("complaints")
    ).group_by(*keys)


def _rollup_sums(source: Source) -> sa.Select[Any]:
    """The rollups' pairs over the whole days [d0, d1): months [m0, m1) from the month rows, the
    days around them from the day rows."""
    month, day = ticket_stats_month_rollups, ticket_stats_rollups
    branches = []
    for table, period, lo, hi in ((month, "month", "m0", "m1"), (day, "day", "d0", "m0"), (day, "day", "m1", "d1")):
        where = [
            table.c.tenant_id == _param("scope_tenant", _UUID),
            table.c.dimension == sa.any_(_param("dims", TEXTS)),
            table.c[period] >= _param(lo, sa.Date),
            table.c[period] < _param(hi, sa.Date),
        ]
        if source == "department":
            where.append(table.c.department_id == sa.any_(_param("scope_departments", UUIDS)))
        branches.append(sa.select(table.c.dimension, table.c.value, table.c.tickets, table.c.complaints).where(*where))
    u = sa.union_all(*branches).subquery("rollups")
    return sa.select(
        u.c.dimension,
        u.c.value,
        sa.cast(sa.func.sum(u.c.tickets), sa.BigInteger).label("tickets"),
        sa.cast(sa.func.sum(u.c.complaints), sa.BigInteger).label("complaints"),
    ).group_by(u.c.dimension, u.c.value)


def _rollup_days(source: Source) -> sa.Select[Any]:
    """The volume's dimensions per whole day [d0, d1) from the day rows."""
    r = ticket_stats_rollups
    where = [
        r.c.tenant_id == _param("scope_tenant", _UUID),
        r.c.dimension == sa.any_(_param("volume_dims", TEXTS)),
        r.c.day >= _param("d0", sa.Date),
        r.c.day < _param("d1", sa.Date),
    ]
    if source == "department":
        where.append(r.c.department_id == sa.any_(_param("scope_departments", UUIDS)))
    return (
        sa.select(
            r.c.day,
            r.c.dimension,
            sa.cast(sa.func.sum(r.c.tickets), sa.BigInteger).label("tickets"),
            sa.cast(sa.func.sum(r.c.complaints), sa.BigInteger).label("complaints"),
        )
        .where(*where)
        .group_by(r.c.day, r.c.dimension)
    )


def _unsettled(shape: Shape) -> sa.Select[date, int]:
    """Per UTC day, the tickets in range and period that have breached by `now` although the
    rollups do not count them: no first response yet and past its due time, or not resolved, the
    clock running and past the resolution due time; not already a settled breach. The partial
    index ix_tickets_unsettled holds these tickets and every column read here."""
    now = _param("now", TS)
    settled = sa.func.ticket_stats_settled_breach(
        t.c.first_response_due_at, t.c.first_responded_at, t.c.resolution_due_at, t.c.resolved_at
    )
    return (
        sa.select(_utc_day(t.c.created_at).label("day"), sa.func.count().label("tickets"))
        .where(
            scope_clause(t, shape),
            _in_period("start", "end"),
            sa.text(TICKET_UNSETTLED_SQL),
            sa.not_(settled),
            sa.or_(
                sa.and_(t.c.first_responded_at.is_(None), t.c.first_response_due_at < now),
                sa.and_(t.c.resolved_at.is_(None), t.c.sla_paused_at.is_(None), t.c.resolution_due_at < now),
            ),
        )
        .group_by(_utc_day(t.c.created_at))
    )


# --- customers -----------------------------------------------------------------------------------

# A candidate batch of the walk, and when to stop walking and group the period's tickets instead.
_BATCH = 200
_MAX_BATCHES = 5
# Below this many tickets in range and period, grouping them directly is cheaper than walking.
_DIRECT_BELOW = 5_000
_FIRST = (2**62, UUID(int=0))


def _walk(shape: Shape, counter: str) -> sa.Select[Any]:
    """The next batch of customers in descending order of their all-time `counter` (tickets or
    complaints), after (after_n, after_id), each with its exact count of tickets (complaints) in
    range and period."""
    c = ticket_customer_counts
    bound = c.c[counter]
    after_n, after_id = _param("after_n", sa.BigInteger), _param("after_id", _UUID)
    batch = (
        sa.select(c.c.customer_id, bound.label("bound"))
        .where(
            c.c.tenant_id == _param("scope_tenant", _UUID),
            sa.or_(bound < after_n, sa.and_(bound == after_n, c.c.customer_id > after_id)),
            bound >= _param("least", sa.BigInteger),
        )
        .order_by(bound.desc(), c.c.customer_id)
        .limit(_param("batch", sa.Integer))
        .cte("batch")
    )
    on = [
        t.c.tenant_id == _param("scope_tenant", _UUID),
        t.c.customer_id == batch.c.customer_id,
        t.c.deleted_at.is_(None),
        _in_period("start", "end"),
        scope_clause(t, shape),
    ]
    if counter == "complaints":
        on.append(t.c.kind == "complaint")
    return (
        sa.select(
            batch.c.customer_id,
            batch.c.bound,
            sa.func.count(t.c.id).label("n"),
            sa.func.count(t.c.id).filter(t.c.kind == "complaint").label("complaints"),
        )
        .select_from(batch.outerjoin(t, sa.and_(*on)))
        .group_by(batch.c.customer_id, batch.c.bound)
        .order_by(batch.c.bound.desc(), batch.c.customer_id)
    )


def _direct(shape: Shape) -> sa.CompoundSelect[Any]:
    """The customers with the most tickets (the tickets without one as one group) and the repeat
    complainers, grouped over the period's tickets in range: the top rows of each (a top-N sort)."""
    where = [scope_clause(t, shape), t.c.deleted_at.is_(None), _in_period("start", "end")]
    # Ranked as _rank ranks in Python (the group without customer as "None"), so the cut agrees.
    key = sa.func.coalesce(sa.cast(t.c.customer_id, sa.Text), "None").collate("C")
    n = sa.func.count()
    complaints = sa.func.count().filter(t.c.kind == "complaint")
    most = (
        sa.select(sa.literal("count").label("list"), t.c.customer_id, n.label("n"), complaints.label("complaints"))
        .where(*where)
        .group_by(t.c.customer_id)
        .order_by(n.desc(), key)
        .limit(_TOP)
    )
    complaining = (
        sa.select(sa.literal("complaints").label("list"), t.c.customer_id, n.label("n"), n.label("complaints"))
        .where(*where, t.c.kind == "complaint", t.c.customer_id.isnot(None))
        .group_by(t.c.customer_id)
        .having(n >= 2)
        .order_by(n.desc(), t.c.customer_id)
        .limit(_TOP)
    )
    return sa.union_all(most.subquery().select(), complaining.subquery().select())


def _rank(count: int, key: Any) -> tuple[int, str]:
    """The lists' order: largest first, then by key (a UUID's text sorts as the UUID does)."""
    return -count, str(key)


@dataclass
class _Top:
    """The best `_TOP` entries seen so far of (count, key, complaints)."""

    entries: list[tuple[int, Any, int]]

    def add(self, count: int, key: Any, complaints: int) -> None:
        self.entries.append((count, key, complaints))

    def best(self) -> list[tuple[int, Any, int]]:
        return sorted(self.entries, key=lambda e: _rank(e[0], e[1]))[:_TOP]

    def beaten_by(self, bound: int, key: Any) -> bool:
        """Whether a customer of at most `bound` (and this key) could still enter the list."""
        best = self.best()
        if len(best) < _TOP:
            return True
        last = best[-1]
        return _rank(bound, key) < _rank(last[0], last[1])


# --- the repository --------------------------------------------------------------------------------


def _day_start(at: datetime, up: bool) -> datetime:
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day + timedelta(days=1) if up and day < at else day


def _month_start(day: date, up: bool) -> date:
    first = day.replace(day=1)
    if up and first < day:
        return date(first.year + 1, 1, 1) if first.month == 12 else first.replace(month=first.month + 1)
    return first


class PgTicketStats:
    """A few statements per request, each reading rollup rows, a small set of live tickets, or
    (for own and narrowed ranges) the tickets in range."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _rows(self, key: tuple[Any, ...], build: Callable[[], sa.ClauseElement], params: dict[str, Any]) -> Any:
        prepared: Prepared = _STATEMENTS.get(key, build)
        return await prepared.rows(self.conn, params)

    async def stats(
        self, scope: DataScope, start: datetime, end: datetime, now: datetime, unit: GroupBy | None = None
    ) -> tuple[dict[str, Any], dict[datetime, dict[str, int]] | None]:
        """The figures over tickets created in [start, end) within `scope`, and with `unit` the
        volume per UTC period (periods with tickets only)."""
        shape, source = scope_shape(scope), stats_source(scope)
        params = {**scope_params(scope), "start": start, "end": end, "now": now}
        sums: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0])
        if source != "live":
            # The whole UTC days inside the period come from the rollups; the edges are live.
            edge0, edge1 = _day_start(start, up=True), _day_start(end, up=False)
            if edge0 >= edge1:
                edge0 = edge1 = end
            d0, d1 = edge0.date(), edge1.date()
            m0, m1 = _month_start(d0, up=True), _month_start(d1, up=False)
            if m0 >= m1:
                m0 = m1 = d1
            params |= {"edge0": edge0, "edge1": edge1, "d0": d0, "d1": d1, "m0": m0, "m1": m1, "dims": list(_PAIRS)}
            for row in await self._rows(("rollups", source), lambda: _rollup_sums(source), params):
                entry = sums[(row.dimension, row.value)]
                entry[0] += row.tickets
                entry[1] += row.complaints
        for row in await self._rows(("live", shape, source), lambda: _live_pairs(shape, source, False), params):
            entry = sums[(row.dimension, row.value)]
            entry[0] += row.tickets
            entry[1] += row.complaints
        unsettled = {
            row.day: row.tickets for row in await self._rows(("unsettled", shape), lambda: _unsettled(shape), params)
        }
        out = _figures(sums, sum(unsettled.values()))
        out |= await self._customers(shape, params, out.pop("_no_customer"), out["total"])
        if unit is None:
            return out, None
        return out, await self._volume(shape, source, params, unsettled, unit)

    async def _volume(
        self, shape: Shape, source: Source, params: dict[str, Any], unsettled: dict[date, int], unit: GroupBy
    ) -> dict[datetime, dict[str, int]]:
        params = {**params, "volume_dims": list(_VOLUME)}
        rows = list(await self._rows(("live_days", shape, source), lambda: _live_pairs(shape, source, True), params))
        if source != "live":
            rows += await self._rows(("rollup_days", source), lambda: _rollup_days(source), params)
        counted: dict[datetime, dict[str, int]] = defaultdict(lambda: {"count": 0, "complaints": 0, "breached": 0})
        for row in rows:
            point = counted[_period(row.day, unit)]
            if row.dimension == "kind":
                point["count"] += row.tickets
                point["complaints"] += row.complaints
            else:
                point["breached"] += row.tickets
        for day, n in unsettled.items():
            counted[_period(day, unit)]["breached"] += n
        return {at: point for at, point in counted.items() if point["count"]}

    async def _customers(
        self, shape: Shape, params: dict[str, Any], no_customer: tuple[int, int], total: int
    ) -> dict[str, list[dict[str, Any]]]:
        """by_customer and repeat_complainers, exact either way: walking the customers in
        descending order of their all-time counts (`ticket_customer_counts`), counting each one's
        tickets in range and period, until the next could no longer enter the top 50 (the all-time
        count bounds the period's); or, for few tickets or a walk that goes on too long, grouping
        the period's tickets in range."""
        if total >= _DIRECT_BELOW:
            most, complaining = _Top([]), _Top([])
            if no_customer[0]:
                most.add(no_customer[0], None, no_customer[1])
            if await self._walk(shape, params, "tickets", most) and await self._walk(
                shape, params, "complaints", complaining
            ):
                return {
                    "by_customer": [{"key": k, "count": n, "complaints": c} for n, k, c in most.best()],
                    "repeat_complainers": [{"customer_id": k, "complaints": n} for n, k, _ in complaining.best()],
                }
        out: dict[str, list[dict[str, Any]]] = {"by_customer": [], "repeat_complainers": []}
        for row in await self._rows(("direct", shape), lambda: _direct(shape), params):
            if row.list == "count":
                out["by_customer"].append({"key": row.customer_id, "count": row.n, "complaints": row.complaints})
            else:
                out["repeat_complainers"].append({"customer_id": row.customer_id, "complaints": row.n})
        out["by_customer"] = sorted(out["by_customer"], key=lambda i: _rank(i["count"], i["key"]))[:_TOP]
        out["repeat_complainers"].sort(key=lambda i: _rank(i["complaints"], i["customer_id"]))
        return out

    async def _walk(self, shape: Shape, params: dict[str, Any], counter: str, top: _Top) -> bool:
        """Fill `top` from the walk over `counter`; False when it gave up (too many batches)."""
        least = 2 if counter == "complaints" else 1  # repeat complainers: two complaints or more
        after_n, after_id = _FIRST
        for _ in range(_MAX_BATCHES):
            batch = {**params, "after_n": after_n, "after_id": after_id, "least": least, "batch": _BATCH}
            rows = await self._rows(("walk", shape, counter), lambda: _walk(shape, counter), batch)
            for row in rows:
                if not top.beaten_by(row.bound, row.customer_id):
                    return True  # this one cannot enter the list, nor can any after it
                count = row.n if counter == "tickets" else row.complaints
                if count >= least:
                    top.add(count, row.customer_id, row.complaints)
            if len(rows) < _BATCH:
                return True  # no customers left
            after_n, after_id = rows[-1].bound, rows[-1].customer_id
        return False


def _period(day: date, unit: GroupBy) -> datetime:
    return period_start(datetime(day.year, day.month, day.day, tzinfo=UTC), unit)


def _figures(sums: dict[tuple[str, str | None], list[int]], unsettled: int) -> dict[str, Any]:
    """The response's figures from the pair sums (and the breaches the clock alone made)."""
    lists: dict[str, list[dict[str, Any]]] = {name: [] for name in _DIMENSIONS}
    facts = dict.fromkeys(_FACTS, 0)
    no_customer = (0, 0)
    times: dict[str, dict[int, int]] = {name: {} for name in _TIMES}
    for (dimension, value), (n, complaints) in sums.items():
        if n == 0:
            continue  # deltas that cancelled out, not yet folded
        if dimension in lists:
            lists[dimension].append({"key": value, "count": n, "complaints": complaints})
        elif dimension in times and value is not None:
            times[dimension][int(value)] = n
        elif dimension == "no_customer":
            no_customer = (n, complaints)
        elif dimension in facts:
            facts[dimension] = n
    out: dict[str, Any] = {
        f"by_{name}": sorted(items, key=lambda i: _rank(i["count"], i["key"]))[:_TOP] for name, items in lists.items()
    }

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    def minutes(name: str) -> dict[str, float | None]:
        median, p90 = percentiles(times[name], (0.5, 0.9))
        return {"median": rounded(median), "p90": rounded(p90)}

    breached, with_sla = facts["breached"] + unsettled, facts["with_sla"]
    resolved, reopened = facts["resolved"], facts["reopened"]
    out |= {
        "total": sum(item["count"] for item in lists["kind"]),
        "first_response_minutes": minutes("first_response"),
        "resolution_minutes": minutes("resolution"),
        "sla": {"with_targets": with_sla, "breached": breached,
                "breach_rate": round(breached / with_sla, 4) if with_sla else None},
        "reopen": {"resolved": resolved, "reopened": reopened,
                   "reopen_rate": round(reopened / resolved, 4) if resolved else None},
        "_no_customer": no_customer,
    }  # fmt: skip
    return out


__all__: Sequence[str] = ("PgTicketStats", "stats_source")
