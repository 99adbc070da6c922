"""The ticket stats rollups (migration 0019) against their definition, and the stats against it.

- After any mix of inserts, edits, status moves, reopenings, soft and hard deletes, team and
  customer changes (one row or many per statement, a customer's reassignment passing on to its
  tickets), the day, month and year rollups equal the live tickets' pairs counted per key, and the
  customer counts each customer's live tickets and complaints.
- `GET /tickets/stats`' figures are the same whichever way they are read (rollups plus live edges,
  or all live; the customers walked or grouped) and equal to a direct computation in Python over
  the tickets, for several ranges (all, a department with a sub-team and customers in other
  departments, another department reaching tickets only through its customers, own, narrowed) and
  periods (edges inside days, at midnight, across months, inside one day, ending now).
- Compaction (by the worker too) and a rebuild leave the figures as they were.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.ids import new_id
from app.domain.shared.scope import DataRange, DataScope, Grant
from app.domain.tickets.durations import bucket_of, percentiles
from app.domain.tickets.stats import GroupBy, period_start
from app.repositories import ticket_stats
from app.repositories.tables import (
    customers,
    sla_policies,
    ticket_categories,
    ticket_customer_counts,
    ticket_stats_month_rollups,
    ticket_stats_rollups,
    ticket_stats_year_rollups,
    tickets,
)
from app.repositories.ticket_stats import PgTicketStats, PgTicketStatsCompaction
from app.settings import Settings
from app.worker import Worker
from tests.builders import Factory, World

t = tickets
KINDS = ["complaint", "inquiry", "service_request"]
STATUSES = ["new", "open", "pending", "resolved", "closed"]
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
async def world(factory: Factory) -> World:
    w = await factory.sales_world()
    north = await w.department("Service North", w.department_ids["Service"])
    await w.user("agent2", ["service_agent"], north)
    return w


def ts(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


class Data:
    """The tenant's teams, people, customers and the tickets made so far."""

    def __init__(self, world: World, rng: random.Random) -> None:
        d, u = world.department_ids, world.users
        self.world, self.rng = world, rng
        self.teams = [d["Service"], d["Service North"], d["Sales East"], None]
        self.owners = [u["agent1"].id, u["agent2"].id, u["service_manager"].id, None]
        self.customers: list[UUID] = []
        self.categories: list[UUID] = []
        self.policy: UUID | None = None
        self.ids: list[UUID] = []
        self.made = 0
        self.days = [(NOW - timedelta(days=n)).replace(hour=0, minute=0, second=0) for n in range(0, 75)]

    async def setup(self, engine: AsyncEngine) -> None:
        tenant, d, u = self.world.id, self.world.department_ids, self.world.users
        # Customers of the East reps, of the West one and of the service manager; some "vip".
        people = [(u["east_rep1"].id, d["Sales East"]), (u["east_rep2"].id, d["Sales East"]),
                  (u["west_rep1"].id, d["Sales West"]), (u["service_manager"].id, d["Service"])]  # fmt: skip
        rows = []
        for i in range(12):
            owner, department = people[i % len(people)]
            rows.append({"tenant_id": tenant, "id": new_id(), "name": f"Stats Co {i}", "owner_id": owner,
                         "department_id": department, "customer_type": "vip" if i % 5 == 0 else "normal"})  # fmt: skip
        self.customers = [r["id"] for r in rows]
        self.categories = [new_id(), new_id()]
        self.policy = new_id()
        async with engine.begin() as conn:
            await conn.execute(customers.insert(), rows)
            await conn.execute(
                ticket_categories.insert(),
                [{"tenant_id": tenant, "id": c, "name": f"Cat {i}"} for i, c in enumerate(self.categories)],
            )
            await conn.execute(
                sla_policies.insert().values(
                    tenant_id=tenant, id=self.policy, name="P", priority="normal", first_response_minutes=60,
                    resolution_minutes=600,
                )
            )  # fmt: skip

    def created_at(self) -> datetime:
        r = self.rng
        day = r.choice(self.days)
        # Some exactly at midnight, some in the day's first and last seconds, the rest anywhere.
        at = r.choice([day, day + timedelta(seconds=r.randint(0, 3)), day + timedelta(days=1, seconds=-r.randint(1, 3)),
                       day + timedelta(seconds=r.randint(0, 86399))])  # fmt: skip
        return min(at, NOW - timedelta(seconds=1))

    def ticket(self) -> dict[str, Any]:
        r = self.rng
        created = self.created_at()
        with_sla = r.random() < 0.8
        first_due = created + ts(r.choice([30, 60, 240])) if with_sla else None
        resolution_due = created + ts(r.choice([600, 3000, 20000])) if with_sla else None
        answered = r.random() < 0.7
        resolved = answered and r.random() < 0.6
        first = created + ts(r.uniform(0, 400)) if answered else None
        done = first + ts(r.uniform(1, 30000)) if resolved and first else None
        self.ids.append(new_id())
        self.made += 1
        return {
            "tenant_id": self.world.id, "id": self.ids[-1], "number": f"S{self.made:06d}",
            "kind": r.choice(KINDS), "channel": r.choice(["email", "phone"]), "priority": r.choice(["normal", "high"]),
            "status": r.choice(["resolved", "closed"]) if done else r.choice(["new", "open", "pending"]),
            "category_id": r.choice([*self.categories, None]), "customer_id": r.choice([*self.customers, None, None]),
            "subject": "s", "owner_id": r.choice(self.owners), "department_id": r.choice(self.teams),
            "sla_policy_id": self.policy if with_sla else None, "first_response_due_at": first_due,
            "first_responded_at": first, "resolution_due_at": resolution_due, "resolved_at": done,
            # On hold early, or after every resolution target (a breach where the clock stopped).
            "sla_paused_at": created + ts(r.choice([5, 25000])) if r.random() < 0.2 else None,
            "reopen_count": r.choice([0, 0, 0, 1, 2]) if done else 0, "created_at": created, "updated_at": created,
        }  # fmt: skip

    def change(self) -> dict[str, Any]:
        r = self.rng
        return r.choice(
            [
                {"status": r.choice(STATUSES)},
                {"kind": r.choice(KINDS)},
                {"owner_id": r.choice(self.owners)},
                {"department_id": r.choice(self.teams)},
                {"customer_id": r.choice([*self.customers, None])},
                {"category_id": r.choice([*self.categories, None])},
                {"first_responded_at": t.c.created_at + ts(r.uniform(0, 200))},
                {"resolved_at": t.c.created_at + ts(r.uniform(100, 9000)), "status": "resolved"},
                {"resolved_at": None, "status": "open", "reopen_count": t.c.reopen_count + 1},  # reopened
                {"sla_paused_at": None},
                {"deleted_at": sa.func.now()},
                {"deleted_at": None},
                {"subject": "renamed only"},
            ]
        )

    async def churn(self, engine: AsyncEngine, rounds: int) -> None:
        """Inserts, edits, deletes and a customer's reassignment, in many statements."""
        r, tenant = self.rng, self.world.id
        for _ in range(rounds):
            async with engine.begin() as conn:
                await conn.execute(t.insert(), [self.ticket() for _ in range(r.randint(1, 25))])
                for _ in range(6):
                    some = r.sample(self.ids, k=min(len(self.ids), r.randint(1, 8)))
                    await conn.execute(
                        t.update().where(t.c.tenant_id == tenant, t.c.id.in_(some)).values(self.change())
                    )
                if r.random() < 0.4:
                    gone = self.ids.pop(r.randrange(len(self.ids)))
                    await conn.execute(t.delete().where(t.c.tenant_id == tenant, t.c.id == gone))
                if r.random() < 0.3:
                    d = self.world.department_ids
                    await conn.execute(
                        customers.update()
                        .where(customers.c.tenant_id == tenant, customers.c.id == r.choice(self.customers))
                        .values(department_id=r.choice([d["Sales East"], d["Sales West"], d["Service"]]))
                    )


