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
  const any = canOpen(me, 'customers') || canOpen(me, 'contacts') || canOpen(me, 'users') || canOpen(me, 'roles');
  return (
    <div>
      <Typography.Title level={2}>{t('home.welcome', { name: me.user.name })}</Typography.Title>
      <Typography.Paragraph>{any ? t('home.intro') : t('home.nothing')}</Typography.Paragraph>
      <Space wrap>
        <Typography.Text type="secondary">{t('home.roles')}:</Typography.Text>
        {me.roles.map((r) => (
          <Tag key={r.id}>{r.name}</Tag>
        ))}
      </Space>
    </div>
  );
}
