"""FastAPI dependencies for the use-case services: each builds its service (app/composition.py) on
the request's connection. Routers depend on the Annotated aliases at the bottom and nothing lower.

Providers are `async def` on purpose: FastAPI runs plain `def` dependencies in a thread pool,
a thread hop per request for what is only object construction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.api.deps import AppSettings, Connection, get_engine, get_read_engine
from app.composition import (
    build_activity_analysis_service,
    build_activity_service,
    build_api_token_service,
    build_assignment_rule_service,
    build_audit_log_service,
    build_auth_service,
    build_automation_service,
    build_book_transfer,
    build_bounce_webhook,
    build_calendar_service,
    build_call_back_service,
    build_campaign_member_service,
    build_campaign_service,
    build_campaign_session_service,
    build_campaign_stats_service,
    build_consent_service,
    build_contact_service,
    build_custom_field_service,
    build_customer_analytics_service,
    build_customer_service,
    build_dashboard_service,
    build_department_service,
    build_escalation_rule_service,
    build_event_satisfaction,
    build_forecast_history_service,
    build_forecast_service,
    build_home_service,
    build_invitation_service,
    build_kb_category_service,
    build_kb_service,
    build_lead_analysis_service,
    build_lead_capture,
    build_lead_form_service,
    build_lead_service,
    build_message_template_service,
    build_notification_service,
    build_opportunity_service,
    build_order_service,
    build_password_link_service,
    build_pipeline_service,
    build_public_surveys,
    build_public_unsubscribe,
    build_quote_service,
    build_reason_service,
    build_region_service,
    build_registration_service,
    build_report_service,
    build_role_service,
    build_sales_analysis_service,
    build_sales_plan_service,
    build_scoring_rule_service,
    build_segment_service,
    build_send_service,
    build_sla_policy_service,
    build_sms_settings_service,
    build_suppression_service,
    build_survey_results,
    build_survey_service,
    build_target_service,
    build_tenant_service,
    build_ticket_category_service,
    build_ticket_rule_service,
    build_ticket_service,
    build_ticket_stats_service,
    build_timeline_service,
    build_user_service,
    build_webhook_secret_service,
    link_signer,
)
from app.domain.activities.service import ActivityService
from app.domain.analytics.activity_analysis import ActivityAnalysisService
from app.domain.analytics.customer_service import CustomerAnalyticsService
from app.domain.analytics.dashboards import DashboardService
from app.domain.analytics.deal_reasons import ReasonService
from app.domain.analytics.home import HomeService
from app.domain.analytics.lead_analysis import LeadAnalysisService
from app.domain.analytics.report_service import ReportService
from app.domain.analytics.sales import SalesAnalysisService
from app.domain.contacts.service import ContactService
from app.domain.custom_fields.service import CustomFieldService
from app.domain.customers.service import CustomerService
from app.domain.forecast.history import ForecastHistoryService
from app.domain.forecast.service import ForecastService
from app.domain.forecast.targets import TargetService
from app.domain.identity.api_tokens import ApiTokenService
from app.domain.identity.audit_log import AuditLogService
from app.domain.identity.auth import AuthService
from app.domain.identity.departments import DepartmentService
from app.domain.identity.password_links import PasswordLinkService
from app.domain.identity.regions import RegionService
from app.domain.identity.roles import RoleService
from app.domain.identity.tenants import TenantService
from app.domain.identity.users import UserService
from app.domain.kb.service import KbCategoryService, KbService
from app.domain.leads.capture import LeadCapture
from app.domain.leads.forms import LeadFormService
from app.domain.leads.routing import AssignmentRuleService
from app.domain.leads.scoring_rules import ScoringRuleService
from app.domain.leads.service import LeadService
from app.domain.marketing.automations import AutomationService
from app.domain.marketing.bounces import BounceWebhook, WebhookSecretService
from app.domain.marketing.campaigns import CampaignService, MemberService, SessionService
from app.domain.marketing.consent import ConsentService
from app.domain.marketing.links import LinkSigner
from app.domain.marketing.registration.service import RegistrationService
from app.domain.marketing.satisfaction import EventSatisfaction
from app.domain.marketing.segments import SegmentService
from app.domain.marketing.sends import SendService
from app.domain.marketing.sms import SmsSettingsService
from app.domain.marketing.stats import CampaignStatsService
from app.domain.marketing.suppressions import SuppressionService
from app.domain.marketing.template_service import MessageTemplateService
from app.domain.marketing.unsubscribe import PublicUnsubscribe
from app.domain.notifications.service import NotificationService
from app.domain.opportunities.service import OpportunityService
from app.domain.pipelines.service import PipelineService
from app.domain.plans.service import SalesPlanService
from app.domain.quotes.service import OrderService, QuoteService
from app.domain.shared.book import BookTransfer
from app.domain.surveys.service import (
    CallBackService,
    InvitationService,
    PublicSurveys,
    ResultsService,
    SurveyService,
)
from app.domain.tickets.service import TicketAssignmentRuleService, TicketService
from app.domain.tickets.settings import CalendarService, CategoryService, EscalationRuleService, SlaPolicyService
from app.domain.tickets.stats import TicketStatsService
from app.domain.timeline.service import TimelineService
from app.settings import Settings

T = TypeVar("T")


def _on_connection(build: Callable[[AsyncConnection], T]) -> Any:
    async def provide(conn: Connection) -> T:
        return build(conn)

    return Depends(provide)


def _with_limiter(build: Callable[[AsyncConnection, AsyncEngine], T]) -> Any:
    """A service that also counts rate-limit hits. They go to the autocommit engine's pool, not
    the request's transaction: a refused or failed request still counts, and a request holding a
    write connection never waits for a second one from the same pool (32 concurrent public form
    posts starved the write pool that way)."""

    async def provide(request: Request, conn: Connection) -> T:
        return build(conn, get_read_engine(request))

    return Depends(provide)


def _with_engine(build: Callable[[AsyncConnection, AsyncEngine, Settings], T]) -> Any:
    async def provide(request: Request, conn: Connection, settings: AppSettings) -> T:
        return build(conn, get_engine(request), settings)

    return Depends(provide)


Customers = Annotated[CustomerService, _on_connection(build_customer_service)]
Books = Annotated[BookTransfer, _on_connection(build_book_transfer)]
CustomFields = Annotated[CustomFieldService, _on_connection(build_custom_field_service)]
Contacts = Annotated[ContactService, _on_connection(build_contact_service)]
Activities = Annotated[ActivityService, _on_connection(build_activity_service)]
Timeline = Annotated[TimelineService, _on_connection(build_timeline_service)]
Leads = Annotated[LeadService, _on_connection(build_lead_service)]
ScoringRules = Annotated[ScoringRuleService, _on_connection(build_scoring_rule_service)]
AssignmentRules = Annotated[AssignmentRuleService, _on_connection(build_assignment_rule_service)]
LeadForms = Annotated[LeadFormService, _on_connection(build_lead_form_service)]
Capture = Annotated[LeadCapture, _with_limiter(build_lead_capture)]
Pipelines = Annotated[PipelineService, _on_connection(build_pipeline_service)]
Opportunities = Annotated[OpportunityService, _on_connection(build_opportunity_service)]
Targets = Annotated[TargetService, _on_connection(build_target_service)]
Forecasts = Annotated[ForecastService, _on_connection(build_forecast_service)]
ForecastHistory = Annotated[ForecastHistoryService, _on_connection(build_forecast_history_service)]
LeadAnalysis = Annotated[LeadAnalysisService, _on_connection(build_lead_analysis_service)]
ActivityAnalysis = Annotated[ActivityAnalysisService, _on_connection(build_activity_analysis_service)]
DealReasons = Annotated[ReasonService, _on_connection(build_reason_service)]
Notifications = Annotated[NotificationService, _on_connection(build_notification_service)]
Quotes = Annotated[QuoteService, _on_connection(build_quote_service)]
Orders = Annotated[OrderService, _on_connection(build_order_service)]
SalesPlans = Annotated[SalesPlanService, _on_connection(build_sales_plan_service)]
Tickets = Annotated[TicketService, _on_connection(build_ticket_service)]
CustomerAnalytics = Annotated[CustomerAnalyticsService, _on_connection(build_customer_analytics_service)]
TicketStatistics = Annotated[TicketStatsService, _on_connection(build_ticket_stats_service)]
SalesAnalysis = Annotated[SalesAnalysisService, _on_connection(build_sales_analysis_service)]
TicketCategories = Annotated[CategoryService, _on_connection(build_ticket_category_service)]
SlaPolicies = Annotated[SlaPolicyService, _on_connection(build_sla_policy_service)]
TicketRules = Annotated[TicketAssignmentRuleService, _on_connection(build_ticket_rule_service)]
EscalationRules = Annotated[EscalationRuleService, _on_connection(build_escalation_rule_service)]
Calendars = Annotated[CalendarService, _on_connection(build_calendar_service)]
Surveys = Annotated[SurveyService, _on_connection(build_survey_service)]
Invitations = Annotated[InvitationService, _on_connection(build_invitation_service)]
PublicSurveyLinks = Annotated[PublicSurveys, _with_limiter(build_public_surveys)]
CallBacks = Annotated[CallBackService, _on_connection(build_call_back_service)]
SurveyResults = Annotated[ResultsService, _on_connection(build_survey_results)]
CampaignStats = Annotated[CampaignStatsService, _on_connection(build_campaign_stats_service)]
CampaignSurveys = Annotated[EventSatisfaction, _on_connection(build_event_satisfaction)]
KnowledgeBase = Annotated[KbService, _on_connection(build_kb_service)]
KbCategories = Annotated[KbCategoryService, _on_connection(build_kb_category_service)]
Segments = Annotated[SegmentService, _on_connection(build_segment_service)]
Reports = Annotated[ReportService, _on_connection(build_report_service)]
Home = Annotated[HomeService, _on_connection(build_home_service)]
Dashboards = Annotated[DashboardService, _on_connection(build_dashboard_service)]

Auth = Annotated[AuthService, _with_engine(build_auth_service)]


async def _tenants(request: Request, conn: Connection, settings: AppSettings) -> TenantService:
    return build_tenant_service(conn, get_engine(request), settings, get_read_engine(request))


Tenants = Annotated[TenantService, Depends(_tenants)]


async def _users(conn: Connection, settings: AppSettings) -> UserService:
    return build_user_service(conn, settings)


async def _password_links(request: Request, conn: Connection, settings: AppSettings) -> PasswordLinkService:
    return build_password_link_service(conn, settings, limits=get_read_engine(request))


async def _registrations(request: Request, conn: Connection, settings: AppSettings) -> RegistrationService:
    return build_registration_service(conn, settings, limits=get_read_engine(request))


Registrations = Annotated[RegistrationService, Depends(_registrations)]
Users = Annotated[UserService, Depends(_users)]
PasswordLinks = Annotated[PasswordLinkService, Depends(_password_links)]
Departments = Annotated[DepartmentService, _on_connection(build_department_service)]
Regions = Annotated[RegionService, _on_connection(build_region_service)]
Roles = Annotated[RoleService, _on_connection(build_role_service)]
ApiTokens = Annotated[ApiTokenService, _on_connection(build_api_token_service)]
AuditLog = Annotated[AuditLogService, _on_connection(build_audit_log_service)]


async def _message_templates(conn: Connection, settings: AppSettings) -> MessageTemplateService:
    return build_message_template_service(conn, settings)


MessageTemplates = Annotated[MessageTemplateService, Depends(_message_templates)]
Automations = Annotated[AutomationService, _on_connection(build_automation_service)]
Campaigns = Annotated[CampaignService, _on_connection(build_campaign_service)]
CampaignSessions = Annotated[SessionService, _on_connection(build_campaign_session_service)]
CampaignMembers = Annotated[MemberService, _on_connection(build_campaign_member_service)]


# -- marketing: consent, suppressions, unsubscribe, bounces --------------------------------------


def signer_of_app(app: Any) -> LinkSigner:
    """One signer per app (its keys are the settings'), built on first use."""
    signer: LinkSigner | None = getattr(app.state, "link_signer", None)
    if signer is None:
        signer = app.state.link_signer = link_signer(app.state.settings)
    return signer


async def _unsubscribe(request: Request, conn: Connection) -> PublicUnsubscribe:
    return build_public_unsubscribe(conn, get_read_engine(request), signer_of_app(request.app))


Consents = Annotated[ConsentService, _on_connection(build_consent_service)]
Suppressions = Annotated[SuppressionService, _on_connection(build_suppression_service)]
Unsubscribes = Annotated[PublicUnsubscribe, Depends(_unsubscribe)]
Bounces = Annotated[BounceWebhook, _on_connection(build_bounce_webhook)]
WebhookSecrets = Annotated[WebhookSecretService, _on_connection(build_webhook_secret_service)]
Sends = Annotated[SendService, _on_connection(build_send_service)]
SmsSettings = Annotated[SmsSettingsService, _on_connection(build_sms_settings_service)]
