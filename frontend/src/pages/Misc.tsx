import { Button, Result, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useMe } from '../auth';
import { canOpen } from '../permissions';

export function NoAccess() {
  const { t } = useTranslation();
  return (
    <Result
      status="403"
      title={t('noAccess.title')}
      subTitle={t('noAccess.detail')}
      extra={
        <Link to="/">
          <Button type="primary">{t('noAccess.home')}</Button>
        </Link>
      }
      data-testid="no-access"
    />
  );
}

export function NotFound() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title={t('notFound.title')}
      subTitle={t('notFound.detail')}
      extra={
        <Link to="/">
          <Button>{t('noAccess.home')}</Button>
        </Link>
      }
    />
  );
}

export function Home() {
  const { t } = useTranslation();
  const me = useMe();
  const shortcuts: { to: string; label: string; show: boolean }[] = [
    { to: '/customers?owner=me', label: `${t('nav.customers')} · ${t('customer.filter.mine')}`, show: canOpen(me, 'customers') },
    { to: '/customers', label: t('nav.customers'), show: canOpen(me, 'customers') },
    { to: '/customers/new', label: t('customer.new'), show: me.permissions.includes('customers:create') },
    { to: '/contacts', label: t('nav.contacts'), show: canOpen(me, 'contacts') },
    { to: '/my-day', label: t('nav.myDay'), show: canOpen(me, 'activities') },
    { to: '/leads?owner=me', label: t('leads.filter.mine'), show: canOpen(me, 'leads') },
    { to: '/leads?owner=none', label: t('leads.filter.queue'), show: canOpen(me, 'leads') && me.permissions.includes('leads:assign') },
    { to: '/calendar', label: t('nav.calendar'), show: canOpen(me, 'activities') },
    { to: '/admin/users', label: t('nav.users'), show: canOpen(me, 'users') },
    { to: '/admin/roles', label: t('nav.roles'), show: canOpen(me, 'roles') },
    { to: '/admin/audit-log', label: t('nav.auditLog'), show: canOpen(me, 'auditLog') },
  ];
  const visible = shortcuts.filter((s) => s.show);
  return (
    <div>
      <Typography.Title level={2}>{t('home.welcome', { name: me.user.name })}</Typography.Title>
      <Typography.Paragraph>{visible.length ? t('home.intro') : t('home.nothing')}</Typography.Paragraph>
      {visible.length > 0 && (
        <nav aria-label={t('home.shortcuts')} style={{ marginBottom: 24 }}>
          <Space wrap>
            {visible.map((s) => (
              <Link key={s.to} to={s.to}>
                <Button>{s.label}</Button>
              </Link>
            ))}
          </Space>
        </nav>
      )}
      <Space wrap>
        <Typography.Text type="secondary">{t('home.roles')}:</Typography.Text>
        {me.roles.map((r) => (
          <Tag key={r.id}>{r.name}</Tag>
        ))}
      </Space>
    </div>
  );
}
