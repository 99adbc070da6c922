import { useEffect, useMemo, useState } from 'react';
import {
  AreaChartOutlined,
  AimOutlined,
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  BookOutlined,
  ThunderboltOutlined,
  CalendarOutlined,
  CustomerServiceOutlined,
  DashboardOutlined,
  CheckSquareOutlined,
  ContactsOutlined,
  DollarOutlined,
  FundOutlined,
  FunnelPlotOutlined,
  LineChartOutlined,
  DownOutlined,
  FilterOutlined,
  FormOutlined,
  HomeOutlined,
  KeyOutlined,
  LaptopOutlined,
  LockOutlined,
  LogoutOutlined,
  MailOutlined,
  MenuOutlined,
  NotificationOutlined,
  PieChartOutlined,
  SafetyOutlined,
  SmileOutlined,
  StopOutlined,
  TableOutlined,
  TeamOutlined,
  TranslationOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Button, Drawer, Dropdown, Grid, Layout, Menu, Space, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useAuth, useMe } from '../auth';
import { setLanguage } from '../i18n';
import { ErrorBoundary } from '../components/ErrorBoundary';
import PasswordDialog from '../pages/PasswordDialog';
import SessionsDialog from '../pages/SessionsDialog';
import NotificationBell from './NotificationBell';
import { canOpen } from '../permissions';

const { Header, Sider, Content } = Layout;

