import { useState } from 'react';
import { CopyOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Segmented, Select, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { ApiError } from '../api/errors';
import { useMe } from '../auth';
import { describeError, EmptyState, ErrorState } from '../components/states';
import { useUserName } from '../directory';
import { formatDate } from './customerBits';

type Token = components['schemas']['ApiTokenOut'];

export default function TokensPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  // Those who manage tokens can see (and revoke) everybody's.
  const mayManage = me.permissions.includes('api_tokens:manage');
  const [everyone, setEveryone] = useState(false);
  const userName = useUserName();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ name: string; scopes: string[]; expires_at?: string }>();

  const tokens = useQuery({
    queryKey: ['api-tokens', everyone],
    queryFn: () => unwrap(api.GET('/api/v1/api-tokens', { params: { query: { limit: 200, all: everyone } } })),
  });

  async function create(values: { name: string; scopes: string[]; expires_at?: string }) {
    setBusy(true);
    try {
      const created = await unwrap(
        api.POST('/api/v1/api-tokens', {
          body: {
            name: values.name.trim(),
            scopes: values.scopes,
            expires_at: values.expires_at ? new Date(values.expires_at).toISOString() : null,
          },
        }),
      );
      setOpen(false);
      form.resetFields();
      setSecret(created.token);
      await queryClient.invalidateQueries({ queryKey: ['api-tokens'] });
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length)
        form.setFields(error.fieldErrors().map((f) => ({ name: f.name as never, errors: f.errors })));
      else message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: Token) {
    try {
      await unwrap(api.DELETE('/api/v1/api-tokens/{token_id}', { params: { path: { token_id: token.id } } }));
      await queryClient.invalidateQueries({ queryKey: ['api-tokens'] });
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  async function copy() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      message.success(t('common.copied'));
    } catch {
      // the secret stays visible and selectable
    }
  }

  return (
    <section aria-labelledby="tokens-title">
      <div className="page-header">
        <Typography.Title level={2} id="tokens-title">
          {t('tokens.title')}
        </Typography.Title>
        {me.permissions.includes('api_tokens:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="new-token">
            {t('tokens.new')}
          </Button>
        )}
      </div>
      {mayManage && (
        <Segmented
          value={everyone ? 'all' : 'mine'}
          onChange={(v) => setEveryone(v === 'all')}
          options={[
            { value: 'mine', label: t('tokens.mine') },
            { value: 'all', label: t('tokens.everyone') },
          ]}
          style={{ marginBottom: 12 }}
        />
      )}
      {tokens.isError ? (
        <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : (
        <Table<Token>
          rowKey="id"
          loading={tokens.isLoading}
          dataSource={tokens.data?.items ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <EmptyState description={t('tokens.empty')} /> }}
          columns={[
            { key: 'name', title: t('tokens.fields.name'), dataIndex: 'name' },
            ...(everyone
              ? [{ key: 'user', title: t('tokens.fields.user'), render: (_: unknown, k: Token) => userName(k.user_id) ?? '—' }]
              : []),
            { key: 'prefix', title: t('tokens.fields.prefix'), render: (_: unknown, k: Token) => <code>{k.prefix}…</code> },
            {
              key: 'scopes',
              title: t('tokens.fields.scopes'),
              render: (_: unknown, k: Token) => k.scopes.map((s) => <Tag key={s}>{s}</Tag>),
            },
            {
              key: 'expires',
              title: t('tokens.fields.expires_at'),
              render: (_: unknown, k: Token) => (k.expires_at ? formatDate(k.expires_at, i18n.language) : t('tokens.never')),
            },
            {
              key: 'used',
              title: t('tokens.fields.last_used_at'),
              render: (_: unknown, k: Token) => formatDate(k.last_used_at, i18n.language),
            },
            {
              key: 'actions',
              title: t('common.actions'),
              render: (_: unknown, k: Token) =>
                k.revoked_at ? (
                  <Tag>{t('tokens.revoked')}</Tag>
                ) : (
                  <Popconfirm
                    title={t('tokens.confirmRevoke')}
                    onConfirm={() => revoke(k)}
                    okText={t('tokens.revoke')}
                    cancelText={t('common.cancel')}
                  >
                    <Button size="small" danger>
                      {t('tokens.revoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      )}
      <Modal
        open={open}
        title={t('tokens.new')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={create} initialValues={{ scopes: [] }}>
          <Form.Item
            name="name"
            label={t('tokens.fields.name')}
            rules={[{ required: true, whitespace: true, message: t('common.required') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="scopes"
            label={t('tokens.fields.scopes')}
            extra={t('tokens.scopesHelp')}
            rules={[{ required: true, message: t('common.required') }]}
          >
            <Select mode="multiple" options={me.permissions.map((p) => ({ value: p, label: p }))} />
          </Form.Item>
          <Form.Item name="expires_at" label={t('tokens.fields.expires_at')}>
            <Input type="date" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!secret}
        title={t('tokens.secretTitle')}
        onCancel={() => setSecret(null)}
        footer={[
          <Button key="copy" icon={<CopyOutlined />} onClick={copy}>
            {t('common.copy')}
          </Button>,
          <Button key="close" type="primary" onClick={() => setSecret(null)}>
            {t('common.close')}
          </Button>,
        ]}
      >
        <Alert type="warning" showIcon title={t('tokens.secretDetail')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: secret ?? '' }} code data-testid="token-secret" style={{ wordBreak: 'break-all' }}>
          {secret}
        </Typography.Paragraph>
      </Modal>
    </section>
  );
}
