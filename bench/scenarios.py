"""What the benchmark drives: one scenario per endpoint and caller, shared by the SQL capture, the
wrk scripts and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

LIST_LIMIT = 50


@dataclass(frozen=True)
class Scenario:
    name: str
    route: str  # list | get | create | patch
    caller: str  # rep | manager | admin
    script: str  # bench/wrk/<script>.lua
    path: str = "/api/v1/customers"
    query: dict[str, str] = field(default_factory=dict)
    # Whether "p99 < 50 ms at 4 connections" applies (get, list and create).
    latency_target: bool = False
    ids: str | None = None  # which id set the script rotates over (get, patch)

    @property
    def url_path(self) -> str:
        if not self.query:
            return self.path
        return self.path + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in self.query.items())

    @property
    def description(self) -> str:
        what = {"list": "GET list", "get": "GET by id", "create": "POST", "patch": "PATCH"}[self.route]
        extra = f" q={self.query['q']}" if "q" in self.query else ""
        return f"{what}{extra} as {self.caller}"


def scenarios(search_zh: str, search_en: str) -> list[Scenario]:
    limit = {"limit": str(LIST_LIMIT)}
    return [
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