export default function Shell() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const narrow = !screens.md;
  const [drawer, setDrawer] = useState(false);
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [sessionsOpen, setSessionsOpen] = useState(false);

  // Navigation from /auth/me: a module the user cannot open is not shown at all.
  const items = useMemo(() => {
    const list: NonNullable<MenuProps['items']> = [{ key: '/', icon: <HomeOutlined />, label: t('nav.home') }];
    if (canOpen(me, 'customers')) list.push({ key: '/customers', icon: <TeamOutlined />, label: t('nav.customers') });
    if (canOpen(me, 'contacts')) list.push({ key: '/contacts', icon: <ContactsOutlined />, label: t('nav.contacts') });
    if (canOpen(me, 'leads')) list.push({ key: '/leads', icon: <AimOutlined />, label: t('nav.leads') });
    if (canOpen(me, 'opportunities')) {
      list.push({ key: '/pipelines', icon: <FundOutlined />, label: t('pipelines.nav') });
      list.push({ key: '/opportunities', icon: <DollarOutlined />, label: t('opportunities.nav') });
    }
    if (canOpen(me, 'forecast')) list.push({ key: '/forecast', icon: <LineChartOutlined />, label: t('forecast.nav') });
    if (canOpen(me, 'activities')) {
      list.push({ key: '/my-day', icon: <CheckSquareOutlined />, label: t('nav.myDay') });
      list.push({ key: '/calendar', icon: <CalendarOutlined />, label: t('nav.calendar') });
    }
    const service: NonNullable<MenuProps['items']> = [];
    if (canOpen(me, 'tickets')) service.push({ key: '/tickets', icon: <CustomerServiceOutlined />, label: t('nav.tickets') });
    if (canOpen(me, 'serviceDashboard'))
      service.push({ key: '/service-dashboard', icon: <DashboardOutlined />, label: t('nav.serviceDashboard') });
    if (canOpen(me, 'kb')) service.push({ key: '/kb', icon: <BookOutlined />, label: t('kb.nav') });
    if (canOpen(me, 'surveys')) service.push({ key: '/surveys', icon: <SmileOutlined />, label: t('surveys.nav') });
    if (service.length) list.push({ type: 'group', key: 'service', label: t('nav.service'), children: service });
    const analytics: NonNullable<MenuProps['items']> = [];
    if (canOpen(me, 'reports')) analytics.push({ key: '/analytics/dashboards', icon: <DashboardOutlined />, label: t('nav.dashboards') });
    if (canOpen(me, 'opportunities'))
      analytics.push({ key: '/analytics/sales', icon: <AreaChartOutlined />, label: t('nav.salesAnalysis') });
    if (canOpen(me, 'leadAnalytics'))
      analytics.push({ key: '/analytics/leads', icon: <FunnelPlotOutlined />, label: t('nav.leadAnalytics') });
    if (canOpen(me, 'customers'))
      analytics.push({ key: '/analytics/customers', icon: <PieChartOutlined />, label: t('nav.customerAnalytics') });
    if (canOpen(me, 'reports')) analytics.push({ key: '/reports', icon: <TableOutlined />, label: t('nav.reports') });
    if (analytics.length) list.push({ type: 'group', key: 'analytics', label: t('nav.analytics'), children: analytics });
    const marketing: NonNullable<MenuProps['items']> = [];
    if (canOpen(me, 'campaigns')) marketing.push({ key: '/campaigns', icon: <NotificationOutlined />, label: t('campaigns.nav') });
    if (canOpen(me, 'segments')) marketing.push({ key: '/segments', icon: <FilterOutlined />, label: t('segments.nav') });
    if (canOpen(me, 'messageTemplates'))
      marketing.push({ key: '/marketing/templates', icon: <MailOutlined />, label: t('messageTemplates.nav') });
    if (canOpen(me, 'automations')) marketing.push({ key: '/automations', icon: <ThunderboltOutlined />, label: t('automations.nav') });
    if (canOpen(me, 'campaigns'))
      marketing.push({ key: '/marketing/channels', icon: <BarChartOutlined />, label: t('nav.channelAnalysis') });
    if (canOpen(me, 'suppressions'))
      marketing.push({ key: '/marketing/suppressions', icon: <StopOutlined />, label: t('suppressions.nav') });
    if (marketing.length) list.push({ type: 'group', key: 'marketing', label: t('nav.marketing'), children: marketing });
    const admin: NonNullable<MenuProps['items']> = [];
    if (canOpen(me, 'users')) admin.push({ key: '/admin/users', icon: <UserOutlined />, label: t('nav.users') });
    if (canOpen(me, 'departments')) admin.push({ key: '/admin/departments', icon: <ApartmentOutlined />, label: t('nav.departments') });
    if (canOpen(me, 'roles')) admin.push({ key: '/admin/roles', icon: <SafetyOutlined />, label: t('nav.roles') });
    if (canOpen(me, 'customFields')) admin.push({ key: '/admin/custom-fields', icon: <FormOutlined />, label: t('nav.customFields') });
    if (canOpen(me, 'auditLog')) admin.push({ key: '/admin/audit-log', icon: <AuditOutlined />, label: t('nav.auditLog') });
    if (admin.length) list.push({ type: 'group', key: 'admin', label: t('nav.admin'), children: admin });
    return list;
  }, [me, t]);

  // The tab's title names the module, for people with many tabs and for screen readers.
  useEffect(() => {
    const labels: Record<string, string> = {
      '/customers': t('nav.customers'),
      '/contacts': t('nav.contacts'),
      '/leads': t('nav.leads'),
      '/my-day': t('nav.myDay'),
      '/calendar': t('nav.calendar'),
      '/pipelines': t('pipelines.title'),
      '/opportunities': t('opportunities.title'),
      '/forecast': t('forecast.title'),
      '/analytics/customers': t('customerAnalytics.title'),
      '/tickets': t('nav.tickets'),
      '/service-dashboard': t('nav.serviceDashboard'),
      '/surveys': t('surveys.title'),
      '/segments': t('segments.title'),
      '/marketing/channels': t('nav.channelAnalysis'),
      '/analytics/sales': t('nav.salesAnalysis'),
      '/kb': t('kb.title'),
      '/automations': t('automations.title'),
      '/marketing/templates': t('messageTemplates.title'),
      '/campaigns': t('campaigns.title'),
      '/analytics/dashboards': t('dashboards.title'),
      '/admin/users': t('nav.users'),
      '/admin/departments': t('nav.departments'),
      '/admin/roles': t('nav.roles'),
      '/admin/custom-fields': t('nav.customFields'),
      '/admin/audit-log': t('nav.auditLog'),
      '/account/tokens': t('nav.apiTokens'),
    };
    const section = Object.keys(labels).find((k) => location.pathname.startsWith(k));
    document.title = section ? `${labels[section]} · ${t('app.name')}` : t('app.name');
  }, [location.pathname, t]);

  const selected =
    '/' +
    location.pathname
      .split('/')
      .filter(Boolean)
      .slice(0, ['/admin', '/marketing', '/analytics'].some((p) => location.pathname.startsWith(p)) ? 2 : 1)
      .join('/');

  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[selected]}
      items={items}
      onClick={({ key }) => {
        navigate(key);
        setDrawer(false);
      }}
      aria-label={t('nav.menu')}
      data-testid="main-nav"
    />
  );

  const userItems: MenuProps['items'] = [
    {
      key: 'language',
      icon: <TranslationOutlined />,
      label: t('language.label'),
      children: [
        { key: 'lang:en', label: t('language.en') },
        { key: 'lang:zh-CN', label: t('language.zh') },
      ],
    },
    { key: 'password', icon: <LockOutlined />, label: t('userMenu.changePassword') },
    { key: 'sessions', icon: <LaptopOutlined />, label: t('userMenu.sessions') },
    ...(canOpen(me, 'apiTokens') ? [{ key: 'tokens', icon: <KeyOutlined />, label: t('userMenu.apiTokens') }] : []),
    { type: 'divider' as const },
    { key: 'logout', icon: <LogoutOutlined />, label: t('userMenu.logout'), danger: true },
  ];

  function onUserMenu({ key }: { key: string }) {
    if (key.startsWith('lang:')) setLanguage(key.slice(5) as 'en' | 'zh-CN');
    else if (key === 'password') setPasswordOpen(true);
    else if (key === 'sessions') setSessionsOpen(true);
    else if (key === 'tokens') navigate('/account/tokens');
    else if (key === 'logout') void logout();
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      {!narrow && (
        <Sider theme="light" width={220} style={{ borderRight: '1px solid #f0f0f0' }}>
          <div className="brand">{t('app.name')}</div>
          <nav>{menu}</nav>
        </Sider>
      )}
      <Drawer open={narrow && drawer} onClose={() => setDrawer(false)} placement="left" size={260} title={t('app.name')}>
        <nav>{menu}</nav>
      </Drawer>
      <Layout>
        <Header className="app-header">
          {narrow ? (
            <Button type="text" icon={<MenuOutlined />} aria-label={t('nav.menu')} onClick={() => setDrawer(true)} />
          ) : (
            <span className="tenant">{me.tenant_name}</span>
          )}
          <Space size={4}>
            <NotificationBell />
            <Dropdown menu={{ items: userItems, onClick: onUserMenu, selectedKeys: [`lang:${i18n.language}`] }} trigger={['click']}>
              <Button type="text" data-testid="user-menu" aria-label={t('userMenu.account')}>
                <UserOutlined /> <span className="user-name">{me.user.name}</span> <DownOutlined />
              </Button>
            </Dropdown>
          </Space>
        </Header>
        <Content id="main" tabIndex={-1} className="app-content">
          <ErrorBoundary resetKey={location.pathname}>
            <Outlet />
          </ErrorBoundary>
        </Content>
      </Layout>
      <PasswordDialog open={passwordOpen} onClose={() => setPasswordOpen(false)} />
      <SessionsDialog open={sessionsOpen} onClose={() => setSessionsOpen(false)} />
    </Layout>
  );
}
