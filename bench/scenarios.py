"""What the benchmark drives: one scenario per endpoint and caller, shared by the SQL capture, the
wrk scripts and the report."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

LIST_LIMIT = 50
# Board and forecast: an absolute target, for the sales director over every deal of the tenant.
DASHBOARD_CONNECTIONS = (8,)
DASHBOARD_P99_MS = 100.0

METHODS = {
    "list": "GET",
    "get": "GET",
    "create": "POST",
    "patch": "PATCH",
    "board": "GET",
    "forecast": "GET",
    "stage": "POST",
    "public_create": "POST",
    "ticket_create": "POST",
    "stats": "GET",
    "search": "GET",
    "segment_preview": "POST",
    "tracking": "GET",
    "customer_analysis": "GET",
    "report": "POST",
    "analysis": "GET",
    "home": "GET",
    "analytics": "GET",
}
# Home (issue 15): the director's company and a manager's department, p99 < 150 ms at 8 connections.
HOME_CONNECTIONS = (8,)
HOME_P99_MS = 150.0
# Ticket statistics for the service manager over every ticket: an absolute p99 target at 8 connections.
STATS_P99_MS = 150.0
# Knowledge-base search: a rotating set of Chinese and English queries as a service agent.
KB_CONNECTIONS = (8,)
KB_P99_MS = 150.0
# Segment preview (the builder's live count) as a marketer over every contact: p99 < 300 ms at 4.
SEGMENT_CONNECTIONS = (4,)
SEGMENT_P99_MS = 300.0
# Three conditions: contacts of level-A software customers, tagged decision-maker or champion
# (bench/generate.py's values; about 6,400 customers and 1,000 contacts of the 1M / 2M).
SEGMENT_PREVIEW_BODY = (
    '{"audience":"contacts","conditions":{"op":"and","conditions":['
    '{"field":"customer.level","op":"eq","value":"A"},'
    '{"field":"customer.industry","op":"eq","value":"software"},'
    '{"field":"tags","op":"has_any","value":["decision-maker","champion"]}]}}'
)

# Report builder (issue 15): a report grouped by owner and month over every deal and over every
# customer, as the sales director, p99 < 1 s. A limit above owners x months: no row left out.
REPORT_CONNECTIONS = (4,)
REPORT_P99_MS = 1000.0
REPORT_BODIES = {
    "deals": '{"definition":{"entity":"deals","measures":[{"fn":"count"},{"fn":"sum","field":"amount"}],'
    '"groupings":[{"field":"owner"},{"field":"created_at","grain":"month"}],"limit":5000}}',
    "customers": '{"definition":{"entity":"customers","measures":[{"fn":"count"}],'
    '"groupings":[{"field":"owner"},{"field":"created_at","grain":"month"}],"limit":5000}}',
}


@dataclass(frozen=True)
class Selling:
    """What the selling scenarios address, found in the generated data (bench/generate_selling.py)."""

    pipeline_id: str  # the bigger pipeline ("New business")
    form_key: str  # the public lead form of the benchmarked tenant
    period: str  # the current quarter, e.g. 2026-Q4


@dataclass(frozen=True)
class Service:
    """What the service scenarios address (bench/generate_service.py): the stats period covering
    every generated ticket (created over the past 360 days)."""

    stats_from: str
    stats_to: str

    @classmethod
    def ending_now(cls) -> Service:
        """The last 366 days up to a few minutes from now, as a dashboard asks: every generated
        ticket, and those the ticket_create scenario opened."""
        end = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
        return cls((end - timedelta(days=366)).isoformat(), end.isoformat())


def period_ending_now(scenario: Scenario) -> Scenario:
    """A stats scenario with its period ending now: a period fixed when the run started ends
    before the later scenarios, and the stats would then subtract, live, every ticket that
    ticket_create opened after its end (thousands within one UTC day, ~100 ms a request)."""
    if scenario.route != "stats":
        return scenario
    fresh = Service.ending_now()
    return replace(scenario, query={"from": fresh.stats_from, "to": fresh.stats_to})


@dataclass(frozen=True)
class Scenario:
    name: str
    route: (
        str  # list | get | create | patch | board | forecast | stage | public_create | ticket_create | stats | search
    )
    caller: str  # rep | manager | admin | director | public | agent | service_manager | kb_agent
    script: str  # bench/wrk/<script>.lua
    path: str = "/api/v1/customers"
    query: dict[str, str] = field(default_factory=dict)
    # Whether "p99 < 50 ms at 4 connections" applies (get, list and create).
    latency_target: bool = False
    ids: str | None = None  # which id set the script rotates over (get, patch, stage)
    resource: str = "customers"  # whose permission and statements (an owned resource)
    # False: bench/baseline.py has no faithful counterpart; the app is measured alone.
    baseline: bool = True
    # Connection counts of its own instead of --connections (board and forecast: 8).
    connections: tuple[int, ...] | None = None
    # An absolute p99 target at every load measured (board and forecast: 100 ms).
    p99_limit_ms: float | None = None
    # Which server is its baseline: bench/baseline.py replaying the captured SQL, or a bare
    # server of its own (the tracking links: bench/tracking_baseline.py).
    baseline_server: str = "baseline"
    # A ratio target of its own, checked at every load instead of the 40% at 32 connections and
    # the p99 factor (the tracking links: at least 0.6 of their baseline).
    min_ratio: float | None = None
    # The JSON body a POST scenario sends (reports).
    body: str | None = None

    @property
    def method(self) -> str:
        return METHODS[self.route]

    @property
    def url_path(self) -> str:
        if not self.query:
            return self.path
        return self.path + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in self.query.items())

    @property
    def description(self) -> str:
        what = {
            "list": "GET list",
            "get": "GET by id",
            "create": "POST",
            "patch": "PATCH",
            "board": "GET board",
            "forecast": "GET forecast",
            "stage": "POST stage",
            "public_create": "POST public form",
            "ticket_create": "POST ticket",
            "stats": "GET ticket stats",
            "search": "GET search",
            "segment_preview": "POST segment preview",
            "tracking": "GET open pixel" if self.name.endswith("open") else "GET click redirect",
            "customer_analysis": f"GET {self.path.rsplit('/', 1)[-1]}",
            "report": "POST report run",
            "analysis": f"GET {self.path.rsplit('/', 2)[-2]} {self.path.rsplit('/', 1)[-1]}",
            "home": "GET home dashboard",
            "analytics": "GET analytics",
        }[self.route]
        extra = f" q={self.query['q']}" if "q" in self.query else ""
        noun = "" if self.resource == "customers" or self.route != "list" else f" {self.resource}"
        if self.route == "report":
            noun = f" {self.resource} by owner x month"
        return f"{what}{noun}{extra} as {self.caller}"

    def conn_counts(self, default: list[int]) -> list[int]:
        return list(self.connections) if self.connections else default


# Customer analysis (issue 15) over every customer as the director and a department's as a manager:
# p99 < 100 ms at 8 connections; the rollups of migration 0038 make that possible.
CUSTOMER_ANALYSIS_P99_MS = 100.0


def customer_analysis_scenarios(today: date | None = None) -> list[Scenario]:
    today = today or date.today()
    year_ago = (today - timedelta(days=365)).replace(day=1).isoformat()
    paths = {
        "rfm": ({}, "rfm"),
        "churn": ({"limit": "50"}, "churn-risk"),
        "value": ({"limit": "20"}, "value"),
        "lifecycle": ({"from": year_ago, "to": today.isoformat(), "grain": "month"}, "lifecycle"),
    }
    return [
        Scenario(
            f"customers_{name}_{caller}",
            "customer_analysis",
            caller,
            "list",
            path=f"/api/v1/analytics/customers/{tail}",
            query=query,
            baseline=False,
            connections=DASHBOARD_CONNECTIONS,
            p99_limit_ms=CUSTOMER_ANALYSIS_P99_MS,
        )
        for name, (query, tail) in paths.items()
        for caller in ("director", "manager")
    ]


def current_quarter(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def service_scenarios(service: Service | None) -> list[Scenario]:
    """Tickets: the agent's and the service manager's inbox (the list in their range: the agent's
    own tickets, and those of customers they own; the manager's team), opening a ticket, and the
    manager's statistics over all 200,000 tickets."""
    if service is None:
        return []
    tickets = "/api/v1/tickets"
    limit = {"limit": str(LIST_LIMIT)}
    return [
        Scenario("tickets_inbox_agent", "list", "agent", "list", path=tickets, query=limit, latency_target=True,
                 resource="tickets"),
        Scenario("tickets_inbox_manager", "list", "service_manager", "list", path=tickets, query=limit,
                 latency_target=True, resource="tickets"),
        # Routing, the SLA due times on the business calendar and the gap-free number: the
        # baseline has no counterpart (it would have to re-implement them); the app alone.
        Scenario("ticket_create", "ticket_create", "agent", "ticket", path=tickets, latency_target=True,
                 resource="tickets", baseline=False),
        Scenario("ticket_stats_manager", "stats", "service_manager", "list", path=f"{tickets}/stats",
                 query={"from": service.stats_from, "to": service.stats_to}, resource="tickets", baseline=False,
                 connections=DASHBOARD_CONNECTIONS, p99_limit_ms=STATS_P99_MS),
    ]  # fmt: skip


# Sales analysis (/api/v1/analytics/sales/...): p99 < 100 ms each, as the director (every deal)
# and as a manager (a department), over the year to today: every generated deal (created over the
# past 365 days).
SALES_ANALYSIS_P99_MS = 100.0
SALES_ANALYSES = {
    "funnel": {},
    "performance": {"by": "owner"},
    "time_in_stage": {},
    "revenue": {"by": "owner", "grain": "month"},
}


def sales_analysis_scenarios(selling: Selling, today: date | None = None) -> list[Scenario]:
    today = today or date.today()
    window = {"from": (today - timedelta(days=366)).isoformat(), "to": today.isoformat()}
    found = []
    for name, params in SALES_ANALYSES.items():
        query = {**window, **params}
        if name in ("funnel", "time_in_stage"):
            query["pipeline"] = selling.pipeline_id
        for caller in ("director", "manager"):
            found.append(
                Scenario(
                    f"sales_{name}_{caller}",
                    "analysis",
                    caller,
                    "list",
                    path=f"/api/v1/analytics/sales/{name.replace('_', '-')}",
                    query=query,
                    resource="opportunities",
                    baseline=False,
                    connections=DASHBOARD_CONNECTIONS,
                    p99_limit_ms=SALES_ANALYSIS_P99_MS,
                )
            )
    return found


def kb_search_paths(queries: list[str], limit: int = 20) -> list[str]:
    """The paths the kb_search scenario rotates over (bench/wrk/kb_search.lua)."""
    return [f"/api/v1/kb/articles?q={quote(q, safe='')}&limit={limit}" for q in queries]


# The open pixel and the click redirect (issue 14): against a bare server of their own, on the
# tracking tenant's signed links (bench/tracking.py), at least 0.6 of it at 32 and 4 connections.
TRACKING_MIN_RATIO = 0.6


def tracking_scenarios() -> list[Scenario]:
    return [
        Scenario(name, "tracking", "public", "tracking", path="/api/v1/public/t", resource="tracking",
                 baseline_server="tracking_baseline", min_ratio=TRACKING_MIN_RATIO)
        for name in ("tracking_open", "tracking_click")
    ]  # fmt: skip


def report_scenario(entity: str) -> Scenario:
    """POST /api/v1/reports/run grouped by owner x month over every record, as the director."""
    return Scenario(
        f"report_{entity}",
        "report",
        "director",
        "report",
        path="/api/v1/reports/run",
        resource="opportunities" if entity == "deals" else entity,
        baseline=False,
        connections=REPORT_CONNECTIONS,
        p99_limit_ms=REPORT_P99_MS,
        body=REPORT_BODIES[entity],
    )


def registration_scenario(event_key: str) -> Scenario:
    """Public event registration (bench/generate_events.py): distinct registrants, each a new lead
    and a registered member, its seat decided on the campaign's seat counter row (migration 0042); p99 < 50 ms
    at 4 connections."""
    return Scenario(
        "registration_public",
        "public_create",
        "public",
        "registration",
        path=f"/api/v1/public/campaigns/{event_key}/registrations",
        latency_target=True,
        resource="campaigns",
        baseline=False,
    )


def scenarios(
    search_zh: str,
    search_en: str,
    selling: Selling | None = None,
    service: Service | None = None,
    *,
    kb: bool = False,
    marketing: bool = False,
    event_key: str | None = None,
) -> list[Scenario]:
    limit = {"limit": str(LIST_LIMIT)}
    found = [
        Scenario("list_rep", "list", "rep", "list", query=limit, latency_target=True),
        Scenario("list_manager", "list", "manager", "list", query=limit, latency_target=True),
        Scenario("list_admin", "list", "admin", "list", query=limit, latency_target=True),
        Scenario("get_rep", "get", "rep", "get", latency_target=True, ids="rep"),
        Scenario("get_manager", "get", "manager", "get", latency_target=True, ids="manager"),
        Scenario("search_zh", "list", "admin", "list", query={"q": search_zh, **limit}),
        Scenario("search_en", "list", "admin", "list", query={"q": search_en, **limit}),
        Scenario("create", "create", "rep", "create", latency_target=True),
        Scenario("patch", "patch", "rep", "patch", ids="patch"),
    ]
    if kb:
        found.append(
            Scenario(
                "kb_search",
                "search",
                "kb_agent",
                "kb_search",
                path="/api/v1/kb/articles",
                resource="kb",
                baseline=False,
                connections=KB_CONNECTIONS,
                p99_limit_ms=KB_P99_MS,
            )
        )
    if marketing:
        found.append(
            Scenario(
                "segment_preview",
                "segment_preview",
                "marketer",
                "segment_preview",
                path="/api/v1/segments/preview",
                resource="contacts",
                baseline=False,
                connections=SEGMENT_CONNECTIONS,
                p99_limit_ms=SEGMENT_P99_MS,
            )
        )
    if event_key is not None:
        found.append(registration_scenario(event_key))
    found += customer_analysis_scenarios()
    found.append(report_scenario("customers"))
    if selling is None:
        return [*found, *service_scenarios(service)]
    opportunities = "/api/v1/opportunities"
    return [
        *found,
        report_scenario("deals"),
        *(
            Scenario(
                f"home_{caller}",
                "home",
                caller,
                "list",
                path="/api/v1/dashboards/home",
                resource="opportunities",
                baseline=False,
                connections=HOME_CONNECTIONS,
                p99_limit_ms=HOME_P99_MS,
            )
            for caller in ("director", "manager")
        ),
        Scenario(
            "board_director",
            "board",
            "director",
            "list",
            path=f"/api/v1/pipelines/{selling.pipeline_id}/board",
            resource="opportunities",
            baseline=False,
            connections=DASHBOARD_CONNECTIONS,
            p99_limit_ms=DASHBOARD_P99_MS,
        ),
        Scenario(
            "forecast_director",
            "forecast",
            "director",
            "list",
            path="/api/v1/forecast",
            query={"period": selling.period, "group_by": "owner"},
            resource="opportunities",
            baseline=False,
            connections=DASHBOARD_CONNECTIONS,
            p99_limit_ms=DASHBOARD_P99_MS,
        ),
        Scenario(
            "opps_list_rep",
            "list",
            "rep",
            "list",
            path=opportunities,
            query=limit,
            latency_target=True,
            resource="opportunities",
        ),
        Scenario(
            "opps_list_manager",
            "list",
            "manager",
            "list",
            path=opportunities,
            query=limit,
            latency_target=True,
            resource="opportunities",
        ),
        Scenario(
            "stage_change",
            "stage",
            "rep",
            "stage",
            path=opportunities,
            ids="stage",
            resource="opportunities",
        ),
        Scenario(
            "lead_create_public",
            "public_create",
            "public",
            "lead",
            path=f"/api/v1/public/lead-forms/{selling.form_key}",
            latency_target=True,
            resource="leads",
            baseline=False,
        ),
        *sales_analysis_scenarios(selling),
        *analytics_scenarios(),
        *service_scenarios(service),
    ]


def analytics_scenarios() -> list[Scenario]:
    """Lead analysis (1M leads), activity analysis (2M activities) and won/lost reasons (200k
    deals) as the director, over the year to date by month (the pages' default): p99 < 100 ms at 8.
    Activities read the trigger-kept rollups (migration 0039); leads and reasons the rows, through
    ix_leads_created and ix_opportunities_closed."""
    common = {"baseline": False, "connections": DASHBOARD_CONNECTIONS, "p99_limit_ms": DASHBOARD_P99_MS}
    return [
        Scenario("leads_analysis_director", "analytics", "director", "list", path="/api/v1/analytics/leads",
                 query={"by": "source"}, resource="leads", **common),  # type: ignore[arg-type]
        Scenario("activities_analysis_director", "analytics", "director", "list",
                 path="/api/v1/analytics/activities", query={"by": "owner"}, resource="activities", **common),  # type: ignore[arg-type]
        Scenario("reasons_director", "analytics", "director", "list", path="/api/v1/analytics/sales/reasons",
                 resource="opportunities", **common),  # type: ignore[arg-type]
    ]  # fmt: skip
