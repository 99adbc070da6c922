"""The composition root: each use-case service wired to its PostgreSQL adapters on a connection.
The API (app/api/services.py, per request), the worker (app/worker.py) and the CLI (app/admin.py)
build their services here and nowhere else.

Adapters run on the given connection (one transaction for writes, committed by the caller), except
the security log, which is handed the engine for the records that must outlive a failed request
(login failures, refresh-token family revocations), and the rate limiter, which counts on the
autocommit engine so a refused or failed request still counts."""

from __future__ import annotations

import os
import socket
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.auth.jwt_tokens import issue_access_token
from app.auth.principal import Principal
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
from app.domain.identity.auth import AuthPolicy, AuthService
from app.domain.identity.departments import DepartmentService
from app.domain.identity.password_links import LinkPolicy, PasswordLinkService
from app.domain.identity.ports import Mailer
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
from app.domain.marketing.attribution import Attribution
from app.domain.marketing.automation_actions import AutomationActions
from app.domain.marketing.automations import AutomationService
from app.domain.marketing.bounces import BounceWebhook, WebhookSecretService
from app.domain.marketing.campaigns import CampaignService, MemberService, SessionService
from app.domain.marketing.consent import ConsentRecorder, ConsentService
from app.domain.marketing.delivery import ChannelSession, Runner
from app.domain.marketing.links import LinkSigner
from app.domain.marketing.registration.service import RegistrationService
from app.domain.marketing.satisfaction import EventSatisfaction
from app.domain.marketing.segments import Audience, SegmentService
from app.domain.marketing.sends import SendService
from app.domain.marketing.sms import SmsProviderSettings, SmsSession, SmsSettingsService
from app.domain.marketing.stats import CampaignStatsService
from app.domain.marketing.suppressions import SuppressionService
from app.domain.marketing.template_service import MessageTemplateService
from app.domain.marketing.tracked import TrackedLinks
from app.domain.marketing.tracking import Tracking
from app.domain.marketing.unsubscribe import PublicUnsubscribe
from app.domain.notifications.service import NotificationService
from app.domain.opportunities.service import OpportunityService
from app.domain.pipelines.service import PipelineService
from app.domain.plans.service import SalesPlanService
from app.domain.quotes.service import OrderService, QuoteService
from app.domain.shared.book import BookKind, BookTransfer, OwnerTransfer
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.ids import new_id
from app.domain.shared.scope import DataScope
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
from app.mail import CampaignHeaders, DirectoryMailer, SmtpMailer, build_mailer, open_bulk_session
from app.repositories.activities import PgActivityRepository, PgLinkedRecords
from app.repositories.activity_analysis import PgActivityAnalysis
from app.repositories.api_tokens import PgApiTokenRepository
from app.repositories.attribution import PgCampaignDirectory, PgTouchRepository
from app.repositories.audit import PgAuditTrail, PgEventOutbox
from app.repositories.audit_query import PgAuditLogReader
from app.repositories.automations import (
    PgAutomationRepository,
    PgMemberWriter,
    PgOwners,
    PgReachability,
    PgRecordGate,
    PgReferences,
    PgRunRepository,
)
from app.repositories.campaign_stats import PgCampaignStats, PgSurveyQuestions
from app.repositories.campaign_surveys import PgCampaignSurveys
from app.repositories.campaigns import PgCampaignRepository, PgCampaignSessionRepository, PgMemberRepository
from app.repositories.conditions import ENTITY_TABLES
from app.repositories.contacts import PgContactRepository
from app.repositories.custom_fields import PgCustomFieldRepository
from app.repositories.customer_analytics import PgCustomerAnalytics
from app.repositories.customers import PgCustomerRepository, PgWriteContextRepository
from app.repositories.dashboards import PgDashboardRepository
from app.repositories.deal_reasons import PgReasons
from app.repositories.departments import PgDepartmentRepository
from app.repositories.documents import PgNumbering, PgOrderRepository, PgQuoteRepository
from app.repositories.forecast import PgForecastRepository, PgTargetRepository
from app.repositories.forecast_history import PgSnapshots
from app.repositories.home_widgets import PgHomeFigures
from app.repositories.kb import PgArticleRepository, PgKbCategoryRepository, PgTicketLinkRepository
from app.repositories.lead_analysis import PgLeadAnalysis
from app.repositories.leads import (
    PgAssignmentRuleRepository,
    PgLeadDuplicateFinder,
    PgLeadFormGate,
    PgLeadFormRepository,
    PgLeadRepository,
    PgScoringRuleRepository,
)
from app.repositories.marketing_consent import (
    PgConsentRepository,
    PgDeliveryRepository,
    PgMemberFunnel,
    PgSuppressionRepository,
    PgWebhookSecrets,
)
from app.repositories.message_sends import PgDeliveryStore, PgSendRepository, PgSmsSettings
from app.repositories.message_templates import PgMessageTemplateRepository, PgRecipientDirectory
from app.repositories.notifications import PgNotificationRepository
from app.repositories.opportunities import PgOpportunityRepository
from app.repositories.password_links import PgPasswordLinkRepository
from app.repositories.pipelines import PgPipelineRepository
from app.repositories.plans import PgSalesPlanRepository
from app.repositories.rate_limits import PgRateLimiter
from app.repositories.regions import PgRegionRepository
from app.repositories.registration import PgRegistrationRepository
from app.repositories.reports import PgReportReader, PgSavedReportRepository
from app.repositories.roles import PgRoleRepository
from app.repositories.sales_analysis import PgSalesAnalysis
from app.repositories.segments import PgAudienceRepository, PgSegmentRepository, matching
from app.repositories.sessions import PgSecurityLog, PgSessionRepository
from app.repositories.surveys import (
    PgCallBackRepository,
    PgInvitationRepository,
    PgResponseRepository,
    PgSurveyRepository,
    PgSurveyResults,
)
from app.repositories.tenants import PgTenantRepository
from app.repositories.ticket_stats import PgTicketStats
from app.repositories.tickets import (
    PgCalendarRepository,
    PgCategoryRepository,
    PgCommentRepository,
    PgEscalationRuleRepository,
    PgSlaPolicyRepository,
    PgTicketAssignmentRuleRepository,
    PgTicketRepository,
)
from app.repositories.timeline import PgTimelineRepository
from app.repositories.tracking import PgTrackingRecorder
from app.repositories.users import PgUserRepository
from app.settings import Settings
from app.sms import HttpSmsProvider, LogSmsProvider


