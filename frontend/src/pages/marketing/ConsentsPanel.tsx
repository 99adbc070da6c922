// A contact's or lead's marketing consent per channel: read with the record, recorded (granted or
// withdrawn, with its source and proof) by whoever may edit the record.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, List, Modal, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { describeError } from '../../components/states';
import { formatDate } from '../customerBits';

type Consent = components['schemas']['ConsentOut'];
type Channel = Consent['channel'];
type Status = Consent['status'];
const CHANNELS: Channel[] = ['email', 'sms'];
const SOURCES = ['manual', 'form', 'phone', 'registration', 'import'] as const;

export default function ConsentsPanel({ kind, id, canEdit }: { kind: 'contact' | 'lead'; id: string; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<{ channel: Channel; status: Status } | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ source: string; proof?: string }>();
  const key = ['consents', kind, id];
  const consents = useQuery({
    queryKey: key,
    queryFn: () =>
      kind === 'contact'
        ? unwrap(api.GET('/api/v1/contacts/{record_id}/consents', { params: { path: { record_id: id } } }))
        : unwrap(api.GET('/api/v1/leads/{record_id}/consents', { params: { path: { record_id: id } } })),
  });

  async function save(values: { source: string; proof?: string }) {
    if (!editing) return;
    setBusy(true);
    const params = { path: { record_id: id, channel: editing.channel } };
    const body = { status: editing.status, source: values.source, proof: values.proof || null };
    try {
      if (kind === 'contact') await unwrap(api.PUT('/api/v1/contacts/{record_id}/consents/{channel}', { params, body }));
      else await unwrap(api.PUT('/api/v1/leads/{record_id}/consents/{channel}', { params, body }));
      void message.success(t('consents.saved'));
      setEditing(null);
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (error) {
      void message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  const byChannel = new Map((consents.data?.items ?? []).map((c) => [c.channel, c]));
  return (
    <Card title={t('consents.title')} size="small" data-testid="consents-panel" loading={consents.isLoading}>
      <List
        dataSource={CHANNELS}
        renderItem={(channel) => {
          const c = byChannel.get(channel);
          const next: Status = c?.status === 'granted' ? 'withdrawn' : 'granted';
          return (
            <List.Item
              data-testid={`consent-${channel}`}
              actions={
                canEdit
                  ? [
                      <Button
                        key="change"
                        size="small"
                        onClick={() => {
                          form.setFieldsValue({ source: 'manual', proof: '' });
                          setEditing({ channel, status: next });
                        }}
                      >
                        {t(next === 'granted' ? 'consents.grant' : 'consents.withdraw')}
                      </Button>,
                    ]
                  : []
              }
            >
              <Space direction="vertical" size={0}>
                <Space>
                  <Typography.Text strong>{t(`consents.channel.${channel}`)}</Typography.Text>
                  <Tag color={c?.status === 'granted' ? 'green' : c ? 'red' : 'default'}>{t(`consents.status.${c?.status ?? 'none'}`)}</Tag>
                </Space>
                {c && (
                  <Typography.Text type="secondary">
                    {(SOURCES as readonly string[]).includes(c.source) || c.source === 'unsubscribe'
                      ? t(`consents.sources.${c.source as (typeof SOURCES)[number]}`)
                      : c.source}
                    {' · '}
                    {t('consents.recorded', { when: formatDate(c.recorded_at, i18n.language) })}
                  </Typography.Text>
                )}
              </Space>
            </List.Item>
          );
        }}
      />
      <Modal
        open={!!editing}
        title={editing ? `${t(`consents.channel.${editing.channel}`)}: ${t(`consents.status.${editing.status}`)}` : ''}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => void save(v)}>
          <Form.Item name="source" label={t('consents.source')} rules={[{ required: true, message: t('common.required') }]}>
            <Select options={SOURCES.map((s) => ({ value: s, label: t(`consents.sources.${s}`) }))} />
          </Form.Item>
          <Form.Item name="proof" label={t('consents.proof')}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
