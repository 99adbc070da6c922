import { useState } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, etagOf, newIdempotencyKey, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { describeError, EmptyState, ErrorState } from '../../components/states';
import { useDepartments, useRoles, useUsers, type User } from '../../directory';
import { can } from '../../permissions';
import { formatDate } from '../customerBits';

interface NewUser {
  name: string;
  email: string;
  department_id?: string;
  role_ids: string[];
  locale?: string;
}

export default function UsersPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const users = useUsers();
  const roles = useRoles();
  const departments = useDepartments();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [busy, setBusy] = useState(false);
  // "Transfer customers": everything one (often leaving) user owns goes to another.
  const [transferFrom, setTransferFrom] = useState<User | null>(null);
  const [transferTo, setTransferTo] = useState<string>();
  const mayTransfer = can(me, 'customers:assign');
  const [filter, setFilter] = useState('');
  const [form] = Form.useForm<NewUser>();
  const [editForm] = Form.useForm<{ role_ids: string[]; department_id?: string | null }>();
  const mayManage = can(me, 'users:manage');
  const mayUpdate = can(me, 'users:update');
  const mayCreate = can(me, 'users:create');

  const roleName = (id: string) => roles.data?.find((r) => r.id === id)?.name ?? id.slice(0, 8);
  const deptName = (id: string | null) => (id ? (departments.data?.find((d) => d.id === id)?.name ?? '—') : '—');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });

  async function create(values: NewUser) {
    setBusy(true);
    try {
      await unwrap(
        api.POST('/api/v1/users', {
          body: {
            name: values.name.trim(),
            email: values.email.trim(),
            department_id: values.department_id ?? null,
            role_ids: values.role_ids ?? [],
            locale: values.locale ?? null,
          },
        }),
      );
      message.success(t('users.created', { email: values.email.trim() }));
      setCreating(false);
      form.resetFields();
      await refresh();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length)
        form.setFields(error.fieldErrors().map((f) => ({ name: f.name as never, errors: f.errors })));
      else if (error instanceof ApiError && error.status === 409) form.setFields([{ name: 'email', errors: [error.message] }]);
      else message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function saveEdit(values: { role_ids: string[]; department_id?: string | null }) {
    if (!editing) return;
    setBusy(true);
    try {
      // The security administrator assigns roles without users:update: send only what may change.
      const body: Record<string, unknown> = {};
      if (mayUpdate) body.department_id = values.department_id ?? null;
      if (mayManage) body.role_ids = values.role_ids;
      await unwrap(
        api.PATCH('/api/v1/users/{user_id}', {
          params: { path: { user_id: editing.id }, header: { 'if-match': etagOf(editing.version) } },
          body,
        }),
      );
      message.success(t('common.saved'));
      setEditing(null);
      await refresh();
    } catch (error) {
      message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function transfer() {
    if (!transferFrom || !transferTo) return;
    setBusy(true);
    try {
      const result = await unwrap(
        api.POST('/api/v1/customers/transfer', {
          params: { header: { 'idempotency-key': newIdempotencyKey() } },
          body: { from_owner_id: transferFrom.id, to_owner_id: transferTo },
        }),
      );
      message.success(t('users.transferred', { count: result.moved }));
      setTransferFrom(null);
      setTransferTo(undefined);
      await queryClient.invalidateQueries({ queryKey: ['customers'] });
    } catch (error) {
      message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function toggle(user: User) {
    try {
      if (user.active) await unwrap(api.POST('/api/v1/users/{user_id}/deactivate', { params: { path: { user_id: user.id } } }));
      else await unwrap(api.POST('/api/v1/users/{user_id}/activate', { params: { path: { user_id: user.id } } }));
      message.success(t('common.saved'));
      await refresh();
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  async function resetPassword(user: User) {
    try {
      await unwrap(api.POST('/api/v1/users/{user_id}/password-reset', { params: { path: { user_id: user.id } } }));
      message.success(t('users.resetSent', { name: user.name, email: user.email }));
      await refresh();
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  async function inviteAgain(user: User) {
    try {
      await unwrap(api.POST('/api/v1/users/{user_id}/invitation', { params: { path: { user_id: user.id } } }));
      message.success(t('users.invitationSent', { email: user.email }));
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  const needle = filter.trim().toLowerCase();
  const rows = (users.data ?? []).filter((u) => !needle || u.name.toLowerCase().includes(needle) || u.email.toLowerCase().includes(needle));
  const roleOptions = (roles.data ?? []).map((r) => ({ value: r.id, label: r.name }));
  const deptOptions = (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));

  return (
    <section aria-labelledby="users-title">
      <div className="page-header">
        <Typography.Title level={2} id="users-title">
          {t('users.title')}
        </Typography.Title>
        {can(me, 'users:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-user">
            {t('users.new')}
          </Button>
        )}
      </div>
      <div className="toolbar">
        <Input.Search
          aria-label={t('common.search')}
          placeholder={t('users.searchPlaceholder')}
          allowClear
          onChange={(e) => setFilter(e.target.value)}
          style={{ width: 280 }}
        />
      </div>
      {users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <Table<User>
          rowKey="id"
          loading={users.isLoading}
          dataSource={rows}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <EmptyState /> }}
          columns={[
            { key: 'name', title: t('users.fields.name'), dataIndex: 'name' },
            { key: 'email', title: t('users.fields.email'), dataIndex: 'email' },
            { key: 'dept', title: t('users.fields.department_id'), render: (_: unknown, u: User) => deptName(u.department_id) },
            {
              key: 'roles',
              title: t('users.fields.roles'),
              render: (_: unknown, u: User) => u.role_ids.map((r) => <Tag key={r}>{roleName(r)}</Tag>),
            },
            {
              key: 'active',
              title: t('users.fields.active'),
              render: (_: unknown, u: User) =>
                !u.active ? (
                  <Tag>{t('users.inactive')}</Tag>
                ) : u.password_set ? (
                  <Tag color="green">{t('users.active')}</Tag>
                ) : (
                  <Tag color="blue" data-testid="user-invited">
                    {t('users.invited')}
                  </Tag>
                ),
            },
            {
              key: 'last',
              title: t('users.fields.last_login_at'),
              render: (_: unknown, u: User) => formatDate(u.last_login_at, i18n.language),
            },
            {
              key: 'actions',
              title: t('common.actions'),
              render: (_: unknown, u: User) => (
                <Space>
                  {(mayUpdate || mayManage) && (
                    <Button
                      size="small"
                      onClick={() => {
                        setEditing(u);
                        editForm.setFieldsValue({ role_ids: u.role_ids, department_id: u.department_id });
                      }}
                    >
                      {t('common.edit')}
                    </Button>
                  )}
                  {mayTransfer && (
                    <Button size="small" onClick={() => setTransferFrom(u)}>
                      {t('users.transfer')}
                    </Button>
                  )}
                  {mayCreate && u.active && !u.password_set && (
                    <Button size="small" onClick={() => inviteAgain(u)}>
                      {t('users.inviteAgain')}
                    </Button>
                  )}
                  {mayManage && mayUpdate && u.active && u.password_set && (
                    <Popconfirm
                      title={t('users.confirmReset', { name: u.name })}
                      okText={t('common.yes')}
                      cancelText={t('common.no')}
                      onConfirm={() => resetPassword(u)}
                    >
                      <Button size="small">{t('users.sendReset')}</Button>
                    </Popconfirm>
                  )}
                  {mayManage && u.id !== me.user.id && (
                    <Popconfirm
                      title={u.active ? t('users.confirmDeactivate', { name: u.name }) : t('users.activate')}
                      okText={t('common.yes')}
                      cancelText={t('common.no')}
                      onConfirm={() => toggle(u)}
                    >
                      <Button size="small" danger={u.active}>
                        {u.active ? t('users.deactivate') : t('users.activate')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      )}
      <Modal
        open={creating}
        title={t('users.new')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('users.invitationNote')}</Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={create} initialValues={{ role_ids: [] }} data-testid="user-form">
          <Form.Item
            name="name"
            label={t('users.fields.name')}
            rules={[{ required: true, whitespace: true, message: t('common.required') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="email"
            label={t('users.fields.email')}
            rules={[
              { required: true, message: t('common.required') },
              { type: 'email', message: t('common.invalidEmail') },
            ]}
          >
            <Input inputMode="email" autoComplete="off" />
          </Form.Item>
          <Form.Item name="department_id" label={t('users.fields.department_id')}>
            <Select allowClear options={deptOptions} />
          </Form.Item>
          {mayManage && (
            <Form.Item name="role_ids" label={t('users.fields.roles')}>
              <Select mode="multiple" options={roleOptions} optionFilterProp="label" />
            </Form.Item>
          )}
          <Form.Item name="locale" label={t('users.fields.locale')}>
            <Select
              allowClear
              options={[
                { value: 'en', label: t('language.en') },
                { value: 'zh-CN', label: t('language.zh') },
              ]}
            />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!editing}
        title={editing?.name}
        onCancel={() => setEditing(null)}
        onOk={() => editForm.submit()}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
      >
        <Form form={editForm} layout="vertical" onFinish={saveEdit}>
          <Form.Item name="department_id" label={t('users.fields.department_id')}>
            <Select allowClear options={deptOptions} disabled={!mayUpdate} />
          </Form.Item>
          <Form.Item name="role_ids" label={t('users.fields.roles')}>
            <Select mode="multiple" options={roleOptions} disabled={!mayManage || editing?.id === me.user.id} optionFilterProp="label" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!transferFrom}
        title={t('users.transferTitle', { name: transferFrom?.name ?? '' })}
        onCancel={() => setTransferFrom(null)}
        onOk={transfer}
        okText={t('users.transfer')}
        okButtonProps={{ disabled: !transferTo }}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t('users.transferTo')} htmlFor="transfer-to">
            <Select
              id="transfer-to"
              value={transferTo}
              onChange={setTransferTo}
              showSearch={{ optionFilterProp: 'label' }}
              options={(users.data ?? []).filter((u) => u.active && u.id !== transferFrom?.id).map((u) => ({ value: u.id, label: u.name }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </section>
  );
}