def build_customer_service(conn: AsyncConnection) -> CustomerService:
    return CustomerService(
        PgCustomerRepository(conn),
        PgWriteContextRepository(conn),
        PgAuditTrail(conn),
        PgEventOutbox(conn),
        contacts=build_contact_service(conn),
    )


def build_contact_service(conn: AsyncConnection) -> ContactService:
    return ContactService(
        PgContactRepository(conn),
        PgCustomerRepository(conn),
        PgWriteContextRepository(conn),
        PgAuditTrail(conn),
        PgEventOutbox(conn),
    )


def build_activity_service(conn: AsyncConnection) -> ActivityService:
    return ActivityService(
        PgActivityRepository(conn),
        PgCustomerRepository(conn),
        PgContactRepository(conn),
        PgLinkedRecords(conn),
        PgWriteContextRepository(conn),
        PgAuditTrail(conn),
        PgEventOutbox(conn),
    )


def build_lead_service(conn: AsyncConnection) -> LeadService:
    return LeadService(
        PgLeadRepository(conn), PgScoringRuleRepository(conn), PgAssignmentRuleRepository(conn),
        PgLeadDuplicateFinder(conn), PgWriteContextRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn),
        customers=build_customer_service(conn), contacts=build_contact_service(conn),
        opportunities=build_opportunity_service(conn), attribution=build_attribution(conn),
    )  # fmt: skip


