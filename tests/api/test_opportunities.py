"""Pipelines and opportunities end to end over HTTP: pipeline shape rules, deals with line items,
stage changes with required fields, history and closing, the board within data ranges, and
stage deletion that moves deals."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from tests.builders import Factory, User, World

PIPELINES = "/api/v1/pipelines"
DEALS = "/api/v1/opportunities"

STAGES = [
    {"name": "Qualify", "probability": 10},
    {"name": "Proposal", "probability": 50, "required_fields": ["amount"]},
    {
        "name": "Negotiation",
        "probability": 80,
        "required_fields": ["amount", "expected_close_date"],
        "rotting_days": 14,
    },
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


@pytest.fixture
async def pipeline(client: httpx.AsyncClient, world: World) -> dict:
    r = await client.post(
        PIPELINES, json={"name": "New business", "stages": STAGES}, headers=world.users["director"].headers
    )
    assert r.status_code == 201, r.text
    return r.json()


def stage(pipeline: dict, name: str) -> str:
    return next(s["id"] for s in pipeline["stages"] if s["name"] == name)


async def customer(client: httpx.AsyncClient, user: User) -> str:
    r = await client.post("/api/v1/customers", json={"name": f"Co {uuid.uuid4().hex[:6]}"}, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def deal(client: httpx.AsyncClient, user: User, **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("name", f"Deal {uuid.uuid4().hex[:6]}")
    if "customer_id" not in body:
        body["customer_id"] = await customer(client, user)
    r = await client.post(DEALS, json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_pipeline_shape_rules(client: httpx.AsyncClient, world: World, pipeline: dict) -> None:
    u = world.users
    assert [s["name"] for s in pipeline["stages"]] == [s["name"] for s in STAGES]
    no_lost = {"name": "x", "stages": [{"name": "a", "probability": 1}, {"name": "b", "probability": 1},
                                        {"name": "w", "probability": 100, "kind": "won"}]}  # fmt: skip
    r = await client.post(PIPELINES, json=no_lost, headers=u["director"].headers)
    assert r.status_code == 422 and "lost" in r.json()["errors"][0]["message"]
    bad_field = {"name": "x", "stages": [*STAGES[:3], {**STAGES[3], "required_fields": ["password"]}, STAGES[4]]}
    r = await client.post(PIPELINES, json=bad_field, headers=u["director"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "stages.3.required_fields.0"
    # Reps read pipelines, only managers of pipelines change them.
    assert (await client.get(PIPELINES, headers=u["east_rep1"].headers)).status_code == 200
    assert (
        await client.post(PIPELINES, json={"name": "x", "stages": STAGES}, headers=u["east_manager"].headers)
    ).status_code == 403
    assert (await client.get(PIPELINES, headers=u["it"].headers)).status_code == 403
    # Move "Negotiation" to the front, rename it; the last lost stage cannot go.
    url = f"{PIPELINES}/{pipeline['id']}/stages/{stage(pipeline, 'Negotiation')}"
    r = await client.patch(url, json={"position": 0, "name": "Negotiate"}, headers=u["director"].headers)
    assert [s["name"] for s in r.json()["stages"]][:2] == ["Negotiate", "Qualify"]
    r = await client.delete(
        f"{PIPELINES}/{pipeline['id']}/stages/{stage(pipeline, 'Lost')}", headers=u["director"].headers
    )
    assert r.status_code == 422


async def test_a_deal_with_defaults_and_line_items(client: httpx.AsyncClient, world: World, pipeline: dict) -> None:
    rep = world.users["east_rep1"]
    made = await deal(
        client,
        rep,
        line_items=[
            {"product_name": "CRM seats", "quantity": "20", "unit_price": "1200.00", "discount_percent": "10"},
            {"product_name": "Onboarding", "quantity": "1", "unit_price": "5000"},
        ],
    )
    assert made["pipeline_id"] == pipeline["id"] and made["stage_id"] == stage(pipeline, "Qualify")
    assert Decimal(made["amount"]) == Decimal("26600.00") and made["currency"] == "CNY"
    assert made["probability"] == 10 and made["forecast_category"] == "pipeline" and made["owner_id"] == str(rep.id)
    r = await client.get(f"{DEALS}/{made['id']}", headers=rep.headers)
    detail = r.json()
    assert [i["product_name"] for i in detail["line_items"]] == ["CRM seats", "Onboarding"]
    assert [(h["from_stage_id"], h["to_stage_id"]) for h in detail["stage_history"]] == [(None, made["stage_id"])]
    # New line items replace the old and make the amount again.
    r = await client.patch(
        f"{DEALS}/{made['id']}", json={"line_items": [{"product_name": "Seats", "quantity": "3", "unit_price": "100"}]},
        headers=rep.headers,
    )  # fmt: skip
    assert r.status_code == 200 and Decimal(r.json()["amount"]) == Decimal("300.00")
    # The stage moves only through the stage endpoint.
    r = await client.patch(f"{DEALS}/{made['id']}", json={"stage_id": stage(pipeline, "Won")}, headers=rep.headers)
    assert r.status_code == 422


async def test_a_customer_out_of_range_is_refused(client: httpx.AsyncClient, world: World, pipeline: dict) -> None:
    u = world.users
    theirs = await customer(client, u["west_rep1"])
    r = await client.post(DEALS, json={"name": "x", "customer_id": theirs}, headers=u["east_rep1"].headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_id"


async def test_stage_changes_check_record_and_close(client: httpx.AsyncClient, world: World, pipeline: dict) -> None:
    rep = world.users["east_rep1"]
    made = await deal(client, rep)
    url = f"{DEALS}/{made['id']}/stage"
    r = await client.post(url, json={"stage_id": stage(pipeline, "Proposal")}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"
    # every missing field is named at once, so a client can ask for all of them
    r = await client.post(url, json={"stage_id": stage(pipeline, "Negotiation")}, headers=rep.headers)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["amount", "expected_close_date"]
    await client.patch(f"{DEALS}/{made['id']}", json={"amount": "90000"}, headers=rep.headers)
    r = await client.post(url, json={"stage_id": stage(pipeline, "Proposal")}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["probability"] == 50
    r = await client.post(url, json={"stage_id": stage(pipeline, "Lost")}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expected_close_date"
    r = await client.post(
        url, json={"stage_id": stage(pipeline, "Lost"), "expected_close_date": "2026-12-01"}, headers=rep.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lost_reason"
    r = await client.post(
        url, json={"stage_id": stage(pipeline, "Won"), "expected_close_date": "2026-12-01"}, headers=rep.headers
    )
    won = r.json()
    assert (
        r.status_code == 200 and won["probability"] == 100 and won["forecast_category"] == "closed" and won["closed_at"]
    )
    # Reopened: back in the pipeline, no longer closed.
    r = await client.post(url, json={"stage_id": stage(pipeline, "Negotiation")}, headers=rep.headers)
    assert r.status_code == 200 and r.json()["closed_at"] is None and r.json()["forecast_category"] == "pipeline"
    history = (await client.get(f"{DEALS}/{made['id']}", headers=rep.headers)).json()["stage_history"]
    names = {s["id"]: s["name"] for s in pipeline["stages"]}
    assert [names[h["to_stage_id"]] for h in history] == ["Qualify", "Proposal", "Won", "Negotiation"]
    assert all(h["seconds_in_from_stage"] is not None and h["changed_by"] == str(rep.id) for h in history[1:])
    # Another pipeline's stage is no stage of this deal.
    r = await client.post(url, json={"stage_id": str(uuid.uuid4())}, headers=rep.headers)
    assert r.status_code == 422


async def test_the_board_counts_sums_and_cards_in_range(
    client: httpx.AsyncClient, world: World, pipeline: dict
) -> None:
    u = world.users
    made = [
        await deal(client, u[user], amount=amount)
        for user, amount in (("east_rep1", "100"), ("east_rep1", "300"), ("east_rep2", "1000"), ("west_rep1", "7"))
    ]
    url = f"{PIPELINES}/{pipeline['id']}/board"

    def qualify(board: dict) -> dict:
        return next(c for c in board["columns"] if c["name"] == "Qualify")

    mine = qualify((await client.get(url, headers=u["east_rep1"].headers)).json())
    assert mine["count"] == 2 and Decimal(mine["amount"]) == Decimal("400.00")
    assert Decimal(mine["weighted_amount"]) == Decimal("40.00") and len(mine["cards"]) == 2
    assert [c["id"] for c in mine["cards"]] == [made[1]["id"], made[0]["id"]]  # most recently updated first
    team = qualify((await client.get(url, headers=u["east_manager"].headers)).json())
    assert team["count"] == 3 and Decimal(team["amount"]) == Decimal("1400.00")
    everyone = (await client.get(url, params={"cards": 1}, headers=u["director"].headers)).json()
    assert qualify(everyone)["count"] == 4 and [c["id"] for c in qualify(everyone)["cards"]] == [made[3]["id"]]
    assert [c["name"] for c in everyone["columns"]] == [s["name"] for s in STAGES]
    assert all(c["count"] == 0 and c["cards"] == [] for c in everyone["columns"][1:])
    # Marketing reads deals now (attribution and ROI); service staff read none.
    assert (await client.get(url, headers=u["agent1"].headers)).status_code == 403


async def test_deleting_a_stage_with_deals_needs_a_target(
    client: httpx.AsyncClient, world: World, pipeline: dict
) -> None:
    u = world.users
    made = await deal(client, u["east_rep1"])
    url = f"{PIPELINES}/{pipeline['id']}/stages/{stage(pipeline, 'Qualify')}"
    r = await client.delete(url, headers=u["director"].headers)
    assert r.status_code == 409 and r.json()["deals"] == 1
    r = await client.delete(url, params={"move_to": stage(pipeline, "Negotiation")}, headers=u["director"].headers)
    assert r.status_code == 200 and "Qualify" not in [s["name"] for s in r.json()["stages"]]
    moved = (await client.get(f"{DEALS}/{made['id']}", headers=u["east_rep1"].headers)).json()
    assert moved["stage_id"] == stage(pipeline, "Negotiation") and moved["probability"] == 80
    assert len(moved["stage_history"]) == 2
    r = await client.delete(f"{PIPELINES}/{pipeline['id']}", headers=u["director"].headers)
    assert r.status_code == 409


async def test_no_pipeline_yet_is_a_clear_422(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    r = await client.post(DEALS, json={"name": "x", "customer_id": await customer(client, rep)}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "pipeline_id"


async def test_line_items_totalling_past_an_amount_are_refused(
    client: httpx.AsyncClient, world: World, pipeline: dict
) -> None:
    """Each item within its bounds, their product past numeric(18, 2): a 422 on line_items, not a 500."""
    rep = world.users["east_rep1"]
    items = [{"product_name": "Big", "quantity": "77429930059073.08", "unit_price": "9176729014342906.00"}]
    body = {"name": "Huge", "customer_id": await customer(client, rep), "line_items": items}
    r = await client.post("/api/v1/opportunities", json=body, headers=rep.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "line_items"
    body["line_items"] = [{"product_name": "Small", "quantity": "2", "unit_price": "10.00"}]
    made = await client.post("/api/v1/opportunities", json=body, headers=rep.headers)
    assert made.status_code == 201, made.text
    r = await client.patch(
        f"/api/v1/opportunities/{made.json()['id']}", json={"line_items": items}, headers=rep.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "line_items"
