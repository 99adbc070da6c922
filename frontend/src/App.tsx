import { lazy, Suspense, type ReactNode } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { ApiError } from './api/errors';
import { AuthProvider, useAuth } from './auth';
import { Loading } from './components/states';
import Shell from './layout/Shell';
import LoginPage from './pages/LoginPage';
import { NoAccess, NotFound } from './pages/Misc';
import { canOpen, type ModuleName } from './permissions';

const HomePage = lazy(() => import('./pages/analytics/HomePage'));
const DashboardsPage = lazy(() => import('./pages/analytics/DashboardsPage').then((m) => ({ default: m.DashboardsPage })));
const DashboardPage = lazy(() => import('./pages/analytics/DashboardsPage').then((m) => ({ default: m.DashboardPage })));
const CustomersPage = lazy(() => import('./pages/CustomersPage'));
const ReportsPage = lazy(() => import('./pages/analytics/ReportsPage'));
const ReportBuilderPage = lazy(() => import('./pages/analytics/ReportBuilderPage'));
const CustomerPage = lazy(() => import('./pages/CustomerPage'));
const CustomerFormPage = lazy(() => import('./pages/CustomerFormPage'));
const ContactsPage = lazy(() => import('./pages/ContactsPage'));
const ContactPage = lazy(() => import('./pages/ContactPage'));
const ContactFormPage = lazy(() => import('./pages/ContactFormPage'));
const LeadsPage = lazy(() => import('./pages/leads/LeadsPage'));
const LeadPage = lazy(() => import('./pages/leads/LeadPage'));
const LeadFormPage = lazy(() => import('./pages/leads/LeadFormPage'));
const MyDayPage = lazy(() => import('./pages/MyDayPage'));
const CalendarPage = lazy(() => import('./pages/calendar/CalendarPage'));
const PipelineBoardPage = lazy(() => import('./pages/PipelineBoardPage'));
const OpportunitiesPage = lazy(() => import('./pages/OpportunitiesPage'));
const OpportunityPage = lazy(() => import('./pages/OpportunityPage'));
const OpportunityFormPage = lazy(() => import('./pages/OpportunityFormPage'));
const ForecastPage = lazy(() => import('./pages/ForecastPage'));
const CustomerAnalyticsPage = lazy(() => import('./pages/analytics/CustomerAnalyticsPage'));
const SalesAnalysisPage = lazy(() => import('./pages/analytics/SalesAnalysisPage'));
const LeadsActivityPage = lazy(() => import('./pages/analytics/LeadsActivityPage'));
const TicketsPage = lazy(() => import('./pages/tickets/TicketsPage'));
const TicketPage = lazy(() => import('./pages/tickets/TicketPage'));
const TicketFormPage = lazy(() => import('./pages/tickets/TicketFormPage'));
const ServiceDashboardPage = lazy(() => import('./pages/tickets/ServiceDashboardPage'));
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));
const DepartmentsPage = lazy(() => import('./pages/admin/DepartmentsPage'));
const RolesPage = lazy(() => import('./pages/admin/RolesPage'));
const CustomFieldsPage = lazy(() => import('./pages/admin/CustomFieldsPage'));
const AuditLogPage = lazy(() => import('./pages/admin/AuditLogPage'));
const TokensPage = lazy(() => import('./pages/TokensPage'));
const SurveysPage = lazy(() => import('./pages/surveys/SurveysPage'));
const SegmentsPage = lazy(() => import('./pages/marketing/SegmentsPage'));
const SegmentBuilderPage = lazy(() => import('./pages/marketing/SegmentBuilderPage'));
const SurveyBuilderPage = lazy(() => import('./pages/surveys/SurveyBuilderPage'));
const SurveyResultsPage = lazy(() => import('./pages/surveys/SurveyResultsPage'));
const PublicSurveyPage = lazy(() => import('./pages/surveys/PublicSurveyPage'));
const AutomationsPage = lazy(() => import('./pages/marketing/AutomationsPage'));
const AutomationEditorPage = lazy(() => import('./pages/marketing/AutomationEditorPage'));
const AutomationRunsPage = lazy(() => import('./pages/marketing/AutomationRunsPage'));
const ChannelAnalysisPage = lazy(() => import('./pages/marketing/ChannelAnalysisPage'));
const SetPasswordPage = lazy(() => import('./pages/SetPasswordPage'));
const KbPage = lazy(() => import('./pages/kb/KbPage'));
const KbArticlePage = lazy(() => import('./pages/kb/KbArticlePage'));
const KbEditorPage = lazy(() => import('./pages/kb/KbEditorPage'));
const TemplatesPage = lazy(() => import('./pages/marketing/TemplatesPage'));
const TemplateEditorPage = lazy(() => import('./pages/marketing/TemplateEditorPage'));
const PublicRegistrationPage = lazy(() => import('./pages/marketing/PublicRegistrationPage'));
const CancelRegistrationPage = lazy(() => import('./pages/marketing/CancelRegistrationPage'));
const CampaignRegistrationPage = lazy(() => import('./pages/marketing/CampaignRegistrationPage'));
const CampaignsPage = lazy(() => import('./pages/marketing/CampaignsPage'));
const CampaignPage = lazy(() => import('./pages/marketing/CampaignPage'));
const UnsubscribePage = lazy(() => import('./pages/marketing/UnsubscribePage'));
const SuppressionsPage = lazy(() => import('./pages/marketing/SuppressionsPage'));

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // 4xx answers are final; network trouble and 5xx get one more try.
        retry: (count, error) => count < 1 && !(error instanceof ApiError && error.status < 500),
        refetchOnWindowFocus: false,
      },
    },
  });
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'starting') return <Loading />;
  if (status === 'anonymous') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/** A deep link to a module the user may not open shows "no access", not a crash. */
