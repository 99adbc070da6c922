"""/api/v1/lead-scoring-rules, /lead-assignment-rules and /lead-forms: the lists an
administrator keeps for leads (leads:manage to change), each the four routes of
app/api/v1/configured.py around a ConfiguredRecords service."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.idempotency import IdempotentRoute
from app.api.services import AssignmentRules, LeadForms, ScoringRules
from app.api.v1.configured import configured_routes
from app.api.v1.schemas.leads import (
    AssignmentRuleCreate,
    AssignmentRuleList,
    AssignmentRuleOut,
    AssignmentRulePatch,
    LeadFormCreate,
    LeadFormList,
    LeadFormOut,
    LeadFormPatch,
    ScoringRuleCreate,
    ScoringRuleList,
    ScoringRuleOut,
    ScoringRulePatch,
)

router = APIRouter(route_class=IdempotentRoute, tags=["leads"])


configured_routes(
    router,
    "lead-scoring-rules",
    "lead_scoring_rules",
    "lead scoring rules (a change rescores the open leads in the background)",
    ScoringRules,
    (ScoringRuleCreate, ScoringRulePatch),
    (ScoringRuleOut, ScoringRuleList),
    read="leads:read",
    manage="leads:manage",
)
configured_routes(
    router,
    "lead-assignment-rules",
    "lead_assignment_rules",
    "lead assignment rules, tried in position order",
    AssignmentRules,
    (AssignmentRuleCreate, AssignmentRulePatch),
    (AssignmentRuleOut, AssignmentRuleList),
    read="leads:read",
    manage="leads:manage",
)
configured_routes(
    router,
    "lead-forms",
    "lead_forms",
    "public lead forms",
    LeadForms,
    (LeadFormCreate, LeadFormPatch),
    (LeadFormOut, LeadFormList),
    read="leads:manage",
    manage="leads:manage",
)
