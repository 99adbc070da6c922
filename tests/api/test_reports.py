"""The report builder against a direct Python computation: for each entity, reports with several
measures, groupings (fields and date buckets in the tenant's zone), filters and periods, run as
callers with the whole tenant, a department, their own records, and a range narrowed by region.
Each figure must equal the Python one, and each row's drill-down (the resource's own list
endpoint with the row's `where`) must list exactly as many records as the row counts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.analytics.window import Grain
from app.domain.shared.conditions import MAX_CONDITIONS
from tests.api.identity_support import bearer, login
from tests.builders import Factory
from tests.report_data import ZONE, Data, Rec, avg, build, local_bucket

RUN = "/api/v1/reports/run"


@dataclass
class Viewer:
    name: str
    headers: dict[str, str]
    range: str  # all | department | own
    user: UUID
    departments: frozenset[UUID]
    regions: frozenset[UUID] | None = None


def sees(v: Viewer, entity: str, rec: Rec) -> bool:
    if rec.deleted:
        return False
    if entity == "campaign_members":  # campaigns: range all for every viewer here; the person decides
        assert rec.person is not None
        return sees(v, "contacts" if rec.person_kind == "contact" else "leads", rec.person)
    if v.range == "own":
        ok = rec.owner == v.user or (entity == "tickets" and rec.customer_owner == v.user)
    elif v.range == "department":
        ok = rec.department in v.departments or (entity == "tickets" and rec.customer_department in v.departments)
    else:
        ok = True
    return ok and (v.regions is None or rec.region in v.regions)


@dataclass
class Case:
    definition: dict[str, Any]
    keep: Callable[[Rec], bool]
    groups: list[tuple[str, Grain | None]]  # implicit currency included
    measures: list[tuple[str, str | None]]  # (fn, field)


def _in(field: str, lo: date, hi: date) -> Callable[[Rec], bool]:
    def within(r: Rec) -> bool:
        day = r.values[field].astimezone(ZONE).date()
        return lo <= day <= hi

    return within


CASES = {
    "deals_by_owner_and_month": Case(
        {"entity": "deals", "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"},
                                         {"fn": "avg", "field": "amount"}, {"fn": "max", "field": "probability"}],
         "groupings": [{"field": "owner"}, {"field": "created_at", "grain": "month"}],
         "filters": {"op": "and", "conditions": [{"field": "status", "op": "in", "value": ["open", "won"]}]},
         "period": {"field": "created_at", "from": "2025-03-01", "to": "2026-10-31"}},
        lambda r: r.values["status"] in ("open", "won") and _in("created_at", date(2025, 3, 1), date(2026, 10, 31))(r),
        [("owner", None), ("created_at", Grain.MONTH), ("currency", None)],
        [("count", None), ("sum", "amount"), ("avg", "amount"), ("max", "probability")],
    ),
    "deals_by_region_and_status": Case(
        {"entity": "deals", "measures": [{"fn": "count"}, {"fn": "min", "field": "amount"}],
         "groupings": [{"field": "region"}, {"field": "status"}]},
        lambda r: True,
        [("region", None), ("status", None), ("currency", None)],
        [("count", None), ("min", "amount")],
    ),
    "customers_by_level_and_quarter": Case(
        {"entity": "customers", "measures": [{"fn": "count"}],
         "groupings": [{"field": "level"}, {"field": "created_at", "grain": "quarter"}],
         "filters": {"op": "and", "conditions": [{"field": "status", "op": "neq", "value": "lost"}]}},
        lambda r: r.values["status"] != "lost",
        [("level", None), ("created_at", Grain.QUARTER)],
        [("count", None)],
    ),
    "activities_by_kind_and_week": Case(
        {"entity": "activities", "measures": [{"fn": "count"}, {"fn": "sum", "field": "duration_minutes"},
                                              {"fn": "avg", "field": "duration_minutes"}],
         "groupings": [{"field": "kind"}, {"field": "occurred_at", "grain": "week"}],
         "period": {"field": "occurred_at", "from": "2025-06-01", "to": "2026-06-30"}},
        _in("occurred_at", date(2025, 6, 1), date(2026, 6, 30)),
        [("kind", None), ("occurred_at", Grain.WEEK)],
        [("count", None), ("sum", "duration_minutes"), ("avg", "duration_minutes")],
    ),
    "tickets_by_priority_and_customer_level": Case(
        {"entity": "tickets", "measures": [{"fn": "count"}, {"fn": "avg", "field": "reopen_count"}],
         "groupings": [{"field": "priority"}, {"field": "customer.level"}]},
        lambda r: True,
        [("priority", None), ("customer.level", None)],
        [("count", None), ("avg", "reopen_count")],
    ),
    "leads_by_source_and_day": Case(
        {"entity": "leads", "measures": [{"fn": "count"}, {"fn": "avg", "field": "score"},
                                         {"fn": "max", "field": "score"}],
         "groupings": [{"field": "source"}, {"field": "created_at", "grain": "day"}],
         "filters": {"op": "and", "conditions": [{"field": "score", "op": "gte", "value": 20}]}},
        lambda r: r.values["score"] >= 20,
        [("source", None), ("created_at", Grain.DAY)],
        [("count", None), ("avg", "score"), ("max", "score")],
    ),
    "contacts_by_customer_level_and_year": Case(
        {"entity": "contacts", "measures": [{"fn": "count"}],
         "groupings": [{"field": "customer.level"}, {"field": "created_at", "grain": "year"}]},
        lambda r: True,
        [("customer.level", None), ("created_at", Grain.YEAR)],
        [("count", None)],
    ),
    "members_by_campaign_and_status": Case(
        {"entity": "campaign_members", "measures": [{"fn": "count"}],
         "groupings": [{"field": "campaign"}, {"field": "status"}]},
        lambda r: True,
        [("campaign", None), ("status", None)],
        [("count", None)],
    ),
}  # fmt: skip


def _key(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return None if value == "" else value


def expected(data: Data, v: Viewer, case: Case) -> dict[tuple[Any, ...], dict[str, Any]]:
    entity = case.definition["entity"]
    grouped: dict[tuple[Any, ...], list[Rec]] = defaultdict(list)
    for rec in data.records[entity]:
        if not sees(v, entity, rec) or not case.keep(rec):
            continue
        key = tuple(_key(local_bucket(rec.values[f], grain) if grain else rec.values[f]) for f, grain in case.groups)
        grouped[key].append(rec)
    out = {}
    for key, members in grouped.items():
        figures: dict[str, Any] = {}
        for fn, field in case.measures:
            values = [m.values[field] for m in members if field and m.values[field] is not None]
            name = fn if field is None else f"{fn}:{field}"
            if fn == "count":
                figures[name] = len(members)
            elif fn == "sum":
                figures[name] = sum(Decimal(x) for x in values) if values else None
            elif fn == "avg":
                figures[name] = avg(values)
            else:
                figures[name] = Decimal((min if fn == "min" else max)(values)) if values else None
        out[key] = figures
    return out


def actual(body: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
    out = {}
    for row in body["rows"]:
        key = tuple(g["value"] for g in row["groups"])
        assert key not in out, key
        out[key] = {k: (v if k == "count" or v is None else Decimal(str(v))) for k, v in row["values"].items()}
    return out


async def drilled_count(client: httpx.AsyncClient, headers: dict[str, str], drill: dict[str, Any]) -> int:
    params: dict[str, Any] = {**drill["query"], "limit": 200}
    total = 0
    while True:
        r = await client.get(drill["path"], params=params, headers=headers)
        assert r.status_code == 200, (drill, r.text)
        page = r.json()
        total += len(page["items"])
        if not page["next_cursor"]:
            return total
        params["cursor"] = page["next_cursor"]


@pytest.fixture
async def data(engine: AsyncEngine, factory: Factory) -> Data:
    return await build(engine, factory, seed=7)


async def viewers(client: httpx.AsyncClient, data: Data) -> list[Viewer]:
    w = data.world
    director, manager, rep = w.users["director"], w.users["east_manager"], w.users["east_rep1"]
    east = w.department_ids["Sales East"]
    out = [
        Viewer("director", director.headers, "all", director.id, frozenset()),
        Viewer("east_manager", manager.headers, "department", manager.id, frozenset({east})),
        Viewer("east_rep1", rep.headers, "own", rep.id, frozenset({east})),
    ]
    # A custom role: the whole tenant narrowed to one region, on every entity (campaigns: all).
    region = data.regions[0]
    narrowed = {"range": "all", "regions": [str(region)]}
    resources = ["customers", "contacts", "leads", "opportunities", "activities", "tickets"]
    role = {
        "name": "Regional analyst",
        "permissions": ["reports:read", "campaigns:read", *(f"{r}:read" for r in resources)],
        "data_ranges": {**{r: narrowed for r in resources}, "campaigns": {"range": "all"}},
    }
    admin = w.users["admin"]
    r = await client.post("/api/v1/roles", json=role, headers=admin.headers)
    assert r.status_code == 201, r.text
    person = await w.user("regional", [], east)
    r = await client.patch(f"/api/v1/users/{person.id}", json={"role_ids": [r.json()["id"]]}, headers=admin.headers)
    assert r.status_code == 200, r.text
    headers = bearer((await login(client, person.email))["access_token"])
    out.append(Viewer("regional", headers, "all", person.id, frozenset({east}), frozenset({region})))
    return out


async def test_report_figures_equal_a_direct_computation_and_drill_to_their_records(
    client: httpx.AsyncClient, data: Data
) -> None:
    checked_rows = 0
    for v in await viewers(client, data):
        for name, case in CASES.items():
            r = await client.post(RUN, json={"definition": case.definition}, headers=v.headers)
            assert r.status_code == 200, (v.name, name, r.text)
            body = r.json()
            assert body["time_zone"] == "Asia/Shanghai" and not body["truncated"]
            want = expected(data, v, case)
            assert actual(body) == want, (v.name, name)
            for row in body["rows"]:
                assert row["drill"] is not None
                assert await drilled_count(client, v.headers, row["drill"]) == row["values"]["count"], (
                    v.name, name, row,
                )  # fmt: skip
                checked_rows += 1
    assert checked_rows > 100


async def test_labels_sort_limit_and_truncation(client: httpx.AsyncClient, data: Data) -> None:
    director = data.world.users["director"]
    definition = {"entity": "deals", "measures": [{"fn": "count"}], "groupings": [{"field": "owner"}],
                  "sort": {"by": "count", "desc": True}, "limit": 2}  # fmt: skip
    body = (await client.post(RUN, json={"definition": definition}, headers=director.headers)).json()
    assert len(body["rows"]) == 2 and body["truncated"]
    counts = [row["values"]["count"] for row in body["rows"]]
    assert counts == sorted(counts, reverse=True)
    names = {str(u.id): label.title() for label, u in data.world.users.items()}
    for row in body["rows"]:
        group = row["groups"][0]
        assert group["label"] == names[group["value"]]
    everything = [r for r in data.live("deals")]
    per_owner = defaultdict(int)
    for rec in everything:
        per_owner[str(rec.owner)] += 1
    assert counts == sorted(per_owner.values(), reverse=True)[:2]
    # No groupings: one row, the whole range.
    body = (await client.post(RUN, json={"definition": {"entity": "deals"}}, headers=director.headers)).json()
    assert [row["values"]["count"] for row in body["rows"]] == [len(everything)]
    assert json.loads(body["rows"][0]["drill"]["query"]["where"]) == {"op": "and", "conditions": []}


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({"entity": "planets"}, "entity"),
        ({"entity": "deals", "measures": [{"fn": "median"}]}, "measures[0].fn"),
        ({"entity": "deals", "measures": [{"fn": "sum", "field": "name"}]}, "measures[0].field"),
        ({"entity": "deals", "measures": [{"fn": "count", "field": "amount"}]}, "measures[0].field"),
        ({"entity": "deals", "groupings": [{"field": "password_hash"}]}, "groupings[0].field"),
        ({"entity": "deals", "groupings": [{"field": "created_at", "grain": "decade"}]}, "groupings[0].grain"),
        ({"entity": "deals", "groupings": [{"field": "owner", "grain": "month"}]}, "groupings[0].field"),
        ({"entity": "deals", "groupings": [{"field": "owner"}, {"field": "stage"}, {"field": "pipeline"}]},
         "groupings"),
        ({"entity": "deals", "groupings": [{"field": "owner"}, {"field": "owner"}]}, "groupings"),
        ({"entity": "deals", "filters": {"op": "and", "conditions": [{"field": "amount", "op": "gt", "value": "x"}]}},
         "filters.conditions[0].value"),
        ({"entity": "deals", "filters": {"op": "and", "conditions": [{"field": "nope", "op": "eq", "value": 1}]}},
         "filters.conditions[0].field"),
        ({"entity": "deals", "period": {"field": "owner", "from": "2026-01-01"}}, "period.field"),
        ({"entity": "deals", "period": {"field": "created_at", "from": "2026-13-01"}}, "period.from"),
        ({"entity": "deals", "period": {"field": "created_at", "from": "2026-02-01", "to": "2026-01-01"}}, "period.to"),
        ({"entity": "deals", "period": {"field": "region", "from": "2026-01-01"}}, "period.field"),
        ({"entity": "deals", "sort": {"by": "sum:amount"}}, "sort.by"),
        ({"entity": "deals", "limit": 0}, "limit"),
        ({"entity": "deals", "limit": True}, "limit"),
        ({"entity": "deals", "extra": 1}, "extra"),
    ],
)  # fmt: skip
async def test_bad_reports_are_422_naming_the_part(
    client: httpx.AsyncClient, factory: Factory, definition: dict[str, Any], field: str
) -> None:
    w = await factory.sales_world()
    r = await client.post(RUN, json={"definition": definition}, headers=w.users["analyst"].headers)
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}, r.json()


async def test_where_on_list_endpoints(client: httpx.AsyncClient, data: Data) -> None:
    director = data.world.users["director"]
    won = {"op": "and", "conditions": [{"field": "status", "op": "eq", "value": "won"}]}
    r = await client.get("/api/v1/opportunities", params={"where": json.dumps(won), "limit": 200},
                         headers=director.headers)  # fmt: skip
    assert r.status_code == 200, r.text
    assert {i["id"] for i in r.json()["items"]} == {
        str(d.id) for d in data.live("deals") if d.values["status"] == "won"
    }
    # ANDed with the endpoint's other filters.
    east_rep = data.world.users["east_rep1"]
    r = await client.get("/api/v1/opportunities", params={"where": json.dumps(won), "owner": str(east_rep.id),
                                                           "limit": 200}, headers=director.headers)  # fmt: skip
    assert {i["id"] for i in r.json()["items"]} == {
        str(d.id) for d in data.live("deals") if d.values["status"] == "won" and d.owner == east_rep.id
    }
    bad = {"op": "and", "conditions": [{"field": "status", "op": "eq", "value": "sold"}]}
    for path in ("/api/v1/opportunities", "/api/v1/customers", "/api/v1/tickets"):
        r = await client.get(path, params={"where": json.dumps(bad)}, headers=director.headers)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "where.conditions[0].value"
    r = await client.get("/api/v1/activities", params={"where": "{not json"}, headers=director.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "where"
    too_many = {"op": "and", "conditions": [{"field": "score", "op": "gte", "value": 1}] * (MAX_CONDITIONS + 1)}
    r = await client.get("/api/v1/leads", params={"where": json.dumps(too_many)}, headers=director.headers)
    assert r.status_code == 422
    everything = {"op": "and", "conditions": []}
    feed = {"where": json.dumps(everything), "updated_since": "2026-01-01T00:00:00Z"}
    r = await client.get("/api/v1/contacts", params=feed, headers=director.headers)
    assert r.status_code == 422
