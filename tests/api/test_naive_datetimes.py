"""Period bounds without a UTC offset: the statistics endpoints refuse them (422: comparing a
naive bound with an aware one was a 500), the list filters take them as UTC."""

from __future__ import annotations

import httpx
import pytest

from tests.builders import Factory, World


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


@pytest.mark.parametrize(
    ("caller", "path", "status"),
    [
        ("service_manager", "/api/v1/tickets/stats?from=2026-01-01T00:00:00&to=2026-02-01T00:00:00", 422),
        ("service_manager", "/api/v1/tickets/stats?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00", 422),
        ("service_manager", "/api/v1/tickets/stats?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00%2B08:00", 200),
        ("service_manager", "/api/v1/tickets?breaching_before=2026-01-01T00:00:00", 200),
        ("east_rep1", "/api/v1/customers?updated_since=2026-01-01T00:00:00", 200),
    ],
)
async def test_period_bounds(client: httpx.AsyncClient, world: World, caller: str, path: str, status: int) -> None:
    r = await client.get(path, headers=world.users[caller].headers)
    assert r.status_code == status, r.text
    if status == 422:
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_survey_results_naive_bound_is_422(client: httpx.AsyncClient, world: World) -> None:
    headers = world.users["service_manager"].headers
    survey = {"name": "S", "questions": [{"type": "rating", "text": "How was it?"}]}
    created = await client.post("/api/v1/surveys", json=survey, headers=headers)
    assert created.status_code == 201, created.text
    path = f"/api/v1/surveys/{created.json()['id']}/results"
    r = await client.get(f"{path}?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00", headers=headers)
    assert r.status_code == 422, r.text
    assert (await client.get(f"{path}?from=2026-01-01T00:00:00Z", headers=headers)).status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/contacts", "/api/v1/leads", "/api/v1/tickets"])
@pytest.mark.parametrize("param", ["created_from", "updated_since"])
async def test_an_instant_beyond_the_database_range_is_422(
    client: httpx.AsyncClient, world: World, value: str, path: str, param: str
) -> None:
    """Year 1 at +14:00 is year 0 in UTC: the driver cannot send it (it was a 500)."""
    r = await client.get(path, params={param: value}, headers=world.users["admin"].headers)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
