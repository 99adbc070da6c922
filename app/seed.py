"""The demo tenant: `crm seed --demo`, and `crm serve --seed-demo` (what `make run` does).

"Demo Co" gets departments, regions, one user per system role (password DEMO_PASSWORD) and a
realistic book of business: about 2,000 customers, 4,000 contacts and 6,000 activities with
Chinese and English names, custom fields and their values; then its leads (app/seed_leads.py),
its pipelines and deals (app/seed_sales.py), its service desk (app/seed_tickets.py), its knowledge
base (app/seed_kb.py), its satisfaction surveys with the answers of resolved tickets
(app/seed_surveys.py) and its marketing campaigns with their members (app/seed_campaigns.py),
consent, templates and attribution (app/seed_marketing.py), and saved reports (app/seed_reports.py).

Deterministic: every value comes from one random.Random with a fixed seed; timestamps are fixed
offsets from the day of seeding (midnight UTC), so the demo always looks current. Ids are fresh
UUIDv7s. Idempotent: when the demo admin exists, nothing is written but the modules a newer
release added (leads, pipelines, tickets: each when the tenant has none). Fast: one transaction, bulk
inserts (a few hundred milliseconds of SQL; the one password hash is the slowest step).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app import seed_data as v
from app.auth.passwords import hash_password
from app.domain.shared.ids import new_id
from app.repositories.contacts import derived as contact_derived
from app.repositories.customer_metrics import PgCustomerMetricsJob
from app.repositories.customers import derived as customer_derived
from app.repositories.database import create_engine
from app.repositories.identity import DEFAULT_TENANT_SETTINGS, PgIdentityRepository
from app.repositories.tables import (
    activities,
    campaigns,
    contacts,
    custom_field_defs,
    customers,
    dashboards,
    kb_articles,
    leads,
    marketing_consents,
    message_templates,
    pipelines,
    regions,
    reports,
    survey_responses,
    tenants,
    tickets,
)
from app.seed_campaigns import seed_demo_campaigns
from app.seed_dashboards import seed_demo_dashboards
from app.seed_forecast import seed_demo_forecast_history
from app.seed_kb import seed_demo_kb
from app.seed_lead_deals import link_demo_lead_deals
from app.seed_leads import seed_demo_lead_intake, seed_demo_leads
from app.seed_marketing import seed_demo_consents, seed_demo_templates
from app.seed_reports import seed_demo_reports
from app.seed_sales import seed_demo_sales
from app.seed_surveys import seed_demo_surveys
from app.seed_tickets import seed_demo_tickets
from app.settings import Settings

DEMO_TENANT = "Demo Co"
DEMO_PASSWORD = "crm-demo-2026"  # demo only; printed by `make run`
DEMO_DOMAIN = "demo.example.com"
SEED = 20260101

CUSTOMERS = 2000
ORPHAN_CONTACTS = 40
ACTIVITIES = 6000


@dataclass(frozen=True)
class DemoUser:
    login: str
    name: str
    role: str
    department: str | None
    region: str | None = None
    locale: str = "zh-CN"
    timezone: str = "Asia/Shanghai"

    @property
    def email(self) -> str:
        return f"{self.login}@{DEMO_DOMAIN}"


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "Alex Admin", "admin", None, locale="en", timezone="UTC"),
    DemoUser("director", "王强", "sales_director", "Sales"),
    DemoUser("east.manager", "陈静", "sales_manager", "Sales East", "east"),
    DemoUser("east.rep1", "李娜", "sales_rep", "Sales East", "east"),
    DemoUser("east.rep2", "张伟", "sales_rep", "Sales East", "east"),
    DemoUser("west.manager", "Daniel Lee", "sales_manager", "Sales West", "south", "en"),
    DemoUser("west.rep1", "刘洋", "sales_rep", "Sales West", "south"),
    DemoUser("service.manager", "赵敏", "service_manager", "Service"),
    DemoUser("agent1", "孙磊", "service_agent", "Service"),
    DemoUser("agent2", "Emily Chen", "service_agent", "Service", locale="en"),
    DemoUser("marketer", "周芳", "marketer", "Marketing"),
    DemoUser("analyst", "Olivia Brown", "analyst", None, locale="en", timezone="Europe/London"),
    # The three administrators (MLPS 2.0 三员分立): none reaches business data alone.
    DemoUser("it", "吴军", "system_admin", None),
    DemoUser("security", "郑涛", "security_admin", None),
    DemoUser("audit", "Grace Miller", "audit_admin", None, locale="en"),
]

ADMIN_EMAIL = DEMO_USERS[0].email
CONTACT_TAGS = ["decision-maker", "influencer", "champion", "technical"]

# Who owns the book of business, and how much of it (relative weights).
OWNER_WEIGHTS = {"east.rep1": 30, "east.rep2": 25, "west.rep1": 28, "east.manager": 9, "west.manager": 8}
# Cities each sales team mostly covers (indexes into seed_data.CITIES by region code).
TEAM_REGIONS = {"Sales East": ["east", "east", "east", "north"], "Sales West": ["south", "south", "north", "south"]}

CUSTOM_FIELDS: list[tuple[str, str, str, str, list[str]]] = [
    ("customer", "annual_revenue", "Annual revenue", "number", []),
    ("customer", "segment", "Segment", "select", v.SEGMENTS),
    ("customer", "first_contact", "First contact", "date", []),
    ("contact", "wechat", "WeChat", "text", []),
    ("contact", "decision_maker", "Decision maker", "bool", []),
]


def _weighted(rng: random.Random, values: list[str], weights: list[int]) -> str:
    return rng.choices(values, weights)[0]


class _Book:
    """Generates the demo rows; all randomness from one seeded generator, in a fixed order."""

    def __init__(
        self,
        tenant_id: UUID,
        region_ids: dict[str, UUID],
        owners: dict[str, tuple[UUID, UUID | None, str]],
        today: datetime,
    ) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.tenant_id = tenant_id
        self.region_ids = region_ids
        self.owners = owners  # login -> (user id, department id, department name)
        self.today = today
        self.names: set[str] = set()
        self._team = "Sales East"

    def _ago(self, max_days: float, min_days: float = 0.0) -> datetime:
        seconds = self.rng.uniform(min_days * 86400, max_days * 86400)
        return self.today - timedelta(seconds=round(seconds))

    def _mobile(self) -> str:
        rng = self.rng
        prefix = rng.choice(["138", "139", "135", "136", "150", "158", "186", "188", "177", "133"])
        rest = f"{rng.randrange(10**8):08d}"
        number = prefix + rest
        style = rng.random()
        if style < 0.4:
            return f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
        if style < 0.5:
            return f"+86 {number}"
        return number

    def _foreign_phone(self) -> str:
        rng = self.rng
        style = rng.random()
        if style < 0.5:
            return f"+1 {rng.randrange(200, 999)}-555-{rng.randrange(10**4):04d}"
        if style < 0.8:
            return f"+65 6{rng.randrange(10**3):03d} {rng.randrange(10**4):04d}"
        return f"+44 20 7946 {rng.randrange(10**4):04d}"

    def _unique(self, make: Any) -> Any:
        for _ in range(20):
            made = make()
            if made[0] not in self.names:
                break
        self.names.add(made[0])
        return made

    def _zh_company(self) -> tuple[str, str, str, str]:
        rng = self.rng
        city, _, region = rng.choice([c for c in v.CITIES if c[2] in TEAM_REGIONS[self._team]])
        (b1, p1), (b2, p2) = rng.choice(v.ZH_BRANDS), rng.choice(v.ZH_BRANDS)
        two = rng.random() < 0.3 and b1 != b2
        trade, trade_py, industry = rng.choice(v.ZH_TRADES)
        name = f"{city}{b1}{b2 if two else ''}{trade}{rng.choice(v.ZH_COMPANY_SUFFIXES)}"
        domain = f"{p1}{p2 if two else ''}-{trade_py}.example.com"
        return name, domain, industry, region

    def _en_company(self) -> tuple[str, str, str, str]:
        rng = self.rng
        brand = rng.choice(v.EN_BRANDS)
        trade, industry = rng.choice(v.EN_TRADES)
        qualifier = rng.choice(["", "", "", " Global", " (Asia)", " International", " Holdings"])
        name = f"{brand} {trade}{qualifier} {rng.choice(v.EN_COMPANY_SUFFIXES)}"
        if rng.random() < 0.15:
            name = f"{brand} Corp"
        domain = f"{brand.lower().replace(' ', '')}-{trade.lower()}.example.com"
        region = "overseas" if rng.random() < 0.6 else rng.choice(TEAM_REGIONS[self._team])
        return name, domain, industry, region

    def _zh_person(self) -> tuple[str, str]:
        (s, sp), (g, gp) = self.rng.choice(v.ZH_SURNAMES), self.rng.choice(v.ZH_GIVEN)
        return s + g, f"{sp}.{gp}"

    def _en_person(self) -> tuple[str, str]:
        first, last = self.rng.choice(v.EN_FIRST), self.rng.choice(v.EN_LAST)
        return f"{first} {last}", f"{first}.{last}".lower()

    def customers(self) -> list[dict[str, Any]]:
        rng = self.rng
        logins = list(OWNER_WEIGHTS)
        rows = []
        for _ in range(CUSTOMERS):
            login = rng.choices(logins, [OWNER_WEIGHTS[x] for x in logins])[0]
            owner_id, dept_id, dept_name = self.owners[login]
            self._team = dept_name
            zh = rng.random() < 0.65
            individual = rng.random() < 0.12
            if individual:
                name, local = self._unique(self._zh_person if zh else self._en_person)
                email: str | None = f"{local}{rng.randrange(100)}@{rng.choice(['mail.example.com', 'example.net'])}"
                website = None
                industry = rng.choice([t[2] for t in v.ZH_TRADES])
                region = rng.choice(TEAM_REGIONS[dept_name]) if zh else "overseas"
                customer_type = "individual"
            else:
                name, domain, industry, region = self._unique(self._zh_company if zh else self._en_company)
                email = f"{rng.choice(['info', 'sales', 'contact', 'service', 'bd'])}@{domain}"
                website = f"https://www.{domain}"
                customer_type = _weighted(rng, v.COMPANY_TYPES, v.COMPANY_TYPE_WEIGHTS)
            if rng.random() < 0.1:
                email = None
            phone = None if rng.random() < 0.05 else (self._mobile() if zh else self._foreign_phone())
            if zh:
                city = rng.choice([c[0] for c in v.CITIES if c[2] == region] or [v.CITIES[0][0]])
                address = f"{city}市{rng.choice(v.ZH_DISTRICTS)}{rng.choice(v.ZH_STREETS)}{rng.randrange(1, 999)}号"
            else:
                address = f"{rng.randrange(1, 999)} {rng.choice(v.EN_STREETS)}, {rng.choice(v.EN_CITIES)}"
            created = self._ago(730, 3)
            updated = min(self.today, created + timedelta(days=rng.uniform(0, 400)))
            tag_count = rng.choices([0, 1, 2, 3], [45, 30, 18, 7])[0]
            custom: dict[str, Any] = {}
            if rng.random() < 0.7:
                custom["annual_revenue"] = int(round(rng.lognormvariate(16, 1.6), -3))
            if rng.random() < 0.6:
                custom["segment"] = rng.choice(v.SEGMENTS)
            if rng.random() < 0.5:
                custom["first_contact"] = (created - timedelta(days=rng.randrange(0, 120))).date().isoformat()
            rows.append(
                {
                    "tenant_id": self.tenant_id,
                    "id": new_id(),
                    "name": name,
                    "kind": "individual" if individual else "company",
                    "customer_type": customer_type,
                    "industry": industry,
                    "level": _weighted(rng, v.LEVELS, v.LEVEL_WEIGHTS),
                    "status": _weighted(rng, v.STATUSES, v.STATUS_WEIGHTS),
                    "source": _weighted(rng, v.SOURCES, v.SOURCE_WEIGHTS),
                    "region_id": self.region_ids[region],
                    "address": address,
                    "phone": phone,
                    "email": email,
                    "website": website,
                    "tags": sorted(rng.sample(v.TAGS, tag_count)),
                    "owner_id": owner_id,
                    "department_id": dept_id,
                    "custom_fields": custom,
                    "description": rng.choice([None, None, *v.CUSTOMER_DESCRIPTIONS]),
                    **customer_derived({"name": name, "email": email, "phone": phone}),
                    "created_at": created,
                    "updated_at": updated,
                    "created_by": owner_id,
                    "updated_by": owner_id,
                    "version": 1 + (rng.random() < 0.4) * rng.randrange(1, 6),
                }
            )
        return rows

    def _contact(self, customer: dict[str, Any] | None, primary: bool) -> dict[str, Any]:
        rng = self.rng
        zh = (customer is not None and not customer["name"].isascii()) or (customer is None and rng.random() < 0.6)
        name, local = self._zh_person() if zh else self._en_person()
        if customer is not None:
            owner_id, dept_id = customer["owner_id"], customer["department_id"]
            domain = customer["email"].split("@", 1)[1] if customer["email"] and customer["kind"] == "company" else None
            created = customer["created_at"] + timedelta(days=rng.uniform(0, 60))
        else:
            login = rng.choice(list(OWNER_WEIGHTS))
            owner_id, dept_id, _ = self.owners[login]
            domain = None
            created = self._ago(700, 3)
        created = min(created, self.today - timedelta(hours=1))
        emails: list[str] = []
        if rng.random() < 0.85:
            emails.append(f"{local}@{domain or rng.choice(['mail.example.com', 'example.net', 'example.org'])}")
            if rng.random() < 0.1:
                emails.append(f"{local}{rng.randrange(100)}@example.net")
        phones: list[str] = []
        if rng.random() < 0.95:
            phones.append(self._mobile() if zh else self._foreign_phone())
            if rng.random() < 0.15:
                phones.append(
                    f"{rng.choice(['010', '021', '0755'])}-{rng.randrange(10**8):08d}" if zh else self._foreign_phone()
                )
        custom: dict[str, Any] = {}
        if zh and rng.random() < 0.5:
            custom["wechat"] = f"wx_{local.replace('.', '')}{rng.randrange(1000)}"
        if rng.random() < 0.4:
            custom["decision_maker"] = primary or rng.random() < 0.3
        birthday = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 16000)) if rng.random() < 0.25 else None
        return {
            "tenant_id": self.tenant_id,
            "id": new_id(),
            "customer_id": customer["id"] if customer else None,
            "name": name,
            "title": rng.choice(v.ZH_TITLES if zh else v.EN_TITLES) if rng.random() < 0.85 else None,
            "phones": phones,
            "emails": emails,
            "birthday": birthday,
            "is_primary": primary,
            "tags": sorted(rng.sample(CONTACT_TAGS, rng.choice([0, 0, 0, 1]))),
            "owner_id": owner_id,
            "department_id": dept_id,
            "custom_fields": custom,
            "description": None,
            **contact_derived({"name": name, "emails": emails, "phones": phones}),
            "created_at": created,
            "updated_at": min(self.today, created + timedelta(days=rng.uniform(0, 200))),
            "created_by": owner_id,
            "updated_by": owner_id,
            "version": 1,
        }

    def contacts(self, book: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for customer in book:
            if customer["kind"] == "individual":
                continue
            count = self.rng.choices([1, 2, 3, 4, 5], [30, 35, 20, 10, 5])[0]
            rows.extend(self._contact(customer, primary=i == 0) for i in range(count))
        rows.extend(self._contact(None, primary=False) for _ in range(ORPHAN_CONTACTS))
        return rows

    def activities(self, book: list[dict[str, Any]], people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        by_customer: dict[UUID, list[dict[str, Any]]] = {}
        for someone in people:
            if someone["customer_id"] is not None:
                by_customer.setdefault(someone["customer_id"], []).append(someone)
        weights = [{"active": 6, "prospect": 4, "inactive": 1, "lost": 1}[c["status"]] for c in book]
        orphans = [p for p in people if p["customer_id"] is None]
        rows: list[dict[str, Any]] = []
        for _ in range(ACTIVITIES):
            kind = _weighted(rng, v.ACTIVITY_KINDS, v.ACTIVITY_KIND_WEIGHTS)
            person: dict[str, Any] | None
            owner: dict[str, Any]
            if rng.random() < 0.02:
                owner = person = rng.choice(orphans)
                customer_id = None
            else:
                customer = rng.choices(book, weights)[0]
                owner = customer
                customer_id = customer["id"]
                people_here = by_customer.get(customer["id"], [])
                person = rng.choice(people_here) if people_here and rng.random() < 0.7 else None
            occurred = self._ago(180)
            timed = kind in ("call", "meeting", "visit")
            rows.append(
                {
                    "tenant_id": self.tenant_id,
                    "id": new_id(),
                    "kind": kind,
                    "subject": rng.choice(v.ACTIVITY_SUBJECTS[kind]),
                    "body": rng.choice(v.ACTIVITY_BODIES) if rng.random() < 0.6 else None,
                    "occurred_at": occurred,
                    "duration_minutes": rng.choice([5, 10, 15, 30, 45, 60, 90, 120]) if timed else None,
                    "outcome": rng.choice(v.ACTIVITY_OUTCOMES) if timed else None,
                    "customer_id": customer_id,
                    "contact_id": person["id"] if person else None,
                    "owner_id": owner["owner_id"],
                    "department_id": owner["department_id"],
                    "created_at": occurred,
                    "updated_at": occurred,
                    "created_by": owner["owner_id"],
                    "updated_by": owner["owner_id"],
                    "version": 1,
                }
            )
        return rows


async def _insert(conn: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]], chunk: int = 1000) -> None:
    for start in range(0, len(rows), chunk):
        await conn.execute(table.insert(), rows[start : start + chunk])


async def seed_demo(url: str, settings: Settings, *, owner_url: str | None = None) -> bool:
    """Create the demo tenant unless it exists, then each module's demo data the tenant lacks
    (a demo seeded by an earlier release gets the modules added since). Returns whether anything
    was written. `owner_url`: the schema owner's connection, which analyzes what was written."""
    wrote = await _seed_all(url, settings)
    if wrote:
        await _analyze(owner_url or url, settings)
    return wrote


