import { useState } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Popconfirm, Segmented, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { describeError, EmptyState, ErrorState } from '../../components/states';
import { useCustomFields, type CustomField } from '../../directory';
import { can } from '../../permissions';

type Create = components['schemas']['CustomFieldCreate'];
const TYPES: Create['type'][] = ['text', 'number', 'date', 'bool', 'select', 'multiselect', 'email', 'phone', 'url'];

export default function CustomFieldsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [entity, setEntity] = useState<'customer' | 'contact'>('customer');
  const fields = useCustomFields(entity);
  const [open, setOpen] = useState(false);
  // null: a new field; otherwise the field being edited (key, entity and type stay).
  const [editing, setEditing] = useState<CustomField | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Create>();
  const type = Form.useWatch('type', form);

  function openEditor(field: CustomField | null) {
    setEditing(field);
    setOpen(true);
    form.resetFields();
    if (field)
      form.setFieldsValue({ label: field.label, key: field.key, type: field.type, options: field.options, required: field.required });
  }

  async function create(values: Create) {
    setBusy(true);
    try {
      if (editing) {
        await unwrap(
          api.PATCH('/api/v1/custom-fields/{field_id}', {
            params: { path: { field_id: editing.id } },
            body: { label: values.label.trim(), required: !!values.required, options: values.options ?? [] },
          }),
        );
        message.success(t('common.saved'));
      } else {
        await unwrap(
          api.POST('/api/v1/custom-fields', { body: { ...values, entity, options: values.options ?? [], required: !!values.required } }),
        );
        message.success(t('customFields.created'));
      }
      setOpen(false);
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: ['custom-fields'] });
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length)
        form.setFields(error.fieldErrors().map((f) => ({ name: f.name as never, errors: f.errors })));
      else if (error instanceof ApiError && error.status === 409) form.setFields([{ name: 'key', errors: [error.message] }]);
      else message.error(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function remove(field: CustomField) {
    try {
      await unwrap(api.DELETE('/api/v1/custom-fields/{field_id}', { params: { path: { field_id: field.id } } }));
      await queryClient.invalidateQueries({ queryKey: ['custom-fields'] });
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  return (
    <section aria-labelledby="cf-title">
      <div className="page-header">
        <Typography.Title level={2} id="cf-title">
          {t('customFields.title')}
        </Typography.Title>
        {can(me, 'custom_fields:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => openEditor(null)}>
            {t('customFields.new')}
          </Button>
        )}
      </div>
      <Segmented
        value={entity}
        onChange={(v) => setEntity(v as 'customer' | 'contact')}
        options={[
          { value: 'customer', label: t('customFields.entity.customer') },
          { value: 'contact', label: t('customFields.entity.contact') },
        ]}
        style={{ marginBottom: 12 }}
      />
      {fields.isError ? (
        <ErrorState error={fields.error} onRetry={() => void fields.refetch()} />
      ) : (
        <Table<CustomField>
          rowKey="id"
          loading={fields.isLoading}
          dataSource={fields.data ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <EmptyState /> }}
          columns={[
            { key: 'label', title: t('customFields.fields.label'), dataIndex: 'label' },
            { key: 'key', title: t('customFields.fields.key'), render: (_: unknown, f: CustomField) => <code>{f.key}</code> },
            { key: 'type', title: t('customFields.fields.type'), render: (_: unknown, f: CustomField) => t(`customFields.type.${f.type}`) },
            {
              key: 'required',
              title: t('customFields.fields.required'),
              render: (_: unknown, f: CustomField) => (f.required ? t('common.yes') : t('common.no')),
            },
            {
              key: 'options',
              title: t('customFields.fields.options'),
              render: (_: unknown, f: CustomField) => f.options.map((o) => <Tag key={o}>{o}</Tag>),
            },
            {
              key: 'actions',
              title: t('common.actions'),
              render: (_: unknown, f: CustomField) => (
                <Space>
                  {can(me, 'custom_fields:update') && (
                    <Button size="small" onClick={() => openEditor(f)}>
                      {t('common.edit')}
                    </Button>
                  )}
                  {can(me, 'custom_fields:delete') && (
                    <Popconfirm
                      title={t('customFields.confirmDelete')}
                      onConfirm={() => remove(f)}
                      okText={t('common.delete')}
                      cancelText={t('common.cancel')}
                    >
                      <Button size="small" danger>
                        {t('common.delete')}
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
        open={open}
        title={`${editing ? editing.label : t('customFields.new')} — ${t(`customFields.entity.${entity}`)}`}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={editing ? t('common.save') : t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={create} initialValues={{ type: 'text', required: false, options: [] }}>
          <Form.Item
            name="label"
            label={t('customFields.fields.label')}
            rules={[{ required: true, whitespace: true, message: t('common.required') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item
            name="key"
            label={t('customFields.fields.key')}
            extra={t('customFields.keyHelp')}
            rules={[{ required: true, pattern: /^[a-z][a-z0-9_]*$/, message: t('customFields.keyHelp') }]}
          >
            <Input disabled={!!editing} />
          </Form.Item>
          <Form.Item name="type" label={t('customFields.fields.type')}>
            <Select disabled={!!editing} options={TYPES.map((x) => ({ value: x, label: t(`customFields.type.${x}`) }))} />
          </Form.Item>
          {(type === 'select' || type === 'multiselect') && (
            <Form.Item name="options" label={t('customFields.fields.options')} extra={t('customFields.optionsHelp')}>
              <Select mode="tags" open={false} suffixIcon={null} />
            </Form.Item>
          )}
          <Form.Item name="required" label={t('customFields.fields.required')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </section>
  );
}
