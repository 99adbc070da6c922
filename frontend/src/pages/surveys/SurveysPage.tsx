// /surveys: the tenant's survey templates, with links to each one's builder and results.
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../auth';
import { EmptyState, ErrorState } from '../../components/states';
import { can } from '../../permissions';
import type { Survey } from './surveyBits';

export default function SurveysPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const mayManage = can(me, 'surveys:manage');
  const list = useQuery({ queryKey: ['surveys'], queryFn: () => unwrap(api.GET('/api/v1/surveys')) });
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('surveys.title')}
        </Typography.Title>
        {mayManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/surveys/new')} data-testid="new-survey">
            {t('surveys.new')}
          </Button>
        )}
      </Space>
      <Table<Survey>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: <EmptyState description={t('surveys.empty')} /> }}
        data-testid="surveys-table"
        columns={[
          {
            key: 'name',
            title: t('surveys.fields.name'),
            render: (_: unknown, s: Survey) => <Link to={`/surveys/${s.id}/results`}>{s.name}</Link>,
          },
          { key: 'questions', title: t('surveys.fields.questions'), render: (_: unknown, s: Survey) => s.questions.length },
          {
            key: 'state',
            title: t('surveys.fields.active'),
            render: (_: unknown, s: Survey) => (
              <Space size={4} wrap>
                {s.active ? <Tag color="green">{t('surveys.active')}</Tag> : <Tag>{t('surveys.inactive')}</Tag>}
                {s.is_ticket_csat && <Tag color="blue">{t('surveys.ticketCsat')}</Tag>}
              </Space>
            ),
          },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, s: Survey) => (
              <Space>
                <Link to={`/surveys/${s.id}/results`}>{t('surveys.results')}</Link>
                {mayManage && <Link to={`/surveys/${s.id}/edit`}>{t('common.edit')}</Link>}
              </Space>
            ),
          },
        ]}
      />
    </div>
  );
}
