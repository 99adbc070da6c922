// An event's, webinar's or trade show's sessions: time, place or link, capacity.
import { useState } from 'react';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, DatePicker, Form, Input, InputNumber, Modal, Popconfirm, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { applyServerError } from '../../components/recordForm';
import { EmptyState, ErrorState } from '../../components/states';
import { useAction } from '../../components/useAction';
import { formatDate } from '../customerBits';
import type { Campaign, CampaignSession } from './campaignLogic';

const SESSION_FIELDS = new Set(['name', 'location', 'online_url', 'capacity']);

interface SessionForm {
  name: string;
  times: [Dayjs, Dayjs | null];
  location?: string;
  online_url?: string;
  capacity?: number | null;
}

export function SessionsPanel({ campaign, mayUpdate }: { campaign: Campaign; mayUpdate: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const key = ['campaigns', 'sessions', campaign.id];
  const { run } = useAction(key);
  const [adding, setAdding] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<SessionForm>();
  const sessions = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/{campaign_id}/sessions', { params: { path: { campaign_id: campaign.id } } })),
  });

  async function add(values: SessionForm) {
    setSaving(true);
    const [start, end] = values.times;
    try {
      await unwrap(
        api.POST('/api/v1/campaigns/{campaign_id}/sessions', {
          params: { path: { campaign_id: campaign.id } },
          body: {
            name: values.name,
            starts_at: start.toISOString(),
            ends_at: end ? end.toISOString() : null,
            location: values.location || null,
            online_url: values.online_url || null,
            capacity: values.capacity ?? null,
          },
        }),
      );
      message.success(t('campaigns.sessions.added'));
      await queryClient.invalidateQueries({ queryKey: key });
      setAdding(false);
    } catch (error) {
      const outcome = applyServerError(form, error, SESSION_FIELDS, t);
      if (outcome.kind === 'other') message.error(outcome.message);
      else if (outcome.kind === 'fields' && outcome.message) message.error(outcome.message);
    } finally {
      setSaving(false);
    }
  }

  if (sessions.isError) return <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />;
  return (
    <div data-testid="sessions-panel">
      {mayUpdate && (
        <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} style={{ marginBottom: 12 }} data-testid="add-session">
          {t('campaigns.sessions.add')}
        </Button>
      )}
      <Table<CampaignSession>
        rowKey="id"
        size="small"
        loading={sessions.isLoading}
        dataSource={sessions.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: <EmptyState description={t('campaigns.sessions.empty')} /> }}
        data-testid="sessions-table"
        columns={[
          { key: 'name', title: t('campaigns.sessions.name'), dataIndex: 'name' },
          { key: 'starts_at', title: t('campaigns.sessions.starts_at'), render: (_: unknown, s) => formatDate(s.starts_at, i18n.language) },
          { key: 'ends_at', title: t('campaigns.sessions.ends_at'), render: (_: unknown, s) => formatDate(s.ends_at, i18n.language) },
          {
            key: 'where',
            title: t('campaigns.sessions.where'),
            render: (_: unknown, s) =>
              s.online_url ? (
                <a href={s.online_url} target="_blank" rel="noreferrer noopener">
                  {s.location ?? s.online_url}
                </a>
              ) : (
                (s.location ?? '—')
              ),
          },
          { key: 'capacity', title: t('campaigns.sessions.capacity'), render: (_: unknown, s) => s.capacity ?? '—' },
          ...(mayUpdate
            ? [
                {
                  key: 'actions',
                  title: t('common.actions'),
                  render: (_: unknown, s: CampaignSession) => (
                    <Popconfirm
                      title={t('campaigns.sessions.confirmRemove')}
                      onConfirm={() =>
                        void run(
                          () =>
                            unwrap(
                              api.DELETE('/api/v1/campaigns/{campaign_id}/sessions/{session_id}', {
                                params: { path: { campaign_id: campaign.id, session_id: s.id } },
                              }),
                            ),
                          t('campaigns.sessions.removed'),
                        )
                      }
                    >
                      <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={adding}
        title={t('campaigns.sessions.add')}
        onCancel={() => setAdding(false)}
        onOk={() => form.submit()}
        okText={t('common.create')}
        okButtonProps={{ loading: saving, 'data-testid': 'session-save' } as never}
        destroyOnHidden
      >
        <Form<SessionForm> form={form} layout="vertical" preserve={false} onFinish={(v) => void add(v)} data-testid="session-form">
          <Form.Item name="name" label={t('campaigns.sessions.name')} rules={[{ required: true, message: t('common.required') }]}>
            <Input maxLength={200} data-testid="session-name" />
          </Form.Item>
          <Form.Item
            name="times"
            label={`${t('campaigns.sessions.starts_at')} – ${t('campaigns.sessions.ends_at')}`}
            rules={[{ required: true, message: t('common.required') }]}
          >
            <DatePicker.RangePicker
              showTime={{ format: 'HH:mm' }}
              format="YYYY-MM-DD HH:mm"
              allowEmpty={[false, true]}
              data-testid="session-times"
            />
          </Form.Item>
          <Form.Item name="location" label={t('campaigns.sessions.location')}>
            <Input maxLength={500} data-testid="session-location" />
          </Form.Item>
          <Form.Item name="online_url" label={t('campaigns.sessions.online_url')} rules={[{ type: 'url' }]}>
            <Input maxLength={500} placeholder="https://" />
          </Form.Item>
          <Form.Item name="capacity" label={t('campaigns.sessions.capacity')}>
            <InputNumber min={0} max={1000000} precision={0} data-testid="session-capacity" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
