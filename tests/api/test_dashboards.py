"""User dashboards over HTTP: create, read, change (If-Match), delete and restore; sharing with
roles (reports:manage; read-only for the others, invisible to the rest); the layout's 422s; the
data of a dashboard computed for whoever looks at it, within their ranges; the audit trail."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.builders import Factory, User, World

BASE = "/api/v1/dashboards"
LAYOUT = [
    {"widget": "pipeline_by_stage", "x": 0, "y": 0, "w": 8, "h": 4},
    {"widget": "leads_to_work", "x": 8, "y": 0, "w": 4, "h": 2, "options": {"title": "线索"}},
    {"widget": "ticket_queue", "x": 0, "y": 4, "w": 6, "h": 2},
]


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def create(client: httpx.AsyncClient, user: User, **body: Any) -> httpx.Response:
    return await client.post(BASE, json={"name": "我的看板", "layout": LAYOUT, **body}, headers=user.headers)


async def test_lifecycle_with_etag_and_audit(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    r = await create(client, rep)
    assert r.status_code == 201, r.text
    made = r.json()
    assert r.headers["Location"] == f"{BASE}/{made['id']}" and r.headers["ETag"] == 'W/"1"'
    assert made["owner_id"] == str(rep.id) and made["shared_roles"] == []
    assert made["layout"][1] == {**LAYOUT[1]}
    assert made["layout"][0]["options"] == {}
    one = f"{BASE}/{made['id']}"
    stale = await client.patch(one, json={"name": "x"}, headers={**rep.headers, "If-Match": 'W/"9"'})
    assert stale.status_code == 412
    r = await client.patch(
        one, json={"name": "Sales", "layout": LAYOUT[:1]}, headers={**rep.headers, "If-Match": 'W/"1"'}
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and len(r.json()["layout"]) == 1
    assert [d["name"] for d in (await client.get(BASE, headers=rep.headers)).json()["items"]] == ["Sales"]
    assert (await client.delete(one, headers=rep.headers)).status_code == 204
    assert (await client.get(one, headers=rep.headers)).status_code == 404
    r = await client.post(f"{one}/restore", headers=rep.headers)
    assert r.status_code == 200 and r.json()["version"] == 4
    audit = await client.get(
        "/api/v1/audit-log", params={"entity_id": made["id"]}, headers=world.users["analyst"].headers
    )
    assert audit.status_code == 200, audit.text
    actions = {e["action"] for e in audit.json()["items"]}
    assert {"dashboard.created", "dashboard.updated", "dashboard.deleted", "dashboard.restored"} <= actions


async def test_idempotent_create(client: httpx.AsyncClient, world: World) -> None:
    rep = world.users["east_rep1"]
    headers = {**rep.headers, "Idempotency-Key": "dash-1"}
    body = {"name": "Once", "layout": LAYOUT}
    first = await client.post(BASE, json=body, headers=headers)
    again = await client.post(BASE, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert len((await client.get(BASE, headers=rep.headers)).json()["items"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"layout": [{"widget": "report", "x": 0, "y": 0, "w": 4, "h": 2}]}, "layout.0.widget"),
        ({"layout": [{"widget": "nope", "x": 0, "y": 0, "w": 4, "h": 2}]}, "layout.0.widget"),
        ({"layout": [{"widget": "csat", "x": 10, "y": 0, "w": 4, "h": 2}]}, "layout[0].w"),
        ({"layout": [{"widget": "csat", "x": 12, "y": 0, "w": 1, "h": 2}]}, "layout.0.x"),
        ({"layout": [{"widget": "csat", "x": 0, "y": 0, "w": 0, "h": 2}]}, "layout.0.w"),
        ({"layout": [{"widget": "csat", "x": 0, "y": 0, "w": 2, "h": 99}]}, "layout.0.h"),
        ({"layout": [{"widget": "csat", "x": 0, "y": 0, "w": 2}]}, "layout.0.h"),
        ({"layout": [{"widget": "csat", "x": 0, "y": 0, "w": 2, "h": 1, "extra": 1}]}, "layout.0.extra"),
        ({"layout": [{"widget": "csat", "x": 0, "y": 0, "w": 2, "h": 1, "options": {"t": "x" * 3000}}]},
         "layout[0].options"),
        ({"layout": [LAYOUT[0]] * 31}, "layout"),
        ({"name": ""}, "name"),
        ({"name": "<script>alert(1)</script>" * 20}, "name"),
        ({"shared_roles": ["no_such_role"]}, "shared_roles"),
        ({"colour": "red"}, "colour"),
    ],
)  # fmt: skip
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], field: str
) -> None:
    r = await client.post(BASE, json={"name": "N", "layout": [], **body}, headers=world.users["director"].headers)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]], r.json()


async def test_sharing_rules(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    rep, manager, other_rep, agent = u["east_rep1"], u["east_manager"], u["east_rep2"], u["agent1"]
    # A rep keeps private dashboards only: sharing needs reports:manage.
    r = await create(client, rep, shared_roles=["sales_rep"])
    assert r.status_code == 403, r.text
    private = (await create(client, rep)).json()
    r = await client.patch(f"{BASE}/{private['id']}", json={"shared_roles": ["sales_rep"]}, headers=rep.headers)
    assert r.status_code == 403
    # A manager shares with the sales reps.
    r = await create(client, manager, name="Team board", shared_roles=["sales_rep", "sales_rep"])
    assert r.status_code == 201, r.text
    shared = r.json()
    assert shared["shared_roles"] == ["sales_rep"]
    one = f"{BASE}/{shared['id']}"
    # Another rep reads it (and its data), cannot change or delete it.
    assert (await client.get(one, headers=other_rep.headers)).status_code == 200
    assert [d["name"] for d in (await client.get(BASE, headers=other_rep.headers)).json()["items"]] == ["Team board"]
    assert (await client.patch(one, json={"name": "Mine"}, headers=other_rep.headers)).status_code == 403
    assert (await client.delete(one, headers=other_rep.headers)).status_code == 403
    # Someone holding none of the roles does not see it at all; nor anyone else's private one.
    assert (await client.get(one, headers=agent.headers)).status_code == 404
    assert (await client.get(f"{BASE}/{private['id']}", headers=manager.headers)).status_code == 404
    changed = await client.patch(f"{BASE}/{private['id']}", json={"name": "x"}, headers=manager.headers)
    assert changed.status_code == 404
    assert (await client.get(BASE, headers=agent.headers)).json()["items"] == []
    # Unsharing takes it away.
    r = await client.patch(one, json={"shared_roles": []}, headers=manager.headers)
    assert r.status_code == 200, r.text
    assert (await client.get(one, headers=other_rep.headers)).status_code == 404
    # Without reports:* (the system administrator), 403; without a token, 401.
    assert (await client.get(BASE, headers=u["it"].headers)).status_code == 403
    assert (await client.post(BASE, json={"name": "x"}, headers=u["it"].headers)).status_code == 403
    assert (await client.get(BASE)).status_code == 401


async def test_data_is_computed_for_the_viewer(client: httpx.AsyncClient, world: World) -> None:
    u = world.users
    manager, rep, marketer = u["east_manager"], u["east_rep1"], u["marketer"]
    for user, name in ((rep, "mine"), (u["east_rep2"], "theirs")):
        r = await client.post("/api/v1/leads", json={"name": name}, headers=user.headers)
        assert r.status_code == 201, r.text
    shared = (await create(client, manager, shared_roles=["sales_rep", "marketer"])).json()
    r = await client.get(f"{BASE}/{shared['id']}/data", headers=manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(i["widget"], i["x"], i["w"]) for i in body["items"]] == [(i["widget"], i["x"], i["w"]) for i in LAYOUT]
    leads = body["items"][1]
    assert leads["denied"] is False and leads["data"]["total"] == 2  # the department's
    assert body["items"][1]["options"] == {"title": "线索"}
    mine = (await client.get(f"{BASE}/{shared['id']}/data", headers=rep.headers)).json()
    assert mine["items"][1]["data"]["total"] == 1  # the same dashboard, the rep's own leads
    # The marketer reads no ticket and no deal of the east team's; a widget it may not see is denied.
    seen = (await client.get(f"{BASE}/{shared['id']}/data", headers=marketer.headers)).json()
    assert seen["items"][2]["denied"] is True and seen["items"][2]["data"] is None
    assert seen["items"][0]["denied"] is False  # marketers read deals (attribution)
    assert (await client.get(f"{BASE}/{shared['id']}/data", headers=u["agent1"].headers)).status_code == 404