def build_attribution(conn: AsyncConnection) -> Attribution:
    """Campaign attribution: validation of campaign ids, and `touch` for registrations, clicks and forms."""
    return Attribution(PgCampaignDirectory(conn), PgTouchRepository(conn), PgAuditTrail(conn))


def build_campaign_stats_service(conn: AsyncConnection) -> CampaignStatsService:
    return CampaignStatsService(PgCampaignStats(conn), PgSurveyQuestions(conn))


def build_event_satisfaction(conn: AsyncConnection) -> EventSatisfaction:
    return EventSatisfaction(PgCampaignSurveys(conn), PgSurveyRepository(conn), PgAuditTrail(conn))


def build_scoring_rule_service(conn: AsyncConnection) -> ScoringRuleService:
    return ScoringRuleService(PgScoringRuleRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn))


def build_assignment_rule_service(conn: AsyncConnection) -> AssignmentRuleService:
    return AssignmentRuleService(PgAssignmentRuleRepository(conn), PgAuditTrail(conn))


def build_lead_form_service(conn: AsyncConnection) -> LeadFormService:
    return LeadFormService(PgLeadFormRepository(conn), PgAuditTrail(conn), PgCampaignDirectory(conn))


def build_lead_capture(conn: AsyncConnection, limits: AsyncEngine) -> LeadCapture:
    return LeadCapture(PgLeadFormGate(limits), build_lead_service(conn))


def link_signer(settings: Settings) -> LinkSigner:
    """The signer of campaign messages' public links: the first CRM_JWT_KEYS key signs, all verify."""
    return LinkSigner(settings.verification_keys, settings.signing_key[0])


def build_registration_service(
    conn: AsyncConnection, settings: Settings, *, limits: AsyncEngine | None = None, mailer: Mailer | None = None
) -> RegistrationService:
    """`limits`: the autocommit engine counting public registrations per address (the API's);
    `mailer`: the worker's, which sends the registrants' e-mails."""
    return RegistrationService(
        PgRegistrationRepository(conn), PgLeadDuplicateFinder(conn), build_lead_service(conn),
        PgRateLimiter(limits) if limits is not None else None, PgAuditTrail(conn), build_consent_recorder(conn),
        build_attribution(conn), link_signer(settings), settings.public_url, mailer=mailer,
    )  # fmt: skip


def build_pipeline_service(conn: AsyncConnection) -> PipelineService:
    return PipelineService(PgPipelineRepository(conn), PgAuditTrail(conn))


def build_opportunity_service(conn: AsyncConnection) -> OpportunityService:
    return OpportunityService(
        PgOpportunityRepository(conn), PgPipelineRepository(conn), PgCustomerRepository(conn),
        PgContactRepository(conn), PgWriteContextRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn),
        attribution=build_attribution(conn),
    )  # fmt: skip


def build_target_service(conn: AsyncConnection) -> TargetService:
    return TargetService(PgTargetRepository(conn), PgAuditTrail(conn), PgForecastRepository(conn))


def build_forecast_service(conn: AsyncConnection) -> ForecastService:
    return ForecastService(PgForecastRepository(conn))


def build_home_service(conn: AsyncConnection) -> HomeService:
    return HomeService(
        PgHomeFigures(conn),
        build_forecast_service(conn),
        build_campaign_stats_service(conn),
        PgSurveyRepository(conn),
        build_survey_results(conn),
    )


def build_dashboard_service(conn: AsyncConnection) -> DashboardService:
    return DashboardService(PgDashboardRepository(conn), PgAuditTrail(conn))


def build_forecast_history_service(conn: AsyncConnection) -> ForecastHistoryService:
    return ForecastHistoryService(PgSnapshots(conn))


def build_lead_analysis_service(conn: AsyncConnection) -> LeadAnalysisService:
    return LeadAnalysisService(PgLeadAnalysis(conn))


