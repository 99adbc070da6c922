// /segments: the tenant's saved segments, each opening the builder (with its live count).
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

type Segment = components['schemas']['SegmentOut'];

export default function SegmentsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const list = useQuery({ queryKey: ['segments'], queryFn: () => unwrap(api.GET('/api/v1/segments')) });
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;

  async function remove(segment: Segment) {
    try {
      await unwrap(api.DELETE('/api/v1/segments/{segment_id}', { params: { path: { segment_id: segment.id } } }));
      await queryClient.invalidateQueries({ queryKey: ['segments'] });
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('segments.title')}
        </Typography.Title>
        {can(me, 'segments:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/segments/new')} data-testid="new-segment">
            {t('segments.new')}
          </Button>
        )}
      </Space>
      <Table<Segment>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <EmptyState description={t('segments.empty')} /> }}
        data-testid="segments-table"
        columns={[
          {
            key: 'name',
            title: t('segments.name'),
            render: (_: unknown, s: Segment) => <Link to={`/segments/${s.id}`}>{s.name}</Link>,
          },
          {
            key: 'audience',
            title: t('segments.audience'),
            render: (_: unknown, s: Segment) => <Tag>{t(`segments.audiences.${s.audience}`)}</Tag>,
          },
          { key: 'description', title: t('segments.description'), render: (_: unknown, s: Segment) => s.description ?? '' },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, s: Segment) =>
              can(me, 'segments:delete') && (
                <Popconfirm title={t('segments.deleteConfirm')} onConfirm={() => void remove(s)}>
                  <Button type="link" danger size="small">
                    {t('segments.delete')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </div>
  );
}
