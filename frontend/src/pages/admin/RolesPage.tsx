import { useState } from 'react';
import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Checkbox, Drawer, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, etagOf, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { describeError, EmptyState, ErrorState } from '../../components/states';
import { useRegions, useRoles, type Role } from '../../directory';
import { can } from '../../permissions';
import { ACTIONS, RANGED_RESOURCES, RESOURCES } from './roleCatalog';

const RANGED: ReadonlySet<string> = new Set(RANGED_RESOURCES);
const EMPTY_RANGE: RangeSpec = { range: 'none', regions: null, customer_types: null };
const TYPES = ['smb', 'enterprise', 'partner', 'government'];
type Range = 'none' | 'own' | 'department' | 'all';
interface RangeSpec {
  range: Range;
  regions: string[] | null;
  customer_types: string[] | null;
}

interface Draft {
  id?: string;
  version?: number;
  name: string;
  description: string;
  permissions: Set<string>;
  ranges: Record<string, RangeSpec>;
  system: boolean;
}

function draftOf(role: Role | null): Draft {
  if (!role) return { name: '', description: '', permissions: new Set(), ranges: {}, system: false };
  return {
    id: role.id,
    version: role.version,
    name: role.name,
    description: role.description,
    permissions: new Set(role.permissions),
    ranges: Object.fromEntries(
      Object.entries(role.data_ranges).map(([k, v]) => [k, { range: v.range, regions: v.regions, customer_types: v.customer_types }]),
    ),
    system: role.is_system,
  };
}

/** Resource x action checkboxes plus a data range per record-holding resource. */
export type { Draft as RoleDraft };
export { draftOf };