def build_activity_analysis_service(conn: AsyncConnection) -> ActivityAnalysisService:
    return ActivityAnalysisService(PgActivityAnalysis(conn))


def build_reason_service(conn: AsyncConnection) -> ReasonService:
    return ReasonService(PgReasons(conn))


def build_notification_service(conn: AsyncConnection) -> NotificationService:
    return NotificationService(PgNotificationRepository(conn))


def build_quote_service(conn: AsyncConnection) -> QuoteService:
    return QuoteService(
        PgQuoteRepository(conn), PgOpportunityRepository(conn), PgOpportunityRepository(conn), PgNumbering(conn),
        PgWriteContextRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn),
    )  # fmt: skip


def build_order_service(conn: AsyncConnection) -> OrderService:
    return OrderService(
        PgOrderRepository(conn), PgQuoteRepository(conn), PgNumbering(conn), PgWriteContextRepository(conn),
        PgAuditTrail(conn), PgEventOutbox(conn),
    )  # fmt: skip


def build_sales_plan_service(conn: AsyncConnection) -> SalesPlanService:
    return SalesPlanService(
        PgSalesPlanRepository(conn), PgWriteContextRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn)
    )


def build_ticket_service(conn: AsyncConnection) -> TicketService:
    return TicketService(
        PgTicketRepository(conn), PgCommentRepository(conn), PgCalendarRepository(conn), PgSlaPolicyRepository(conn),
        PgTicketAssignmentRuleRepository(conn), PgWriteContextRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn),
        leads=build_lead_service(conn),
    )  # fmt: skip


def build_book_transfer(conn: AsyncConnection) -> BookTransfer:
    kinds: dict[BookKind, OwnerTransfer] = {
        BookKind.CUSTOMERS: build_customer_service(conn),
        BookKind.CONTACTS: build_contact_service(conn),
        BookKind.LEADS: build_lead_service(conn),
        BookKind.OPPORTUNITIES: build_opportunity_service(conn),
        BookKind.ACTIVITIES: build_activity_service(conn),
        BookKind.QUOTES: build_quote_service(conn),
        BookKind.ORDERS: build_order_service(conn),
        BookKind.SALES_PLANS: build_sales_plan_service(conn),
        BookKind.TICKETS: build_ticket_service(conn),
    }
    return BookTransfer(kinds, PgWriteContextRepository(conn))


def build_customer_analytics_service(conn: AsyncConnection) -> CustomerAnalyticsService:
    return CustomerAnalyticsService(PgCustomerAnalytics(conn))


def build_ticket_stats_service(conn: AsyncConnection) -> TicketStatsService:
    return TicketStatsService(PgTicketStats(conn))


def build_sales_analysis_service(conn: AsyncConnection) -> SalesAnalysisService:
    return SalesAnalysisService(PgSalesAnalysis(conn))


def build_ticket_category_service(conn: AsyncConnection) -> CategoryService:
    return CategoryService(PgCategoryRepository(conn), PgAuditTrail(conn))


def build_sla_policy_service(conn: AsyncConnection) -> SlaPolicyService:
    return SlaPolicyService(PgSlaPolicyRepository(conn), PgAuditTrail(conn))


def build_ticket_rule_service(conn: AsyncConnection) -> TicketAssignmentRuleService:
    return TicketAssignmentRuleService(PgTicketAssignmentRuleRepository(conn), PgAuditTrail(conn))


def build_escalation_rule_service(conn: AsyncConnection) -> EscalationRuleService:
    return EscalationRuleService(PgEscalationRuleRepository(conn), PgAuditTrail(conn))


def build_calendar_service(conn: AsyncConnection) -> CalendarService:
    return CalendarService(PgCalendarRepository(conn), PgAuditTrail(conn))


def build_survey_service(conn: AsyncConnection) -> SurveyService:
    return SurveyService(PgSurveyRepository(conn), PgAuditTrail(conn))