# --- the definition, in Python ---------------------------------------------------------------------


def pairs(row: Any) -> list[tuple[str, str | None]]:
    """A ticket's (dimension, value) pairs, as migration 0019 defines them."""

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    def late(done: datetime | None, due: datetime | None) -> bool:
        return done is not None and due is not None and done > due

    def bucket(later: datetime) -> str:
        return str(bucket_of((later - row.created_at).total_seconds() / 60))

    out = [("kind", row.kind), ("category", text(row.category_id)), ("channel", row.channel),
           ("priority", row.priority), ("status", row.status), ("owner", text(row.owner_id))]  # fmt: skip
    facts = {
        "no_customer": row.customer_id is None,
        "with_sla": row.sla_policy_id is not None,
        "breached": late(row.first_responded_at, row.first_response_due_at)
        or late(row.resolved_at, row.resolution_due_at),
        "resolved": row.resolved_at is not None or row.reopen_count > 0,
        "reopened": row.reopen_count > 0,
    }
    out += [(name, None) for name, holds in facts.items() if holds]
    if row.first_responded_at is not None:
        out.append(("first_response", bucket(row.first_responded_at)))
    if row.resolved_at is not None:
        out.append(("resolution", bucket(row.resolved_at)))
    return out


def breached_by(row: Any, now: datetime) -> bool:
    """Late by now: the first response or the resolution overdue, the resolution judged where its
    clock stands (now, or where pending paused it), as a ticket's own `sla` block does."""
    first_due, resolution_due = row.first_response_due_at, row.resolution_due_at
    first = first_due is not None and (row.first_responded_at or now) > first_due
    resolution = resolution_due is not None and (row.resolved_at or row.sla_paused_at or now) > resolution_due
    return first or resolution


