"""`GET /tickets/stats` from the trigger-kept rollups of migration 0019, or from the tickets.

Every figure is a sum over (dimension, value) pairs that `ticket_stats_pairs(...)` makes of a
ticket; the rollups hold those sums per UTC day (and month) and team. Where the caller's range is
the whole tenant or their departments' teams (range all or department, not narrowed), a request
reads:
- the rollups for whole UTC days (`rollup_days`; the teams in the department range,
  `department_id = any(D)`): year, month and day rows, added or taken away (`cover`);
- live pairs of the tickets the rollup days count wrongly: the parts of the two edge days inside
  the period but outside the rollup days (added), or the other way round (subtracted); and those
  the department range reaches only through their customer's department
  (`customer_department_id = any(D)`, team outside D);
- live, the breaches the clock alone makes (a ticket not yet answered or resolved, past its due
  time): the rollups hold only the settled ones;
- the customers with the most tickets and complaints: see `PgTicketStats._customers`.
Any other range (own, narrowed by region or customer type) counts the same pairs live from its
tickets. Both ways give the same numbers: the live reads group the tickets by the very columns,
facts and SQL bucket function that `ticket_stats_pairs` turns into pairs (one grouping set per
dimension, `_live_pairs`), and the times are bucketed alike (app/domain/tickets/durations.py);
tests/integration/test_ticket_stats_rollups.py holds both to a computation in Python.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION
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
    ticket_stats_year_rollups,
    tickets,
)

t = tickets
_UUID = PGUUID(as_uuid=True)
DATES, INTS = ARRAY(sa.Date), ARRAY(sa.Integer)

# Dimensions listed by value (the 50 largest of each), facts counted once, times as histograms.
_DIMENSIONS = ("kind", "category", "channel", "priority", "status", "owner")
_FACTS = ("no_customer", "with_sla", "breached", "resolved", "reopened")
_TIMES = ("first_response", "resolution")
_PAIRS = (*_DIMENSIONS, *_FACTS, *_TIMES)
# What the volume over time needs: tickets and complaints per period (each ticket has one kind),
# and the settled breaches.
_VOLUME = ("kind", "breached")
_TOP = 50

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


def _live_tickets(shape: Shape, source: Source) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[int]]:
    """The tickets whose pairs are made live, and the sign each counts with. Without rollups: the
    period. With: the tickets the rollups count (the tenant's, or the departments' teams') in the
    partial days the rollup days leave out (added: [start, day0) and [day1, end)) or take in beyond
    the period (subtracted: [day0, start) and [end, day1)); and in the period, the tickets the
    department range reaches only through their customer's department (a team outside D), which
    lie in none of the subtracted parts. One statement branch: planning the pairs function inlined
    costs about as much as running it over an edge day's tickets."""
    scope = scope_clause(t, shape)
    if source == "live":
        return sa.and_(scope, _in_period("start", "end")), sa.literal_column("1")
    outside = sa.or_(_in_period("day0", "start"), _in_period("end", "day1"))
    edges = sa.or_(_in_period("start", "day0"), _in_period("day1", "end"), outside)
    chosen = edges
    if source == "department":
        departments = _param("scope_departments", UUIDS)
        ours = t.c.department_id == sa.any_(departments)
        reached = sa.and_(
            _in_period("start", "end"),
            t.c.customer_department_id == sa.any_(departments),
            sa.not_(sa.func.coalesce(ours, sa.false())),
        )
        chosen = sa.or_(sa.and_(ours, edges), reached)
    return sa.and_(scope, chosen), sa.case((outside, -1), else_=1)


# The pairs of ticket_stats_pairs() (migration 0019) counted live in one grouping pass: each
# dimension a grouping set, the facts counted in the empty set. Expanding every ticket into its ten
# or so pairs and grouping those took about twice as long (bench data: a sales manager's 94,555
# tickets 686 ms against 302 ms, an agent's 19,280 177 against 97 ms).
# tests/integration/test_ticket_stats_rollups.py holds this and the triggers' pairs to the same
# figures.
_GROUPED = (*_DIMENSIONS, *_TIMES)
_ALL_GROUPED = (1 << len(_GROUPED)) - 1  # GROUPING(...) of the empty set: no column grouped


def _settled() -> sa.ColumnElement[bool]:
    return sa.func.ticket_stats_settled_breach(
        t.c.first_response_due_at, t.c.first_responded_at, t.c.resolution_due_at, t.c.resolved_at
    )


def _minutes_bucket(done: Any) -> sa.ColumnElement[int]:
    """The histogram bucket of the minutes from creation to `done` (NULL while not done)."""
    minutes = sa.cast(sa.extract("epoch", done - t.c.created_at), DOUBLE_PRECISION) / sa.literal_column("60")
    return sa.func.ticket_stats_minutes_bucket(minutes, type_=sa.Integer)


def _live_pairs(shape: Shape, source: Source) -> sa.Select[Any]:
    """The live tickets' pairs: a row per value of each grouped dimension (tickets and
    complaints, signed), and one row (all grouped) with each fact's tickets and complaints."""
    chosen, sign = _live_tickets(shape, source)
    facts = {
        "no_customer": t.c.customer_id.is_(None),
        "with_sla": t.c.sla_policy_id.isnot(None),
        "breached": _settled(),
        "resolved": sa.or_(t.c.resolved_at.isnot(None), t.c.reopen_count > 0),
        "reopened": t.c.reopen_count > 0,
    }
    assert tuple(facts) == _FACTS
    # Grouped as stored (ids, bucket numbers) and made text after: narrower rows to sort.
    values = {
        "kind": t.c.kind,
        "category": t.c.category_id,
        "channel": t.c.channel,
        "priority": t.c.priority,
        "status": t.c.status,
        "owner": t.c.owner_id,
        "first_response": _minutes_bucket(t.c.first_responded_at),
        "resolution": _minutes_bucket(t.c.resolved_at),
    }
    u = (
        sa.select(
            sign.label("sign"),
            (t.c.kind == "complaint").label("complaint"),
            *(value.label(name) for name, value in values.items()),
            *(fact.label(name) for name, fact in facts.items()),
        )
        .where(chosen, t.c.deleted_at.is_(None))
        .subquery("live")
    )
    grouped = [u.c[name] for name in _GROUPED]

    def signed(*where: Any) -> sa.ColumnElement[int]:
        total = sa.func.sum(u.c.sign).filter(*where) if where else sa.func.sum(u.c.sign)
        return sa.cast(total, sa.BigInteger)

    counted = [
        signed().label("tickets"),
        signed(u.c.complaint).label("complaints"),
        *(signed(u.c[name]).label(f"{name}_tickets") for name in _FACTS),
        *(signed(u.c[name], u.c.complaint).label(f"{name}_complaints") for name in _FACTS),
    ]
    sets = sa.func.grouping_sets(*(sa.tuple_(column) for column in grouped), sa.text("()"))
    as_text = [sa.cast(column, sa.Text).label(column.name) for column in grouped]
    return sa.select(sa.func.grouping(*grouped).label("grouping"), *as_text, *counted).group_by(sets)


def _pairs_of(row: Any) -> list[tuple[str, str | None, int, int]]:
    """A row of `_live_pairs` as (dimension, value, tickets, complaints) pairs."""
    if row.grouping == _ALL_GROUPED:
        return [(n, None, getattr(row, f"{n}_tickets") or 0, getattr(row, f"{n}_complaints") or 0) for n in _FACTS]
    # GROUPING's bits, first column highest: 0 for the column this row is grouped by.
    name = next(n for i, n in enumerate(_GROUPED) if not row.grouping >> (len(_GROUPED) - 1 - i) & 1)
    value = getattr(row, name)
    if value is None and name in _TIMES:
        return []  # not yet answered (resolved): no time to count
    return [(name, value, row.tickets or 0, row.complaints or 0)]


def _live_days(shape: Shape, source: Source) -> sa.Select[date, int, int, int]:
    """The volume's figures of the live tickets per UTC day: tickets, complaints and settled
    breaches."""
    chosen, sign = _live_tickets(shape, source)
    day = _utc_day(t.c.created_at)
    return (
        sa.select(
            day.label("day"),
            sa.cast(sa.func.sum(sign), sa.BigInteger).label("tickets"),
            sa.cast(sa.func.sum(sign).filter(t.c.kind == "complaint"), sa.BigInteger).label("complaints"),
            sa.cast(sa.func.sum(sign).filter(_settled()), sa.BigInteger).label("breached"),
        )
        .where(chosen, t.c.deleted_at.is_(None))
        .group_by(day)
    )


def rollup_days(start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The UTC days [D0, D1) the rollups give for the period [start, end); the live reads add or
    take away the parts of the edge days. Each edge day is taken whole (less its part outside the
    period) when that part is the shorter, and at the end always when the period reaches now: the
    rest of today holds no tickets yet. (start, start): no rollup days (a period inside one day)."""

    def edge(at: datetime, whole_if_after: bool) -> datetime:
        floor = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if floor == at:
            return at
        ceil = floor + timedelta(days=1)
        before, after = at - floor, ceil - at
        if whole_if_after:  # the period's end: whole day when [end, ceil) is short or future
            return ceil if after < before or at >= now else floor
        return floor if before < after else ceil

    day0, day1 = edge(start, whole_if_after=False), edge(end, whole_if_after=True)
    return (day0, day1) if day0 < day1 else (start, start)


_GRAINS = {"year": ticket_stats_year_rollups, "month": ticket_stats_month_rollups, "day": ticket_stats_rollups}


def _rollup_sums(source: Source) -> sa.Select[Any]:
    """The rollups' pairs over the whole days of a `cover`: for each grain, the rows of the ranges
    `<grain>_lo[i]` to `<grain>_hi[i]` (exclusive) times `<grain>_sign[i]`; one index range scan
    per range."""
    branches = []
    for grain, table in _GRAINS.items():
        ranges = (
            sa.func.unnest(_param(f"{grain}_lo", DATES), _param(f"{grain}_hi", DATES), _param(f"{grain}_sign", INTS))
            .table_valued("lo", "hi", "sign")
            .render_derived(name=f"{grain}_ranges")
        )
        where = [
            table.c.tenant_id == _param("scope_tenant", _UUID),
            table.c.dimension == sa.any_(_param("dims", TEXTS)),
            table.c[grain] >= ranges.c.lo,
            table.c[grain] < ranges.c.hi,
        ]
        if source == "department":
            where.append(table.c.department_id == sa.any_(_param("scope_departments", UUIDS)))
        branches.append(
            sa.select(
                table.c.dimension,
                table.c.value,
                (table.c.tickets * ranges.c.sign).label("tickets"),
                (table.c.complaints * ranges.c.sign).label("complaints"),
            )
            .select_from(ranges.join(table, sa.true()))
            .where(*where)
        )
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


def _unsettled(shape: Shape, by_day: bool) -> sa.Select[Any]:
    """Per UTC day (or in one row, day null), the tickets in range and period that have breached by
    `now` although the rollups do not count them: no first response yet and past its due time, or
    not resolved and past the resolution due time where its clock stands (now, or where pending
    paused it: the ticket's own `sla` block judges it there, so one put on hold after its due time
    stays breached); not already a settled breach. The partial index ix_tickets_unsettled holds
    these tickets and every column read here."""
    now = _param("now", TS)
    settled = _settled()
    day: sa.ColumnElement[Any] = _utc_day(t.c.created_at) if by_day else sa.null()
    found = sa.select(day.label("day"), sa.func.count().label("tickets")).where(
        scope_clause(t, shape),
        _in_period("start", "end"),
        sa.text(TICKET_UNSETTLED_SQL),
        sa.not_(settled),
        sa.or_(
            sa.and_(t.c.first_responded_at.is_(None), t.c.first_response_due_at < now),
            sa.and_(t.c.resolved_at.is_(None), t.c.resolution_due_at < sa.func.coalesce(t.c.sla_paused_at, now)),
        ),
    )
    return found.group_by(day) if by_day else found


# --- customers -----------------------------------------------------------------------------------

# The walk's first batch of candidates (a few more than the list holds), doubled for each next
# one; after this many batches the period's tickets are grouped instead.
_BATCH = 64
_MAX_BATCHES = 2
# Below this many tickets in range and period, grouping them directly is cheaper than walking.
_DIRECT_BELOW = 5_000
_FIRST = (2**62, UUID(int=0))


def _walk(shape: Shape, counter: str) -> sa.Select[Any]:
    """The next batch of customers in descending order of their all-time `counter` (tickets or
    complaints) from `<counter>_least` up, after (`<counter>_after_n`, `<counter>_after_id`), each
    with its exact count of tickets (and complaints) in range and period."""
    c = ticket_customer_counts
    bound = c.c[counter]
    after_n, after_id = _param(f"{counter}_after_n", sa.BigInteger), _param(f"{counter}_after_id", _UUID)
    batch = (
        sa.select(c.c.customer_id, bound.label("bound"))
        .where(
            c.c.tenant_id == _param("scope_tenant", _UUID),
            sa.or_(bound < after_n, sa.and_(bound == after_n, c.c.customer_id > after_id)),
            bound >= _param(f"{counter}_least", sa.BigInteger),
        )
        .order_by(bound.desc(), c.c.customer_id)
        .limit(_param(f"{counter}_batch", sa.Integer))
        .cte(f"{counter}_batch")
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
            sa.literal(counter).label("list"),
            batch.c.customer_id,
            batch.c.bound,
            sa.func.count(t.c.id).label("n"),
            sa.func.count(t.c.id).filter(t.c.kind == "complaint").label("complaints"),
        )
        .select_from(batch.outerjoin(t, sa.and_(*on)))
        .group_by(batch.c.customer_id, batch.c.bound)
    )


def _walks(shape: Shape) -> sa.Select[Any]:
    """Both walks' next batches in one statement (a finished walk asks for 0 rows), in walk order."""
    u = sa.union_all(_walk(shape, "tickets"), _walk(shape, "complaints")).subquery("walks")
    return sa.select(u).order_by(u.c.list, u.c.bound.desc(), u.c.customer_id)


def _direct(shape: Shape) -> sa.Select[Any]:
    """The customers with the most tickets (the tickets without one as one group) and the repeat
    complainers, from one grouping of the period's tickets in range: the top rows of each (top-N
    sorts), as (list, customer_id, n, complaints)."""
    where = [scope_clause(t, shape), t.c.deleted_at.is_(None), _in_period("start", "end")]
    grouped = (
        sa.select(
            t.c.customer_id,
            sa.func.count().label("n"),
            sa.func.count().filter(t.c.kind == "complaint").label("complaints"),
        )
        .where(*where)
        .group_by(t.c.customer_id)
        .cte("per_customer")
    )
    g = grouped.c
    # The group without customer is always sent (ranked in Python as "None"); the rest in the lists'
    # order, which for UUIDs is their own.
    listed = [sa.literal("count").label("list"), g.customer_id, g.n, g.complaints]
    nobody = sa.select(*listed).where(g.customer_id.is_(None))
    most = sa.select(*listed).where(g.customer_id.isnot(None)).order_by(g.n.desc(), g.customer_id).limit(_TOP)
    complaining = (
        sa.select(sa.literal("complaints").label("list"), g.customer_id, g.complaints.label("n"), g.complaints)
        .where(g.customer_id.isnot(None), g.complaints >= 2)
        .order_by(g.complaints.desc(), g.customer_id)
        .limit(_TOP)
    )
    u = sa.union_all(*(part.subquery().select() for part in (nobody, most, complaining))).subquery()
    return sa.select(u)


def _rank(count: int, key: Any) -> tuple[int, str]:
    """The lists' order: largest first, then by key (a UUID's text sorts as the UUID does)."""
    return -count, str(key)


class _Top:
    """The best `_TOP` entries seen so far, in the lists' order: (rank, count, key, complaints)."""

    def __init__(self) -> None:
        self.best: list[tuple[tuple[int, str], int, Any, int]] = []

    def add(self, count: int, key: Any, complaints: int) -> None:
        rank = _rank(count, key)
        if len(self.best) < _TOP or rank < self.best[-1][0]:
            bisect.insort(self.best, (rank, count, key, complaints), key=lambda e: e[0])
            del self.best[_TOP:]

    def beaten_by(self, bound: int, key: Any) -> bool:
        """Whether a customer of at most `bound` (and this key) could still enter the list."""
        return len(self.best) < _TOP or _rank(bound, key) < self.best[-1][0]


class _Walk:
    """One list's walk over the customers in descending order of an all-time counter."""

    def __init__(self, counter: str, least: int) -> None:
        self.counter, self.least, self.top = counter, least, _Top()
        self.after, self.size, self.done = _FIRST, _BATCH, False

    def params(self) -> dict[str, Any]:
        c = self.counter
        return {f"{c}_after_n": self.after[0], f"{c}_after_id": self.after[1], f"{c}_least": self.least,
                f"{c}_batch": 0 if self.done else self.size}  # fmt: skip

    def take(self, rows: Sequence[Any]) -> None:
        """A batch's rows, in walk order: keep those that enter the list; done when one could not
        (nor could any after it) or the customers ran out."""
        if self.done:
            return
        for row in rows:
            if not self.top.beaten_by(row.bound, row.customer_id):
                self.done = True
                return
            count = row.n if self.counter == "tickets" else row.complaints
            if count >= self.least:
                self.top.add(count, row.customer_id, row.complaints)
        if len(rows) < self.size:
            self.done = True
        else:
            self.after, self.size = (rows[-1].bound, rows[-1].customer_id), self.size * 2


# --- the repository --------------------------------------------------------------------------------


Grain = Literal["year", "month", "day"]
Span = tuple[Grain, date, date, int]  # rows of a grain from a day to a day (exclusive), and a sign
_FINER: dict[Grain, Grain] = {"year": "month", "month": "day"}


def _unit_start(day: date, grain: Grain) -> date:
    return day.replace(month=1, day=1) if grain == "year" else day.replace(day=1) if grain == "month" else day


def _unit_end(start: date, grain: Grain) -> date:
    if grain == "year":
        return date(start.year + 1, 1, 1)
    if grain == "month":
        return date(start.year + 1, 1, 1) if start.month == 12 else start.replace(month=start.month + 1)
    return start + timedelta(days=1)


def cover(lo: date, hi: date, today: date, grain: Grain = "year") -> tuple[int, list[Span]]:
    """Rollup rows that sum to exactly the whole days [lo, hi), and how many units they read:
    the units of `grain` inside the days, and for a unit only partly inside, the finer cover of
    its part inside (added) or, when that reads fewer units, the whole unit less the finer cover
    of its part outside (subtracted). A unit, month or year, holds about as many rows as a day
    (the time buckets saturate), so fewer units read fewer rows; units after `today` hold nothing
    yet and cost nothing, which makes a period ending now take its year or month whole."""
    if lo >= hi:
        return 0, []
    if grain == "day":
        return max(0, (min(hi, today + timedelta(days=1)) - lo).days), [("day", lo, hi, 1)]
    finer = _FINER[grain]
    whole: list[date] = []  # the units taken whole, contiguous
    cost, spans = 0, []
    unit = _unit_start(lo, grain)
    while unit < hi:
        end = _unit_end(unit, grain)
        inside = (max(lo, unit), min(hi, end))
        if inside == (unit, end):
            whole.append(unit)
            cost += unit <= today
        else:
            part_cost, part = cover(*inside, today, finer)
            before, outside_before = cover(unit, inside[0], today, finer)
            after, outside_after = cover(inside[1], end, today, finer)
            if (unit <= today) + before + after < part_cost:
                whole.append(unit)
                cost += (unit <= today) + before + after
                spans += [(g, a, b, -sign) for g, a, b, sign in outside_before + outside_after]
            else:
                cost += part_cost
                spans += part
        unit = end
    if whole:
        spans.append((grain, whole[0], _unit_end(whole[-1], grain), 1))
    return cost, spans


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
        sums: dict[tuple[str, str | None], list[int]] = {}
        if source != "live":
            # Whole UTC days from the rollups; the edges' parts live.
            day0, day1 = rollup_days(start, end, now)
            d0, d1 = day0.date(), day1.date()
            params |= {"day0": day0, "day1": day1, "d0": d0, "d1": d1, "dims": list(_PAIRS)}
            _, spans = cover(d0, d1, now.astimezone(UTC).date())
            for grain in _GRAINS:
                mine = [span for span in spans if span[0] == grain]
                params |= {f"{grain}_lo": [a for _, a, _, _ in mine], f"{grain}_hi": [b for _, _, b, _ in mine],
                           f"{grain}_sign": [sign for *_, sign in mine]}  # fmt: skip
            # One row per pair (grouped in SQL).
            rows = await self._rows(("rollups", source), lambda: _rollup_sums(source), params)
            sums = {(dimension, value): [n, c] for dimension, value, n, c in rows}
        for row in await self._rows(("live", shape, source), lambda: _live_pairs(shape, source), params):
            for dimension, value, n, c in _pairs_of(row):
                entry = sums.setdefault((dimension, value), [0, 0])
                entry[0] += n
                entry[1] += c
        by_day = unit is not None
        found = await self._rows(("unsettled", shape, by_day), lambda: _unsettled(shape, by_day), params)
        unsettled: dict[date | None, int] = {day: n for day, n in found}
        out = _figures(sums, sum(unsettled.values()))
        # The walk pays where the range holds most of the tenant's tickets (the rollups' ranges); an
        # own or narrowed range would walk past many customers of others.
        walk = source != "live" and out["total"] >= _DIRECT_BELOW
        out |= await self._customers(shape, params, out.pop("_no_customer"), walk)
        if unit is None:
            return out, None
        return out, await self._volume(shape, source, params, unsettled, unit)

    async def _volume(
        self, shape: Shape, source: Source, params: dict[str, Any], unsettled: dict[date | None, int], unit: GroupBy
    ) -> dict[datetime, dict[str, int]]:
        params = {**params, "volume_dims": list(_VOLUME)}
        counted: dict[datetime, dict[str, int]] = defaultdict(lambda: {"count": 0, "complaints": 0, "breached": 0})
        for row in await self._rows(("live_days", shape, source), lambda: _live_days(shape, source), params):
            point = counted[_period(row.day, unit)]
            point["count"] += row.tickets
            point["complaints"] += row.complaints or 0
            point["breached"] += row.breached or 0
        rows = (
            [] if source == "live" else await self._rows(("rollup_days", source), lambda: _rollup_days(source), params)
        )
        for row in rows:
            point = counted[_period(row.day, unit)]
            if row.dimension == "kind":
                point["count"] += row.tickets
                point["complaints"] += row.complaints
            else:
                point["breached"] += row.tickets
        for day, n in unsettled.items():
            assert day is not None  # counted per day for the volume
            counted[_period(day, unit)]["breached"] += n
        return {at: point for at, point in counted.items() if point["count"]}

    async def _customers(
        self, shape: Shape, params: dict[str, Any], no_customer: tuple[int, int], walk: bool
    ) -> dict[str, list[dict[str, Any]]]:
        """by_customer and repeat_complainers, exact either way: walking the customers in
        descending order of their all-time counts (`ticket_customer_counts`), counting each one's
        tickets in range and period, until the next could no longer enter the top 50 (the all-time
        count bounds the period's); or (without `walk`, or when the walk goes on too long)
        grouping the period's tickets in range."""
        if walk:
            most, complaining = _Walk("tickets", 1), _Walk("complaints", 2)  # repeat: two complaints or more
            if no_customer[0]:
                most.top.add(no_customer[0], None, no_customer[1])
            for _ in range(_MAX_BATCHES):
                rows = await self._rows(
                    ("walks", shape), lambda: _walks(shape), params | most.params() | complaining.params()
                )
                most.take([row for row in rows if row.list == "tickets"])
                complaining.take([row for row in rows if row.list == "complaints"])
                if most.done and complaining.done:
                    return {
                        "by_customer": [{"key": k, "count": n, "complaints": c} for _, n, k, c in most.top.best],
                        "repeat_complainers": [
                            {"customer_id": k, "complaints": n} for _, n, k, _ in complaining.top.best
                        ],
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


class PgTicketStatsCompaction:
    """The worker's minute job: fold each key's appended deltas into one row (migration 0019)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def compact(self) -> None:
        await self.conn.execute(sa.text("SELECT ticket_stats_rollups_compact()"))