def build_invitation_service(conn: AsyncConnection) -> InvitationService:
    return InvitationService(
        PgSurveyRepository(conn), PgInvitationRepository(conn), PgResponseRepository(conn), PgAuditTrail(conn),
        PgEventOutbox(conn),
    )  # fmt: skip


def build_public_surveys(conn: AsyncConnection, limits: AsyncEngine) -> PublicSurveys:
    return PublicSurveys(
        PgInvitationRepository(conn), PgResponseRepository(conn), PgRateLimiter(limits), PgAuditTrail(conn),
        PgEventOutbox(conn),
    )  # fmt: skip


def build_call_back_service(conn: AsyncConnection) -> CallBackService:
    return CallBackService(
        PgCallBackRepository(conn), PgSurveyRepository(conn), PgInvitationRepository(conn), PgResponseRepository(conn),
        PgAuditTrail(conn), PgEventOutbox(conn),
    )  # fmt: skip


def build_survey_results(conn: AsyncConnection) -> ResultsService:
    return ResultsService(PgSurveyRepository(conn), PgSurveyResults(conn))


def build_kb_service(conn: AsyncConnection) -> KbService:
    return KbService(PgArticleRepository(conn), PgTicketLinkRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn))


def build_kb_category_service(conn: AsyncConnection) -> KbCategoryService:
    return KbCategoryService(PgKbCategoryRepository(conn), PgAuditTrail(conn))


def build_timeline_service(conn: AsyncConnection) -> TimelineService:
    return TimelineService(PgCustomerRepository(conn), PgTimelineRepository(conn))


def build_custom_field_service(conn: AsyncConnection) -> CustomFieldService:
    return CustomFieldService(PgCustomFieldRepository(conn), PgAuditTrail(conn))


def build_auth_service(conn: AsyncConnection, engine: AsyncEngine, settings: Settings) -> AuthService:
    policy = AuthPolicy(
        refresh_token_days=settings.refresh_token_days,
        session_max_days=settings.session_max_days,
        max_failures_per_address=settings.login_max_failures_per_address,
        failure_window_minutes=settings.login_failure_window_minutes,
        max_failures_per_account_hour=settings.login_max_failures_per_account_hour,
        max_failures_per_client=settings.login_max_failures_per_client,
    )
    return AuthService(
        PgUserRepository(conn), PgTenantRepository(conn), PgSessionRepository(conn), PgSecurityLog(conn, engine),
        PgAuditTrail(conn), partial(issue_access_token, settings), policy, PgApiTokenRepository(conn),
    )  # fmt: skip


def build_tenant_service(
    conn: AsyncConnection, engine: AsyncEngine, settings: Settings, limits: AsyncEngine | None = None
) -> TenantService:
    """`limits`: the autocommit engine that counts sign-ups (the API's; the CLI has none)."""
    return TenantService(
        PgTenantRepository(conn), PgUserRepository(conn), PgAuditTrail(conn),
        build_auth_service(conn, engine, settings), allow_signup=settings.allow_signup,
        limiter=PgRateLimiter(limits) if limits is not None else None,
    )  # fmt: skip


def link_policy(settings: Settings) -> LinkPolicy:
    return LinkPolicy(
        public_url=settings.public_url,
        invitation_hours=settings.invitation_link_hours,
        reset_minutes=settings.reset_link_minutes,
    )


def build_password_link_service(
    conn: AsyncConnection, settings: Settings, *, limits: AsyncEngine | None = None, mailer: Mailer | None = None
) -> PasswordLinkService:
    """`limits`: the autocommit engine counting forgot-password requests (the API's); `mailer`:
    the worker's, which sends the links."""
    return PasswordLinkService(
        PgPasswordLinkRepository(conn), PgUserRepository(conn), PgSessionRepository(conn), PgApiTokenRepository(conn),
        PgAuditTrail(conn),
        link_policy(settings), limiter=PgRateLimiter(limits) if limits is not None else None, mailer=mailer,
    )  # fmt: skip