async def live_tickets(engine: AsyncEngine, tenant: UUID) -> list[Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(t, customers.c.customer_type)
            .select_from(
                t.outerjoin(customers, (customers.c.tenant_id == t.c.tenant_id) & (customers.c.id == t.c.customer_id))
            )
            .where(t.c.tenant_id == tenant, t.c.deleted_at.is_(None))
        )
        return list(rows)


def in_scope(row: Any, scope: DataScope) -> bool:
    grant = scope.grants[0]
    d = scope.department_ids
    if grant.range == DataRange.ALL:
        reached = True
    elif grant.range == DataRange.DEPARTMENT:
        reached = row.department_id in d or row.customer_department_id in d
    else:
        reached = scope.user_id in (row.owner_id, row.customer_owner_id)
    if grant.customer_types is not None:
        reached = reached and row.customer_type in grant.customer_types
    return reached


def expected(rows: list[Any], scope: DataScope, start: datetime, end: datetime, unit: GroupBy) -> dict[str, Any]:
    """The figures, straight from the tickets."""
    chosen = [r for r in rows if in_scope(r, scope) and start <= r.created_at < end]
    counts: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0])
    for row in chosen:
        for pair in pairs(row):
            counts[pair][0] += 1
            counts[pair][1] += row.kind == "complaint"

    def ranked(items: list[dict[str, Any]], count: str, key: str) -> list[dict[str, Any]]:
        return sorted(items, key=lambda i: (-i[count], str(i[key])))[:50]

    out: dict[str, Any] = {
        f"by_{name}": ranked(
            [{"key": v, "count": n, "complaints": c} for (dim, v), (n, c) in counts.items() if dim == name],
            "count",
            "key",
        )
        for name in ("kind", "category", "channel", "priority", "status", "owner")
    }
    per_customer: Counter[Any] = Counter(r.customer_id for r in chosen)
    complaints: Counter[Any] = Counter(r.customer_id for r in chosen if r.kind == "complaint")
    out["by_customer"] = ranked(
        [{"key": k, "count": n, "complaints": complaints[k]} for k, n in per_customer.items()], "count", "key"
    )
    out["repeat_complainers"] = ranked(
        [{"customer_id": k, "complaints": n} for k, n in complaints.items() if k is not None and n >= 2],
        "complaints",
        "customer_id",
    )

    def minutes(name: str) -> dict[str, float | None]:
        histogram = {int(v): n for (dim, v), (n, _) in counts.items() if dim == name and v is not None}
        median, p90 = percentiles(histogram, (0.5, 0.9))
        return {"median": None if median is None else round(median, 1), "p90": None if p90 is None else round(p90, 1)}

    with_sla = sum(1 for r in chosen if r.sla_policy_id is not None)
    breached = sum(1 for r in chosen if breached_by(r, NOW))
    resolved = sum(1 for r in chosen if r.resolved_at is not None or r.reopen_count > 0)
    reopened = sum(1 for r in chosen if r.reopen_count > 0)
    out |= {
        "total": len(chosen),
        "first_response_minutes": minutes("first_response"),
        "resolution_minutes": minutes("resolution"),
        "sla": {"with_targets": with_sla, "breached": breached,
                "breach_rate": round(breached / with_sla, 4) if with_sla else None},
        "reopen": {"resolved": resolved, "reopened": reopened,
                   "reopen_rate": round(reopened / resolved, 4) if resolved else None},
    }  # fmt: skip
    volume: dict[datetime, dict[str, int]] = defaultdict(lambda: {"count": 0, "complaints": 0, "breached": 0})
    for row in chosen:
        point = volume[period_start(row.created_at, unit)]
        point["count"] += 1
        point["complaints"] += row.kind == "complaint"
        point["breached"] += breached_by(row, NOW)
    return out | {"volume": dict(volume)}


