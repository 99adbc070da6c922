"""/api/v1/ticket-categories, /sla-policies, /ticket-assignment-rules, /ticket-escalation-rules
(the four routes of app/api/v1/configured.py each) and /ticket-calendar (one per tenant: GET and PUT): what a service
manager keeps for tickets (tickets:manage to change, tickets:read to see)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import json_response
from app.api.services import Calendars, EscalationRules, SlaPolicies, TicketCategories, TicketRules
from app.api.v1.configured import configured_routes
from app.api.v1.schemas.tickets import (
    CalendarBody,
    CategoryCreate,
    CategoryList,
    CategoryOut,
    CategoryPatch,
    EscalationRuleCreate,
    EscalationRuleList,
    EscalationRuleOut,
    EscalationRulePatch,
    SlaPolicyCreate,
    SlaPolicyList,
    SlaPolicyOut,
    SlaPolicyPatch,
    TicketCalendarOut,
    TicketRuleCreate,
    TicketRuleList,
    TicketRuleOut,
    TicketRulePatch,
)
from app.auth.principal import Principal

router = APIRouter(route_class=IdempotentRoute, tags=["tickets"])

configured_routes(
    router,
    "ticket-categories",
    "ticket_categories",
    "ticket categories (a tree: parent_id)",
    TicketCategories,
    (CategoryCreate, CategoryPatch),
    (CategoryOut, CategoryList),
    read="tickets:read",
    manage="tickets:manage",
)
configured_routes(
    router,
    "sla-policies",
    "sla_policies",
    "SLA policies: business-minute targets per priority (and optionally customer level)",
    SlaPolicies,
    (SlaPolicyCreate, SlaPolicyPatch),
    (SlaPolicyOut, SlaPolicyList),
    read="tickets:read",
    manage="tickets:manage",
)
configured_routes(
    router,
    "ticket-assignment-rules",
    "ticket_assignment_rules",
    "ticket assignment rules, tried in position order",
    TicketRules,
    (TicketRuleCreate, TicketRulePatch),
    (TicketRuleOut, TicketRuleList),
    read="tickets:read",
    manage="tickets:manage",
)
configured_routes(
    router,
    "ticket-escalation-rules",
    "ticket_escalation_rules",
    "ticket escalation rules, applied by the worker in position order, each at most once per ticket",
    EscalationRules,
    (EscalationRuleCreate, EscalationRulePatch),
    (EscalationRuleOut, EscalationRuleList),
    read="tickets:read",
    manage="tickets:manage",
)


@router.get(
    "/ticket-calendar",
    operation_id="ticket_calendar_get",
    response_model=TicketCalendarOut,
    summary="The business calendar the SLA clocks run on (defaults until saved)",
    responses=problem_responses(401, 403),
)
async def get_calendar(caller: Annotated[Principal, requires("tickets:read")], service: Calendars) -> Response:
    return json_response(await service.get(caller))


@router.put(
    "/ticket-calendar",
    operation_id="ticket_calendar_put",
    response_model=TicketCalendarOut,
    summary="Set the business calendar: weekdays, hours, time zone, holidays, reopen window",
    description="Applies to due times computed from now on (new tickets, priority changes, pauses).",
    responses=problem_responses(401, 403, 413, 422),
)
async def put_calendar(
    body: CalendarBody, caller: Annotated[Principal, requires("tickets:manage")], service: Calendars
) -> Response:
    return json_response(await service.put(caller, body.model_dump()))
