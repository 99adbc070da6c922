"""The built-in widgets: what Home and user dashboards show, who may see each, and which a role's
Home holds.

A widget is a key and the permissions it reads with; its figures are computed within the caller's
range on the resource it counts (app/domain/analytics/home.py), so the same widget shows a rep
their own deals and a manager their department's. A caller lacking a widget's permissions does
not get it on Home, and a dashboard item naming it answers `"denied"` instead of data.
"""

from __future__ import annotations

from enum import StrEnum

from app.auth.principal import Principal
from app.domain.shared.scope import DataRange


class Widget(StrEnum):
    PIPELINE_BY_STAGE = "pipeline_by_stage"  # open deals per stage: count, amount per currency
    CLOSING_THIS_MONTH = "closing_this_month"  # deals expected to close this month (the forecast)
    ATTAINMENT = "attainment"  # won this month against the targets (the forecast)
    PER_REP = "per_rep"  # the forecast's figures per owner within range
    LEADS_TO_WORK = "leads_to_work"  # new and contacted leads
    TODAY = "today"  # planned tasks and appointments today
    OVERDUE = "overdue"  # planned tasks and appointments past their time
    TICKET_QUEUE = "ticket_queue"  # open tickets: unassigned, mine, all in range
    SLA_WARNINGS = "sla_warnings"  # open tickets breached or due within hours
    CSAT = "csat"  # the ticket CSAT survey's last 30 days
    CAMPAIGNS_RUNNING = "campaigns_running"
    LEADS_BY_SOURCE = "leads_by_source"  # leads this month per source, and how many converted


NEEDS: dict[Widget, tuple[str, ...]] = {
    Widget.PIPELINE_BY_STAGE: ("opportunities:read",),
    Widget.CLOSING_THIS_MONTH: ("opportunities:read",),
    Widget.ATTAINMENT: ("opportunities:read", "forecast:read"),
    Widget.PER_REP: ("opportunities:read", "forecast:read"),
    Widget.LEADS_TO_WORK: ("leads:read",),
    Widget.TODAY: ("activities:read",),
    Widget.OVERDUE: ("activities:read",),
    Widget.TICKET_QUEUE: ("tickets:read",),
    Widget.SLA_WARNINGS: ("tickets:read",),
    Widget.CSAT: ("tickets:read", "surveys:read"),
    Widget.CAMPAIGNS_RUNNING: ("campaigns:read",),
    Widget.LEADS_BY_SOURCE: ("leads:read", "campaigns:read"),
}

W = Widget
_SELLING = (W.PIPELINE_BY_STAGE, W.CLOSING_THIS_MONTH, W.ATTAINMENT, W.LEADS_TO_WORK, W.TODAY, W.OVERDUE)
_SERVICE = (W.TICKET_QUEUE, W.SLA_WARNINGS, W.CSAT, W.TODAY, W.OVERDUE)
# Home per system role (issue 15): a rep their own, a manager the department and each rep, the
# director the company; agents their queue, SLA and CSAT, the service manager the team's; the
# marketer campaigns, leads by source and conversion; the analyst (and the owner) everything.
# Roles not named here (custom roles) get every widget their permissions allow; the separated
# administrators, who see no business data, get none.
HOME: dict[str, tuple[Widget, ...]] = {
    "sales_rep": _SELLING,
    "sales_manager": (*_SELLING[:3], W.PER_REP, *_SELLING[3:]),
    "sales_director": (*_SELLING[:3], W.PER_REP, *_SELLING[3:]),
    "service_agent": _SERVICE,
    "service_manager": _SERVICE,
    "marketer": (W.CAMPAIGNS_RUNNING, W.LEADS_BY_SOURCE, W.LEADS_TO_WORK),
    "analyst": tuple(Widget),
    "admin": tuple(Widget),
    "system_admin": (),
    "security_admin": (),
    "audit_admin": (),
}


def allowed(principal: Principal, widget: Widget) -> bool:
    return all(principal.can(*need.split(":")) for need in NEEDS[widget])


def home_widgets(principal: Principal) -> list[Widget]:
    """The caller's Home: the union of their roles' sets, in their order, each widget only if
    its permissions are held (an API token's scopes narrow them too). Per-rep figures only for a
    range wider than one's own deals."""
    wanted: dict[Widget, None] = {}  # ordered: each role's set in its order, then the next role's
    for role in principal.roles:
        wanted.update(dict.fromkeys(HOME.get(role.key, tuple(Widget))))
    narrow = (DataRange.NONE, DataRange.OWN)
    if principal.can("opportunities", "read") and principal.scope("opportunities", "read").widest in narrow:
        wanted.pop(W.PER_REP, None)
    return [w for w in wanted if allowed(principal, w)]