def scopes(world: World) -> dict[str, DataScope]:
    d, u, tenant = world.department_ids, world.users, world.id
    service = (d["Service"], d["Service North"])
    return {
        "all": DataScope(tenant, u["admin"].id, (), (Grant(DataRange.ALL),)),
        "service": DataScope(tenant, u["service_manager"].id, service, (Grant(DataRange.DEPARTMENT),)),
        "east": DataScope(tenant, u["east_manager"].id, (d["Sales East"],), (Grant(DataRange.DEPARTMENT),)),
        "own": DataScope(tenant, u["agent1"].id, (d["Service"],), (Grant(DataRange.OWN),)),
        "vip": DataScope(tenant, u["admin"].id, (), (Grant(DataRange.ALL, customer_types=frozenset({"vip"})),)),
    }


def periods() -> list[tuple[datetime, datetime]]:
    day = NOW.replace(hour=0, minute=0, second=0)
    month = day.replace(day=1)
    return [
        (NOW - timedelta(days=80, hours=5), NOW + timedelta(minutes=5)),  # everything, ending after now
        (day - timedelta(days=40), day - timedelta(days=3)),  # midnight to midnight
        (day - timedelta(days=50, seconds=2), day - timedelta(days=20, seconds=-2)),  # edges of days
        (day - timedelta(days=30, hours=-20), day - timedelta(days=2, hours=3)),  # long edges, the other way
        (day - timedelta(days=5, hours=-3), day - timedelta(days=5, hours=-20)),  # inside one day
        (month - timedelta(days=33, hours=-7), month - timedelta(days=1, hours=1)),  # across months
        (month - timedelta(days=2), NOW),  # ends now, a partial day at each end
    ]


async def stats(engine: AsyncEngine, scope: DataScope, period: tuple[datetime, datetime], unit: GroupBy) -> Any:
    async with engine.connect() as conn:
        return await PgTicketStats(conn).stats(scope, *period, NOW, unit)


async def answers(engine: AsyncEngine, world: World) -> list[Any]:
    out = []
    for name, scope in scopes(world).items():
        for i, period in enumerate(periods()):
            unit: GroupBy = ("day", "week", "month")[i % 3]  # type: ignore[assignment]
            out.append((name, i, await stats(engine, scope, period, unit)))
    return out


async def test_rollups_follow_every_kind_of_write(engine: AsyncEngine, world: World) -> None:
    data = Data(world, random.Random(2026))
    await data.setup(engine)
    for round_ in range(8):
        await data.churn(engine, 2)
        await assert_in_step(engine, world.id)
        if round_ % 3 == 2:
            await compact(engine)
            await assert_in_step(engine, world.id, folded=True)


