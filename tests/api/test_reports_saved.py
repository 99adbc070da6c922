"""Saved reports and exports: the permission matrix (every system role, stated by hand), private
and shared reports, If-Match, Idempotency-Key, audit and outbox, and the exported files (CSV with
formula injection neutralised, XLSX read back)."""

from __future__ import annotations

import csv
import io
import zipfile

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.ids import new_id
from app.repositories.tables import audit_log, customers, outbox
from tests.builders import Factory, World

REPORTS = "/api/v1/reports"
DEALS = {"entity": "deals", "measures": [{"fn": "count"}], "groupings": [{"field": "owner"}]}
TICKETS = {"entity": "tickets", "measures": [{"fn": "count"}]}
ROLES = {
    "admin": "admin", "director": "sales_director", "east_manager": "sales_manager", "east_rep1": "sales_rep",
    "service_manager": "service_manager", "agent1": "service_agent", "marketer": "marketer", "analyst": "analyst",
    "it": "system_admin", "security": "security_admin", "auditor": "audit_admin",
}  # fmt: skip
KEEPERS = {"admin", "sales_director", "sales_manager", "sales_rep", "service_manager", "service_agent", "marketer",
           "analyst"}  # fmt: skip
SHARERS = {"admin", "sales_director", "sales_manager", "service_manager", "marketer", "analyst"}
DEAL_READERS = {"admin", "sales_director", "sales_manager", "sales_rep", "marketer", "analyst"}
DEAL_EXPORTERS = {"admin", "sales_director", "sales_manager", "analyst"}
TICKET_READERS = {"admin", "sales_director", "sales_manager", "sales_rep", "service_manager", "service_agent",
                  "analyst"}  # fmt: skip


@pytest.fixture
async def world(factory: Factory) -> World:
    w = await factory.sales_world()
    await w.user("security", ["security_admin"])
    await w.user("auditor", ["audit_admin"])
    return w


@pytest.mark.parametrize("user", sorted(ROLES))
async def test_reports_matrix(client: httpx.AsyncClient, world: World, user: str) -> None:
    role = ROLES[user]
    headers = world.users[user].headers
    keeps = role in KEEPERS
    status = 200 if keeps else 403
    assert (await client.get(REPORTS, headers=headers)).status_code == status
    assert (await client.get(f"{REPORTS}/fields", params={"entity": "deals"}, headers=headers)).status_code == status
    r = await client.post(f"{REPORTS}/run", json={"definition": DEALS}, headers=headers)
    assert r.status_code == (200 if role in DEAL_READERS else 403), r.text
    r = await client.post(f"{REPORTS}/run", json={"definition": TICKETS}, headers=headers)
    assert r.status_code == (200 if role in TICKET_READERS else 403), r.text
    r = await client.post(f"{REPORTS}/run/export", json={"definition": DEALS}, headers=headers)
    assert r.status_code == (200 if role in DEAL_EXPORTERS else 403), r.text
    body = {"name": "Mine", "definition": DEALS}
    r = await client.post(REPORTS, json=body, headers=headers)
    assert r.status_code == (201 if keeps and role in DEAL_READERS else 403), r.text
    r = await client.post(REPORTS, json={**body, "definition": TICKETS, "shared_roles": ["analyst"]}, headers=headers)
    assert r.status_code == (201 if role in SHARERS and role in TICKET_READERS else 403), r.text
    if role in KEEPERS and role in TICKET_READERS:
        made = (await client.post(REPORTS, json={**body, "definition": TICKETS}, headers=headers)).json()
        r = await client.patch(f"{REPORTS}/{made['id']}", json={"shared_roles": ["sales_rep"]}, headers=headers)
        assert r.status_code == (200 if role in SHARERS else 403)
        r = await client.patch(f"{REPORTS}/{made['id']}", json={"name": "Renamed"}, headers=headers)
        assert r.status_code == 200
        assert (await client.post(f"{REPORTS}/{made['id']}/run", headers=headers)).status_code == 200
        assert (await client.delete(f"{REPORTS}/{made['id']}", headers=headers)).status_code == 204
        assert (await client.get(f"{REPORTS}/{made['id']}", headers=headers)).status_code == 404


