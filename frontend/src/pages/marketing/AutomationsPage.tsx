// /automations: the tenant's automation rules, each with its trigger, an active/paused switch (a
// PATCH with If-Match) and links to its editor and run log.
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Space, Switch, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, etagOf, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { EmptyState, ErrorState } from '../../components/states';
import { useAction } from '../../components/useAction';
import { can } from '../../permissions';
import type { Automation } from './automationForm';

export function useCatalogue() {
  return useQuery({
    queryKey: ['automations', 'catalogue'],
    queryFn: () => unwrap(api.GET('/api/v1/automations/catalogue')),
    staleTime: Infinity,
  });
}

export default function AutomationsPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const mayEdit = can(me, 'automations:update');
  const list = useQuery({ queryKey: ['automations'], queryFn: () => unwrap(api.GET('/api/v1/automations')) });
  const catalogue = useCatalogue();
  const { busy, run } = useAction(['automations']);
  const zh = i18n.language === 'zh-CN';
  const triggerLabel = (key: string) => {
    const found = catalogue.data?.triggers.find((tr) => tr.key === key);
    return found ? (zh ? found.label_zh : found.label_en) : key;
  };

  function toggle(rule: Automation, active: boolean) {
    const status = active ? 'active' : 'paused';
    void run(
      () =>
        unwrap(
          api.PATCH('/api/v1/automations/{automation_id}', {
            params: { path: { automation_id: rule.id }, header: { 'if-match': etagOf(rule.version) } },
            body: { status },
          }),
        ),
      t(`automations.status.${status}`),
    );
  }

  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('automations.title')}
        </Typography.Title>
        {can(me, 'automations:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/automations/new')} data-testid="new-automation">
            {t('automations.new')}
          </Button>
        )}
      </Space>
      <Table<Automation>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: <EmptyState description={t('automations.empty')} /> }}
        data-testid="automations-table"
        columns={[
          {
            key: 'name',
            title: t('automations.fields.name'),
            render: (_: unknown, r: Automation) => <Link to={`/automations/${r.id}/runs`}>{r.name}</Link>,
          },
          { key: 'trigger', title: t('automations.fields.trigger'), render: (_: unknown, r: Automation) => triggerLabel(r.trigger) },
          {
            key: 'delay',
            title: t('automations.fields.delay'),
            render: (_: unknown, r: Automation) =>
              r.delay_amount ? `${r.delay_amount} ${t(`automations.units.${r.delay_unit}`)}` : t('common.none'),
          },
          {
            key: 'status',
            title: t('automations.fields.status'),
            render: (_: unknown, r: Automation) => (
              <Switch
                checked={r.status === 'active'}
                disabled={!mayEdit || busy}
                onChange={(on) => toggle(r, on)}
                aria-label={`${r.name}: ${t(`automations.status.${r.status}`)}`}
                data-testid={`toggle-${r.id}`}
              />
            ),
          },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, r: Automation) => (
              <Space>
                <Link to={`/automations/${r.id}/runs`}>{t('automations.runs')}</Link>
                {mayEdit && <Link to={`/automations/${r.id}/edit`}>{t('common.edit')}</Link>}
              </Space>
            ),
          },
        ]}
      />
    </div>
  );
}