async def _analyze(url: str, settings: Settings) -> None:
    """Planner statistics for the tables just filled: autovacuum gets to them only a while later,
    and until then the planner guesses on empty statistics (a first segment preview on a freshly
    seeded server ran past the 5 s statement budget). ANALYZE needs the tables' owner: as another
    role PostgreSQL skips them with a warning, which leaves autovacuum to do it."""
    engine = create_engine(url, settings, autocommit=True)
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


async def _seed_all(url: str, settings: Settings) -> bool:
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            # Two processes seeding at once: the second waits, then finds everything there.
            await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("crm:seed-demo"))))
            repo = PgIdentityRepository(conn)
            today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            wrote = False
            if not await repo.email_taken(ADMIN_EMAIL):
                await _seed(conn, repo, today)
                wrote = True
            tenant_id = (await conn.execute(sa.select(tenants.c.id).where(tenants.c.name == DEMO_TENANT))).scalar()
            if tenant_id is None:
                return wrote
            # In order: converted leads point into the book, deals into leads' customers.
            for table, seed_module in (
                (leads, seed_demo_leads),
                (pipelines, seed_demo_sales),
                (tickets, seed_demo_tickets),
                (kb_articles, seed_demo_kb),
                (message_templates, seed_demo_templates),
                (marketing_consents, seed_demo_consents),  # before the sends, which need consent
                (campaigns, seed_demo_campaigns),  # members drawn from the contacts and leads
                (reports, seed_demo_reports),  # the analyst's, shared with roles
                (dashboards, seed_demo_dashboards),
            ):
                if not await _has_rows(conn, table, tenant_id):
                    await seed_module(conn, tenant_id, today)
                    wrote = True
            # The deals converted leads became (after both), for the lead analysis' won revenue.
            wrote = await link_demo_lead_deals(conn, tenant_id, today) or wrote
            # The forecast's weekly history (after the deals and targets it snapshots).
            wrote = await seed_demo_forecast_history(conn, tenant_id, today) or wrote
            # The public form and the lead routing (added after the leads: each seeds what is missing).
            wrote = await seed_demo_lead_intake(conn, tenant_id, today) or wrote
            # Surveys answer the resolved tickets (seeded before them); until there is a response,
            # each seed tries again, so tickets seeded later still get their answers.
            if not await _has_rows(conn, survey_responses, tenant_id):
                wrote = await seed_demo_surveys(conn, tenant_id, today) or wrote
            if wrote:  # the customer analysis' rollup at once, not at the worker's next round
                await PgCustomerMetricsJob(conn).rebuild(tenant_id)
        return wrote
    finally:
        await engine.dispose()


