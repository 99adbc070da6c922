"""Sales analysis: the funnel of a cohort of deals, win rate / deal size / cycle / velocity per
dimension, time in stage, and revenue won per period. Always within the caller's opportunities
read range: the repository applies the DataScope to every deal it counts.

The repository returns sums per key (counts, per-currency amounts, cycle lengths); this module
turns them into the figures (rates, averages, velocity) and attaches each figure's drill: the
query of GET /api/v1/opportunities that lists exactly the deals behind it.

Definitions (the API's documentation repeats them):
- A deal's status is its stage's kind (open, won, lost); "closed" is won or lost, at closed_at.
- Funnel: deals of the pipeline created in the window. A deal reached a stage when it entered it
  or any later stage other than a lost one (its stage history, and its current stage), so its
  furthest stage is the highest-positioned non-lost stage it was ever in.
- Sales cycle: days from created_at to closed_at of won deals.
- Pipeline velocity per currency: open deals x win rate x average won amount / average cycle
  days, an amount per day.
- Source: the source lead's source ("none" without one); campaign: the first-touch campaign;
  region, customer level and type: the deal's customer's; product line: the line items' product
  name (a deal with several products counts under each, "none" without line items).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.analytics.window import Window, zone
from app.domain.shared.errors import NotFound, ValidationFailed
from app.domain.shared.scope import DataScope

NONE_KEY = "none"  # the key of deals without the dimension's value (no lead, no campaign, ...)
DRILL_PATH = "/api/v1/opportunities"


class PerformanceBy(StrEnum):
    OWNER = "owner"
    DEPARTMENT = "department"
    REGION = "region"
    PIPELINE = "pipeline"
    SOURCE = "source"
    CAMPAIGN = "campaign"
    PRODUCT_LINE = "product_line"


class RevenueBy(StrEnum):
    OWNER = "owner"
    DEPARTMENT = "department"
    REGION = "region"
    CUSTOMER_LEVEL = "customer_level"
    CUSTOMER_TYPE = "customer_type"


# The list endpoint's parameter that filters on each dimension's key.
DRILL_PARAM = {
    "owner": "owner",
    "department": "department",
    "region": "region",
    "pipeline": "pipeline",
    "source": "source",
    "campaign": "campaign",
    "product_line": "product",
    "customer_level": "customer_level",
    "customer_type": "customer_type",
}


def parse_dimension(kind: type[StrEnum], value: str | None, name: str = "by") -> Any:
    try:
        return kind(value or "owner")
    except ValueError:
        raise ValidationFailed.one(name, f"must be one of: {', '.join(kind)}") from None


# -- what the repository hands back ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stage:
    id: UUID
    name: str
    position: int
    kind: str


@dataclass(frozen=True, slots=True)
class FunnelCount:
    furthest: int | None  # the furthest stage's position; None: never in a non-lost stage
    status: str  # open, won, lost
    deals: int


@dataclass(frozen=True, slots=True)
class ClosedSums:
    key: str
    won: int
    lost: int
    cycle_average: float | None  # days, won deals
    cycle_median: float | None


@dataclass(frozen=True, slots=True)
class MoneySums:
    key: str
    currency: str
    deals: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class StageTimes:
    stage_id: UUID
    key: str | None  # the owner when grouped by owner
    deals: int
    stays: int
    average: float | None
    median: float | None


@dataclass(frozen=True, slots=True)
class RevenueSums:
    bucket: date
    key: str
    currency: str
    deals: int
    amount: Decimal


class SalesAnalysisReads(Protocol):
    async def time_zone(self, tenant_id: UUID) -> str: ...

    async def pipeline(self, tenant_id: UUID, pipeline_id: UUID | None) -> tuple[UUID, str, list[Stage]] | None:
        """The pipeline (the tenant's first when None) with its stages by position."""
        ...

    async def funnel(self, scope: DataScope, pipeline_id: UUID, lo: datetime, hi: datetime) -> list[FunnelCount]: ...

    async def closed(
        self, scope: DataScope, by: PerformanceBy, lo: datetime, hi: datetime, pipeline_id: UUID | None
    ) -> tuple[list[ClosedSums], list[MoneySums]]:
        """Per key: won/lost deals closed in [lo, hi) with the won cycle; won sums per currency."""
        ...

    async def open(self, scope: DataScope, by: PerformanceBy, pipeline_id: UUID | None) -> list[MoneySums]:
        """Open deals now per key and currency."""
        ...

    async def stage_times(
        self, scope: DataScope, pipeline_id: UUID, lo: datetime, hi: datetime, by_owner: bool
    ) -> list[StageTimes]: ...

    async def revenue(
        self, scope: DataScope, by: RevenueBy, window: Window, time_zone: str, lo: datetime, hi: datetime
    ) -> list[RevenueSums]: ...

    async def labels(self, tenant_id: UUID, dimension: str, keys: Sequence[str]) -> dict[str, str]:
        """A display name per key (user, department, region, pipeline, campaign names)."""
        ...


# -- figures -------------------------------------------------------------------------------------


def instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def drill(**query: Any) -> dict[str, Any]:
    return {"path": DRILL_PATH, "query": {k: str(v) for k, v in query.items() if v is not None}}


def figure(count: int, **query: Any) -> dict[str, Any]:
    """A count and where its deals are listed (none to list for a zero: a revenue series of many
    owners is mostly zeros, and their drills were most of the response)."""
    return {"count": count, "drill": drill(**query) if count else None}


def money(sums: dict[str, Decimal]) -> list[dict[str, Any]]:
    return [{"currency": c, "amount": sums[c].quantize(Decimal("0.01"))} for c in sorted(sums)]


def days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _per_key(sums: list[MoneySums]) -> dict[str, dict[str, MoneySums]]:
    out: dict[str, dict[str, MoneySums]] = {}
    for m in sums:
        out.setdefault(m.key, {})[m.currency] = m
    return out


@dataclass(slots=True)
class _Context:
    scope: DataScope
    time_zone: str
    window: Window
    lo: datetime
    hi: datetime
    echo: dict[str, Any] = field(default_factory=dict)


class SalesAnalysisService:
    def __init__(self, reads: SalesAnalysisReads) -> None:
        self.reads = reads

    async def _context(
        self, principal: Principal, start: date | None, to: date | None, grain: str | None, *, today: date | None = None
    ) -> _Context:
        scope = principal.scope("opportunities", "read")
        tz_name = await self.reads.time_zone(principal.tenant_id)
        tz = zone(tz_name)
        window = Window.parse(start, to, grain, today=today or datetime.now(tz).date())
        lo, hi = window.instants(tz)
        echo = {
            "from": window.start,
            "to": window.end - timedelta(days=1),
            "grain": window.grain.value,
            "time_zone": tz_name,
        }
        return _Context(scope, tz_name, window, lo, hi, echo)

    async def _pipeline(self, tenant_id: UUID, pipeline_id: UUID | None) -> tuple[UUID, str, list[Stage]]:
        found = await self.reads.pipeline(tenant_id, pipeline_id)
        if found is None:
            if pipeline_id is None:
                raise NotFound("no pipeline")
            raise ValidationFailed.one("pipeline", "no such pipeline")
        return found

    async def funnel(
        self, principal: Principal, pipeline_id: UUID | None, start: date | None, to: date | None
    ) -> dict[str, Any]:
        ctx = await self._context(principal, start, to, None)
        pid, name, stages = await self._pipeline(principal.tenant_id, pipeline_id)
        counts = await self.reads.funnel(ctx.scope, pid, ctx.lo, ctx.hi)
        cohort = {"pipeline": pid, "created_from": instant(ctx.lo), "created_to": instant(ctx.hi)}
        steps = [s for s in stages if s.kind != "lost"]
        reached = [sum(c.deals for c in counts if c.furthest is not None and c.furthest >= s.position) for s in steps]
        rows = []
        for i, stage in enumerate(steps):
            last = i == len(steps) - 1
            ended = [c for c in counts if c.furthest == stage.position]
            here = {k: sum(c.deals for c in ended if c.status == k) for k in ("open", "won", "lost")}
            stopped = {"furthest_stage": stage.id, **cohort}
            rows.append(
                {
                    "stage_id": stage.id,
                    "name": stage.name,
                    "kind": stage.kind,
                    "reached": figure(reached[i], reached_stage=stage.id, **cohort),
                    "conversion": None if last else ratio(reached[i + 1], reached[i]),
                    "drop_off": None if last else figure(reached[i] - reached[i + 1], **stopped),
                    "open": figure(here["open"], status="open", **stopped),
                    "won": figure(here["won"], status="won", **stopped),
                    "lost": figure(here["lost"], status="lost", **stopped),
                }
            )
        total = sum(c.deals for c in counts)
        status = {k: sum(c.deals for c in counts if c.status == k) for k in ("open", "won", "lost")}
        return {
            "window": ctx.echo,
            "pipeline": {"id": pid, "name": name},
            "deals": figure(total, **cohort),
            **{k: figure(v, status=k, **cohort) for k, v in status.items()},
            "stages": rows,
        }

    async def performance(
        self,
        principal: Principal,
        by: PerformanceBy,
        pipeline_id: UUID | None,
        start: date | None,
        to: date | None,
    ) -> dict[str, Any]:
        ctx = await self._context(principal, start, to, None)
        if pipeline_id is not None:
            await self._pipeline(principal.tenant_id, pipeline_id)
        closed, won_money = await self.reads.closed(ctx.scope, by, ctx.lo, ctx.hi, pipeline_id)
        open_money = await self.reads.open(ctx.scope, by, pipeline_id)
        keys = sorted({c.key for c in closed} | {m.key for m in open_money})
        labels = await self.reads.labels(principal.tenant_id, by.value, keys)
        by_key = {c.key: c for c in closed}
        won_by_key, open_by_key = _per_key(won_money), _per_key(open_money)
        param = DRILL_PARAM[by.value]
        window = {"closed_from": instant(ctx.lo), "closed_to": instant(ctx.hi)}
        rows: list[dict[str, Any]] = []
        for key in keys:
            c = by_key.get(key) or ClosedSums(key, 0, 0, None, None)
            won_sums = won_by_key.get(key, {})
            open_sums = open_by_key.get(key, {})
            rate = ratio(c.won, c.won + c.lost)
            average = {cur: m.amount / m.deals for cur, m in won_sums.items() if m.deals}
            velocity: dict[str, Decimal] = {}
            if rate and c.cycle_average:
                for cur, m in open_sums.items():
                    if cur in average:
                        velocity[cur] = m.deals * Decimal(str(rate)) * average[cur] / Decimal(str(c.cycle_average))
            scope: dict[str, Any] = {"pipeline": pipeline_id} if pipeline_id else {}
            scope[param] = key  # by pipeline: the row's, which a pipeline filter can only equal
            rows.append(
                {
                    "key": key,
                    "label": labels.get(key, key),
                    "closed": figure(c.won + c.lost, status="closed", **window, **scope),
                    "won": figure(c.won, status="won", **window, **scope),
                    "lost": figure(c.lost, status="lost", **window, **scope),
                    "win_rate": rate,
                    "won_amount": money({cur: m.amount for cur, m in won_sums.items()}),
                    "average_won_amount": money(average),
                    "cycle_days": {"average": days(c.cycle_average), "median": days(c.cycle_median)},
                    "open": figure(sum(m.deals for m in open_sums.values()), status="open", **scope),
                    "open_amount": money({cur: m.amount for cur, m in open_sums.items()}),
                    "velocity_per_day": money(velocity),
                }
            )
        rows.sort(key=lambda r: (-r["closed"]["count"], -r["open"]["count"], r["label"]))
        return {"window": ctx.echo, "by": by.value, "pipeline": pipeline_id, "rows": rows}

    async def time_in_stage(
        self,
        principal: Principal,
        pipeline_id: UUID | None,
        by_owner: bool,
        start: date | None,
        to: date | None,
    ) -> dict[str, Any]:
        ctx = await self._context(principal, start, to, None)
        pid, name, stages = await self._pipeline(principal.tenant_id, pipeline_id)
        times = await self.reads.stage_times(ctx.scope, pid, ctx.lo, ctx.hi, by_owner)
        owners = sorted({t.key for t in times if t.key is not None})
        labels = await self.reads.labels(principal.tenant_id, "owner", owners) if owners else {}
        cohort = {"pipeline": pid, "created_from": instant(ctx.lo), "created_to": instant(ctx.hi)}

        def line(t: StageTimes | None, **extra: Any) -> dict[str, Any]:
            return {
                "deals": figure(t.deals if t else 0, **extra, **cohort),
                "stays": t.stays if t else 0,
                "average_days": days(t.average) if t else None,
                "median_days": days(t.median) if t else None,
            }

        rows = []
        for stage in stages:
            if stage.kind != "open":  # nobody spends time in a closing stage: it has no way out
                continue
            total = next((t for t in times if t.stage_id == stage.id and t.key is None), None)
            row = {"stage_id": stage.id, "name": stage.name, **line(total, passed_stage=stage.id)}
            if by_owner:
                row["owners"] = [
                    {
                        "key": t.key,
                        "label": labels.get(t.key or "") or t.key,
                        **line(t, passed_stage=stage.id, owner=t.key),
                    }
                    for t in sorted(
                        (t for t in times if t.stage_id == stage.id and t.key is not None),
                        key=lambda t: (-t.deals, labels.get(t.key or "", "")),
                    )
                ]
            rows.append(row)
        return {
            "window": ctx.echo,
            "pipeline": {"id": pid, "name": name},
            "by": "owner" if by_owner else None,
            "stages": rows,
        }

    async def revenue(
        self, principal: Principal, by: RevenueBy, grain: str | None, start: date | None, to: date | None
    ) -> dict[str, Any]:
        ctx = await self._context(principal, start, to, grain)
        sums = await self.reads.revenue(ctx.scope, by, ctx.window, ctx.time_zone, ctx.lo, ctx.hi)
        keys = sorted({s.key for s in sums})
        labels = await self.reads.labels(principal.tenant_id, by.value, keys)
        tz = zone(ctx.time_zone)
        buckets = ctx.window.buckets()
        # Each bucket's instants, the first and last clipped to the window: the drill's closed range.
        starts = [max(b, ctx.window.start) for b in buckets]
        edges = []
        for first, end in zip(starts, [*starts[1:], ctx.window.end], strict=True):
            lo, hi = Window(first, end).instants(tz)
            edges.append({"closed_from": instant(lo), "closed_to": instant(hi)})
        param = DRILL_PARAM[by.value]

        def cell(bucket: date, i: int, rows: list[RevenueSums], **extra: Any) -> dict[str, Any]:
            amounts: dict[str, Decimal] = {}
            for r in rows:
                amounts[r.currency] = amounts.get(r.currency, Decimal(0)) + r.amount
            return {
                "bucket": bucket,
                "won": figure(sum(r.deals for r in rows), status="won", **edges[i], **extra),
                "amount": money(amounts),
            }

        cells: dict[str, dict[date, list[RevenueSums]]] = {}
        per_bucket: dict[date, list[RevenueSums]] = {}
        for r in sums:
            cells.setdefault(r.key, {}).setdefault(r.bucket, []).append(r)
            per_bucket.setdefault(r.bucket, []).append(r)
        series: list[dict[str, Any]] = []
        for key in keys:
            mine = cells.get(key, {})
            series.append(
                {
                    "key": key,
                    "label": labels.get(key, key),
                    "buckets": [cell(b, i, mine.get(b, []), **{param: key}) for i, b in enumerate(buckets)],
                }
            )
        totals = [cell(b, i, per_bucket.get(b, [])) for i, b in enumerate(buckets)]
        series.sort(key=lambda s: (-sum(c["won"]["count"] for c in s["buckets"]), s["label"]))
        return {"window": ctx.echo, "by": by.value, "series": series, "totals": totals}
