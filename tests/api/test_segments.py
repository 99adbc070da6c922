"""/api/v1/segments over HTTP: CRUD with ETag / If-Match, audit and outbox, soft delete; the
conditions checked (422 with the bad condition's path); the preview (saved and unsaved) counting
exactly what the direct Python evaluation picks; the freeze into a campaign's members (added, then
already there; 404 for a campaign out of reach); 401 / 403 / 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.conditions import parse, schema_for
from app.domain.shared.ids import new_id
from app.repositories.tables import audit_log, campaign_members, campaigns, outbox
from tests.builders import Factory, User
from tests.segment_data import Data, build, holds

SEGMENTS = "/api/v1/segments"
VIP_OR_ALICE = {
    "op": "or",
    "conditions": [
        {"field": "tags", "op": "has_any", "value": ["vip"]},
        {"field": "name", "op": "contains", "value": "alice"},
    ],
}


@pytest.fixture(scope="module")
def cache() -> dict[str, Any]:
    return {}


@pytest.fixture
async def data(engine: AsyncEngine, factory: Factory, cache: dict[str, Any]) -> Data:
    if "data" not in cache:  # the rows are only read: one tenant for the module
        made = await build(engine, factory, seed=14)
        marketing = await made.world.department("Marketing")
        await made.world.user("marketer", ["marketer"], marketing)
        await made.world.user("analyst", ["analyst"])
        await made.world.user("rep", ["sales_rep"], made.departments[0])
        cache["data"] = made
    made: Data = cache["data"]
    return made


def _user(data: Data, label: str) -> User:
    return data.world.users[label]


def _expected(data: Data, entities: tuple[str, ...], raw: dict[str, Any]) -> set[str]:
    tree = parse(raw, schema_for(entities))
    out: set[str] = set()
    for entity in entities:
        for rec in data.live(entity):
            if _all(tree, rec):
                out.add(str(rec.id))
    return out


def _all(tree: Any, rec: Any) -> bool:
    from app.domain.shared.conditions import Leaf

    if isinstance(tree, Leaf):
        return holds(tree, rec)
    results = [_all(c, rec) for c in tree.conditions]
    return not results or (all(results) if tree.op == "and" else any(results))


async def test_crud_etag_audit_outbox(client: httpx.AsyncClient, data: Data, engine: AsyncEngine) -> None:
    h = _user(data, "marketer").headers
    body = {"name": "VIPs", "description": "Tagged vip, or Alice", "audience": "contacts", "conditions": VIP_OR_ALICE}
    r = await client.post(SEGMENTS, json=body, headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert r.headers["etag"] == 'W/"1"' and r.headers["location"] == f"{SEGMENTS}/{made['id']}"
    assert made["conditions"] == VIP_OR_ALICE and made["audience"] == "contacts" and made["version"] == 1
    r = await client.get(f"{SEGMENTS}/{made['id']}", headers=h)
    assert r.status_code == 200 and r.json()["name"] == "VIPs" and r.headers["etag"] == 'W/"1"'
    # A stale If-Match: 412, nothing changes; the current one: the change.
    r = await client.patch(f"{SEGMENTS}/{made['id']}", json={"name": "X"}, headers={**h, "If-Match": 'W/"7"'})
    assert r.status_code == 412
    r = await client.patch(
        f"{SEGMENTS}/{made['id']}",
        json={"name": "VIP contacts", "audience": "both"},
        headers={**h, "If-Match": 'W/"1"'},
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["audience"] == "both" and r.headers["etag"] == 'W/"2"'
    r = await client.get(SEGMENTS, headers=h)
    assert [s["name"] for s in r.json()["items"]].count("VIP contacts") == 1
    r = await client.delete(f"{SEGMENTS}/{made['id']}", headers=h)
    assert r.status_code == 204
    assert (await client.get(f"{SEGMENTS}/{made['id']}", headers=h)).status_code == 404
    assert (await client.delete(f"{SEGMENTS}/{made['id']}", headers=h)).status_code == 404
    assert made["id"] not in {s["id"] for s in (await client.get(SEGMENTS, headers=h)).json()["items"]}
    r = await client.post(f"{SEGMENTS}/{made['id']}/restore", headers=h)
    assert r.status_code == 200 and r.json()["version"] == 4 and r.json()["name"] == "VIP contacts"
    assert (await client.post(f"{SEGMENTS}/{made['id']}/restore", headers=h)).status_code == 404
    async with engine.connect() as conn:
        actions = (
            (
                await conn.execute(
                    sa.select(audit_log.c.action).where(audit_log.c.entity_id == made["id"]).order_by(audit_log.c.at)
                )
            )
            .scalars()
            .all()
        )
        events = (
            (await conn.execute(sa.select(outbox.c.event_type).where(outbox.c.entity_id == made["id"]))).scalars().all()
        )
    assert actions == ["segment.created", "segment.updated", "segment.deleted", "segment.restored"]
    assert sorted(events) == ["segment.created", "segment.deleted", "segment.restored", "segment.updated"]


@pytest.mark.parametrize(
    ("conditions", "path"),
    [
        ({"op": "and", "conditions": [{"field": "password_hash", "op": "eq", "value": "x"}]},
         "conditions.conditions[0].field"),
        ({"op": "and", "conditions": [{"field": "name", "op": "gt", "value": "x"}]}, "conditions.conditions[0].op"),
        ({"op": "or", "conditions": [{"op": "and", "conditions": [{"field": "custom.nope", "op": "eq", "value": 1}]}]},
         "conditions.conditions[0].conditions[0].field"),
        ({"op": "and", "conditions": [{"field": "owner", "op": "eq", "value": "me; drop"}]},
         "conditions.conditions[0].value"),
        ({"op": "and", "conditions": [{"field": "custom.budget", "op": "gt", "value": "5"}]},
         "conditions.conditions[0].value"),
        # `score` is a lead's: not a field of the default audience (contacts).
        ({"op": "and", "conditions": [{"field": "score", "op": "gt", "value": 1}]}, "conditions.conditions[0].field"),
        ({"op": "xor", "conditions": []}, "conditions.op"),
        ({"op": "and", "conditions": [{"op": "and", "conditions": [{"op": "and", "conditions": [{"op": "and",
          "conditions": [{"op": "and", "conditions": [{"op": "and", "conditions": []}]}]}]}]}]},
         "conditions.conditions[0].conditions[0].conditions[0].conditions[0].conditions[0]"),
    ],
)  # fmt: skip
async def test_bad_conditions_are_422_with_their_path(
    client: httpx.AsyncClient, data: Data, conditions: dict[str, Any], path: str
) -> None:
    h = _user(data, "marketer").headers
    for url, body in (
        (SEGMENTS, {"name": "Bad", "conditions": conditions}),
        (f"{SEGMENTS}/preview", {"conditions": conditions}),
    ):
        r = await client.post(url, json=body, headers=h)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert path in [e["field"] for e in r.json()["errors"]], r.json()


async def test_too_many_conditions_is_422(client: httpx.AsyncClient, data: Data) -> None:
    leaves = [{"field": "name", "op": "eq", "value": str(i)} for i in range(51)]
    r = await client.post(
        f"{SEGMENTS}/preview", json={"conditions": {"op": "or", "conditions": leaves}},
        headers=_user(data, "marketer").headers,
    )  # fmt: skip
    assert r.status_code == 422


@pytest.mark.parametrize("audience", ["contacts", "leads", "both"])
async def test_preview_counts_what_python_counts(client: httpx.AsyncClient, data: Data, audience: str) -> None:
    entities = ("contacts", "leads") if audience == "both" else (audience,)
    conditions = {
        "op": "and",
        "conditions": [
            VIP_OR_ALICE,
            {"field": "last_activity_at", "op": "within_last_days", "value": 36500},
            {"field": "consent.email", "op": "eq", "value": False},
        ],
    }
    r = await client.post(
        f"{SEGMENTS}/preview",
        json={"audience": audience, "conditions": conditions},
        headers=_user(data, "marketer").headers,
    )
    assert r.status_code == 200, r.text
    # last_activity_at relative to now (the data's NOW is in the past: 100 years reach all of it).
    expected = _expected(data, entities, conditions)
    result = r.json()
    assert result["count"] == len(expected) and result["count"] > 0
    assert {s["id"] for s in result["sample"]} <= expected and len(result["sample"]) == min(20, len(expected))
    for s in result["sample"]:
        assert set(s) == {"id", "kind", "name", "email", "phone", "company"}
        assert s["kind"] in {"contact", "lead"}


async def test_saved_preview_and_freeze(client: httpx.AsyncClient, data: Data, engine: AsyncEngine) -> None:
    marketer = _user(data, "marketer")
    h = marketer.headers
    r = await client.post(SEGMENTS, json={"name": "Both", "audience": "both", "conditions": VIP_OR_ALICE}, headers=h)
    segment = r.json()
    expected = _expected(data, ("contacts", "leads"), VIP_OR_ALICE)
    r = await client.post(f"{SEGMENTS}/{segment['id']}/preview", headers=h)
    assert r.status_code == 200 and r.json()["count"] == len(expected)
    campaign = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            campaigns.insert().values(
                tenant_id=data.world.id, id=campaign, name="Expo", campaign_type="event", owner_id=marketer.id
            )
        )
        # One of the audience is a member already, further in the funnel: it stays as it is.
        first = next(iter(expected))
        kind = "contact_id" if any(str(c.id) == first for c in data.live("contacts")) else "lead_id"
        await conn.execute(
            campaign_members.insert().values(
                tenant_id=data.world.id, id=new_id(), campaign_id=campaign, status="registered", **{kind: first}
            )
        )
    r = await client.post(f"{SEGMENTS}/{segment['id']}/freeze", json={"campaign_id": str(campaign)}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "campaign_id": str(campaign), "matched": len(expected), "added": len(expected) - 1, "already_members": 1
    }  # fmt: skip
    r = await client.post(f"{SEGMENTS}/{segment['id']}/freeze", json={"campaign_id": str(campaign)}, headers=h)
    assert r.json()["added"] == 0 and r.json()["already_members"] == len(expected)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(campaign_members.c.contact_id, campaign_members.c.lead_id, campaign_members.c.status,
                          campaign_members.c.source, campaign_members.c.id)
                .where(campaign_members.c.tenant_id == data.world.id, campaign_members.c.campaign_id == campaign)
            )
        ).all()  # fmt: skip
        frozen = (
            await conn.execute(sa.select(outbox.c.payload).where(outbox.c.event_type == "segment.frozen",
                                                                   outbox.c.entity_id == segment["id"]))
        ).scalars().all()  # fmt: skip
    assert {str(r.contact_id or r.lead_id) for r in rows} == expected
    assert {(r.status, r.source) for r in rows if str(r.contact_id or r.lead_id) != first} == {("targeted", "segment")}
    assert all(r.id.version == 7 for r in rows if r.source == "segment")  # time-ordered ids, made in SQL
    assert len(frozen) == 2 and frozen[0]["added"] + frozen[1]["added"] == len(expected) - 1
    # Another tenant's campaign, or none: 404, nothing added.
    other = await data.world.factory.tenant()
    for campaign_id in (new_id(),):
        r = await client.post(f"{SEGMENTS}/{segment['id']}/freeze", json={"campaign_id": str(campaign_id)}, headers=h)
        assert r.status_code == 404
    assert other.id != data.world.id


async def test_who_may(client: httpx.AsyncClient, data: Data, factory: Factory) -> None:
    marketer, analyst, rep = (_user(data, k) for k in ("marketer", "analyst", "rep"))
    body = {"name": "S", "conditions": {"op": "and", "conditions": []}}
    assert (await client.get(SEGMENTS)).status_code == 401
    preview = {"conditions": body["conditions"]}
    assert (await client.post(f"{SEGMENTS}/preview", json=preview)).status_code == 401
    # A seller has no segments permission at all.
    assert (await client.get(SEGMENTS, headers=rep.headers)).status_code == 403
    assert (await client.post(f"{SEGMENTS}/preview", json=preview, headers=rep.headers)).status_code == 403
    # The analyst reads and previews, and changes nothing.
    r = await client.post(SEGMENTS, json=body, headers=marketer.headers)
    seg = r.json()["id"]
    assert (await client.post(SEGMENTS, json=body, headers=analyst.headers)).status_code == 403
    assert (await client.patch(f"{SEGMENTS}/{seg}", json={"name": "T"}, headers=analyst.headers)).status_code == 403
    assert (await client.delete(f"{SEGMENTS}/{seg}", headers=analyst.headers)).status_code == 403
    assert (await client.get(f"{SEGMENTS}/{seg}", headers=analyst.headers)).status_code == 200
    r = await client.post(f"{SEGMENTS}/{seg}/preview", headers=analyst.headers)
    assert r.status_code == 200 and r.json()["count"] == len(data.live("contacts"))
    r = await client.post(f"{SEGMENTS}/{seg}/freeze", json={"campaign_id": str(new_id())}, headers=analyst.headers)
    assert r.status_code == 403
    # Another tenant's marketer: the segment does not exist for them.
    stranger_world = await factory.tenant()
    stranger = await stranger_world.user("m", ["marketer"])
    for method, url in (("GET", f"{SEGMENTS}/{seg}"), ("POST", f"{SEGMENTS}/{seg}/preview"),
                        ("DELETE", f"{SEGMENTS}/{seg}")):  # fmt: skip
        assert (await client.request(method, url, headers=stranger.headers)).status_code == 404
    r = await client.post(f"{SEGMENTS}/preview", json={"conditions": body["conditions"]}, headers=stranger.headers)
    assert r.status_code == 200 and r.json() == {"count": 0, "sample": []}


async def test_fields_list_the_builders_choices(client: httpx.AsyncClient, data: Data) -> None:
    h = _user(data, "marketer").headers
    r = await client.get(f"{SEGMENTS}/fields", params={"audience": "both"}, headers=h)
    assert r.status_code == 200
    fields = {f["name"]: f for f in r.json()["items"]}
    assert "birthday" not in fields and "status" not in fields  # one entity's own
    assert fields["custom.budget"]["kind"] == "number" and "gt" in fields["custom.budget"]["operators"]
    assert fields["custom.wechat"]["kind"] == "text"  # contacts' only, usable for both
    assert fields["campaign"]["operators"] == ["member", "not_member"]
    r = await client.get(f"{SEGMENTS}/fields", params={"audience": "leads"}, headers=h)
    assert fields["customer.level"]["kind"] == "text" and "status" in {f["name"] for f in r.json()["items"]}
