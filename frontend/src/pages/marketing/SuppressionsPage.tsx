// /marketing/suppressions: addresses no campaign message reaches (campaigns:manage). Filter by
// channel, reason and address; add one by hand; take one off.
import { useState } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { components } from '../../api/schema';
import { describeError, EmptyState, ErrorState } from '../../components/states';
import { formatDate } from '../customerBits';

type Suppression = components['schemas']['SuppressionOut'];
type Channel = Suppression['channel'];
type Reason = Suppression['reason'];
const REASONS: Reason[] = ['unsubscribed', 'hard_bounce', 'complaint', 'manual'];
const REASON_COLORS: Record<Reason, string> = { unsubscribed: 'blue', hard_bounce: 'red', complaint: 'volcano', manual: 'default' };

export default function SuppressionsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<{ channel?: Channel; reason?: Reason; q?: string }>({});
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ channel: Channel; address: string; detail?: string }>();
  const query = useInfiniteQuery({
    queryKey: ['suppressions', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/suppressions', { params: { query: { ...filters, limit: 50, cursor: pageParam } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

  async function add(values: { channel: Channel; address: string; detail?: string }) {
    setBusy(true);
    try {
      await unwrap(api.POST('/api/v1/suppressions', { body: { ...values, detail: values.detail || null } }));
      void message.success(t('suppressions.addedOk'));
      setAdding(false);
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: ['suppressions'] });
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length)
        form.setFields(error.problem.errors.map((e) => ({ name: e.field as never, errors: [e.message] })));
      else void message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function remove(s: Suppression) {
    try {
      await unwrap(
        api.DELETE('/api/v1/suppressions/{channel}/{address}', { params: { path: { channel: s.channel, address: s.address } } }),
      );
      void message.success(t('suppressions.removed'));
      await queryClient.invalidateQueries({ queryKey: ['suppressions'] });
    } catch (error) {
      void message.error(describeError(t, error));
    }
  }

  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="suppressions-title">
      <div className="page-header">
        <Typography.Title level={2} id="suppressions-title">
          {t('suppressions.title')}
        </Typography.Title>
        <Button type="primary" onClick={() => setAdding(true)} data-testid="suppression-add">
          {t('suppressions.add')}
        </Button>
      </div>
      <Typography.Paragraph type="secondary">{t('suppressions.intro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          allowClear
          placeholder={t('suppressions.channel')}
          style={{ width: 140 }}
          value={filters.channel}
          onChange={(channel?: Channel) => setFilters((f) => ({ ...f, channel }))}
          options={(['email', 'sms'] as const).map((c) => ({ value: c, label: t(`consents.channel.${c}`) }))}
        />
        <Select
          allowClear
          placeholder={t('suppressions.reason')}
          style={{ width: 180 }}
          value={filters.reason}
          onChange={(reason?: Reason) => setFilters((f) => ({ ...f, reason }))}
          options={REASONS.map((r) => ({ value: r, label: t(`suppressions.reasons.${r}`) }))}
        />
        <Input.Search
          allowClear
          placeholder={t('suppressions.search')}
          style={{ width: 240 }}
          onSearch={(q) => setFilters((f) => ({ ...f, q: q.trim() || undefined }))}
        />
      </Space>
      {query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <Table<Suppression>
          rowKey={(s) => `${s.channel}:${s.address}`}
          loading={query.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{ emptyText: <EmptyState /> }}
          columns={[
            { key: 'address', title: t('suppressions.address'), dataIndex: 'address' },
            { key: 'channel', title: t('suppressions.channel'), render: (_, s) => t(`consents.channel.${s.channel}`) },
            {
              key: 'reason',
              title: t('suppressions.reason'),
              render: (_, s) => <Tag color={REASON_COLORS[s.reason]}>{t(`suppressions.reasons.${s.reason}`)}</Tag>,
            },
            { key: 'detail', title: t('suppressions.detail'), render: (_, s) => s.detail ?? t('common.none') },
            { key: 'added', title: t('suppressions.added'), render: (_, s) => formatDate(s.created_at, i18n.language) },
            {
              key: 'actions',
              title: t('common.actions'),
              render: (_, s) => (
                <Popconfirm title={t('suppressions.confirmRemove', { address: s.address })} onConfirm={() => void remove(s)}>
                  <Button size="small" danger>
                    {t('suppressions.remove')}
                  </Button>
                </Popconfirm>
              ),
            },
          ]}
        />
      )}
      {query.hasNextPage && (
        <Button style={{ marginTop: 16 }} onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      )}
      <Modal
        open={adding}
        title={t('suppressions.add')}
        onCancel={() => setAdding(false)}
        onOk={() => form.submit()}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" initialValues={{ channel: 'email' }} onFinish={(v) => void add(v)}>
          <Form.Item name="channel" label={t('suppressions.channel')} rules={[{ required: true, message: t('common.required') }]}>
            <Select options={(['email', 'sms'] as const).map((c) => ({ value: c, label: t(`consents.channel.${c}`) }))} />
          </Form.Item>
          <Form.Item name="address" label={t('suppressions.address')} rules={[{ required: true, message: t('common.required') }]}>
            <Input maxLength={254} />
          </Form.Item>
          <Form.Item name="detail" label={t('suppressions.detail')}>
            <Input maxLength={1000} />
          </Form.Item>
        </Form>
      </Modal>
    </section>
  );
}