async def test_private_and_shared_reports(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    analyst, rep1, rep2, agent = (world.users[u] for u in ("analyst", "east_rep1", "east_rep2", "agent1"))
    mine = (await client.post(REPORTS, json={"name": "Private", "definition": DEALS}, headers=analyst.headers)).json()
    shared = await client.post(
        REPORTS, json={"name": "For reps", "definition": DEALS, "shared_roles": ["sales_rep"], "chart": "bar"},
        headers={**analyst.headers, "Idempotency-Key": "share-1"},
    )  # fmt: skip
    assert shared.status_code == 201 and shared.headers["Location"] == f"{REPORTS}/{shared.json()['id']}"
    again = await client.post(
        REPORTS, json={"name": "For reps", "definition": DEALS, "shared_roles": ["sales_rep"], "chart": "bar"},
        headers={**analyst.headers, "Idempotency-Key": "share-1"},
    )  # fmt: skip
    assert again.json()["id"] == shared.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
    shared_id = shared.json()["id"]
    # The analyst sees both; a rep the shared one only; an agent neither.
    assert {r["id"] for r in (await client.get(REPORTS, headers=analyst.headers)).json()["items"]} == {
        mine["id"], shared_id,
    }  # fmt: skip
    assert [r["id"] for r in (await client.get(REPORTS, headers=rep1.headers)).json()["items"]] == [shared_id]
    assert (await client.get(REPORTS, headers=agent.headers)).json()["items"] == []
    assert (await client.get(f"{REPORTS}/{mine['id']}", headers=rep1.headers)).status_code == 404
    assert (await client.post(f"{REPORTS}/{mine['id']}/run", headers=rep1.headers)).status_code == 404
    assert (await client.get(f"{REPORTS}/{shared_id}", headers=agent.headers)).status_code == 404
    # A shared report is read-only for the others, and runs within each reader's own range.
    assert (await client.patch(f"{REPORTS}/{shared_id}", json={"name": "x"}, headers=rep1.headers)).status_code == 403
    assert (await client.delete(f"{REPORTS}/{shared_id}", headers=rep1.headers)).status_code == 403
    customer = new_id()
    async with engine.begin() as conn:
        await conn.execute(customers.insert().values(tenant_id=world.id, id=customer, name="C", owner_id=rep1.id,
                                                     department_id=rep1.department_id))  # fmt: skip
    pipeline = (await client.post("/api/v1/pipelines", json={"name": "P", "stages": [
        {"name": "Open", "probability": 10}, {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"}]}, headers=world.users["admin"].headers)).json()  # fmt: skip
    for who, n in ((rep1, 2), (rep2, 3)):
        for _ in range(n):
            r = await client.post("/api/v1/opportunities", json={"name": "D", "customer_id": str(customer),
                                  "pipeline_id": pipeline["id"], "amount": "10.00", "currency": "CNY",
                                  "owner_id": str(who.id)}, headers=world.users["admin"].headers)  # fmt: skip
            assert r.status_code == 201, r.text
    counts = {}
    for who in (rep1, rep2, analyst):
        body = (await client.post(f"{REPORTS}/{shared_id}/run", headers=who.headers)).json()
        counts[who.id] = sum(row["values"]["count"] for row in body["rows"])
    assert counts == {rep1.id: 2, rep2.id: 3, analyst.id: 5}
    # If-Match.
    current = await client.get(f"{REPORTS}/{shared_id}", headers=analyst.headers)
    etag = current.headers["ETag"]
    fresh = {**analyst.headers, "If-Match": etag}
    ok = await client.patch(f"{REPORTS}/{shared_id}", json={"chart": "pie"}, headers=fresh)
    assert ok.status_code == 200 and ok.json()["chart"] == "pie"
    stale = await client.patch(f"{REPORTS}/{shared_id}", json={"chart": "line"}, headers=fresh)
    assert stale.status_code == 412
    bad = await client.patch(f"{REPORTS}/{shared_id}", json={"definition": {"entity": "deals", "limit": 0}},
                             headers=analyst.headers)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "limit"
    # Audited, and published to the outbox.
    async with engine.connect() as conn:
        actions = (
            await conn.execute(
                sa.select(audit_log.c.action).where(audit_log.c.tenant_id == world.id, audit_log.c.entity == "reports")
            )
        ).scalars()
        events = (await conn.execute(sa.select(outbox.c.event_type).where(outbox.c.tenant_id == world.id))).scalars()
        actions, events = set(actions), set(events)  # fmt: skip
    assert {"report.created", "report.updated"} <= actions
    assert {"report.created", "report.updated"} <= events


async def test_exports(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    analyst = world.users["analyst"]
    names = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tTab", "张伟科技有限公司", "Plain"]
    async with engine.begin() as conn:
        await conn.execute(customers.insert(), [
            {"tenant_id": world.id, "id": new_id(), "name": "c", "industry": name, "owner_id": analyst.id}
            for name in names
        ])  # fmt: skip
    definition = {"entity": "customers", "measures": [{"fn": "count"}], "groupings": [{"field": "industry"}]}
    saved = (await client.post(REPORTS, json={"name": "By industry", "definition": definition},
                               headers=analyst.headers)).json()  # fmt: skip
    r = await client.get(f"{REPORTS}/{saved['id']}/export", params={"format": "csv"}, headers=analyst.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["Industry", "Count"]
    cells = {row[0]: row[1] for row in rows[1:]}
    assert cells == {
        "'=HYPERLINK(\"http://x\")": "1", "'+1": "1", "'-2+3": "1", "'@SUM(A1)": "1", "'\tTab": "1",
        "张伟科技有限公司": "1", "Plain": "1",
    }  # fmt: skip
    r = await client.post(f"{REPORTS}/run/export", params={"format": "xlsx"}, json={"definition": definition},
                          headers=analyst.headers)  # fmt: skip
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in book.namelist() else ""
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # values, never formulas
    assert "张伟科技有限公司" in strings + sheet and "=HYPERLINK" in strings + sheet
    # Audited, with the format.
    async with engine.connect() as conn:
        exported = (await conn.execute(sa.select(audit_log.c.changes).where(
            audit_log.c.tenant_id == world.id, audit_log.c.action == "report.exported"))).scalars().all()  # fmt: skip
    assert len(exported) == 2 and {e["exported"]["after"]["format"] for e in exported} == {"csv", "xlsx"}
    # No export permission on the resource: 403 (a rep on deals), and nothing audited.
    rep = world.users["east_rep1"]
    deals = {"entity": "deals", "measures": [{"fn": "sum", "field": "amount"}]}
    r = await client.post(f"{REPORTS}/run/export", json={"definition": deals}, headers=rep.headers)
    assert r.status_code == 403