def build_user_service(conn: AsyncConnection, settings: Settings) -> UserService:
    return UserService(
        PgUserRepository(conn), PgRoleRepository(conn), PgDepartmentRepository(conn), PgRegionRepository(conn),
        PgSessionRepository(conn), PgApiTokenRepository(conn), PgAuditTrail(conn),
        build_password_link_service(conn, settings),
    )  # fmt: skip


def build_department_service(conn: AsyncConnection) -> DepartmentService:
    return DepartmentService(PgDepartmentRepository(conn), PgAuditTrail(conn))


def build_region_service(conn: AsyncConnection) -> RegionService:
    return RegionService(PgRegionRepository(conn), PgAuditTrail(conn))


def build_role_service(conn: AsyncConnection) -> RoleService:
    return RoleService(PgRoleRepository(conn), PgRegionRepository(conn), PgAuditTrail(conn))


def build_api_token_service(conn: AsyncConnection) -> ApiTokenService:
    return ApiTokenService(PgApiTokenRepository(conn), PgAuditTrail(conn))


def build_audit_log_service(conn: AsyncConnection) -> AuditLogService:
    return AuditLogService(PgAuditLogReader(conn))


def build_message_template_service(conn: AsyncConnection, settings: Settings) -> MessageTemplateService:
    return MessageTemplateService(
        PgMessageTemplateRepository(conn),
        PgRecipientDirectory(conn),
        PgAuditTrail(conn),
        public_url=settings.public_url,
    )


def build_report_service(conn: AsyncConnection) -> ReportService:
    return ReportService(
        PgSavedReportRepository(conn), PgReportReader(conn), PgCustomFieldRepository(conn), PgAuditTrail(conn)
    )


def build_segment_service(conn: AsyncConnection) -> SegmentService:
    return SegmentService(
        PgSegmentRepository(conn), PgAudienceRepository(conn), PgCustomFieldRepository(conn), PgAuditTrail(conn)
    )


def build_automation_service(conn: AsyncConnection, mailer: Mailer | None = None) -> AutomationService:
    """Automations' rules and runs; `mailer` sends a run's templates (the worker's; None in the
    API, which only saves rules and dry-runs them)."""
    actions = AutomationActions(
        build_lead_service(conn), build_contact_service(conn), build_activity_service(conn),
        PgNotificationRepository(conn), PgMemberWriter(conn), PgMessageTemplateRepository(conn),
        PgRecipientDirectory(conn), PgReachability(conn), mailer, PgAuditTrail(conn), conn.begin_nested,
    )  # fmt: skip
    return AutomationService(
        PgAutomationRepository(conn), PgRunRepository(conn), PgRecordGate(conn), PgReferences(conn),
        PgCustomFieldRepository(conn), PgOwners(conn), actions, PgAuditTrail(conn),
    )  # fmt: skip


def build_campaign_service(conn: AsyncConnection) -> CampaignService:
    return CampaignService(
        PgCampaignRepository(conn), PgWriteContextRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn)
    )


def build_campaign_session_service(conn: AsyncConnection) -> SessionService:
    return SessionService(
        PgCampaignRepository(conn), PgCampaignSessionRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn)
    )


def build_campaign_member_service(conn: AsyncConnection) -> MemberService:
    return MemberService(PgCampaignRepository(conn), PgMemberRepository(conn), PgAuditTrail(conn), PgEventOutbox(conn))


# -- marketing: consent, suppressions, unsubscribe, tracking, bounces ---------------------------


def build_consent_recorder(conn: AsyncConnection) -> ConsentRecorder:
    """What other modules (registration, imports) record consent through, in their transaction."""
    return ConsentRecorder(PgConsentRepository(conn), PgAuditTrail(conn))


