import { useState } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Tree, Typography } from 'antd';
import type { DataNode, TreeProps } from 'antd/es/tree';
import { useTranslation } from 'react-i18next';
import { api, etagOf, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { describeError, EmptyState, ErrorState, Loading } from '../../components/states';
import { useDepartments, type Department } from '../../directory';
import { can } from '../../permissions';

function tree(departments: Department[], parent: string | null): DataNode[] {
  return departments
    .filter((d) => d.parent_id === parent)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => ({ key: d.id, title: d.name, children: tree(departments, d.id) }));
}

export default function DepartmentsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const departments = useDepartments();
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState<Department | null>(null);
  const [form] = Form.useForm<{ name: string; parent_id?: string }>();
  const mayUpdate = can(me, 'departments:update');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['departments'] });

  async function create(values: { name: string; parent_id?: string }) {
    try {
      await unwrap(api.POST('/api/v1/departments', { body: { name: values.name.trim(), parent_id: values.parent_id ?? null } }));
      message.success(t('departments.created'));
      setOpen(false);
      form.resetFields();
      await refresh();
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  async function reparent(department: Department, parentId: string | null) {
    try {
      await unwrap(
        api.PATCH('/api/v1/departments/{department_id}', {
          params: { path: { department_id: department.id }, header: { 'if-match': etagOf(department.version) } },
          body: { parent_id: parentId },
        }),
      );
      message.success(t('common.saved'));
      await refresh();
    } catch (error) {
      message.error(describeError(t, error));
    }
  }

  async function remove(department: Department) {
    try {
      await unwrap(api.DELETE('/api/v1/departments/{department_id}', { params: { path: { department_id: department.id } } }));
      setSelected(null);
      await refresh();
    } catch (error) {
      message.error(error instanceof ApiError && error.status === 409 ? t('departments.inUse') : describeError(t, error));
    }
  }

  // Drag a department onto another to move it under it; between nodes: next to them.
  const onDrop: TreeProps['onDrop'] = (info) => {
    const dragged = departments.data?.find((d) => d.id === info.dragNode.key);
    const target = departments.data?.find((d) => d.id === info.node.key);
    if (!dragged || !target) return;
    const parentId = info.dropToGap ? target.parent_id : target.id;
    if (parentId !== dragged.parent_id) void reparent(dragged, parentId);
  };

  if (departments.isLoading) return <Loading />;
  if (departments.isError) return <ErrorState error={departments.error} onRetry={() => void departments.refetch()} />;
  const all = departments.data ?? [];

  return (
    <section aria-labelledby="dept-title">
      <div className="page-header">
        <Typography.Title level={2} id="dept-title">
          {t('departments.title')}
        </Typography.Title>
        {can(me, 'departments:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
            {t('departments.new')}
          </Button>
        )}
      </div>
      {all.length === 0 ? (
        <EmptyState />
      ) : (
        <Tree
          treeData={tree(all, null)}
          defaultExpandAll
          draggable={mayUpdate}
          onDrop={onDrop}
          onSelect={(keys) => setSelected(all.find((d) => d.id === keys[0]) ?? null)}
          blockNode
          style={{ maxWidth: 520, padding: 8 }}
        />
      )}
      {selected && (
        <Space wrap style={{ marginTop: 16 }}>
          <Typography.Text strong>{selected.name}</Typography.Text>
          {mayUpdate && (
            <Select
              aria-label={t('departments.parent')}
              value={selected.parent_id ?? ''}
              style={{ width: 220 }}
              onChange={(v: string) => void reparent(selected, v || null)}
              options={[
                { value: '', label: t('departments.topLevel') },
                ...all.filter((d) => d.id !== selected.id).map((d) => ({ value: d.id, label: d.name })),
              ]}
            />
          )}
          {can(me, 'departments:delete') && (
            <Popconfirm
              title={t('common.confirmDelete')}
              onConfirm={() => remove(selected)}
              okText={t('common.delete')}
              cancelText={t('common.cancel')}
            >
              <Button danger>{t('common.delete')}</Button>
            </Popconfirm>
          )}
        </Space>
      )}
      <Modal
        open={open}
        title={t('departments.new')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={create}>
          <Form.Item
            name="name"
            label={t('departments.name')}
            rules={[{ required: true, whitespace: true, message: t('common.required') }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="parent_id" label={t('departments.parent')}>
            <Select allowClear placeholder={t('departments.topLevel')} options={all.map((d) => ({ value: d.id, label: d.name }))} />
          </Form.Item>
        </Form>
      </Modal>
    </section>
  );
}
