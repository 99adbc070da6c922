// A campaign's sends (a tab of the campaign page): each send's progress while the worker delivers
// it (polled while any is running), a form for a new send, and cancel.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, DatePicker, Form, InputNumber, Modal, Progress, Radio, Select, Space, Table, Tag, Tooltip } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { components } from '../../api/schema';
import { api, newIdempotencyKey, unwrap } from '../../api/client';
import { describeError } from '../../components/states';

export type Send = components['schemas']['SendOut'];
type SendBody = components['schemas']['SendCreate'];

const ACTIVE = new Set(['scheduled', 'preparing', 'sending']);
const STATUS_COLOR: Record<string, string> = {
  scheduled: 'blue',
  preparing: 'processing',
  sending: 'processing',
  completed: 'green',
  cancelled: 'default',
  failed: 'red',
};
const MEMBER_STATUSES = ['targeted', 'sent', 'opened', 'clicked', 'registered', 'attended', 'responded'] as const;

/** Done share of a send: what has an outcome over everything that will have one (skips aside). */
export function progressPercent(send: Pick<Send, 'sent' | 'failed' | 'queued' | 'status'>): number {
  const total = send.sent + send.failed + send.queued;
  if (total === 0) return send.status === 'completed' ? 100 : 0;
  return Math.floor(((send.sent + send.failed) * 100) / total);
}

export function isActive(send: Pick<Send, 'status'>): boolean {
  return ACTIVE.has(send.status);
}

type FormValues = {
  template_id: string;
  audience: 'members' | 'segment';
  member_statuses?: string[];
  segment_id?: string;
  scheduled_at?: Dayjs | null;
  rate_per_minute?: number | null;
  locale?: 'zh-CN' | 'en' | 'recipient';
};

export function sendBody(values: FormValues): SendBody {
  const body: SendBody = { template_id: values.template_id, audience: values.audience };
  if (values.audience === 'members' && values.member_statuses?.length) {
    body.member_statuses = values.member_statuses as SendBody['member_statuses'];
  }
  if (values.audience === 'segment') body.segment_id = values.segment_id;
  if (values.scheduled_at) body.scheduled_at = values.scheduled_at.toISOString();
  if (values.rate_per_minute) body.rate_per_minute = values.rate_per_minute;
  if (values.locale && values.locale !== 'recipient') body.locale = values.locale;
  return body;
}

export default function CampaignSendsPanel({ campaignId, canSend = true }: { campaignId: string; canSend?: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const key = ['campaign-sends', campaignId];

  const sends = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/api/v1/campaigns/{campaign_id}/sends', { params: { path: { campaign_id: campaignId } } })),
    // Poll while the worker delivers: the bars move without a reload.
    refetchInterval: (query) => (query.state.data?.items.some(isActive) ? 3000 : false),
  });

  const cancel = useMutation({
    mutationFn: (sendId: string) =>
      unwrap(
        api.POST('/api/v1/sends/{send_id}/cancel', {
          params: { path: { send_id: sendId }, header: { 'Idempotency-Key': newIdempotencyKey() } as never },
        }),
      ),
    onSuccess: () => {
      void message.success(t('sends.cancelled'));
      void client.invalidateQueries({ queryKey: key });
    },
    onError: (error) => void message.error(describeError(t, error)),
  });

  const when = (value: string | null) => (value ? new Date(value).toLocaleString(i18n.language) : t('common.none'));

  return (
    <div>
      <Space style={{ marginBottom: 12 }}>
        {canSend && (
          <Button type="primary" onClick={() => setOpen(true)}>
            {t('sends.new')}
          </Button>
        )}
      </Space>
      <Table<Send>
        rowKey="id"
        size="small"
        loading={sends.isLoading}
        dataSource={sends.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t('sends.empty') }}
        columns={[
          { title: t('sends.scheduledAt'), dataIndex: 'scheduled_at', render: (v: string | null) => when(v) },
          { title: t('sends.channel'), dataIndex: 'channel', render: (v: string) => t(`sends.channels.${v}` as 'sends.channels.email') },
          {
            title: t('sends.status'),
            dataIndex: 'status',
            render: (v: string) => <Tag color={STATUS_COLOR[v]}>{t(`sends.statuses.${v}` as 'sends.statuses.sending')}</Tag>,
          },
          {
            title: t('sends.progress'),
            key: 'progress',
            width: 220,
            render: (_: unknown, send: Send) => (
              <Progress
                percent={progressPercent(send)}
                size="small"
                status={send.status === 'failed' ? 'exception' : isActive(send) ? 'active' : undefined}
                aria-label={t('sends.progressOf', { sent: send.sent, total: send.sent + send.failed + send.queued })}
              />
            ),
          },
          { title: t('sends.sent'), dataIndex: 'sent' },
          { title: t('sends.queued'), dataIndex: 'queued' },
          { title: t('sends.failed'), dataIndex: 'failed' },
          {
            title: t('sends.skipped'),
            key: 'skipped',
            render: (_: unknown, send: Send) => {
              const reasons = Object.entries(send.skipped_reasons ?? {});
              if (!reasons.length) return send.skipped;
              return (
                <Tooltip
                  title={reasons.map(([reason, n]) => (
                    <div key={reason}>
                      {t(`sends.reasons.${reason}` as 'sends.reasons.duplicate')}: {n}
                    </div>
                  ))}
                >
                  <span data-testid={`skipped-${send.id}`}>{send.skipped}</span>
                </Tooltip>
              );
            },
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, send: Send) =>
              canSend && isActive(send) ? (
                <Button size="small" danger loading={cancel.isPending} onClick={() => cancel.mutate(send.id)}>
                  {t('sends.cancel')}
                </Button>
              ) : null,
          },
        ]}
        expandable={{
          expandedRowRender: (send) => (
            <Space direction="vertical" size={2}>
              <span>
                {t('sends.startedAt')}: {when(send.started_at)} · {t('sends.completedAt')}: {when(send.completed_at)}
              </span>
              {Object.entries(send.skipped_reasons ?? {}).map(([reason, n]) => (
                <span key={reason}>
                  {t(`sends.reasons.${reason}` as 'sends.reasons.duplicate')}: {n}
                </span>
              ))}
              {send.error && <span>{send.error}</span>}
            </Space>
          ),
        }}
      />
      {open && (
        <NewSendDialog
          campaignId={campaignId}
          onClose={() => setOpen(false)}
          onCreated={() => {
            setOpen(false);
            void client.invalidateQueries({ queryKey: key });
          }}
        />
      )}
    </div>
  );
}

