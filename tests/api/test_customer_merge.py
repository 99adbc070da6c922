"""Merging customers moves everything that names the source — deals, quotes' and orders' customer,
tickets (whose data ranges then follow the target's owner), converted leads and survey answers —
besides contacts and activities (tests/api/test_timeline.py), and the audit entry counts them."""

from __future__ import annotations

import httpx
import pytest

from tests.builders import Factory, World

STAGES = [{"name": "Open", "probability": 10}, {"name": "Won", "probability": 100, "kind": "won"},
          {"name": "Lost", "probability": 0, "kind": "lost"}]  # fmt: skip


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def post(client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict) -> dict:
    r = await client.post(url, json=body, headers=headers)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def test_merge_moves_deals_tickets_and_converted_leads(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    east, west, admin = u["east_rep1"].headers, u["west_rep1"].headers, u["admin"].headers
    source = await post(client, "/api/v1/customers", east, {"name": "Source Co"})
    target = await post(client, "/api/v1/customers", west, {"name": "Target Co"})
    pipeline = await post(client, "/api/v1/pipelines", u["director"].headers, {"name": "P", "stages": STAGES})
    deal = await post(
        client,
        "/api/v1/opportunities",
        east,
        {"name": "Deal", "customer_id": source["id"], "pipeline_id": pipeline["id"], "amount": "100"},
    )
    ticket = await post(
        client, "/api/v1/tickets", u["agent1"].headers, {"subject": "Broken", "customer_id": source["id"]}
    )
    lead = await post(client, "/api/v1/leads", east, {"name": "Lead", "company": "Source Co"})
    await post(client, f"/api/v1/leads/{lead['id']}/convert", east, {"customer_id": source["id"], "create_contact": False})
    # Before: the east rep follows the ticket of their customer, the west rep does not.
    assert (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=east)).status_code == 200
    assert (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=west)).status_code == 404

    r = await client.post(f"/api/v1/customers/{target['id']}/merge", json={"source_id": source["id"]}, headers=admin)
    assert r.status_code == 200, r.text

    moved_deal = (await client.get(f"/api/v1/opportunities/{deal['id']}", headers=admin)).json()
    assert moved_deal["customer_id"] == target["id"] and moved_deal["version"] == deal["version"] + 1
    moved_ticket = (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=admin)).json()
    assert moved_ticket["customer_id"] == target["id"]
    assert (await client.get(f"/api/v1/leads/{lead['id']}", headers=admin)).json()["converted_customer_id"] == (
        target["id"]
    )
    # The ticket's data range followed the customer: now the west rep's, no longer the east rep's.
    assert (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=west)).status_code == 200
    assert (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=east)).status_code == 404

    r = await client.get("/api/v1/audit-log", params={"action": "customer.merged"}, headers=admin)
    assert r.status_code == 200, r.text
    (entry,) = [e for e in r.json()["items"] if e["entity_id"] == source["id"]]
    counts = {k: v["after"] for k, v in entry["changes"].items() if k != "merged_into"}
    assert counts == {"contacts": 0, "activities": 0, "opportunities": 1, "tickets": 1, "converted_leads": 1}
