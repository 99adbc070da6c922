import { useState } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, etagOf, newIdempotencyKey, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { describeError, EmptyState, ErrorState } from '../../components/states';
import { useDepartments, useRoles, useUsers, type User } from '../../directory';
import { can } from '../../permissions';
import { formatDate } from '../customerBits';

/** What a leaving user's book holds, in the order the server moves it (POST /users/{id}/transfer). */
const BOOK_KINDS = ['customers', 'contacts', 'leads', 'opportunities', 'activities', 'quotes', 'orders', 'sales_plans', 'tickets'] as const;
type BookKind = (typeof BOOK_KINDS)[number];

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
  // "Transfer records": what one (often leaving) user owns goes to another, kind by kind; offered
  // on its own and when deactivating. Only the kinds the caller may assign, all checked at first.
  const [transferFrom, setTransferFrom] = useState<User | null>(null);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [transferTo, setTransferTo] = useState<string>();
  const assignable = BOOK_KINDS.filter((kind) => can(me, `${kind}:assign`));
  const [transferKinds, setTransferKinds] = useState<BookKind[]>([]);
  const mayTransfer = assignable.length > 0;
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

  const kindLabels: Record<BookKind, string> = {
    customers: t('users.kinds.customers'),
    contacts: t('users.kinds.contacts'),
    leads: t('users.kinds.leads'),
    opportunities: t('users.kinds.opportunities'),
    activities: t('users.kinds.activities'),
    quotes: t('users.kinds.quotes'),
    orders: t('users.kinds.orders'),
    sales_plans: t('users.kinds.sales_plans'),
    tickets: t('users.kinds.tickets'),
  };

  function startTransfer(user: User, deactivate: boolean) {
    setTransferTo(undefined);
    setTransferKinds([...assignable]);
    if (deactivate) setDeactivating(user);
    else setTransferFrom(user);
  }

  /** Moves `from`'s records of the checked kinds to the chosen user; how many moved. */
  async function moveBook(from: User, to: string): Promise<number> {
    const result = await unwrap(
      api.POST('/api/v1/users/{user_id}/transfer', {
        params: { path: { user_id: from.id }, header: { 'idempotency-key': newIdempotencyKey() } },
        body: { to_owner_id: to, kinds: transferKinds },
      }),
    );
    // Records of many kinds changed owner: every cached list may be stale.
    await queryClient.invalidateQueries();
    return result.total;
  }

  async function transfer() {
    if (!transferFrom || !transferTo || transferKinds.length === 0) return;
    setBusy(true);
    try {
      message.success(t('users.transferred', { count: await moveBook(transferFrom, transferTo) }));
      setTransferFrom(null);
    } catch (error) {
      message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function deactivate() {
    if (!deactivating) return;
    setBusy(true);
    try {
      // The records first: should that fail, the user is still active and nothing changed.
      if (transferTo && transferKinds.length > 0)
        message.success(t('users.transferred', { count: await moveBook(deactivating, transferTo) }));
      await unwrap(api.POST('/api/v1/users/{user_id}/deactivate', { params: { path: { user_id: deactivating.id } } }));
      message.success(t('common.saved'));
      setDeactivating(null);
      await refresh();
    } catch (error) {
      message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function activate(user: User) {
    try {
      await unwrap(api.POST('/api/v1/users/{user_id}/activate', { params: { path: { user_id: user.id } } }));
      message.success(t('common.saved'));
      await refresh();
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  const source = transferFrom ?? deactivating;
  const receivers = (users.data ?? []).filter((u) => u.active && u.id !== source?.id).map((u) => ({ value: u.id, label: u.name }));
  const kindsField = (
    <Form.Item label={t('users.transferKinds')} extra={t('users.transferHelp')}>
      <Checkbox.Group
        aria-label={t('users.transferKinds')}
        value={transferKinds}
        onChange={(checked) => setTransferKinds(checked as BookKind[])}
        options={assignable.map((kind) => ({ value: kind, label: kindLabels[kind] }))}
      />
    </Form.Item>
  );

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
                    <Button size="small" onClick={() => startTransfer(u, false)}>
                      {t('users.transfer')}
                    </Button>
                  )}
                  {mayManage && u.id !== me.user.id && u.active && (
                    <Button size="small" danger onClick={() => startTransfer(u, true)}>
                      {t('users.deactivate')}
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
                  {mayManage && u.id !== me.user.id && !u.active && (
                    <Popconfirm
                      title={t('users.activate')}
                      okText={t('common.yes')}
                      cancelText={t('common.no')}
                      onConfirm={() => activate(u)}
                    >
                      <Button size="small">{t('users.activate')}</Button>
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
        okButtonProps={{ disabled: !transferTo || transferKinds.length === 0 }}
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
              options={receivers}
            />
          </Form.Item>
          {kindsField}
        </Form>
      </Modal>
      <Modal
        open={!!deactivating}
        title={t('users.deactivateTitle', { name: deactivating?.name ?? '' })}
        onCancel={() => setDeactivating(null)}
        onOk={deactivate}
        okText={t('users.deactivate')}
        okButtonProps={{ danger: true, disabled: !!transferTo && transferKinds.length === 0 }}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Typography.Paragraph>{t('users.confirmDeactivate', { name: deactivating?.name ?? '' })}</Typography.Paragraph>
        {mayTransfer && (
          <Form layout="vertical">
            <Form.Item label={t('users.deactivateTransfer')} htmlFor="deactivate-transfer-to">
              <Select
                id="deactivate-transfer-to"
                allowClear
                placeholder={t('users.deactivateTransferNone')}
                value={transferTo}
                onChange={setTransferTo}
                showSearch={{ optionFilterProp: 'label' }}
                options={receivers}
              />
            </Form.Item>
            {transferTo && kindsField}
          </Form>
        )}
      </Modal>
    </section>
  );
}