function NewSendDialog({ campaignId, onClose, onCreated }: { campaignId: string; onClose: () => void; onCreated: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const audience = Form.useWatch('audience', form) ?? 'members';
  const [idempotencyKey] = useState(newIdempotencyKey);

  const templates = useQuery({
    queryKey: ['message-templates', 'picker'],
    queryFn: () => unwrap(api.GET('/api/v1/message-templates', { params: { query: { limit: 200 } as never } })),
  });
  const segments = useQuery({
    queryKey: ['segments', 'picker'],
    queryFn: () => unwrap(api.GET('/api/v1/segments')),
    enabled: audience === 'segment',
  });

  const create = useMutation({
    mutationFn: (values: FormValues) =>
      unwrap(
        api.POST('/api/v1/campaigns/{campaign_id}/sends', {
          params: { path: { campaign_id: campaignId }, header: { 'Idempotency-Key': idempotencyKey } as never },
          body: sendBody(values),
        }),
      ),
    onSuccess: () => {
      void message.success(t('sends.created'));
      onCreated();
    },
    onError: (error) => void message.error(describeError(t, error)),
  });

  return (
    <Modal
      open
      title={t('sends.new')}
      okText={t('sends.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      onCancel={onClose}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={{ audience: 'members', locale: 'recipient' }}
        onFinish={(values) => create.mutate(values)}
      >
        <Form.Item name="template_id" label={t('sends.template')} rules={[{ required: true, message: t('sends.required') }]}>
          <Select
            showSearch
            optionFilterProp="label"
            loading={templates.isLoading}
            options={(templates.data?.items ?? []).map((tpl) => ({
              value: tpl.id,
              label: `${tpl.name} (${t(`sends.channels.${tpl.channel}` as 'sends.channels.email')})`,
            }))}
          />
        </Form.Item>
        <Form.Item name="audience" label={t('sends.audience')}>
          <Radio.Group
            options={[
              { value: 'members', label: t('sends.audiences.members') },
              { value: 'segment', label: t('sends.audiences.segment') },
            ]}
          />
        </Form.Item>
        {audience === 'members' ? (
          <Form.Item name="member_statuses" label={t('sends.memberStatuses')} extra={t('sends.memberStatusesHint')}>
            <Select
              mode="multiple"
              allowClear
              options={MEMBER_STATUSES.map((s) => ({ value: s, label: t(`sends.memberStatus.${s}` as 'sends.memberStatus.sent') }))}
            />
          </Form.Item>
        ) : (
          <Form.Item name="segment_id" label={t('sends.segment')} rules={[{ required: true, message: t('sends.required') }]}>
            <Select
              showSearch
              optionFilterProp="label"
              loading={segments.isLoading}
              options={(segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
            />
          </Form.Item>
        )}
        <Form.Item name="scheduled_at" label={t('sends.scheduledAt')} extra={t('sends.nowHint')}>
          <DatePicker showTime style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="rate_per_minute" label={t('sends.rate')} extra={t('sends.rateHint')}>
          <InputNumber min={1} max={100000} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="locale" label={t('sends.locale')}>
          <Select
            options={[
              { value: 'recipient', label: t('sends.locales.recipient') },
              { value: 'zh-CN', label: '中文' },
              { value: 'en', label: 'English' },
            ]}
          />
        </Form.Item>
        <p style={{ color: 'rgba(0,0,0,0.55)' }}>{t('sends.consentNote')}</p>
      </Form>
    </Modal>
  );
}
