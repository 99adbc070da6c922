"""The permission matrix (DESIGN.md section 7): every system role x customers / contacts /
activities / leads / opportunities / quotes / orders / sales plans / tickets / campaigns x get, list, create,
patch, delete, assign x a record of the caller's own, of a same-department colleague, of a sub-department, of another
department and of another tenant.

EXPECTED below is the role catalogue as a person states it, written out by hand; nothing in this
file asks the implementation what a role may do. From it follow the exact answers:
- no permission for the action: 403, whatever the record;
- the record inside the role's data range for that resource: 200 (204 for delete);
- outside the range, or in another tenant: 404 (it does not exist for the caller);
- a list holds exactly the records inside the range.

One world is built per module (records of every user, owned through admin assignment); each test
leaves it as it found it (deletes are restored, assignments keep the owner, creations are removed).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings
from tests.builders import Factory, User, World

ALL, DEPARTMENT, OWN = "all", "department", "own"
PIPELINE_STAGES = [
    {"name": "Open", "probability": 20},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]
READ = frozenset({"get", "list"})
CRUD = frozenset({"get", "list", "create", "patch", "delete"})
FULL = CRUD | {"assign"}
NOTHING: tuple[str | None, frozenset[str]] = (None, frozenset())

# role -> resource -> (data range, the actions the role may take). Read from the product's role
# descriptions: sales_rep works their own book; sales_manager their department and its
# sub-departments, and may reassign; director, admin: everything; analyst reads everything;
# service roles read all customers and contacts and work activities (manager: the department's,
# agent: their own); marketer reads customers and contacts; the three administrators (system,
# security, audit) see no business data.
# Leads: the sales roles as for customers; marketing works every lead; service roles none.
# Opportunities, quotes, orders and sales plans: the sales roles as for customers; the analyst
# reads them; nobody else.
# Campaigns (owner and department of the campaign): marketing keeps them; every seller and the
# analyst read them all (to attribute leads and deals); service roles and IT none.
# Tickets (owner = the assignee, department = the team): the service agent works their own, the
# service manager the team's and reassigns; the sales roles read them in their range (a ticket
# also counts as a seller's own when its customer is theirs: here every ticket's customer has the
# ticket's owner); the analyst reads all; marketing and IT none.
EXPECTED: dict[str, dict[str, tuple[str | None, frozenset[str]]]] = {
    "admin": {
        "customers": (ALL, FULL),
        "contacts": (ALL, FULL),
        "activities": (ALL, FULL),
        "leads": (ALL, FULL),
        "opportunities": (ALL, FULL),
        "quotes": (ALL, FULL),
        "orders": (ALL, FULL),
        "sales_plans": (ALL, FULL),
        "tickets": (ALL, FULL),
        "campaigns": (ALL, FULL),
    },
    "sales_director": {
        "customers": (ALL, FULL),
        "contacts": (ALL, FULL),
        "activities": (ALL, FULL),
        "leads": (ALL, FULL),
        "opportunities": (ALL, FULL),
        "quotes": (ALL, FULL),
        "orders": (ALL, FULL),
        "sales_plans": (ALL, FULL),
        "tickets": (ALL, READ),
        "campaigns": (ALL, READ),
    },
    "sales_manager": {
        "customers": (DEPARTMENT, FULL),
        "contacts": (DEPARTMENT, FULL),
        "activities": (DEPARTMENT, FULL),
        "leads": (DEPARTMENT, FULL),
        "opportunities": (DEPARTMENT, FULL),
        "quotes": (DEPARTMENT, FULL),
        "orders": (DEPARTMENT, FULL),
        "sales_plans": (DEPARTMENT, FULL),
        "tickets": (DEPARTMENT, READ),
        "campaigns": (ALL, READ),
    },
    "sales_rep": {
        "customers": (OWN, CRUD),
        "contacts": (OWN, CRUD),
        "activities": (OWN, CRUD),
        "leads": (OWN, CRUD),
        "opportunities": (OWN, CRUD),
        "quotes": (OWN, CRUD),
        "orders": (OWN, CRUD),
        "sales_plans": (OWN, CRUD),
        "tickets": (OWN, READ),
        "campaigns": (ALL, READ),
    },
    "service_manager": {
        "customers": (ALL, READ),
        "contacts": (ALL, READ),
        "activities": (DEPARTMENT, FULL),
        "leads": NOTHING,
        "opportunities": NOTHING,
        "quotes": NOTHING,
        "orders": NOTHING,
        "sales_plans": NOTHING,
        "tickets": (DEPARTMENT, FULL),
        "campaigns": NOTHING,
    },
    "service_agent": {
        "customers": (ALL, READ),
        "contacts": (ALL, READ),
        "activities": (OWN, CRUD),
        "leads": NOTHING,
        "opportunities": NOTHING,
        "quotes": NOTHING,
        "orders": NOTHING,
        "sales_plans": NOTHING,
        "tickets": (OWN, CRUD),
        "campaigns": NOTHING,
    },
    # Marketing captures leads and hands them to sales: every lead, and may reassign. It reads the
    # deals (attribution and campaign ROI count the won ones), never changes them.
    "marketer": {
        "customers": (ALL, READ),
        "contacts": (ALL, READ),
        "activities": NOTHING,
        "leads": (ALL, FULL),
        "opportunities": (ALL, READ),
        "quotes": NOTHING,
        "orders": NOTHING,
        "sales_plans": NOTHING,
        "tickets": NOTHING,
        "campaigns": (ALL, FULL),
    },
    "analyst": {
        "customers": (ALL, READ),
        "contacts": (ALL, READ),
        "activities": (ALL, READ),
        "leads": (ALL, READ),
        "opportunities": (ALL, READ),
        "quotes": (ALL, READ),
        "orders": (ALL, READ),
        "sales_plans": (ALL, READ),
        "tickets": (ALL, READ),
        "campaigns": (ALL, READ),
    },
    "security_admin": dict.fromkeys(
        (
            "customers",
            "contacts",
            "activities",
            "leads",
            "opportunities",
            "quotes",
            "orders",
            "sales_plans",
            "tickets",
            "campaigns",
        ),
        NOTHING,
    ),
    "audit_admin": dict.fromkeys(
        (
            "customers",
            "contacts",
            "activities",
            "leads",
            "opportunities",
            "quotes",
            "orders",
            "sales_plans",
            "tickets",
            "campaigns",
        ),
        NOTHING,
    ),
    "system_admin": {
        "customers": NOTHING,
        "contacts": NOTHING,
        "activities": NOTHING,
        "leads": NOTHING,
        "opportunities": NOTHING,
        "quotes": NOTHING,
        "orders": NOTHING,
        "sales_plans": NOTHING,
        "tickets": NOTHING,
        "campaigns": NOTHING,
    },
}

# The world: who sits where (tests/builders.Factory.sales_world plus the users added below).
DEPARTMENT_OF: dict[str, str | None] = {
    "admin": None,
    "analyst": None,
    "it": None,
    "security": None,
    "audit": None,
    "director": "Sales",
    "sales_head": "Sales",
    "sales_ops": "Sales",
    "east_manager": "Sales East",
    "east_rep1": "Sales East",
    "east_rep2": "Sales East",
    "west_manager": "Sales West",
    "west_rep1": "Sales West",
    "service_manager": "Service",
    "agent1": "Service",
    "marketer": "Marketing",
    "marketer2": "Marketing",
}
# A department and all of its sub-departments.
SUBTREE = {
    "Sales": {"Sales", "Sales East", "Sales West"},
    "Sales East": {"Sales East"},
    "Sales West": {"Sales West"},
    "Service": {"Service"},
    "Marketing": {"Marketing"},
}


@dataclass(frozen=True)
class Subject:
    """A caller holding one system role, and whose records count as whose for them."""

    role: str
    user: str
    colleague: str  # same department (or, for users in none, another user in none)
    other: str  # another department
    sub: str | None = None  # a sub-department of theirs, where they have one

    def owners(self) -> dict[str, str]:
        kinds = {"own": self.user, "colleague": self.colleague, "other_department": self.other}
        return kinds | ({"sub_department": self.sub} if self.sub else {})


SUBJECTS = [
    Subject("admin", "admin", colleague="analyst", other="west_rep1"),
    Subject("sales_director", "director", colleague="sales_ops", sub="east_rep1", other="agent1"),
    Subject("sales_manager", "sales_head", colleague="sales_ops", sub="east_rep1", other="agent1"),
    Subject("sales_manager", "east_manager", colleague="east_rep1", other="west_rep1"),
    Subject("sales_rep", "east_rep1", colleague="east_rep2", other="west_rep1"),
    Subject("service_manager", "service_manager", colleague="agent1", other="east_rep1"),
    Subject("service_agent", "agent1", colleague="service_manager", other="east_rep1"),
    Subject("marketer", "marketer", colleague="marketer2", other="east_rep1"),
    Subject("analyst", "analyst", colleague="admin", other="east_rep1"),
    Subject("system_admin", "it", colleague="admin", other="east_rep1"),
    Subject("security_admin", "security", colleague="admin", other="east_rep1"),
    Subject("audit_admin", "audit", colleague="admin", other="east_rep1"),
]
RESOURCES = (
    "customers",
    "contacts",
    "activities",
    "leads",
    "opportunities",
    "quotes",
    "orders",
    "sales_plans",
    "tickets",
    "campaigns",
)


def api(resource: str) -> str:
    return f"/api/v1/{resource.replace('_', '-')}"


CASES = [pytest.param(s, r, id=f"{s.user}({s.role})-{r}") for s in SUBJECTS for r in RESOURCES]


def in_range(data_range: str | None, subject: Subject, owner: str) -> bool:
    if data_range == ALL:
        return True
    if data_range == DEPARTMENT:
        mine = DEPARTMENT_OF[subject.user]
        return mine is not None and DEPARTMENT_OF[owner] in SUBTREE[mine]
    if data_range == OWN:
        return owner == subject.user
    return False


@dataclass
class Matrix:
    world: World
    client: httpx.AsyncClient
    # resource -> owner label -> record id; "stranger" owns the other tenant's records
    records: dict[str, dict[str, str]]
    stranger: User

    def user(self, label: str) -> User:
        return self.world.users[label]

    @property
    def admin(self) -> dict[str, str]:
        return self.user("admin").headers

    def url(self, resource: str, owner: str) -> str:
        return f"{api(resource)}/{self.records[resource][owner]}"


async def _post(client: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict[str, object]) -> str:
    r = await client.post(url, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _records_of(client: httpx.AsyncClient, admin: User, owner: User, tag: str) -> dict[str, str]:
    """One record of each resource owned by `owner`, made by an admin (who may assign)."""
    headers, owner_id = admin.headers, str(owner.id)
    customer = await _post(client, "/api/v1/customers", headers, {"name": f"{tag} Co", "owner_id": owner_id})
    contact = await _post(
        client, "/api/v1/contacts", headers, {"name": f"{tag} Person", "customer_id": customer, "owner_id": owner_id}
    )
    activity = await _post(
        client,
        "/api/v1/activities",
        headers,
        {"kind": "call", "subject": f"{tag} call", "customer_id": customer, "owner_id": owner_id},
    )
    lead = await _post(client, "/api/v1/leads", headers, {"name": f"{tag} Lead", "owner_id": owner_id})
    deal = await _post(
        client, "/api/v1/opportunities", headers, {"name": f"{tag} Deal", "customer_id": customer, "owner_id": owner_id}
    )
    quote = await _post(client, "/api/v1/quotes", headers, {"opportunity_id": deal, "owner_id": owner_id})
    order = await _post(
        client,
        "/api/v1/orders",
        headers,
        {"quote_id": await _accepted_quote(client, headers, deal, owner_id), "owner_id": owner_id},
    )
    return {
        "customers": customer,
        "contacts": contact,
        "activities": activity,
        "leads": lead,
        "opportunities": deal,
        "quotes": quote,
        "orders": order,
        "sales_plans": await _post(
            client, "/api/v1/sales-plans", headers, {"name": f"{tag} plan", "period": "2026-Q4", "owner_id": owner_id}
        ),
        "tickets": await _post(
            client,
            "/api/v1/tickets",
            headers,
            {"subject": f"{tag} ticket", "customer_id": customer, "owner_id": owner_id},
        ),
        "campaigns": await _post(
            client,
            "/api/v1/campaigns",
            headers,
            {"name": f"{tag} campaign", "campaign_type": "event", "owner_id": owner_id},
        ),
    }


async def _accepted_quote(client: httpx.AsyncClient, headers: dict[str, str], deal: str, owner_id: str) -> str:
    """A quote of the deal, sent and accepted (by an admin), ready to become an order."""
    quote = await _post(client, "/api/v1/quotes", headers, {"opportunity_id": deal, "owner_id": owner_id})
    for status in ("sent", "accepted"):
        r = await client.patch(f"/api/v1/quotes/{quote}", json={"status": status}, headers=headers)
        assert r.status_code == 200, r.text
    return quote


@pytest.fixture(scope="module")
async def matrix(app: object, engine: AsyncEngine, settings: Settings) -> AsyncIterator[Matrix]:
    factory = Factory(engine, settings)
    world = await factory.sales_world()
    sales = world.department_ids["Sales"]
    await world.user("sales_head", ["sales_manager"], sales)
    await world.user("sales_ops", ["sales_rep"], sales)
    await world.user("marketer2", ["marketer"], world.department_ids["Marketing"])
    await world.user("security", ["security_admin"])
    await world.user("audit", ["audit_admin"])
    assert set(world.users) == set(DEPARTMENT_OF)
    for label, department in DEPARTMENT_OF.items():
        assert world.users[label].department_id == (world.department_ids[department] if department else None)
    other_tenant = await factory.tenant()
    stranger = await other_tenant.user("admin", ["admin"])
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for admin in (world.users["admin"], stranger):  # each tenant's deals need a pipeline
            await _post(client, "/api/v1/pipelines", admin.headers, {"name": "Sales", "stages": PIPELINE_STAGES})
        records: dict[str, dict[str, str]] = {r: {} for r in RESOURCES}
        for label, user in world.users.items():
            for resource, record_id in (await _records_of(client, world.users["admin"], user, label)).items():
                records[resource][label] = record_id
        for resource, record_id in (await _records_of(client, stranger, stranger, "stranger")).items():
            records[resource]["stranger"] = record_id
        yield Matrix(world, client, records, stranger)


def expected_statuses(subject: Subject, resource: str, action: str, ok: int) -> dict[str, int]:
    data_range, actions = EXPECTED[subject.role][resource]
    if action not in actions:
        return dict.fromkeys([*subject.owners(), "other_tenant"], 403)
    statuses = {kind: ok if in_range(data_range, subject, owner) else 404 for kind, owner in subject.owners().items()}
    return statuses | {"other_tenant": 404}


def owners_with_tenant(subject: Subject) -> dict[str, str]:
    return subject.owners() | {"other_tenant": "stranger"}


@pytest.mark.parametrize(("subject", "resource"), CASES)
async def test_get(matrix: Matrix, subject: Subject, resource: str) -> None:
    headers = matrix.user(subject.user).headers
    actual = {
        kind: (await matrix.client.get(matrix.url(resource, owner), headers=headers)).status_code
        for kind, owner in owners_with_tenant(subject).items()
    }
    assert actual == expected_statuses(subject, resource, "get", 200)


@pytest.mark.parametrize(("subject", "resource"), CASES)
async def test_list(matrix: Matrix, subject: Subject, resource: str) -> None:
    data_range, actions = EXPECTED[subject.role][resource]
    # Each owner also has the accepted quotes their orders came from: the matrix's quotes are the drafts.
    params = {"limit": 200, **({"status": "draft"} if resource == "quotes" else {})}
    r = await matrix.client.get(f"{api(resource)}", params=params, headers=matrix.user(subject.user).headers)
    if "list" not in actions:
        assert r.status_code == 403
        return
    assert r.status_code == 200, r.text
    expected = {
        record_id
        for owner, record_id in matrix.records[resource].items()
        if owner != "stranger" and in_range(data_range, subject, owner)
    }
    listed = [item["id"] for item in r.json()["items"]]
    assert len(listed) == len(set(listed))
    assert set(listed) == expected
    assert r.json()["next_cursor"] is None


@pytest.mark.parametrize(("subject", "resource"), CASES)
async def test_create(matrix: Matrix, subject: Subject, resource: str) -> None:
    _, actions = EXPECTED[subject.role][resource]
    body: dict[str, object] = {"name": f"New by {subject.user}"}
    if resource == "activities":
        # linked to the caller's own customer, which every role that logs activities can read
        body = {"kind": "note", "subject": "New note", "customer_id": matrix.records["customers"][subject.user]}
    if resource == "opportunities":
        # for the caller's own customer, which every role that sells can read
        body = {"name": "New deal", "customer_id": matrix.records["customers"][subject.user]}
    if resource == "quotes":
        body = {"opportunity_id": matrix.records["opportunities"][subject.user]}
    if resource == "sales_plans":
        body = {"name": "New plan", "period": "2026-12"}
    if resource == "tickets":
        body = {"subject": "New ticket"}
    if resource == "campaigns":
        body = {"name": "New campaign", "campaign_type": "webinar"}
    if resource == "orders":
        deal, owner = matrix.records["opportunities"][subject.user], str(matrix.user(subject.user).id)
        body = {"quote_id": await _accepted_quote(matrix.client, matrix.admin, deal, owner)}
    r = await matrix.client.post(f"{api(resource)}", json=body, headers=matrix.user(subject.user).headers)
    assert r.status_code == (201 if "create" in actions else 403), r.text
    if r.status_code == 201:
        assert r.json()["owner_id"] == str(matrix.user(subject.user).id)
        gone = await matrix.client.delete(f"{api(resource)}/{r.json()['id']}", headers=matrix.admin)
        assert gone.status_code == 204


@pytest.mark.parametrize(("subject", "resource"), CASES)
async def test_patch(matrix: Matrix, subject: Subject, resource: str) -> None:
    headers = matrix.user(subject.user).headers
    body = {
        "activities": {"body": "patched"},
        "quotes": {"notes": "patched"},
        "orders": {"notes": "patched"},
        "sales_plans": {"goal": "patched"},
    }.get(resource, {"description": "patched"})
    actual = {
        kind: (await matrix.client.patch(matrix.url(resource, owner), json=body, headers=headers)).status_code
        for kind, owner in owners_with_tenant(subject).items()
    }
    assert actual == expected_statuses(subject, resource, "patch", 200)


@pytest.mark.parametrize(("subject", "resource"), CASES)
async def test_delete(matrix: Matrix, subject: Subject, resource: str) -> None:
    headers = matrix.user(subject.user).headers
    actual: dict[str, int] = {}
    for kind, owner in owners_with_tenant(subject).items():
        url = matrix.url(resource, owner)
        actual[kind] = (await matrix.client.delete(url, headers=headers)).status_code
        if actual[kind] == 204:
            restored = await matrix.client.post(f"{url}/restore", headers=matrix.admin)
            assert restored.status_code == 200, restored.text
    assert actual == expected_statuses(subject, resource, "delete", 204)


@pytest.mark.parametrize(("subject", "resource"), CASES)
async def test_assign(matrix: Matrix, subject: Subject, resource: str) -> None:
    headers = matrix.user(subject.user).headers
    actual: dict[str, int] = {}
    for kind, owner in owners_with_tenant(subject).items():
        # hand the record to its current owner: the gate is exercised, the world stays the same
        owner_id = matrix.stranger.id if owner == "stranger" else matrix.user(owner).id
        r = await matrix.client.post(
            f"{matrix.url(resource, owner)}/assign", json={"owner_id": str(owner_id)}, headers=headers
        )
        actual[kind] = r.status_code
        if r.status_code == 200:
            assert r.json()["owner_id"] == str(owner_id)
    assert actual == expected_statuses(subject, resource, "assign", 200)


@pytest.mark.parametrize(("subject", "resource"), [c for c in CASES if c.values[1] == "tickets"])
async def test_ticket_history_and_escalations(matrix: Matrix, subject: Subject, resource: str) -> None:
    """A ticket's history and escalations are read as the ticket is: 404 outside the range."""
    headers = matrix.user(subject.user).headers
    for part in ("history", "escalations"):
        actual = {
            kind: (await matrix.client.get(f"{matrix.url(resource, owner)}/{part}", headers=headers)).status_code
            for kind, owner in owners_with_tenant(subject).items()
        }
        assert actual == expected_statuses(subject, resource, "get", 200), part


