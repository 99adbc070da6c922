// Home: the caller's role dashboard (GET /dashboards/home), every figure linking to its records.
import { useQuery } from '@tanstack/react-query';
import { Col, Row, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { ErrorState, Loading } from '../../components/states';
import { canOpen } from '../../permissions';
import { Home as Shortcuts } from '../Misc';
import { WIDE, WidgetCard } from './widgets';

export default function HomePage() {
  const { t } = useTranslation();
  const me = useMe();
  const allowed = canOpen(me, 'reports');
  const home = useQuery({
    queryKey: ['dashboards', 'home'],
    queryFn: () => unwrap(api.GET('/api/v1/dashboards/home')),
    enabled: allowed,
  });
  const widgets = home.data?.widgets ?? [];
  // The administrators, who see no business data, keep the start page of shortcuts.
  if (!allowed) return <Shortcuts />;
  return (
    <section aria-labelledby="home-title">
      <div className="page-header">
        <Typography.Title level={2} id="home-title">
          {t('home.welcome', { name: me.user.name })}
        </Typography.Title>
        <Link to="/analytics/dashboards">{t('dashboards.nav')}</Link>
      </div>
      {home.isLoading ? (
        <Loading />
      ) : home.isError ? (
        <ErrorState error={home.error} onRetry={() => home.refetch()} />
      ) : (
        <>
          <Typography.Paragraph type="secondary">
            {t('dashboards.asOf', { today: home.data?.today, zone: home.data?.time_zone })}
          </Typography.Paragraph>
          {widgets.length === 0 && <Typography.Paragraph>{t('home.nothing')}</Typography.Paragraph>}
          <Row gutter={[16, 16]}>
            {widgets.map((w) => (
              <Col key={w.key} xs={24} md={WIDE.has(w.key) ? 24 : 12} xl={WIDE.has(w.key) ? 12 : 6}>
                <WidgetCard value={w} />
              </Col>
            ))}
          </Row>
        </>
      )}
    </section>
  );
}
