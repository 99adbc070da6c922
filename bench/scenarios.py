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
    "analytics": "GET",
}
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
            "analytics": "GET analytics",
        }[self.route]
        extra = f" q={self.query['q']}" if "q" in self.query else ""
        noun = "" if self.resource == "customers" or self.route != "list" else f" {self.resource}"
        return f"{what}{noun}{extra} as {self.caller}"

    def conn_counts(self, default: list[int]) -> list[int]:
        return list(self.connections) if self.connections else default


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


def kb_search_paths(queries: list[str], limit: int = 20) -> list[str]:
    """The paths the kb_search scenario rotates over (bench/wrk/kb_search.lua)."""
    return [f"/api/v1/kb/articles?q={quote(q, safe='')}&limit={limit}" for q in queries]


def registration_scenario(event_key: str) -> Scenario:
    """Public event registration (bench/generate_events.py): distinct registrants, each a new lead
    and a registered member, seats counted under the campaign's lock; p99 < 50 ms at 4 connections."""
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
    if selling is None:
        return [*found, *service_scenarios(service)]
    opportunities = "/api/v1/opportunities"
    return [
        *found,
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