async def test_every_role_and_resource_is_covered() -> None:
    from app.auth.permissions import SYSTEM_ROLES

    assert set(EXPECTED) == set(SYSTEM_ROLES)
    assert {s.role for s in SUBJECTS} == set(SYSTEM_ROLES)
    assert all(set(row) == set(RESOURCES) for row in EXPECTED.values())


async def test_an_unknown_id_is_404_like_an_invisible_one(matrix: Matrix) -> None:
    for resource in RESOURCES:
        r = await matrix.client.get(f"{api(resource)}/{uuid.uuid4()}", headers=matrix.admin)
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


# The knowledge base and surveys: plain permissions, stated by hand. Service managers keep both;
# agents and analysts read them, and agents also log call-backs (surveys:create); marketing reads
# surveys (an event's satisfaction survey); nobody else but the admin. The surveys endpoints
# themselves: tests/api/test_surveys_matrix.py.
_KEEP = {"read", "create", "update", "delete", "manage"}
SERVICE_CONTENT: dict[str, set[str]] = {
    "admin": {"read", "create", "update", "delete", "export", "import", "assign", "manage"},
    "service_manager": _KEEP,
    "service_agent": {"read"},
    "analyst": {"read"},
}


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: f"{s.user}({s.role})")
async def test_kb_and_surveys_grants(matrix: Matrix, subject: Subject) -> None:
    r = await matrix.client.get("/api/v1/auth/me", headers=matrix.user(subject.user).headers)
    assert r.status_code == 200
    granted = set(r.json()["permissions"])
    for resource in ("kb", "surveys"):
        actions = {p.partition(":")[2] for p in granted if p.partition(":")[0] == resource}
        expected = set(SERVICE_CONTENT.get(subject.role, set()))
        if resource == "surveys" and subject.role == "service_agent":
            expected.add("create")
        if resource == "surveys" and subject.role == "marketer":
            expected.add("read")
        assert actions == expected, resource


