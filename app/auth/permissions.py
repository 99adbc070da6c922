"""The permission catalogue: resources, actions, and the system roles seeded for every tenant.

A permission is "<resource>:<action>". Resources holding business records also take a data range
per role (own / department / all); the others are plain yes/no permissions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Resource(StrEnum):
    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    ACTIVITIES = "activities"
    LEADS = "leads"
    OPPORTUNITIES = "opportunities"
    QUOTES = "quotes"
    ORDERS = "orders"
    SALES_PLANS = "sales_plans"
    TICKETS = "tickets"
    KB = "kb"  # knowledge base articles (the next module)
    SURVEYS = "surveys"  # satisfaction surveys (the next module)
    # Marketing (Step 6): campaigns are owned records with a data range; segments, message
    # templates and automations are plain permissions.
    CAMPAIGNS = "campaigns"
    SEGMENTS = "segments"
    MESSAGE_TEMPLATES = "message_templates"
    AUTOMATIONS = "automations"
    # Analytics (Step 7): saved reports and dashboards. What they show is read through the
    # caller's range on the resource counted (a report on deals needs opportunities:read).
    REPORTS = "reports"
    PIPELINES = "pipelines"
    TARGETS = "targets"
    FORECAST = "forecast"
    CUSTOM_FIELDS = "custom_fields"
    USERS = "users"
    DEPARTMENTS = "departments"
    REGIONS = "regions"
    ROLES = "roles"
    API_TOKENS = "api_tokens"
    AUDIT_LOG = "audit_log"
    SETTINGS = "settings"


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    IMPORT = "import"
    ASSIGN = "assign"
    MANAGE = "manage"


# Resources whose records carry an owner, and so take a data range.
RANGED_RESOURCES = frozenset(
    {
        Resource.CUSTOMERS,
        Resource.CONTACTS,
        Resource.ACTIVITIES,
        Resource.LEADS,
        Resource.OPPORTUNITIES,
        Resource.QUOTES,
        Resource.ORDERS,
        Resource.SALES_PLANS,
        # Owner = the assignee, department = the team. For tickets, "own" and "department" also
        # reach the tickets of customers owned by the caller / within the department, so a sales
        # rep can follow their customers' service (app/repositories/scoping.py).
        Resource.TICKETS,
        Resource.CAMPAIGNS,
    }
)

ALL_PERMISSIONS = frozenset(f"{r}:{a}" for r in Resource for a in Action)


def perm(resource: Resource, *actions: Action) -> set[str]:
    return {f"{resource}:{a}" for a in actions}


A = Action
R = Resource
_BUSINESS = (R.CUSTOMERS, R.CONTACTS, R.ACTIVITIES, R.LEADS, R.OPPORTUNITIES, R.QUOTES, R.ORDERS, R.SALES_PLANS)
_CRUD = (A.READ, A.CREATE, A.UPDATE, A.DELETE)
# What every staff member needs to work: pick owners, departments, regions, fill custom fields.
_DIRECTORY = (
    perm(R.USERS, A.READ) | perm(R.DEPARTMENTS, A.READ) | perm(R.REGIONS, A.READ) | perm(R.CUSTOM_FIELDS, A.READ)
)
# Everyone who sells, captures or analyses sees the pipelines' stages.
_PIPELINES = perm(R.PIPELINES, A.READ)
# Sellers and analysts see targets and the forecast (the forecast within their deals' range).
_FORECAST = perm(R.TARGETS, A.READ) | perm(R.FORECAST, A.READ)
_OWN_TOKENS = perm(R.API_TOKENS, A.READ, A.CREATE, A.DELETE)
# Sellers and analysts follow their customers' service: tickets read-only (within their range).
_TICKETS_READ = perm(R.TICKETS, A.READ)
# Service staff keep the knowledge base and surveys (manager) or read them (agents, analysts).
# surveys:create is logging call-backs (survey answers taken by phone); surveys:manage keeps templates.
_SERVICE_CONTENT_READ = perm(R.KB, A.READ) | perm(R.SURVEYS, A.READ)
_SERVICE_CONTENT_MANAGE = perm(R.KB, *_CRUD, A.MANAGE) | perm(R.SURVEYS, *_CRUD, A.MANAGE)
# Everyone who works with business records keeps private reports and dashboards; those who
# lead a team (and the analyst, marketing) also share them with roles (reports:manage).
_REPORTS = perm(R.REPORTS, *_CRUD)
_REPORTS_SHARE = perm(R.REPORTS, *_CRUD, A.MANAGE)
# Sellers read the campaigns (to attribute leads and deals, and to see what marketing runs).
_CAMPAIGNS_READ = perm(R.CAMPAIGNS, A.READ)
# Marketing keeps campaigns, audiences, messages and automations.
_MARKETING = (
    perm(R.CAMPAIGNS, *_CRUD, A.EXPORT, A.IMPORT, A.ASSIGN, A.MANAGE)
    | perm(R.SEGMENTS, *_CRUD)
    | perm(R.MESSAGE_TEMPLATES, *_CRUD)
    | perm(R.AUTOMATIONS, *_CRUD, A.MANAGE)
)
_MARKETING_READ = (
    perm(R.CAMPAIGNS, A.READ, A.EXPORT) | perm(R.SEGMENTS, A.READ) | perm(R.MESSAGE_TEMPLATES, A.READ)
    | perm(R.AUTOMATIONS, A.READ)
)  # fmt: skip


def _business(actions: tuple[Action, ...], resources: tuple[Resource, ...] = _BUSINESS) -> set[str]:
    return set().union(*(perm(r, *actions) for r in resources))


def _ranges(range_: str, resources: tuple[Resource, ...] = _BUSINESS) -> dict[str, dict[str, Any]]:
    return {str(r): {"range": range_} for r in resources}


SYSTEM_ROLES: dict[str, dict[str, Any]] = {
    "admin": {
        "name": "Administrator",
        "permissions": set(ALL_PERMISSIONS),
        "data_ranges": _ranges("all", (*_BUSINESS, R.TICKETS, R.CAMPAIGNS)),
    },
    "sales_director": {
        "name": "Sales director",
        "permissions": _business((*_CRUD, A.EXPORT, A.IMPORT, A.ASSIGN))
        | perm(R.LEADS, A.MANAGE)
        | perm(R.PIPELINES, A.READ, A.MANAGE)
        | perm(R.TARGETS, A.READ, A.MANAGE)
        | perm(R.FORECAST, A.READ)
        | _TICKETS_READ
        | _CAMPAIGNS_READ
        | _DIRECTORY
        | _REPORTS_SHARE
        | _OWN_TOKENS,
        "data_ranges": _ranges("all", (*_BUSINESS, R.TICKETS, R.CAMPAIGNS)),
    },
    "sales_manager": {
        "name": "Sales manager",
        "permissions": _business((*_CRUD, A.EXPORT, A.IMPORT, A.ASSIGN))
        | _PIPELINES
        | _FORECAST
        | _TICKETS_READ
        | _CAMPAIGNS_READ
        | _DIRECTORY
        | _REPORTS_SHARE
        | _OWN_TOKENS,
        "data_ranges": _ranges("department", (*_BUSINESS, R.TICKETS)) | _ranges("all", (R.CAMPAIGNS,)),
    },
    "sales_rep": {
        "name": "Sales representative",
        "permissions": _business(_CRUD)
        | _PIPELINES
        | _FORECAST
        | _TICKETS_READ
        | _CAMPAIGNS_READ
        | _DIRECTORY
        | _REPORTS
        | _OWN_TOKENS,
        "data_ranges": _ranges("own", (*_BUSINESS, R.TICKETS)) | _ranges("all", (R.CAMPAIGNS,)),
    },
    "service_manager": {
        "name": "Service manager",
        "permissions": _business((A.READ,), (R.CUSTOMERS, R.CONTACTS))
        | _business((*_CRUD, A.ASSIGN), (R.ACTIVITIES,))
        # The team's tickets; manage: categories, SLA policies, the calendar, assignment rules.
        | perm(R.TICKETS, *_CRUD, A.ASSIGN, A.EXPORT, A.MANAGE)
        | _SERVICE_CONTENT_MANAGE
        | _DIRECTORY
        | _REPORTS_SHARE
        | _OWN_TOKENS,
        "data_ranges": _ranges("all", (R.CUSTOMERS, R.CONTACTS)) | _ranges("department", (R.ACTIVITIES, R.TICKETS)),
    },
    "service_agent": {
        "name": "Service agent",
        "permissions": _business((A.READ,), (R.CUSTOMERS, R.CONTACTS))
        | _business(_CRUD, (R.ACTIVITIES,))
        | perm(R.TICKETS, *_CRUD)
        | _SERVICE_CONTENT_READ
        | perm(R.SURVEYS, A.CREATE)  # log call-backs
        | _DIRECTORY
        | _REPORTS
        | _OWN_TOKENS,
        "data_ranges": _ranges("all", (R.CUSTOMERS, R.CONTACTS)) | _ranges("own", (R.ACTIVITIES, R.TICKETS)),
    },
    "marketer": {
        "name": "Marketer",
        # Marketing captures and imports leads for the sales team (keeping the web forms, scoring
        # and routing rules) and reads what became of them.
        "permissions": _business((A.READ, A.EXPORT), (R.CUSTOMERS, R.CONTACTS))
        | perm(R.LEADS, *_CRUD, A.IMPORT, A.EXPORT, A.ASSIGN, A.MANAGE)
        | _MARKETING
        | _PIPELINES
        # Attribution and ROI: the deals campaigns brought (read-only); event satisfaction surveys.
        | perm(R.OPPORTUNITIES, A.READ)
        | perm(R.SURVEYS, A.READ)
        | _DIRECTORY
        | _REPORTS_SHARE
        | _OWN_TOKENS,
        "data_ranges": _ranges("all", (R.CUSTOMERS, R.CONTACTS, R.LEADS, R.OPPORTUNITIES, R.CAMPAIGNS)),
    },
    "analyst": {
        "name": "Analyst",
        "permissions": _business((A.READ, A.EXPORT), (*_BUSINESS, R.TICKETS))
        | _MARKETING_READ
        | _PIPELINES
        | _FORECAST
        | _SERVICE_CONTENT_READ
        | _DIRECTORY
        | perm(R.ROLES, A.READ)
        | perm(R.AUDIT_LOG, A.READ)
        | _REPORTS_SHARE
        | _OWN_TOKENS,
        "data_ranges": _ranges("all", (*_BUSINESS, R.TICKETS, R.CAMPAIGNS)),
    },
    # Separation of duties (MLPS 2.0, 三员分立): three administrators, none of whom reaches
    # business data alone, and none of whom can grant what it does not hold
    # (app/domain/identity/grants.py).
    # System administrator: accounts, departments, regions, settings; no business data.
    "system_admin": {
        "name": "System administrator",
        "permissions": perm(R.USERS, *_CRUD, A.MANAGE)
        | perm(R.DEPARTMENTS, *_CRUD, A.MANAGE)
        | perm(R.REGIONS, *_CRUD, A.MANAGE)
        | perm(R.ROLES, A.READ)
        | perm(R.CUSTOM_FIELDS, *_CRUD, A.MANAGE)
        | perm(R.SETTINGS, A.READ, A.UPDATE, A.MANAGE)
        | perm(R.API_TOKENS, A.READ, A.CREATE, A.DELETE, A.MANAGE),
        "data_ranges": {},
    },
    # Security administrator: roles and who holds them (any role, to others only); cannot create
    # accounts or touch passwords (no users:create / users:update); no business data.
    "security_admin": {
        "name": "Security administrator",
        "permissions": perm(R.ROLES, *_CRUD, A.MANAGE)
        | perm(R.USERS, A.READ, A.MANAGE)
        | perm(R.DEPARTMENTS, A.READ)
        | perm(R.REGIONS, A.READ)
        | _OWN_TOKENS,
        "data_ranges": {},
    },
    # Audit administrator: reads the audit log and security events, nothing else (business
    # field values in the log stay hidden without read on their resource).
    "audit_admin": {
        "name": "Audit administrator",
        "permissions": perm(R.AUDIT_LOG, A.READ) | perm(R.USERS, A.READ),  # users: to name the actors
        "data_ranges": {},
    },
}

# The tenant's owner: the one role that may grant anything.
OWNER_ROLE = "admin"
SECURITY_ADMIN_ROLE = "security_admin"