async def _has_rows(conn: AsyncConnection, table: sa.Table, tenant_id: UUID) -> bool:
    found = await conn.execute(sa.select(table.c.id).where(table.c.tenant_id == tenant_id).limit(1))
    return found.first() is not None


async def _seed(conn: AsyncConnection, repo: PgIdentityRepository, today: datetime) -> None:
    password_hash = await hash_password(DEMO_PASSWORD)
    tenant_id = await repo.insert_tenant(DEMO_TENANT, dict(DEFAULT_TENANT_SETTINGS))
    role_ids = await repo.insert_system_roles(tenant_id)
    region_ids = {code: new_id() for code, _ in v.REGIONS}
    await conn.execute(
        regions.insert(),
        [{"tenant_id": tenant_id, "id": region_ids[code], "code": code, "name": name} for code, name in v.REGIONS],
    )
    departments: dict[str, UUID] = {}
    for name, parent in (
        ("Sales", None),
        ("Sales East", "Sales"),
        ("Sales West", "Sales"),
        ("Service", None),
        ("Marketing", None),
    ):
        departments[name] = await repo.insert_department(tenant_id, name, departments[parent] if parent else None)
    owners: dict[str, tuple[UUID, UUID | None, str]] = {}
    for user in DEMO_USERS:
        dept = departments[user.department] if user.department else None
        user_id = await repo.insert_user(
            tenant_id,
            email=user.email,
            name=user.name,
            password_hash=password_hash,
            department_id=dept,
            region_id=region_ids[user.region] if user.region else None,
            locale=user.locale,
            timezone=user.timezone,
        )
        await repo.set_user_roles(tenant_id, user_id, [role_ids[user.role]])
        owners[user.login] = (user_id, dept, user.department or "")
    await conn.execute(
        custom_field_defs.insert(),
        [
            {
                "tenant_id": tenant_id,
                "id": new_id(),
                "entity": entity,
                "key": key,
                "label": label,
                "type": type_,
                "options": options,
                "position": position,
            }
            for position, (entity, key, label, type_, options) in enumerate(CUSTOM_FIELDS)
        ],
    )
    book = _Book(tenant_id, region_ids, owners, today)
    customer_rows = book.customers()
    contact_rows = book.contacts(customer_rows)
    activity_rows = book.activities(customer_rows, contact_rows)
    await _insert(conn, customers, customer_rows)
    await _insert(conn, contacts, contact_rows)
    await _insert(conn, activities, activity_rows)


def print_demo_logins() -> None:
    width = max(len(u.email) for u in DEMO_USERS)
    print(f"\nDemo tenant '{DEMO_TENANT}' — every login uses the password: {DEMO_PASSWORD}")
    for user in DEMO_USERS:
        where = f" ({user.department})" if user.department else ""
        print(f"  {user.email:<{width}}  {user.role}{where}")
    print()