export function PermissionMatrix({
  draft,
  onChange,
  readOnly,
  regions = [],
}: {
  draft: Draft;
  onChange: (d: Draft) => void;
  readOnly: boolean;
  regions?: { id: string; name: string }[];
}) {
  const { t } = useTranslation();
  const toggle = (perm: string, on: boolean) => {
    const next = new Set(draft.permissions);
    if (on) next.add(perm);
    else next.delete(perm);
    onChange({ ...draft, permissions: next });
  };
  return (
    <div style={{ overflowX: 'auto' }}>
      <table className="matrix" data-testid="permission-matrix" style={{ borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <tr>
            <th scope="col" style={{ textAlign: 'left', padding: 4 }}>
              {t('roles.resource')}
            </th>
            {ACTIONS.map((a) => (
              <th key={a} scope="col" style={{ padding: 4, fontWeight: 500 }}>
                {t(`roles.actions.${a}`)}
              </th>
            ))}
            <th scope="col" style={{ padding: 4 }}>
              {t('roles.dataRange')}
            </th>
          </tr>
        </thead>
        <tbody>
          {RESOURCES.map((r) => (
            <tr key={r} style={{ borderTop: '1px solid #f0f0f0' }}>
              <th scope="row" style={{ textAlign: 'left', padding: 4, fontWeight: 400 }}>
                {t(`roles.resources.${r}`)}
              </th>
              {ACTIONS.map((a) => {
                const perm = `${r}:${a}`;
                return (
                  <td key={a} style={{ textAlign: 'center', padding: 4 }}>
                    <Checkbox
                      aria-label={`${t(`roles.resources.${r}`)} ${t(`roles.actions.${a}`)}`}
                      checked={draft.permissions.has(perm)}
                      disabled={readOnly}
                      onChange={(e) => toggle(perm, e.target.checked)}
                      data-perm={perm}
                    />
                  </td>
                );
              })}
              <td style={{ padding: 4 }}>
                {RANGED.has(r) && (
                  <Select<Range>
                    aria-label={`${t(`roles.resources.${r}`)} ${t('roles.dataRange')}`}
                    size="small"
                    disabled={readOnly}
                    value={draft.ranges[r]?.range ?? 'none'}
                    onChange={(v) =>
                      onChange({ ...draft, ranges: { ...draft.ranges, [r]: { ...(draft.ranges[r] ?? EMPTY_RANGE), range: v } } })
                    }
                    options={(['none', 'own', 'department', 'all'] as const).map((v) => ({ value: v, label: t(`roles.range.${v}`) }))}
                    style={{ width: 120 }}
                    data-range={r}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('roles.narrowing')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('roles.narrowingHelp')}</Typography.Paragraph>
      {[...RANGED].map((r) => {
        const spec = draft.ranges[r] ?? EMPTY_RANGE;
        const set = (patch: Partial<RangeSpec>) => onChange({ ...draft, ranges: { ...draft.ranges, [r]: { ...spec, ...patch } } });
        return (
          <Space key={r} wrap style={{ display: 'flex', marginBottom: 8 }} align="center">
            <span style={{ minWidth: 100, display: 'inline-block' }}>{t(`roles.resources.${r as 'customers'}`)}</span>
            <Select
              mode="multiple"
              aria-label={`${t(`roles.resources.${r as 'customers'}`)} ${t('roles.regions')}`}
              placeholder={t('roles.anyRegion')}
              disabled={readOnly || spec.range === 'none'}
              value={spec.regions ?? []}
              onChange={(v: string[]) => set({ regions: v.length ? v : null })}
              options={regions.map((g) => ({ value: g.id, label: g.name }))}
              style={{ minWidth: 220 }}
            />
            <Select
              mode="tags"
              aria-label={`${t(`roles.resources.${r as 'customers'}`)} ${t('roles.customerTypes')}`}
              placeholder={t('roles.anyType')}
              disabled={readOnly || spec.range === 'none'}
              value={spec.customer_types ?? []}
              onChange={(v: string[]) => set({ customer_types: v.length ? v : null })}
              options={TYPES.map((x) => ({ value: x, label: x }))}
              style={{ minWidth: 220 }}
            />
          </Space>
        );
      })}
    </div>
  );
}

export default function RolesPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const roles = useRoles();
  const regions = useRegions();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mayEdit = can(me, 'roles:update') || can(me, 'roles:create');

  async function save() {
    if (!draft) return;
    setBusy(true);
    setError(null);
    const data_ranges = Object.fromEntries(
      Object.entries(draft.ranges)
        .filter(([r]) => RANGED.has(r))
        .map(([r, spec]) => [
          r,
          {
            range: spec.range,
            regions: spec.regions?.length ? spec.regions : null,
            customer_types: spec.customer_types?.length ? spec.customer_types : null,
          },
        ]),
    );
    const body = { name: draft.name.trim(), description: draft.description, permissions: [...draft.permissions].sort(), data_ranges };
    try {
      if (draft.id)
        await unwrap(
          api.PATCH('/api/v1/roles/{role_id}', {
            params: { path: { role_id: draft.id }, header: { 'if-match': etagOf(draft.version!) } },
            body,
          }),
        );
      else await unwrap(api.POST('/api/v1/roles', { body }));
      message.success(t('roles.saved'));
      setDraft(null);
      await queryClient.invalidateQueries({ queryKey: ['roles'] });
    } catch (e) {
      setError(
        e instanceof ApiError && e.problem.errors?.length
          ? e.problem.errors.map((x) => `${x.field}: ${x.message}`).join('; ')
          : describeError(t, e),
      );
    } finally {
      setBusy(false);
    }
  }

  async function remove(role: Role) {
    try {
      await unwrap(api.DELETE('/api/v1/roles/{role_id}', { params: { path: { role_id: role.id } } }));
      await queryClient.invalidateQueries({ queryKey: ['roles'] });
    } catch (e) {
      message.error(describeError(t, e));
    }
  }

  const readOnly = !draft || draft.system || !mayEdit;
  return (
    <section aria-labelledby="roles-title">
      <div className="page-header">
        <Typography.Title level={2} id="roles-title">
          {t('roles.title')}
        </Typography.Title>
        {can(me, 'roles:create') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDraft(draftOf(null))} data-testid="new-role">
            {t('roles.new')}
          </Button>
        )}
      </div>
      {roles.isError ? (
        <ErrorState error={roles.error} onRetry={() => void roles.refetch()} />
      ) : (
        <Table<Role>
          rowKey="id"
          loading={roles.isLoading}
          dataSource={roles.data ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <EmptyState /> }}
          columns={[
            {
              key: 'name',
              title: t('roles.fields.name'),
              render: (_: unknown, r: Role) => <a onClick={() => setDraft(draftOf(r))}>{r.name}</a>,
            },
            { key: 'key', title: t('roles.fields.key'), dataIndex: 'key' },
            {
              key: 'system',
              title: t('roles.fields.system'),
              render: (_: unknown, r: Role) =>
                r.is_system ? <Tag>{t('roles.system')}</Tag> : <Tag color="purple">{t('roles.custom')}</Tag>,
            },
            { key: 'perms', title: t('roles.fields.permissions'), render: (_: unknown, r: Role) => r.permissions.length },
            {
              key: 'actions',
              title: t('common.actions'),
              render: (_: unknown, r: Role) => (
                <Space>
                  <Button size="small" onClick={() => setDraft(draftOf(r))}>
                    {r.is_system || !mayEdit ? t('common.open') : t('common.edit')}
                  </Button>
                  {!r.is_system && can(me, 'roles:delete') && (
                    <Popconfirm
                      title={t('common.confirmDelete')}
                      onConfirm={() => remove(r)}
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
      <Drawer
        open={!!draft}
        onClose={() => setDraft(null)}
        size={820}
        title={draft?.id ? t('roles.editTitle') : t('roles.new')}
        extra={
          !readOnly && (
            <Button type="primary" onClick={save} loading={busy} data-testid="save-role">
              {t('common.save')}
            </Button>
          )
        }
      >
        {draft && (
          <>
            {draft.system && <Alert type="info" showIcon title={t('roles.systemReadOnly')} style={{ marginBottom: 12 }} />}
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} role="alert" />}
            <Form layout="vertical">
              <Form.Item label={t('roles.fields.name')} required htmlFor="role-name">
                <Input
                  id="role-name"
                  value={draft.name}
                  disabled={readOnly}
                  onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                />
              </Form.Item>
              <Form.Item label={t('roles.fields.description')} htmlFor="role-description">
                <Input.TextArea
                  id="role-description"
                  rows={2}
                  value={draft.description}
                  disabled={readOnly}
                  onChange={(e) => setDraft({ ...draft, description: e.target.value })}
                />
              </Form.Item>
            </Form>
            <PermissionMatrix draft={draft} onChange={setDraft} readOnly={readOnly} regions={regions.data} />
          </>
        )}
      </Drawer>
    </section>
  );
}
