// /reports: the caller's saved reports and those shared with one of their roles, each opening the
// builder (which runs it); a new report starts an empty builder.
import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMe } from '../../auth';
import { EmptyState, ErrorState, describeError } from '../../components/states';
import { can } from '../../permissions';
import type en from '../../i18n/en';

type Report = components['schemas']['ReportOut'];
type EntityKey = keyof typeof en.reports.entities;
type RoleKey = keyof typeof en.reports.roles;

export default function ReportsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const list = useQuery({ queryKey: ['reports'], queryFn: () => unwrap(api.GET('/api/v1/reports')) });
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;

  async function remove(report: Report) {
    try {
      await unwrap(api.DELETE('/api/v1/reports/{report_id}', { params: { path: { report_id: report.id } } }));
      await queryClient.invalidateQueries({ queryKey: ['reports'] });
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  const mine = (r: Report) => r.owner_id === me?.user.id;
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('reports.title')}
        </Typography.Title>
        {can(me, 'reports:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/reports/new')} data-testid="new-report">
            {t('reports.new')}
          </Button>
        )}
      </Space>
      <Table
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <EmptyState description={t('reports.empty')} /> }}
        data-testid="reports-table"
        columns={[
          {
            key: 'name',
            title: t('reports.name'),
            render: (_: unknown, r: Report) => <Link to={`/reports/${r.id}`}>{r.name}</Link>,
          },
          { key: 'entity', title: t('reports.entity'), render: (_: unknown, r: Report) => t(`reports.entities.${r.entity as EntityKey}`) },
          {
            key: 'whose',
            title: t('reports.whose'),
            render: (_: unknown, r: Report) =>
              mine(r) ? <Tag color="blue">{t('reports.mine')}</Tag> : <Tag>{t('reports.sharedWithMe')}</Tag>,
          },
          {
            key: 'shared',
            title: t('reports.sharedWith'),
            render: (_: unknown, r: Report) =>
              r.shared_roles.map((role) => <Tag key={role}>{t(`reports.roles.${role as RoleKey}`, { defaultValue: role })}</Tag>),
          },
          {
            key: 'actions',
            title: '',
            render: (_: unknown, r: Report) =>
              mine(r) && can(me, 'reports:delete') ? (
                <Popconfirm title={t('reports.deleteConfirm')} onConfirm={() => void remove(r)}>
                  <Button size="small" danger>
                    {t('common.delete')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
    </div>
  );
}
