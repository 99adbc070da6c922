"""Home and dashboard widgets' figures (`GET /dashboards/home`, `GET /dashboards/{id}/data`).

Each widget is computed within the caller's range on the resource it counts, and every figure
carries `drill`: the list endpoint and the query parameters it already understands that list the
records behind it (the list applies the same range, so its count matches).

One connection per request, so widgets run one after another; each is one cheap statement (or
reuses a service that is): the forecast's three widgets share one forecast of the month (read
from the opportunity rollups), tickets' from partial indexes, CSAT from the survey results, leads
by source from the campaign statistics. "Today" and "this month" are the tenant's local ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.analytics.widgets import Widget, allowed
from app.domain.analytics.window import Window, zone
from app.domain.forecast.periods import Period, PeriodKind
from app.domain.forecast.service import Forecast, ForecastService, GroupBy
from app.domain.marketing.stats import CampaignStatsService, ChannelGrouping
from app.domain.shared import clock
from app.domain.shared.scope import DataScope
from app.domain.surveys.entities import ResultsQuery, Survey
from app.domain.surveys.service import ResultsService

SLA_SOON = timedelta(hours=2)  # "due soon": breaching within this (the ticket inbox's view too)
CSAT_DAYS = 30
CAMPAIGNS_SHOWN = 5

API = "/api/v1"


class StageFigure(NamedTuple):
    pipeline_id: UUID
    pipeline: str
    stage_id: UUID
    stage: str
    position: int
    currency: str
    deals: int
    amount: Decimal


class HomeFigures(Protocol):
    async def zone(self, tenant_id: UUID) -> str: ...
    async def pipeline_by_stage(self, scope: DataScope) -> list[StageFigure]:
        """Open deals per pipeline, stage and currency, stages in board order."""
        ...

    async def leads_to_work(self, scope: DataScope) -> dict[str, int]: ...
    async def planned(
        self, scope: DataScope, day_start: datetime, day_end: datetime, now: datetime
    ) -> tuple[int, int, int]:
        """Planned (tasks today, appointments today, any before `now`)."""
        ...

    async def ticket_queue(self, scope: DataScope) -> tuple[int, int, int]:
        """Open tickets: (all, unassigned, the caller's)."""
        ...

    async def sla_warnings(self, scope: DataScope, now: datetime, soon: datetime) -> tuple[int, int]:
        """Open tickets with a running clock (breached by `now`, due before `soon` but not yet)."""
        ...

    async def campaigns_running(self, scope: DataScope, limit: int) -> tuple[int, list[dict[str, Any]]]: ...
    async def user_names(self, tenant_id: UUID, ids: list[UUID]) -> dict[UUID, str]: ...


class CsatSurvey(Protocol):
    async def ticket_csat(self, tenant_id: UUID) -> Survey | None: ...


def drill(resource: str, **query: Any) -> dict[str, Any]:
    """Where a figure's records are: a list endpoint and its filters (strings, as in a URL)."""
    return {
        "path": f"{API}/{resource}",
        "query": {k: _text(v) for k, v in query.items() if v is not None},
    }


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(value)


def money(amounts: dict[str, Decimal]) -> list[dict[str, Any]]:
    return [{"currency": c, "amount": f"{a.quantize(Decimal('0.01'))}"} for c, a in sorted(amounts.items())]


@dataclass(slots=True)
class Moment:
    """The request's now, in the tenant's zone: today's bounds and this month."""

    now: datetime
    time_zone: str
    today: date
    day_start: datetime
    day_end: datetime
    month: Period

    @classmethod
    def of(cls, now: datetime, time_zone: str) -> Moment:
        tz = zone(time_zone)
        today = now.astimezone(tz).date()
        start, end = Window(today, today + timedelta(days=1)).instants(tz)
        return cls(now, time_zone, today, start, end, Period.of(PeriodKind.MONTH, today.replace(day=1)))


@dataclass(slots=True)
class _Run:
    """One request's widgets: the forecast of the month computed once for the three that show it."""

    principal: Principal
    moment: Moment
    forecast: Forecast | None = None
    cache: dict[str, Any] = field(default_factory=dict)


class HomeService:
    def __init__(
        self,
        figures: HomeFigures,
        forecasts: ForecastService,
        campaign_stats: CampaignStatsService,
        surveys: CsatSurvey,
        survey_results: ResultsService,
    ) -> None:
        self.figures = figures
        self.forecasts = forecasts
        self.campaign_stats = campaign_stats
        self.surveys = surveys
        self.survey_results = survey_results

    async def moment(self, principal: Principal) -> Moment:
        return Moment.of(clock.utcnow(), await self.figures.zone(principal.tenant_id))

    async def compute(self, principal: Principal, widgets: list[Widget], moment: Moment) -> list[dict[str, Any]]:
        """Each widget's data, in order; one the caller may not see says so (`denied`)."""
        run = _Run(principal, moment)
        out = []
        for widget in widgets:
            if not allowed(principal, widget):
                out.append({"key": widget.value, "denied": True, "data": None})
                continue
            compute = getattr(self, f"_{widget.value}")
            out.append({"key": widget.value, "denied": False, "data": await compute(run)})
        return out

    # -- deals ---------------------------------------------------------------------------------

    async def _pipeline_by_stage(self, run: _Run) -> dict[str, Any]:
        rows = await self.figures.pipeline_by_stage(run.principal.scope("opportunities", "read"))
        pipelines: dict[UUID, dict[str, Any]] = {}
        stages: dict[UUID, dict[str, Any]] = {}
        for row in rows:
            pipeline = pipelines.setdefault(
                row.pipeline_id, {"id": row.pipeline_id, "name": row.pipeline, "stages": []}
            )
            stage = stages.get(row.stage_id)
            if stage is None:
                stage = stages[row.stage_id] = {
                    "id": row.stage_id, "name": row.stage, "count": 0, "amounts": {},
                    "drill": drill("opportunities", pipeline=row.pipeline_id, stage=row.stage_id),
                }  # fmt: skip
                pipeline["stages"].append(stage)
            stage["count"] += row.deals
            stage["amounts"][row.currency] = row.amount
        for stage in stages.values():
            stage["amounts"] = money(stage["amounts"])
        return {"pipelines": list(pipelines.values())}

    async def _month_forecast(self, run: _Run) -> Forecast:
        if run.forecast is None:
            run.forecast = await self.forecasts.forecast(run.principal, run.moment.month, GroupBy.OWNER)
        return run.forecast

    def _month(self, run: _Run, **query: Any) -> dict[str, Any]:
        month = run.moment.month
        return drill("opportunities", close_from=month.start, close_to=month.end, **query)

    async def _closing_this_month(self, run: _Run) -> dict[str, Any]:
        total = (await self._month_forecast(run)).total
        return {
            "period": run.moment.month.label,
            "open_count": total.open_count,
            "open_amount": total.commit + total.best_case + total.pipeline,
            "commit": total.commit,
            "best_case": total.best_case,
            "weighted": total.weighted_pipeline,
            "won_count": total.won_count,
            "closed_won": total.closed_won,
            "drill": self._month(run),
        }

    async def _attainment(self, run: _Run) -> dict[str, Any]:
        total = (await self._month_forecast(run)).total
        target = total.target
        won_against_target = None if total.gap is None or target is None else target - total.gap
        percent = None
        if target and won_against_target is not None:
            percent = round(float(100 * won_against_target / target), 1)
        return {
            "period": run.moment.month.label,
            "target": target,
            "closed_won": total.closed_won,
            "gap": total.gap,
            "percent": percent,
            "drill": self._month(run),
        }

    async def _per_rep(self, run: _Run) -> dict[str, Any]:
        lines = (await self._month_forecast(run)).lines
        names = await self.figures.user_names(run.principal.tenant_id, [UUID(line.key) for line in lines])
        reps = [
            {
                "owner_id": line.key,
                "name": names.get(UUID(line.key)),
                "closed_won": line.closed_won,
                "won_count": line.won_count,
                "open_count": line.open_count,
                "open_amount": line.commit + line.best_case + line.pipeline,
                "target": line.target,
                "gap": line.gap,
                "drill": self._month(run, owner=line.key),
            }
            for line in lines
        ]
        return {"period": run.moment.month.label, "reps": reps}

    # -- leads and activities --------------------------------------------------------------------

    async def _leads_to_work(self, run: _Run) -> dict[str, Any]:
        counts = await self.figures.leads_to_work(run.principal.scope("leads", "read"))
        items = [
            {"status": status, "count": counts.get(status, 0), "drill": drill("leads", status=status)}
            for status in ("new", "contacted")
        ]
        return {"total": sum(i["count"] for i in items), "items": items}

    async def _planned(self, run: _Run) -> tuple[int, int, int]:
        if "planned" not in run.cache:
            m = run.moment
            scope = run.principal.scope("activities", "read")
            run.cache["planned"] = await self.figures.planned(scope, m.day_start, m.day_end, m.now)
        return run.cache["planned"]  # type: ignore[no-any-return]

    async def _today(self, run: _Run) -> dict[str, Any]:
        tasks, appointments, _ = await self._planned(run)
        m = run.moment
        window = {"status": "planned", "occurred_from": m.day_start, "occurred_to": m.day_end}
        return {
            "date": m.today,
            "count": tasks + appointments,
            "tasks": tasks,
            "appointments": appointments,
            "drill": drill("activities", **window),
            "tasks_drill": drill("activities", kind="task", **window),
            "appointments_drill": drill("activities", kind="appointment", **window),
        }

    async def _overdue(self, run: _Run) -> dict[str, Any]:
        _, _, late = await self._planned(run)
        return {"count": late, "drill": drill("activities", status="planned", occurred_to=run.moment.now)}

    # -- service ---------------------------------------------------------------------------------

    def _tickets(self, run: _Run) -> DataScope:
        # As the ticket list reads them (app/domain/tickets/service.py): what one opened counts too.
        return replace(run.principal.scope("tickets", "read"), creator_reads=True)

    async def _ticket_queue(self, run: _Run) -> dict[str, Any]:
        total, unassigned, mine = await self.figures.ticket_queue(self._tickets(run))
        return {
            "open": total,
            "unassigned": unassigned,
            "mine": mine,
            "drill": drill("tickets", open="true"),
            "unassigned_drill": drill("tickets", open="true", owner="none"),
            "mine_drill": drill("tickets", open="true", owner="me"),
        }

    async def _sla_warnings(self, run: _Run) -> dict[str, Any]:
        now = run.moment.now
        soon = now + SLA_SOON
        breached, due_soon = await self.figures.sla_warnings(self._tickets(run), now, soon)
        return {
            "breached": breached,
            "due_soon": due_soon,
            "hours": int(SLA_SOON.total_seconds() // 3600),
            "breached_drill": drill("tickets", open="true", breaching_before=now),
            # the list's filter includes the breached ones: it lists both kinds of warning
            "drill": drill("tickets", open="true", breaching_before=soon),
        }

    async def _csat(self, run: _Run) -> dict[str, Any]:
        end = run.moment.now
        start = end - timedelta(days=CSAT_DAYS)
        survey = await self.surveys.ticket_csat(run.principal.tenant_id)
        out: dict[str, Any] = {"days": CSAT_DAYS, "survey_id": None, "responses": 0, "answered": 0}
        out |= {"satisfied": 0, "percent": None, "drill": None}
        if survey is None:
            return out
        query = ResultsQuery(start=start, end=end, comments=0)
        results = await self.survey_results.results(run.principal, survey.id, query)
        csat = results["csat"]
        return out | {
            "survey_id": survey.id,
            "responses": results["responses"],
            "answered": csat["answered"],
            "satisfied": csat["satisfied"],
            "percent": csat["percent"],
            "drill": {"path": f"{API}/surveys/{survey.id}/results", "query": {"from": _text(start), "to": _text(end)}},
        }

    # -- marketing -------------------------------------------------------------------------------

    async def _campaigns_running(self, run: _Run) -> dict[str, Any]:
        total, items = await self.figures.campaigns_running(run.principal.scope("campaigns", "read"), CAMPAIGNS_SHOWN)
        for item in items:
            item["drill"] = {"path": f"{API}/campaigns/{item['id']}", "query": {}}
        return {"count": total, "items": items, "drill": drill("campaigns", status="running")}

    async def _leads_by_source(self, run: _Run) -> dict[str, Any]:
        """This month's leads per source (UTC days, as the campaign statistics count them) and
        how many of them converted."""
        month = run.moment.month
        last = min(run.moment.today, month.end - timedelta(days=1))
        result = await self.campaign_stats.channels(run.principal, ChannelGrouping.SOURCE, month.start, last)
        lo = datetime.combine(month.start, time(), UTC)
        hi = datetime.combine(last + timedelta(days=1), time(), UTC)
        items = []
        for row in result["items"]:
            leads = (row["leads"] or {}).get("first_touch", 0)
            converted = (row["converted_leads"] or {}).get("first_touch", 0)
            items.append(
                {
                    "source": row["key"],
                    "leads": leads,
                    "converted": converted,
                    "rate": round(100 * converted / leads, 1) if leads else None,
                    "drill": drill("leads", source=row["key"], created_from=lo, created_to=hi),
                }
            )
        total = sum(i["leads"] for i in items)
        converted = sum(i["converted"] for i in items)
        return {
            "from": month.start,
            "to": last,
            "leads": total,
            "converted": converted,
            "rate": round(100 * converted / total, 1) if total else None,
            "items": items,
        }