def build_consent_service(conn: AsyncConnection) -> ConsentService:
    return ConsentService(PgConsentRepository(conn), build_consent_recorder(conn))


def build_suppression_service(conn: AsyncConnection) -> SuppressionService:
    return SuppressionService(PgSuppressionRepository(conn), PgAuditTrail(conn))


def build_public_unsubscribe(conn: AsyncConnection, limits: AsyncEngine, signer: LinkSigner) -> PublicUnsubscribe:
    return PublicUnsubscribe(
        signer, PgDeliveryRepository(conn), PgSuppressionRepository(conn), build_consent_recorder(conn),
        PgMemberFunnel(conn), PgAuditTrail(conn), PgRateLimiter(limits),
    )  # fmt: skip


def build_tracking(engine: AsyncEngine, signer: LinkSigner) -> Tracking:
    """On the autocommit engine: each open or click is one statement, its own transaction."""
    return Tracking(signer, PgTrackingRecorder(engine))


def build_bounce_webhook(conn: AsyncConnection) -> BounceWebhook:
    return BounceWebhook(
        PgWebhookSecrets(conn), PgDeliveryRepository(conn), PgSuppressionRepository(conn), PgMemberFunnel(conn),
        PgAuditTrail(conn),
    )  # fmt: skip


def build_webhook_secret_service(conn: AsyncConnection) -> WebhookSecretService:
    return WebhookSecretService(PgWebhookSecrets(conn), PgAuditTrail(conn))


def build_send_service(conn: AsyncConnection) -> SendService:
    return SendService(PgSendRepository(conn), PgAuditTrail(conn))


def build_sms_settings_service(conn: AsyncConnection) -> SmsSettingsService:
    return SmsSettingsService(PgSmsSettings(conn), PgAuditTrail(conn))


def build_tracked_links(settings: Settings) -> TrackedLinks:
    signer = link_signer(settings)
    return TrackedLinks(signer, settings.public_url)


async def _segment_audience(
    conn: AsyncConnection, sender: Principal, segment_id: UUID, scopes: dict[str, DataScope]
) -> dict[str, Any] | None:
    """The SELECTs of a segment's contacts / leads within the sender's ranges, or None when the
    segment is gone or its conditions no longer hold."""
    segment = await PgSegmentRepository(conn).get(sender.tenant_id, segment_id)
    if segment is None:
        return None
    audience = Audience(segment.audience)
    try:
        tree = await build_segment_service(conn).parse(sender, audience, segment.conditions)
    except ValidationFailed:
        return None
    now = utcnow()
    return {e: matching(e, scopes[e], tree, now, ENTITY_TABLES[e].c.id) for e in audience.entities}


def build_delivery_runner(
    engine: AsyncEngine, settings: Settings, *, mailer: Mailer | None = None, worker_id: str | None = None
) -> Runner:
    """The worker's send runner: e-mail through CRM_SMTP_URL (or .crm/mail), SMS through the
    tenant's HTTP provider (or the log adapter)."""
    links = build_tracked_links(settings)
    store = PgDeliveryStore(engine, _segment_audience, public_url=settings.public_url)
    smtp = mailer if isinstance(mailer, SmtpMailer | DirectoryMailer) else build_mailer(settings)

    async def open_session(channel: str, tenant_id: UUID) -> ChannelSession:
        if channel == "email":
            headers = CampaignHeaders(partial(links.unsubscribe_url, tenant_id), settings.unsubscribe_mailto)
            return await open_bulk_session(settings, headers, smtp)
        async with engine.connect() as conn:
            configured = SmsProviderSettings.from_stored(await PgSmsSettings(conn).read(tenant_id))
        if configured is not None:
            return SmsSession(HttpSmsProvider(configured))
        return SmsSession(LogSmsProvider(settings.data_dir / "sms"))

    worker = worker_id or f"{socket.gethostname()}:{os.getpid()}:{new_id().hex[-8:]}"
    return Runner(store, open_session, links, worker)