# Message templates: plain permissions, stated by hand. Marketing keeps them, the analyst reads
# them, the administrator holds everything; nobody else sees them (their endpoints answer 403).
MESSAGE_TEMPLATES: dict[str, set[str]] = {
    "admin": {"read", "create", "update", "delete", "export", "import", "assign", "manage"},
    "marketer": {"read", "create", "update", "delete"},
    "analyst": {"read"},
}


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: f"{s.user}({s.role})")
async def test_message_templates(matrix: Matrix, subject: Subject) -> None:
    headers = matrix.user(subject.user).headers
    me = await matrix.client.get("/api/v1/auth/me", headers=headers)
    granted = {p.partition(":")[2] for p in me.json()["permissions"] if p.startswith("message_templates:")}
    expected = MESSAGE_TEMPLATES.get(subject.role, set())
    assert granted == expected
    content = {"en": {"subject": "Hi {{ contact.name }}", "text": "Hello"}}
    made = await _post(matrix.client, "/api/v1/message-templates", matrix.admin,
                       {"name": f"matrix {subject.user}", "channel": "email", "content": content})  # fmt: skip
    url = f"/api/v1/message-templates/{made}"

    def ok(action: str, status: int) -> int:
        return status if action in expected else 403

    client = matrix.client
    assert (await client.get("/api/v1/message-templates", headers=headers)).status_code == ok("read", 200)
    assert (await client.get(url, headers=headers)).status_code == ok("read", 200)
    assert (await client.post(f"{url}/preview", json={}, headers=headers)).status_code == ok("read", 200)
    body = {"name": f"new {subject.user}", "channel": "email", "content": content}
    created = await client.post("/api/v1/message-templates", json=body, headers=headers)
    assert created.status_code == ok("create", 201)
    assert (await client.patch(url, json={"description": "x"}, headers=headers)).status_code == ok("update", 200)
    assert (await client.delete(url, headers=headers)).status_code == ok("delete", 204)
    # Another tenant's template does not exist for anyone here.
    foreign = await _post(client, "/api/v1/message-templates", matrix.stranger.headers,
                          {"name": f"stranger {subject.user}", "channel": "email", "content": content})  # fmt: skip
    r = await client.get(f"/api/v1/message-templates/{foreign}", headers=headers)
    assert r.status_code == ok("read", 404)
    # Leave the world as it was.
    for record in (made, *([created.json()["id"]] if created.status_code == 201 else [])):
        await client.delete(f"/api/v1/message-templates/{record}", headers=matrix.admin)
    await client.delete(f"/api/v1/message-templates/{foreign}", headers=matrix.stranger.headers)


