"""Quotes and orders over HTTP: a quote copies the deal's line items, moves through its statuses
and is frozen once accepted; one order per accepted quote; numbers per tenant without gaps, also
when created concurrently and when a creation fails."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.builders import Factory, User, World

STAGES = [
    {"name": "Open", "probability": 50},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


@pytest.fixture
async def world(factory: Factory) -> World:
    w = await factory.sales_world()
    return w


async def deal(client: httpx.AsyncClient, world: World, user: User) -> dict:
    pipelines = (await client.get("/api/v1/pipelines", headers=user.headers)).json()["items"]
    if not pipelines:
        await client.post(
            "/api/v1/pipelines", json={"name": "P", "stages": STAGES}, headers=world.users["director"].headers
        )
    customer = (
        await client.post("/api/v1/customers", json={"name": f"Co {uuid.uuid4().hex[:6]}"}, headers=user.headers)
    ).json()
    body = {
        "name": "Seats",
        "customer_id": customer["id"],
        "line_items": [
            {"product_name": "Seat", "quantity": "10", "unit_price": "100"},
            {"product_name": "Setup", "quantity": "1", "unit_price": "500", "discount_percent": "50"},
        ],
    }
    r = await client.post("/api/v1/opportunities", json=body, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_quote_to_order(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    made = await deal(client, world, rep)
    r = await client.post(
        "/api/v1/quotes", json={"opportunity_id": made["id"], "valid_until": "2027-01-31"}, headers=rep.headers
    )
    quote = r.json()
    assert r.status_code == 201 and quote["number"] == "Q000001" and quote["status"] == "draft"
    assert quote["total"] == "1250.00" and [i["product_name"] for i in quote["items"]] == ["Seat", "Setup"]
    assert quote["customer_id"] == made["customer_id"]
    url = f"/api/v1/quotes/{quote['id']}"
    r = await client.post("/api/v1/orders", json={"quote_id": quote["id"]}, headers=rep.headers)
    assert r.status_code == 422  # not accepted yet
    assert (
        await client.patch(url, json={"status": "accepted"}, headers=rep.headers)
    ).status_code == 409  # draft -> accepted
    assert (await client.patch(url, json={"status": "sent"}, headers=rep.headers)).json()["status"] == "sent"
    assert (await client.patch(url, json={"status": "accepted"}, headers=rep.headers)).json()["status"] == "accepted"
    assert (await client.patch(url, json={"notes": "late"}, headers=rep.headers)).status_code == 409
    r = await client.post("/api/v1/orders", json={"quote_id": quote["id"]}, headers=rep.headers)
    order = r.json()
    assert r.status_code == 201 and order["number"] == "SO000001" and order["total"] == "1250.00"
    assert (order["status"], order["delivery_status"], order["payment_status"]) == ("confirmed", "pending", "unpaid")
    r = await client.post("/api/v1/orders", json={"quote_id": quote["id"]}, headers=rep.headers)
    assert r.status_code == 409 and r.json()["existing_id"] == order["id"]
    r = await client.patch(
        f"/api/v1/orders/{order['id']}",
        json={"delivery_status": "delivered", "payment_status": "paid"},
        headers=rep.headers,
    )
    assert r.status_code == 200 and r.json()["payment_status"] == "paid"
    # Another rep sees neither.
    other = world.users["west_rep1"]
    assert (await client.get(url, headers=other.headers)).status_code == 404
    r = await client.post("/api/v1/quotes", json={"opportunity_id": made["id"]}, headers=other.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "opportunity_id"


async def test_numbers_have_no_gaps(client: httpx.AsyncClient, world: World, app: object) -> None:
    rep = world.users["east_rep1"]
    made = await deal(client, world, rep)
    # A refused creation takes no number; then ten at once take ten numbers in a row.
    r = await client.post("/api/v1/quotes", json={"opportunity_id": str(uuid.uuid4())}, headers=rep.headers)
    assert r.status_code == 422

    async def one() -> str:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as own:
            r = await own.post("/api/v1/quotes", json={"opportunity_id": made["id"]}, headers=rep.headers)
            assert r.status_code == 201, r.text
            return str(r.json()["number"])

    numbers = await asyncio.gather(*(one() for _ in range(10)))
    assert sorted(numbers) == [f"Q{n:06d}" for n in range(1, 11)]
    # Another tenant counts from one.
    other = await world.factory.sales_world()
    theirs = await deal(client, other, other.users["east_rep1"])
    r = await client.post(
        "/api/v1/quotes", json={"opportunity_id": theirs["id"]}, headers=other.users["east_rep1"].headers
    )
    assert r.json()["number"] == "Q000001"