function Guard({ module, children }: { module: ModuleName; children: ReactNode }) {
  const { me } = useAuth();
  if (!canOpen(me, module)) return <NoAccess />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function LocalizedApp({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'zh-CN' ? zhCN : enUS} theme={{ token: { colorPrimary: '#1668dc' } }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      {/* One-time links to choose one's own password (invitation, reset): no login, no shell. */}
      {['/invite/:token', '/reset-password/:token'].map((path) => (
        <Route
          key={path}
          path={path}
          element={
            <Suspense fallback={<Loading />}>
              <SetPasswordPage />
            </Suspense>
          }
        />
      ))}
      {/* A campaign message's unsubscribe link: no login, no shell. */}
      <Route
        path="/unsubscribe/:token"
        element={
          <Suspense fallback={<Loading />}>
            <UnsubscribePage />
          </Suspense>
        }
      />
      {/* A customer's survey link: no login, no shell. */}
      <Route
        path="/survey/:token"
        element={
          <Suspense fallback={<Loading />}>
            <PublicSurveyPage />
          </Suspense>
        }
      />
      {/* An event's public registration page and a registrant's cancel link: no login, no shell. */}
      <Route
        path="/e/:key"
        element={
          <Suspense fallback={<Loading />}>
            <PublicRegistrationPage />
          </Suspense>
        }
      />
      <Route
        path="/e/cancel/:token"
        element={
          <Suspense fallback={<Loading />}>
            <CancelRegistrationPage />
          </Suspense>
        }
      />
      <Route
        element={
          <RequireAuth>
            <Shell />
          </RequireAuth>
        }
      >
        <Route index element={<HomePage />} />
        <Route
          path="analytics/dashboards"
          element={
            <Guard module="reports">
              <DashboardsPage />
            </Guard>
          }
        />
        <Route
          path="analytics/dashboards/:id"
          element={
            <Guard module="reports">
              <DashboardPage />
            </Guard>
          }
        />
        <Route
          path="customers"
          element={
            <Guard module="customers">
              <CustomersPage />
            </Guard>
          }
        />
        <Route
          path="customers/new"
          element={
            <Guard module="customers">
              <CustomerFormPage />
            </Guard>
          }
        />
        <Route
          path="customers/:id"
          element={
            <Guard module="customers">
              <CustomerPage />
            </Guard>
          }
        />
        <Route
          path="customers/:id/edit"
          element={
            <Guard module="customers">
              <CustomerFormPage />
            </Guard>
          }
        />
        <Route
          path="contacts"
          element={
            <Guard module="contacts">
              <ContactsPage />
            </Guard>
          }
        />
        <Route
          path="contacts/new"
          element={
            <Guard module="contacts">
              <ContactFormPage />
            </Guard>
          }
        />
        <Route
          path="contacts/:id"
          element={
            <Guard module="contacts">
              <ContactPage />
            </Guard>
          }
        />
        <Route
          path="contacts/:id/edit"
          element={
            <Guard module="contacts">
              <ContactFormPage />
            </Guard>
          }
        />
        <Route
          path="leads"
          element={
            <Guard module="leads">
              <LeadsPage />
            </Guard>
          }
        />
        <Route
          path="leads/new"
          element={
            <Guard module="leads">
              <LeadFormPage />
            </Guard>
          }
        />
        <Route
          path="leads/:id"
          element={
            <Guard module="leads">
              <LeadPage />
            </Guard>
          }
        />
        <Route
          path="leads/:id/edit"
          element={
            <Guard module="leads">
              <LeadFormPage />
            </Guard>
          }
        />
        <Route
          path="marketing/suppressions"
          element={
            <Guard module="suppressions">
              <SuppressionsPage />
            </Guard>
          }
        />
        <Route
          path="pipelines"
          element={
            <Guard module="opportunities">
              <PipelineBoardPage />
            </Guard>
          }
        />
        <Route
          path="pipelines/:id/board"
          element={
            <Guard module="opportunities">
              <PipelineBoardPage />
            </Guard>
          }
        />
        <Route
          path="opportunities"
          element={
            <Guard module="opportunities">
              <OpportunitiesPage />
            </Guard>
          }
        />
        <Route
          path="opportunities/new"
          element={
            <Guard module="opportunities">
              <OpportunityFormPage />
            </Guard>
          }
        />
        <Route
          path="opportunities/:id"
          element={
            <Guard module="opportunities">
              <OpportunityPage />
            </Guard>
          }
        />
        <Route
          path="opportunities/:id/edit"
          element={
            <Guard module="opportunities">
              <OpportunityFormPage />
            </Guard>
          }
        />
        <Route
          path="tickets"
          element={
            <Guard module="tickets">
              <TicketsPage />
            </Guard>
          }
        />
        <Route
          path="tickets/new"
          element={
            <Guard module="tickets">
              <TicketFormPage />
            </Guard>
          }
        />
        <Route
          path="tickets/:id"
          element={
            <Guard module="tickets">
              <TicketPage />
            </Guard>
          }
        />
        <Route
          path="service-dashboard"
          element={
            <Guard module="serviceDashboard">
              <ServiceDashboardPage />
            </Guard>
          }
        />
        <Route
          path="analytics/leads"
          element={
            <Guard module="leadAnalytics">
              <LeadsActivityPage />
            </Guard>
          }
        />
        <Route
          path="forecast"
          element={
            <Guard module="forecast">
              <ForecastPage />
            </Guard>
          }
        />
        <Route
          path="analytics/customers"
          element={
            <Guard module="customers">
              <CustomerAnalyticsPage />
            </Guard>
          }
        />
        <Route
          path="analytics/sales"
          element={
            <Guard module="opportunities">
              <SalesAnalysisPage />
            </Guard>
          }
        />
        <Route
          path="kb"
          element={
            <Guard module="kb">
              <KbPage />
            </Guard>
          }
        />
        <Route
          path="kb/new"
          element={
            <Guard module="kbEdit">
              <KbEditorPage />
            </Guard>
          }
        />
        <Route
          path="kb/:id"
          element={
            <Guard module="kb">
              <KbArticlePage />
            </Guard>
          }
        />
        <Route
          path="kb/:id/edit"
          element={
            <Guard module="kbEdit">
              <KbEditorPage />
            </Guard>
          }
        />
        <Route
          path="marketing/templates"
          element={
            <Guard module="messageTemplates">
              <TemplatesPage />
            </Guard>
          }
        />
        {['marketing/templates/new', 'marketing/templates/:id'].map((path) => (
          <Route
            key={path}
            path={path}
            element={
              <Guard module="messageTemplates">
                <TemplateEditorPage />
              </Guard>
            }
          />
        ))}
        <Route
          path="my-day"
          element={
            <Guard module="activities">
              <MyDayPage />
            </Guard>
          }
        />
        <Route
          path="calendar"
          element={
            <Guard module="activities">
              <CalendarPage />
            </Guard>
          }
        />
        {/* Marketing */}
        <Route
          path="campaigns"
          element={
            <Guard module="campaigns">
              <CampaignsPage />
            </Guard>
          }
        />
        <Route
          path="campaigns/:id"
          element={
            <Guard module="campaigns">
              <CampaignPage />
            </Guard>
          }
        />
        <Route
          path="reports"
          element={
            <Guard module="reports">
              <ReportsPage />
            </Guard>
          }
        />
        <Route
          path="reports/new"
          element={
            <Guard module="reports">
              <ReportBuilderPage />
            </Guard>
          }
        />
        <Route
          path="reports/:id"
          element={
            <Guard module="reports">
              <ReportBuilderPage />
            </Guard>
          }
        />
        <Route
          path="segments"
          element={
            <Guard module="segments">
              <SegmentsPage />
            </Guard>
          }
        />
        <Route
          path="segments/new"
          element={
            <Guard module="segments">
              <SegmentBuilderPage />
            </Guard>
          }
        />
        <Route
          path="segments/:id"
          element={
            <Guard module="segments">
              <SegmentBuilderPage />
            </Guard>
          }
        />
        <Route
          path="surveys"
          element={
            <Guard module="surveys">
              <SurveysPage />
            </Guard>
          }
        />
        <Route
          path="surveys/new"
          element={
            <Guard module="surveys">
              <SurveyBuilderPage />
            </Guard>
          }
        />
        <Route
          path="surveys/:id/edit"
          element={
            <Guard module="surveys">
              <SurveyBuilderPage />
            </Guard>
          }
        />
        <Route
          path="surveys/:id/results"
          element={
            <Guard module="surveys">
              <SurveyResultsPage />
            </Guard>
          }
        />
        <Route
          path="automations"
          element={
            <Guard module="automations">
              <AutomationsPage />
            </Guard>
          }
        />
        <Route
          path="automations/new"
          element={
            <Guard module="automations">
              <AutomationEditorPage />
            </Guard>
          }
        />
        <Route
          path="automations/:id/edit"
          element={
            <Guard module="automations">
              <AutomationEditorPage />
            </Guard>
          }
        />
        <Route
          path="automations/:id/runs"
          element={
            <Guard module="automations">
              <AutomationRunsPage />
            </Guard>
          }
        />
        <Route
          path="marketing/campaigns/:id/registration"
          element={
            <Guard module="campaigns">
              <CampaignRegistrationPage />
            </Guard>
          }
        />
        <Route
          path="marketing/channels"
          element={
            <Guard module="campaigns">
              <ChannelAnalysisPage />
            </Guard>
          }
        />
        <Route
          path="admin/users"
          element={
            <Guard module="users">
              <UsersPage />
            </Guard>
          }
        />
        <Route
          path="admin/departments"
          element={
            <Guard module="departments">
              <DepartmentsPage />
            </Guard>
          }
        />
        <Route
          path="admin/roles"
          element={
            <Guard module="roles">
              <RolesPage />
            </Guard>
          }
        />
        <Route
          path="admin/custom-fields"
          element={
            <Guard module="customFields">
              <CustomFieldsPage />
            </Guard>
          }
        />
        <Route
          path="admin/audit-log"
          element={
            <Guard module="auditLog">
              <AuditLogPage />
            </Guard>
          }
        />
        <Route
          path="account/tokens"
          element={
            <Guard module="apiTokens">
              <TokensPage />
            </Guard>
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export default function App({ queryClient = makeQueryClient() }: { queryClient?: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <LocalizedApp>
        <BrowserRouter>
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </BrowserRouter>
      </LocalizedApp>
    </QueryClientProvider>
  );
}