# Segments: plain permissions. The marketer keeps them (with the admin); the analyst reads them;
# nobody else. The endpoints themselves: tests/api/test_segments_matrix.py.
SEGMENT_GRANTS: dict[str, set[str]] = {
    "admin": {"read", "create", "update", "delete", "export", "import", "assign", "manage"},
    "marketer": {"read", "create", "update", "delete"},
    "analyst": {"read"},
}


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: f"{s.user}({s.role})")
async def test_segments_grants(matrix: Matrix, subject: Subject) -> None:
    r = await matrix.client.get("/api/v1/auth/me", headers=matrix.user(subject.user).headers)
    granted = {p.partition(":")[2] for p in r.json()["permissions"] if p.startswith("segments:")}
    assert granted == SEGMENT_GRANTS.get(subject.role, set())


# Automations: plain permissions. The marketer keeps them (and may manage them), the administrator
# holds everything, the analyst reads them; nobody else. The endpoints: tests/api/test_automations_matrix.py.
AUTOMATION_GRANTS: dict[str, set[str]] = {
    "admin": {"read", "create", "update", "delete", "export", "import", "assign", "manage"},
    "marketer": {"read", "create", "update", "delete", "manage"},
    "analyst": {"read"},
}


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: f"{s.user}({s.role})")
async def test_automations_grants(matrix: Matrix, subject: Subject) -> None:
    r = await matrix.client.get("/api/v1/auth/me", headers=matrix.user(subject.user).headers)
    granted = {p.partition(":")[2] for p in r.json()["permissions"] if p.startswith("automations:")}
    assert granted == AUTOMATION_GRANTS.get(subject.role, set())