async def compact(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await PgTicketStatsCompaction(conn).compact()


async def assert_in_step(engine: AsyncEngine, tenant: UUID, folded: bool = False) -> None:
    rows = await live_tickets(engine, tenant)
    want_days: Counter[tuple[Any, ...]] = Counter()
    want_months: Counter[tuple[Any, ...]] = Counter()
    want_years: Counter[tuple[Any, ...]] = Counter()
    want_customers: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        day = row.created_at.astimezone(UTC).date()
        for dimension, value in pairs(row):
            for want, at in (
                (want_days, day),
                (want_months, day.replace(day=1)),
                (want_years, day.replace(month=1, day=1)),
            ):
                want[(at, row.department_id, dimension, value, "tickets")] += 1
                want[(at, row.department_id, dimension, value, "complaints")] += row.kind == "complaint"
        if row.customer_id is not None:
            want_customers[(row.customer_id, "tickets")] += 1
            want_customers[(row.customer_id, "complaints")] += row.kind == "complaint"
    async with engine.connect() as conn:
        for table, period, want in (
            (ticket_stats_rollups, "day", want_days),
            (ticket_stats_month_rollups, "month", want_months),
            (ticket_stats_year_rollups, "year", want_years),
        ):
            have: Counter[tuple[Any, ...]] = Counter()
            stored = list(await conn.execute(sa.select(table).where(table.c.tenant_id == tenant)))
            for r in stored:
                have[(r._mapping[period], r.department_id, r.dimension, r.value, "tickets")] += r.tickets
                have[(r._mapping[period], r.department_id, r.dimension, r.value, "complaints")] += r.complaints
            assert +have == +want, table.name  # unary +: without the zero counts
            if folded:  # one row per key, none of them zero
                keys = {(r._mapping[period], r.department_id, r.dimension, r.value) for r in stored}
                assert len(stored) == len(keys) and all((r.tickets or r.complaints) and r.folded for r in stored)
        c = ticket_customer_counts
        have_customers: Counter[tuple[Any, ...]] = Counter()
        for r in await conn.execute(sa.select(c).where(c.c.tenant_id == tenant)):
            have_customers[(r.customer_id, "tickets")] += r.tickets
            have_customers[(r.customer_id, "complaints")] += r.complaints
        assert +have_customers == +want_customers


async def test_minutes_bucket_in_sql_is_the_python_one(engine: AsyncEngine) -> None:
    values = [0, 0.5, 1, 49.999, 50, 50.0001, 51, 51.01, 99.5, 1000, 1e5, 525_600.7, -3]
    values += [50 * 1.02**k for k in range(0, 400, 7)]
    async with engine.connect() as conn:
        found = (
            await conn.execute(
                sa.select(sa.func.ticket_stats_minutes_bucket(sa.func.unnest(sa.literal(values, sa.ARRAY(sa.Float)))))
            )
        ).scalars()
        assert list(found) == [bucket_of(v) for v in values]


async def test_rollups_and_live_reads_agree_with_the_tickets(
    engine: AsyncEngine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = Data(world, random.Random(11))
    await data.setup(engine)
    await data.churn(engine, 20)
    rows = await live_tickets(engine, world.id)
    assert len(rows) > 120
    from_rollups = await answers(engine, world)
    # Every figure as the definition computes it, whichever path ran.
    for (name, i, (figures, volume)), period in zip(from_rollups, periods() * len(scopes(world)), strict=True):
        unit: GroupBy = ("day", "week", "month")[i % 3]  # type: ignore[assignment]
        want = expected(rows, scopes(world)[name], *period, unit)
        assert figures | {"volume": volume} == want, (name, i)
    assert any(figures["total"] for _, _, (figures, _) in from_rollups)
    assert any(figures["sla"]["breached"] for _, _, (figures, _) in from_rollups)
    # All live: the same answers.
    monkeypatch.setattr(ticket_stats, "stats_source", lambda scope: "live")
    assert await answers(engine, world) == from_rollups
    # The customers walked (in batches of 2, never grouped directly) or grouped: the same.
    monkeypatch.undo()
    monkeypatch.setattr(ticket_stats, "_DIRECT_BELOW", 0)
    monkeypatch.setattr(ticket_stats, "_BATCH", 2)
    monkeypatch.setattr(ticket_stats, "_MAX_BATCHES", 50)
    assert await answers(engine, world) == from_rollups
    monkeypatch.setattr(ticket_stats, "_MAX_BATCHES", 1)  # the walk gives up: grouped after all
    assert await answers(engine, world) == from_rollups


async def test_compaction_and_rebuild_keep_the_figures(engine: AsyncEngine, world: World, settings: Settings) -> None:
    data = Data(world, random.Random(5))
    await data.setup(engine)
    await data.churn(engine, 6)
    before = await answers(engine, world)

    async def rows() -> int:
        async with engine.connect() as conn:
            r = ticket_stats_rollups
            return (await conn.execute(sa.select(sa.func.count()).where(r.c.tenant_id == world.id))).scalar_one()

    appended = await rows()
    await Worker(engine, settings).run_jobs()  # the worker folds the rows
    assert await rows() < appended
    await assert_in_step(engine, world.id, folded=True)
    assert await answers(engine, world) == before
    async with engine.begin() as conn:
        await conn.execute(sa.text("SELECT ticket_stats_rollups_rebuild(:tenant)"), {"tenant": world.id})
    await assert_in_step(engine, world.id, folded=True)
    assert await answers(engine, world) == before
    # A rolled-back write leaves no trace.
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await conn.execute(t.update().where(t.c.tenant_id == world.id).values(kind="complaint"))
            raise RuntimeError("abort")
    assert await answers(engine, world) == before


async def test_concurrent_writes_and_folds_keep_the_counts(engine: AsyncEngine, world: World) -> None:
    data = Data(world, random.Random(3))
    await data.setup(engine)
    await data.churn(engine, 2)
    first, second = data.ids[:2]

    async def shuttle(ticket: UUID, statuses: tuple[str, str]) -> None:
        for i in range(25):
            async with engine.begin() as conn:
                await conn.execute(
                    t.update()
                    .where(t.c.tenant_id == world.id, t.c.id == ticket)
                    .values(status=statuses[i % 2], customer_id=data.customers[i % 3])
                )

    async def fold() -> None:
        for _ in range(10):
            await compact(engine)

    await asyncio.gather(shuttle(first, ("open", "pending")), shuttle(second, ("pending", "open")), fold(), fold())
    await assert_in_step(engine, world.id)
    await compact(engine)
    await assert_in_step(engine, world.id, folded=True)
